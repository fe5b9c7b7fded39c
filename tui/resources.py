"""Where the installed styles and sample data are.

In a wheel they are packaged inside ``tui/`` (``_styles``, ``_sample_data``);
in a source checkout or an editable install they sit at the project's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(packaged: str, top_level: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / top_level


def styles_dir() -> Path:
    """The folder of ``.tcss`` files."""
    return _resource("_styles", "styles")


def sample_data_dir() -> Path:
    """The folder holding the bundled sample collection."""
    return _resource("_sample_data", "sample_data")
