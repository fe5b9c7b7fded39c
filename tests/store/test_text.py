"""Text hygiene and folding, the base of every search and duplicate check."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from store.text import clean_line, clean_text, fold


def _reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@given(st.text())
def test_fold_equals_the_definition(text: str) -> None:
    assert fold(text) == _reference_fold(text)


def test_fold_examples() -> None:
    assert fold("Paul ERDŐS") == "paul erdos"
    assert fold("Zoë Ça") == "zoe ca"
    assert fold("Ադոնց") == _reference_fold("Ադոնց")
    assert fold("𝐀\u0301bc") == _reference_fold("𝐀\u0301bc")  # outside the BMP: the slow path


def test_clean_line_and_text_drop_controls_and_whole_escapes() -> None:
    # \x9b is a CSI: with " c" it forms a whole sequence, removed as one
    assert clean_line("A\x1b[2Jb\x9b c\tand\nmore") == "Ab and more"
    assert clean_line("x\x1b]52;c;aGk=\x07y") == "xy"
    assert clean_text("para one\r\n\r\npara\x07 two") == "para one\n\npara two"
    assert clean_line("\u202eevil\u202c") == "evil"


@given(st.text())
def test_search_normalisation_equals_fold_and_split(text: str) -> None:
    from store.query import is_plain, normalise

    assert normalise(text) == " ".join(fold(text).split())
    if is_plain(text):  # the library then searches text.lower() instead of a copy
        assert normalise(text) == text.lower()


_NAMES = st.lists(
    st.one_of(st.text(), st.sampled_from(["Zoë Lee", " A  B ", "\x1e", "Σ", "e\u0301", "\t"])),
    max_size=5,
).map(tuple)


@given(_NAMES)
def test_author_names_normalise_one_by_one(names: tuple[str, ...]) -> None:
    from store.query.haystack import _normalise_names, normalise

    assert _normalise_names(names) == "\n".join(normalise(name) for name in names)


@given(
    st.one_of(
        st.text(),
        st.text(alphabet=st.characters(max_codepoint=127)),
        # Long ASCII text takes the other path.
        st.text(alphabet=st.characters(max_codepoint=127), min_size=150, max_size=400),
    )
)
def test_is_printable_is_str_isprintable(text: str) -> None:
    from store.text import is_printable

    assert is_printable(text) is text.isprintable()


@given(st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127))))
def test_cleaning_skips_only_text_it_would_not_change(text: str) -> None:
    from store.text import _clean_line_fully, _clean_text_fully

    assert clean_line(text) == _clean_line_fully(text)
    assert clean_text(text) == _clean_text_fully(text)
    assert clean_line(clean_line(text)) == clean_line(text)
