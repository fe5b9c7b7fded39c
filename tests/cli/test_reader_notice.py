"""``paper-reader FILE``: what the reader is told about the import it opens after."""

from __future__ import annotations

from pathlib import Path

from store.importing import import_files
from store.library import Library
from tui.cli.main import import_notice

BIBTEX = Path(__file__).parents[1] / "data" / "bibtex"


def test_notice_counts_each_file_and_says_how_to_see_warnings(tmp_path: Path) -> None:
    library = Library(tmp_path / "library.json")
    clean = BIBTEX / "zotero7-export-arxiv-misc-windows-paths.bib"
    warned = BIBTEX / "zotero-bbt-broken-trailing-backslash-brace.bib"
    imported = import_files(library, [str(clean), str(warned)])
    lines = import_notice(imported).splitlines()
    assert lines[0] == (
        "zotero7-export-arxiv-misc-windows-paths.bib: added 9, merged 0, updated 0, "
        "unchanged 0, skipped 0, warnings 0"
    )
    assert lines[1].startswith("zotero-bbt-broken-trailing-backslash-brace.bib: added 122,")
    assert lines[1].endswith(f" — 1 warning: run paper-reader import {warned} to see them")
    assert {item.summary.collection for item in imported} == {
        "zotero7-export-arxiv-misc-windows-paths",
        "zotero-bbt-broken-trailing-backslash-brace",
    }
