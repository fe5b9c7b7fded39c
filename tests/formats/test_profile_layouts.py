"""The profile dump's fast reading of its usual layout agrees with the line-by-line rules.

Most entries are read from one regex match (:mod:`store.formats.profile_entries`)
and most author lines from one more (``read_author_line``); anything else goes
through the rules line by line. The two must never disagree: these tests feed
the same entries through both and compare everything a user gets.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import profile
from store.formats.profile_authors import is_author_line, parse_author_line, read_author_line
from store.model import ImportResult
from store.text import clean_line

SAMPLE = Path(__file__).parents[2] / "sample_data" / "jason-d-lee-profile.txt"
AS_OF = datetime.date(2026, 11, 28)

_WORDS = st.sampled_from(
    [
        *("Ada", "Lovelace", "D.", "Jr.", "St.", "O'Brien", "Jean-Pierre", "Østergaard"),
        *("Nguyễn", "Σωκράτης", "Ёлкин", "van", "der", "de", "d'Alembert", "al-Hassan"),
        *("and", "&", "ⅸ", "Ǆemal", "x", "Done.", "Ab.", "e.g.", "1999", "(MIT)", "et"),
    ]
)
_NAMES = st.lists(st.lists(_WORDS, min_size=1, max_size=10).map(" ".join), min_size=1, max_size=5)
_ENDINGS = st.sampled_from(["", " et al.", ", et al.", ",et al.", " et  al.", " Bennet al."])
_AFFILIATIONS = st.sampled_from(["", " · stanford, tsinghua", " ·", " · a  b", " ·x", "  · mit"])


def _rules(line: str) -> object:
    return parse_author_line(clean_line(line)) if is_author_line(line) else None


@settings(max_examples=2000, deadline=None)
@given(_NAMES, st.sampled_from([", ", ",", " , "]), _ENDINGS, _AFFILIATIONS)
def test_author_line_reading_agrees_with_the_rules(
    names: list[str], joiner: str, ending: str, affiliations: str
) -> None:
    line = (joiner.join(names) + ending + affiliations).strip()
    assert read_author_line(line) == _rules(line)


def test_usual_author_lines_take_the_rules_answer() -> None:
    for line in [
        "Jason D. Lee, Yuekai Sun, Michael A. Saunders",
        "Kaifeng Østergaard, Søren Lyu, Zoë Erdős et al. · stanford, princeton",
        "Ada Lovelace, et al.",
        "One Two Three Four Five Six Seven Eight Nine",
        "Ada Lovelace · " + "x" * 400,
    ]:
        assert read_author_line(line) == _rules(line)


def _everything(result: ImportResult) -> tuple[object, ...]:
    return (result.papers, result.lines, result.warnings, result.skipped, result.collection)


def _padded(text: str) -> str:
    """The same dump with spaces after every line: the same lines to the rules, no usual layout."""
    return "\n".join(line + " \t" for line in text.split("\n"))


def test_real_dump_reads_the_same_either_way() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    usual = profile.parse(text, as_of=AS_OF, source=str(SAMPLE))
    padded = profile.parse(_padded(text), as_of=AS_OF, source=str(SAMPLE))
    assert _everything(usual) == _everything(padded)


_LINES = st.sampled_from(
    [
        *("LGJan 3", "CLFeb 29", "AIFeb 30, 2021", "MLDec 31, 1999Code", "LGMar 3 Code"),
        *("A Title", "LGJan 3 is a title", "Ada Lovelace, Alan Turing et al.", "Ada D. Lee"),
        *("Kaifeng Østergaard · mit", "An abstract with https://github.com/a/b).", "", ""),
        *("Smith et al. showed this.", "Jason D. Lee, Yuekai Sun", "x", "  ", "\t"),
        *("An abstract that ends like a header: ABJan 3", "Proof.MLDec 31, 1999Code"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=40))
def test_any_entries_read_the_same_either_way(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        usual: object = _everything(profile.parse(text, as_of=AS_OF))
    except FormatError as err:
        usual = str(err)
    try:
        padded: object = _everything(profile.parse(_padded(text), as_of=AS_OF))
    except FormatError as err:
        padded = str(err)
    assert usual == padded
