"""BibTeX entries are resolved one at a time: parents wherever they sit, raw entries let go of."""

from __future__ import annotations

from store.formats.bibtex import parse_bibliography
from store.formats.bibtex_blocks import split
from store.formats.bibtex_inherit import Inheritance
from store.formats.bibtex_values import build_macros

FIRST = """@proceedings{early, title = {Early Proceedings}, year = 2001, publisher = {P1}}
@inproceedings{a, title = {A}, crossref = {early}}
@inproceedings{b, title = {B}, crossref = {LATE}}
@inproceedings{c, title = {C}, crossref = {other}}
@inproceedings{d, title = {D}, crossref = {early}, year = 1999}
@book{e, title = {E}, xdata = {shared, gone}}
@proceedings{late, title = {Late Proceedings}, year = 2003, crossref = {series}}
"""
SECOND = """@proceedings{other, title = {Other Proceedings}, year = 2002, crossref = {late}}
@mvproceedings{series, title = {The Series}, publisher = {P3}}
@xdata{shared, publisher = {Shared Press}, location = {Here}}
@inproceedings{cycle1, title = {X}, crossref = {cycle2}}
@inproceedings{cycle2, title = {Y}, crossref = {cycle1}}
"""


def _papers() -> tuple[dict[str, dict[str, str]], list[list[tuple[str, int | None]]]]:
    results = parse_bibliography([("first.bib", FIRST), ("second.bib", SECOND)])
    papers = {
        paper.id: {"venue": paper.venue, "date": paper.date, **paper.extra}
        for result in results
        for paper in result.papers
    }
    warnings = [[(w.message, w.line) for w in result.warnings] for result in results]
    return papers, warnings


def test_parents_before_after_in_another_file_and_in_any_case_are_found() -> None:
    papers, _ = _papers()
    assert papers["a"]["venue"] == "Early Proceedings" and papers["a"]["date"] == "2001-01-01"
    assert papers["d"]["date"] == "1999-01-01"  # the child's own year wins
    assert papers["b"]["venue"] == "Late Proceedings"  # named in another case, placed after
    assert papers["b"]["publisher"] == "P3"  # late inherits from the series first
    assert papers["c"]["venue"] == "Other Proceedings"  # in the second file
    assert papers["c"]["publisher"] == "P3"  # other <- late <- series, across files
    assert papers["e"]["publisher"] == "Shared Press"  # xdata from the second file


def test_missing_parents_and_cycles_are_warned_on_the_childs_line_in_its_file() -> None:
    _, (first, second) = _papers()
    assert first == [
        (
            "entry 'e': xdata 'gone' is not in the files of this import; "
            "only the entry's own fields are imported",
            6,
        )
    ]
    assert any("leads back to this entry" in message for message, _ in second)
    assert all(line in (4, 5) for message, line in second if "leads back" in message)


def test_each_raw_entry_is_let_go_of_once_taken_unless_a_child_names_it() -> None:
    split_file = split(FIRST, "first.bib")
    entries = list(split_file.entries)
    inheritance = Inheritance([entries], [], build_macros([split_file]))
    held = inheritance._raw
    taken = [inheritance.take(0, position) for position in range(len(entries))]
    assert [entry.key for entry in taken] == ["early", "a", "b", "c", "d", "e", "late"]
    assert held == [None] * len(entries)
    assert set(inheritance._kept) == {0, 6}  # the parents children name, kept resolved


def test_an_entry_without_parents_is_not_kept() -> None:
    split_file = split("@misc{x, title = {X}}\n@misc{y, title = {Y}}\n", "f.bib")
    inheritance = Inheritance([split_file.entries], [], build_macros([split_file]))
    assert inheritance.take(0, 0).fields["title"] == "X"
    assert inheritance._kept == {}
