"""crossref and xdata: BibLaTeX inheritance within one import, across its files.

A bibliography split BibTeX-style over files (``abbrv.bib`` with only
``@string``\\s, ``literatur.bib`` with the papers, ``crossref.bib`` with the
proceedings they sit in) imports in one command as one bibliography.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import FileFormatError
from store.formats import parse_files, parse_text
from store.model import ImportResult, Paper

DATA = Path(__file__).parent.parent / "data"
BIBLATEX_EXAMPLES = DATA / "bibtex" / "biblatex-examples-online-date-journaltitle.bib"

ABBRV = """% Journal and publisher abbreviations, as a group keeps them
@string{lncs = {Lecture Notes in Computer Science}}
@string{spr  = {Springer}}
@string{icml = {International Conference on Machine Learning}}
"""

LITERATUR = """@inproceedings{lee2019workshop,
  author    = {Lee, Jason D. and Garduño Freeman, Cristina},
  title     = {Gradient Descent Finds Minima},
  crossref  = {ws2019},
  pages     = {1--8},
}

@inproceedings{lee2019main,
  author    = {Lee, Jason D.},
  title     = {Gradient Descent Finds Minima},
  crossref  = {icml2019},
  pages     = {100--110},
}

@inproceedings{own2019,
  author    = {Doe, Jane},
  title     = {A Paper That Says Its Own Year},
  year      = 2018,
  publisher = {Own Press},
  crossref  = {icml2019},
}

@inproceedings{lost2020,
  author    = {Roe, Richard},
  title     = {Parent Nowhere},
  crossref  = {nowhere2020},
}
"""

CROSSREF = """@proceedings{icml2019,
  title     = icml # " 2019",
  editor    = {Chaudhuri, Kamalika and Salakhutdinov, Ruslan},
  year      = 2019,
  month     = jun,
  publisher = spr,
  address   = {Long Beach, CA},
  series    = lncs,
  volume    = 97,
}

@proceedings{ws2019,
  title     = {Workshop on Theory of Deep Learning},
  year      = 2019,
  publisher = spr,
}
"""


def _split_bibliography() -> dict[str, ImportResult]:
    files = [
        ("abbrv.bib", ABBRV.encode()),
        ("literatur.bib", LITERATUR.encode()),
        ("crossref.bib", CROSSREF.encode()),
    ]
    return dict(parse_files(files))


def _paper(result: ImportResult, key: str) -> Paper:
    return next(paper for paper in result.papers if paper.id == key)


def test_a_bibliography_split_over_three_files_imports_in_one_command() -> None:
    results = _split_bibliography()
    assert list(results) == ["abbrv.bib", "literatur.bib", "crossref.bib"]
    assert results["abbrv.bib"].papers == []
    assert results["abbrv.bib"].warnings == []
    assert results["literatur.bib"].source_keys == [
        "lee2019workshop",
        "lee2019main",
        "own2019",
        "lost2020",
    ]
    assert results["crossref.bib"].source_keys == ["icml2019", "ws2019"]
    # Each paper is attributed to the file that defines it.
    assert all("literatur" in p.collections for p in results["literatur.bib"].papers)
    assert all("crossref" in p.collections for p in results["crossref.bib"].papers)


def test_children_inherit_venue_year_publisher_editor_and_the_rest() -> None:
    literatur = _split_bibliography()["literatur.bib"]
    main = _paper(literatur, "lee2019main")
    assert main.title == "Gradient Descent Finds Minima"
    assert main.venue == "International Conference on Machine Learning 2019"
    assert (main.date, main.display_date) == ("2019-06-01", "2019-06")
    assert main.extra["publisher"] == "Springer"  # an @string from abbrv.bib, via crossref.bib
    assert main.extra["editor"] == "Chaudhuri, Kamalika and Salakhutdinov, Ruslan"
    assert main.extra["address"] == "Long Beach, CA"
    assert main.extra["series"] == "Lecture Notes in Computer Science"
    assert main.extra["volume"] == "97"
    assert main.extra["pages"] == "100–110"
    assert "crossref" not in main.extra  # resolved: the fields are its own now


def test_a_workshop_paper_and_its_conference_version_stay_apart_by_venue() -> None:
    literatur = _split_bibliography()["literatur.bib"]
    workshop = _paper(literatur, "lee2019workshop")
    main = _paper(literatur, "lee2019main")
    assert workshop.title == main.title
    assert workshop.year == main.year == 2019
    assert workshop.venue == "Workshop on Theory of Deep Learning"
    assert workshop.venue != main.venue


def test_child_fields_win_over_the_parent() -> None:
    own = _paper(_split_bibliography()["literatur.bib"], "own2019")
    assert own.year == 2018
    assert own.extra["publisher"] == "Own Press"
    assert own.title == "A Paper That Says Its Own Year"  # never the parent's title
    assert own.venue == "International Conference on Machine Learning 2019"


def test_a_missing_parent_is_a_warning_on_the_childs_line_and_nothing_is_lost() -> None:
    literatur = _split_bibliography()["literatur.bib"]
    lost = _paper(literatur, "lost2020")
    assert lost.extra["crossref"] == "nowhere2020"
    ((warning),) = literatur.warnings
    assert warning.line == LITERATUR.split("\n").index("@inproceedings{lost2020,") + 1
    assert "nowhere2020" in warning.message and "lost2020" in warning.message


def test_the_parent_may_come_later_in_the_same_file_and_strings_before_their_use() -> None:
    text = LITERATUR + CROSSREF + ABBRV  # BibTeX order: children, parents, then strings
    result = parse_text(text, "bibtex", source="one.bib")
    main = _paper(result, "lee2019main")
    assert main.venue == "International Conference on Machine Learning 2019"
    assert main.extra["publisher"] == "Springer"


def test_a_crossref_cycle_is_broken_with_a_warning() -> None:
    text = (
        "@inproceedings{a, title = {A}, crossref = {b}}\n"
        "@proceedings{b, title = {B}, year = 2001, crossref = {a}}\n"
        "@misc{self, title = {Self}, crossref = {self}}\n"
    )
    result = parse_text(text, "bibtex")
    assert [p.id for p in result.papers] == ["a", "b", "self"]
    assert result.papers[0].venue == "B" and result.papers[0].year == 2001
    lines = sorted(w.line or 0 for w in result.warnings)
    assert lines == [2, 3]
    assert all("leads back" in w.message for w in result.warnings)


def test_inheritance_goes_up_several_levels_with_biblatex_title_mapping() -> None:
    text = (
        "@inproceedings{paper, author = {Roe, R.}, title = {Paper}, crossref = {vol}}\n"
        "@proceedings{vol, title = {Volume Two}, crossref = {set}}\n"
        "@mvproceedings{set, title = {The Whole Set}, year = 1999, publisher = {P}}\n"
    )
    paper = parse_text(text, "bibtex").papers[0]
    assert paper.venue == "Volume Two"
    assert paper.extra["maintitle"] == "The Whole Set"
    assert paper.year == 1999 and paper.extra["publisher"] == "P"


def test_periodical_becomes_journaltitle_and_book_gives_bookauthor() -> None:
    text = (
        "@article{art, title = {Art}, crossref = {per}}\n"
        "@periodical{per, title = {Journal of Things}, year = 2010, volume = 3}\n"
        "@inbook{chap, title = {Chapter}, crossref = {book}}\n"
        "@book{book, author = {Knuth, Donald E.}, title = {The Book}, year = 1984}\n"
    )
    art, _, chap, _ = parse_text(text, "bibtex").papers
    assert art.venue == "Journal of Things" and art.extra["volume"] == "3"
    assert chap.venue == "The Book"
    assert chap.extra["bookauthor"] == "Knuth, Donald E."
    assert chap.authors == ("Donald E. Knuth",)  # BibTeX's crossref copies the author


def test_xdata_copies_every_field_and_is_not_a_paper() -> None:
    text = (
        "@xdata{springer, publisher = {Springer}, location = {Berlin}}\n"
        "@xdata{lncs, series = {LNCS}, xdata = {springer}}\n"
        "@inproceedings{x, title = {X}, year = 2020, location = {Heidelberg}, xdata = {lncs}}\n"
        "@book{y, title = {Y}, xdata = {missing}}\n"
    )
    result = parse_text(text, "bibtex")
    assert [p.id for p in result.papers] == ["x", "y"]
    assert result.skipped == 0
    x, y = result.papers
    assert x.extra["publisher"] == "Springer"
    assert x.extra["series"] == "LNCS"
    assert x.extra["location"] == "Heidelberg"  # the child's own value wins
    assert "xdata" not in x.extra
    assert y.extra["xdata"] == "missing"
    assert [w.line for w in result.warnings] == [4]


def test_the_real_biblatex_examples_crossref_is_resolved() -> None:
    result = parse_text(BIBLATEX_EXAMPLES.read_text(encoding="utf-8"), "bibtex")
    space = _paper(result, "westfahl:space")
    assert space.title.startswith("The True Frontier")
    assert space.venue == "Space and Beyond"
    assert space.year == 2000
    assert space.extra["publisher"] == "Greenwood"
    assert space.extra["editor"] == "Westfahl, Gary"
    assert space.extra["booksubtitle"] == "The Frontier Theme in Science Fiction"
    assert "crossref" not in space.extra
    assert result.warnings == []


def test_a_strings_only_file_alone_is_still_an_error_naming_it() -> None:
    with pytest.raises(FileFormatError) as caught:
        parse_files([("abbrv.bib", ABBRV.encode())])
    assert str(caught.value) == "abbrv.bib: no BibTeX entries found"


def test_a_file_that_is_no_collection_fails_the_command_naming_it() -> None:
    with pytest.raises(FileFormatError) as caught:
        parse_files([("literatur.bib", LITERATUR.encode()), ("notes.txt", b"just some notes\n")])
    assert caught.value.path == "notes.txt"
    assert str(caught.value).startswith("notes.txt: line 1: not a paper collection")


def test_files_of_other_formats_in_the_same_command_parse_as_before() -> None:
    ris = b"TY  - JOUR\nID  - r1\nTI  - A RIS paper\nPY  - 2001\nER  - \n"
    results = parse_files([("a.ris", ris), ("literatur.bib", LITERATUR.encode())])
    assert [path for path, _ in results] == ["a.ris", "literatur.bib"]
    assert results[0][1].source_keys == ["r1"]
    # Without crossref.bib in the command, every crossref is a warning, not an error.
    assert len(results[1][1].warnings) == 4
