"""The core must import without the UI: scripts and the CLI pay for no Textual."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_store_loads_no_ui_libraries() -> None:
    code = (
        "import sys, store, store.library, store.formats, store.query, store.links, "
        "store.facets, store.stats\n"
        "bad = [m for m in ('textual', 'rich', 'pyperclip') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_only_the_repository_imports_tinydb() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "store").rglob("*.py")
        if "import tinydb" in path.read_text() or "from tinydb" in path.read_text()
    ]
    assert importers == ["store/repository.py"]


def test_tui_never_touches_tinydb() -> None:
    offenders = [
        path.name
        for path in (ROOT / "tui").rglob("*.py")
        if "tinydb" in path.read_text() or "store.repository" in path.read_text()
    ]
    assert offenders == []
