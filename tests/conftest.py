"""Shared fixtures: real files, a real store in a temp folder, no writes to $HOME."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from store.library import Library

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
SAMPLE_PROFILE = SAMPLE_DATA / "jason-d-lee-profile.txt"
REALDATA = ROOT / "tests" / "data"
AS_OF = dt.date(2026, 11, 28)


def sample_and_bibtex(path: Path, *names: str) -> Library:
    """A store at ``path`` holding the sample profile and these files of ``tests/data/bibtex``."""
    from store.formats import decode_input, parse_text
    from store.library import Library

    library = Library(path)
    profile = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    library.import_result(profile, source=str(SAMPLE_PROFILE))
    for name in names:
        bib = REALDATA / "bibtex" / name
        library.import_result(parse_text(decode_input(bib.read_bytes())), source=str(bib))
    return library


def child_env() -> dict[str, str]:
    """The environment of child processes: this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return env


def run_cli(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``paper-reader --db DB ARGS...`` in a child process, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        cwd=ROOT,
        env=child_env(),
    )


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep every test away from the user's real library and settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PAPER_READER_DB", str(home / "default-library.json"))
    monkeypatch.setenv("PAPER_READER_CONFIG", str(home / "settings.json"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))  # the arXiv pace file
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "STY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's store lives (nothing exists there yet)."""
    return tmp_path / "store" / "library.json"


@pytest.fixture
def sample_library(db_path: Path):
    """A real store holding the bundled sample collection."""
    from store.formats import decode_input, parse_text
    from store.library import Library

    library = Library(db_path)
    result = parse_text(
        decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF, source=str(SAMPLE_PROFILE)
    )
    library.import_result(result, source=str(SAMPLE_PROFILE))
    return library
