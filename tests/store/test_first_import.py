"""A first import into an empty store gives what the identity rules give, record by record.

Into an empty store an import whose records share no key, fingerprint, arXiv
id, DOI or normalised title is added whole without looking anything up
(:func:`store.merging._all_new`); any other import walks the rules. Both must
give the same papers, ids, aliases and summary, so these tests import the same
real files both ways: into an empty store, and after one unrelated paper that
sends the import down the rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store import clock
from store.formats import parse_text
from store.library import Library
from store.model import Paper
from tests.conftest import REALDATA

SAMPLE = Path(__file__).parents[2] / "sample_data" / "jason-d-lee-profile.txt"
UNRELATED = "@misc{unrelated, title={A Paper Nobody Else Wrote}, author={Nobody, No}, year=1901}"
FILES = [
    SAMPLE,
    REALDATA / "bibtex" / "zotero-export-psychology-abstract-url-file-584.bib",
    REALDATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib",  # duplicates inside
    REALDATA / "ris" / "scopus-export-707-records-utf8.ris",
    REALDATA / "csljson" / "zotero-csl-json-armenian-studies-250-items.json",
]


def _imported(library: Library, path: Path) -> tuple[object, list[Paper], dict[str, str]]:
    summary = library.import_result(
        parse_text(path.read_text(encoding="utf-8"), source=str(path)), source=str(path)
    )
    papers = [paper for paper in library.papers() if paper.id != "unrelated"]
    abstracts = {paper.id: library.abstract(paper.id) for paper in papers}
    return str(summary), sorted(papers, key=lambda paper: paper.id), abstracts


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_first_import_equals_the_rules(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now_iso", lambda: "2026-12-01T12:00:00Z")
    first = _imported(Library(tmp_path / "first" / "library.json"), path)

    ruled = Library(tmp_path / "ruled" / "library.json")
    ruled.import_result(parse_text(UNRELATED, source="other.bib"), source="other.bib")
    assert [paper.id for paper in ruled.papers()] == ["unrelated"]
    assert _imported(ruled, path) == first


def test_duplicates_of_a_first_import_still_merge(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    # The sample's entries are seven lines each from line 12: the first five again.
    again = lines[11 : 11 + 5 * 7]
    library = Library(tmp_path / "library.json")
    summary = library.import_result(parse_text("\n".join(lines + again), source="twice.txt"))
    assert (summary.added, summary.merged) == (50, 5)
    assert len(library) == 50


def test_a_first_import_merges_an_entry_found_by_its_title_alone(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    entry = lines[18 : 18 + 7]  # "LGJan 27, 2023", then its title, authors and abstract
    assert entry[0] == "LGJan 27, 2023"
    # A year later on the page: another fingerprint, the same paper by the title rule.
    again = ["LGJan 27, 2024", *entry[1:]]
    library = Library(tmp_path / "library.json")
    summary = library.import_result(parse_text("\n".join(lines + again), source="again.txt"))
    assert (summary.added, summary.merged) == (50, 1)
