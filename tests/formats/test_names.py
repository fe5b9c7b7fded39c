"""Names: truncated lists, surnames that survive display, zero-width characters removed.

The convention (store.text.family_name): names read ``Given Family[, Suffix]``;
an explicit family name of several words keeps its words joined by no-break
spaces, so identity and citation keys can take the whole surname.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.formats import bibtex, parse_text
from store.model import Paper
from store.text import FAMILY_JOINER, clean_line, clean_text, family_name

DATA = Path(__file__).parent.parent / "data"


def _bib_authors(field: str) -> tuple[tuple[str, ...], bool]:
    paper = parse_text(f"@article{{k, title = {{T}}, author = {{{field}}}}}\n", "bibtex").papers[0]
    return paper.authors, paper.authors_truncated


def _ris_authors(*names: str) -> tuple[tuple[str, ...], bool]:
    lines = ["TY  - JOUR", "TI  - T", *(f"AU  - {name}" for name in names), "ER  - ", ""]
    paper = parse_text("\n".join(lines), "ris").papers[0]
    return paper.authors, paper.authors_truncated


def _csl_authors(*names: dict[str, str]) -> tuple[str, ...]:
    item = {"id": "k", "type": "book", "title": "T", "author": list(names)}
    return parse_text(json.dumps([item]), "csljson").papers[0].authors


@pytest.mark.parametrize(
    ("field", "authors", "truncated"),
    [
        ("Roth, Gregory A. et al.", ("Gregory A. Roth",), True),
        ("Roth, Gregory A. et al", ("Gregory A. Roth",), True),
        ("Roth, Gregory A. and Doe, Jane et al.", ("Gregory A. Roth", "Jane Doe"), True),
        ("Roth, Gregory A. and others", ("Gregory A. Roth",), True),
        ("Gregory A. Roth et~al.", ("Gregory A. Roth",), True),
        ("{Roth et al. Partners}", ("Roth et al. Partners",), False),
        ("Metal, Al", ("Al Metal",), False),
    ],
)
def test_bibtex_et_al_marks_a_truncated_list(
    field: str, authors: tuple[str, ...], truncated: bool
) -> None:
    assert _bib_authors(field) == (authors, truncated)


@pytest.mark.parametrize(
    ("names", "authors", "truncated"),
    [
        (("Roth, Gregory A. et al.",), ("Gregory A. Roth",), True),
        (("Roth, Gregory A.", "et al."), ("Gregory A. Roth",), True),
        (("Roth, Gregory A.", "Doe, J., and others"), ("Gregory A. Roth", "J. Doe"), True),
        (("Metal, Al",), ("Al Metal",), False),
    ],
)
def test_ris_et_al_marks_a_truncated_list(
    names: tuple[str, ...], authors: tuple[str, ...], truncated: bool
) -> None:
    assert _ris_authors(*names) == (authors, truncated)


def test_a_multi_word_surname_survives_in_every_format() -> None:
    (bib,), _ = _bib_authors("Garduño Freeman, Cristina")
    (ris,), _ = _ris_authors("Garduño Freeman, Cristina")
    (csl,) = _csl_authors({"family": "Garduño Freeman", "given": "Cristina"})
    assert bib == ris == csl == f"Cristina Garduño{FAMILY_JOINER}Freeman"
    assert family_name(bib) == "Garduño Freeman"
    assert bib.replace(FAMILY_JOINER, " ") == "Cristina Garduño Freeman"  # reads as before


def test_family_name_examples() -> None:
    assert family_name(f"Hans van{FAMILY_JOINER}der{FAMILY_JOINER}Berg") == "van der Berg"
    assert family_name("Martin Luther King, Jr.") == "King"
    assert family_name("Jason D. Lee") == "Lee"
    assert family_name("Lee, Jason D.") == "Lee"
    assert family_name("Plato") == "Plato"
    assert family_name("") == ""


def test_suffixes_keep_the_surname_in_bibtex_ris_and_csl() -> None:
    (bib,), _ = _bib_authors("King, Jr., Martin Luther")
    (ris,), _ = _ris_authors("King, Martin Luther, Jr.")
    (csl,) = _csl_authors({"family": "King", "given": "Martin Luther", "suffix": "Jr."})
    assert bib == ris == csl == "Martin Luther King, Jr."
    assert family_name(bib) == "King"


def test_real_files_keep_multi_word_surnames() -> None:
    thesis = (DATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib").read_text("utf-8")
    papers = parse_text(thesis, "bibtex").papers
    van_den_broeck = next(p for p in papers if p.id == "van2010three2")
    assert family_name(van_den_broeck.authors[0]) == "Van den Broeck"
    scopus = (DATA / "ris" / "scopus-export-707-records-utf8.ris").read_text("utf-8-sig")
    surnames = {family_name(a) for p in parse_text(scopus, "ris").papers for a in p.authors}
    assert {"Tristán Asensi", "Di Pumpo", "De Brouwer"} <= surnames


def test_bibtex_export_writes_joined_surnames_family_first_and_reads_them_back() -> None:
    paper = Paper(
        id="k",
        title="T",
        authors=(
            f"Cristina Garduño{FAMILY_JOINER}Freeman",
            f"Hans van{FAMILY_JOINER}der{FAMILY_JOINER}Berg, Jr.",
            "Jason D. Lee",
        ),
        authors_truncated=True,
    )
    text = bibtex.entry_text(paper)
    assert (
        "author = {Garduño Freeman, Cristina and van der Berg, Jr., Hans"
        " and Jason D. Lee and others}"
    ) in text
    back = parse_text(text, "bibtex").papers[0]
    assert (back.authors, back.authors_truncated) == (paper.authors, True)


def test_a_name_that_ends_in_et_al_is_exported_so_that_it_stays_a_name() -> None:
    paper = Paper(id="k", title="T", authors=("Smith et al.", "et al."))
    back = parse_text(bibtex.entry_text(paper), "bibtex").papers[0]
    assert (back.authors, back.authors_truncated) == (paper.authors, False)


ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("char", ZERO_WIDTH)
def test_zero_width_characters_are_removed_from_text_fields(char: str) -> None:
    assert clean_line(f"Gra{char}dient{char} descent") == "Gradient descent"
    assert clean_text(f"Para{char} one\n\nTwo{char}") == "Para one\n\nTwo"
    bib = parse_text(
        f"@article{{k, title = {{Zero{char}width}}, author = {{Lee,{char} Jason}},"
        f" journal = {{J{char}ML}}, abstract = {{A{char}b}}}}\n",
        "bibtex",
    ).papers[0]
    assert (bib.title, bib.authors, bib.venue, bib.abstract) == (
        "Zerowidth",
        ("Jason Lee",),
        "JML",
        "Ab",
    )
    ris = parse_text(f"TY  - JOUR\nTI  - Zero{char}width\nAU  - Lee, J{char}\nER  - \n", "ris")
    assert (ris.papers[0].title, ris.papers[0].authors) == ("Zerowidth", ("J Lee",))
    csl = _csl_authors({"family": f"Lee{char}", "given": "Jason"})
    assert csl == ("Jason Lee",)
