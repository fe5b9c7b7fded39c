"""The core must import without the UI: scripts and the CLI pay for no Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

STORE = ROOT / "store"
TINYDB_ADAPTER = "store/tinydb_files.py"


def _store_modules() -> list[str]:
    """Every module under ``store/``, found on disk (a new one is checked without a word)."""
    names = []
    for path in sorted(STORE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _imported_roots(path: Path) -> set[str]:
    """The top-level packages a module imports (at any depth of its code)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_store_module_is_found() -> None:
    modules = _store_modules()
    assert {"store", "store.library", "store.repository", "store.latex"} <= set(modules)
    assert any(name.startswith("store.formats.") for name in modules)
    assert {"store.query", "store.query.lexer", "store.query.evaluator"} <= set(modules)


def test_store_loads_no_ui_libraries() -> None:
    code = (
        f"import sys\nfor name in {_store_modules()!r}:\n    __import__(name)\n"
        "bad = [m for m in ('textual', 'rich', 'pyperclip') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_only_the_tinydb_adapter_imports_tinydb() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted(STORE.rglob("*.py"))
        if "tinydb" in _imported_roots(path)
    ]
    assert importers == [TINYDB_ADAPTER]


def test_tui_never_touches_tinydb() -> None:
    offenders = [
        path.name
        for path in (ROOT / "tui").rglob("*.py")
        if "tinydb" in _imported_roots(path)
        or any(
            module in path.read_text(encoding="utf-8")
            for module in ("store.repository", "store.tinydb_files", "store.atomic")
        )
    ]
    assert offenders == []
