"""The reader's remembered preferences (the theme), kept beside the user's config.

``PAPER_READER_CONFIG`` points elsewhere (tests use a temp folder).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson


def settings_path() -> Path:
    """Where preferences live."""
    env = os.environ.get("PAPER_READER_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("paper-reader")) / "settings.json"


def load_settings() -> dict[str, Any]:
    """Saved preferences; an unreadable file counts as none."""
    try:
        data = orjson.loads(settings_path().read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value: Any) -> None:
    """Remember one preference; failing to save it is never fatal."""
    data = load_settings()
    data[key] = value
    path = settings_path()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as handle:
            handle.write(orjson.dumps(data))
            handle.flush()
            os.fsync(handle.fileno())  # the bytes reach the disk before the name does
        os.replace(tmp, path)
        folder = os.open(path.parent, os.O_RDONLY)  # and the rename survives a power cut
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
