"""The BibTeX decoder's shortcuts agree with the patterns and walks that define them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from store.formats.bibtex_latex import (
    _LATEX_TOKEN,
    _Decoder,
    _needs_decoding,
    math_segments,
    paragraphs,
    substitute_tokens,
)
from store.formats.bibtex_names import _NAME_MARKS, _split_names, _split_outside_braces

_PIECES = st.sampled_from(["$", "$$", "\\$", "\\", "x", " ", "\n", "\t", "\r", "  ", "\n\n", "é"])
_TEXT = st.lists(_PIECES | st.text(max_size=2), max_size=40).map("".join)

_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$\$?")


def _math_segments_by_pattern(text: str) -> list[tuple[bool, str]]:
    segments: list[tuple[bool, str]] = []
    start = position = 0
    while (opening := _UNESCAPED_DOLLAR.search(text, position)) is not None:
        closing = text.find(opening.group(), opening.end())
        while closing != -1 and text[closing - 1] == "\\":
            closing = text.find(opening.group(), closing + 1)
        if closing == -1 or closing == opening.end():
            position = opening.end()
            continue
        end = closing + len(opening.group())
        if opening.start() > start:
            segments.append((False, text[start : opening.start()]))
        segments.append((True, text[opening.start() : end]))
        start = position = end
    if start < len(text):
        segments.append((False, text[start:]))
    return segments


def _paragraphs_by_pattern(text: str) -> str:
    parts = re.split(r"\n[ \t\r]*\n[ \t\r\n]*", text)
    reflowed = (re.sub(r"[ \t\r\n]+", " ", part).strip(" ") for part in parts)
    return "\n\n".join(part for part in reflowed if part)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_math_segments_split_where_the_pattern_does(text: str) -> None:
    assert math_segments(text) == _math_segments_by_pattern(text)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_paragraphs_reflow_as_the_pattern_does(text: str) -> None:
    assert paragraphs(text) == _paragraphs_by_pattern(text)


def test_math_and_paragraphs_on_an_abstract() -> None:
    text = "Cost is \\$5 and $O(n)$ time,\n  or $$x$$\n\n\tSecond  paragraph $unclosed"
    assert math_segments(text) == [
        (False, "Cost is \\$5 and "),
        (True, "$O(n)$"),
        (False, " time,\n  or "),
        (True, "$$x$$"),
        (False, "\n\n\tSecond  paragraph $unclosed"),
    ]
    assert (
        paragraphs(text) == "Cost is \\$5 and $O(n)$ time, or $$x$$\n\nSecond paragraph $unclosed"
    )


_LATEX_PIECES = st.sampled_from(
    [
        *("\\", "{", "}", "$", "~", "-", "--", "---", "`", "``", "'", "''", "\\'", '\\"', "\\c"),
        *("\\emph{", "\\cite{k}", "\\url{x}", "\\verb|a|", "\\i", "\\textless", " ", "\n", "e"),
        *("\\noopsort{a}", "\\%", "{}", "\\ ", "\\unknown", "é", "x", "\\\\"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LATEX_PIECES | st.text(max_size=2), max_size=40).map("".join))
def test_tokens_are_substituted_where_the_pattern_substitutes_them(text: str) -> None:
    def marked(match: re.Match[str]) -> str:
        return f"<{match.lastgroup}:{match.group()}>"

    assert substitute_tokens(text, marked) == _LATEX_TOKEN.sub(marked, text)
    fast, reference = _Decoder(), _Decoder()
    assert substitute_tokens(text, fast.fast) == _LATEX_TOKEN.sub(reference.fast, text)
    assert fast.slow == reference.slow


_NAME_PIECES = st.sampled_from(
    [" and ", " AND ", "\tand\n", "and", " ", "{", "}", '{\\"u}', "{Barnes and Noble}", "x"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_NAME_PIECES | st.text(max_size=2), max_size=30).map("".join))
def test_names_split_where_the_brace_walk_splits_them(value: str) -> None:
    assert _split_names(value) == _split_outside_braces(value, _NAME_MARKS) or "{" not in value


@settings(max_examples=500, deadline=None)
@given(st.lists(_LATEX_PIECES | st.text(max_size=2), max_size=10).map("".join))
def test_needing_decoding_is_what_the_pattern_finds(text: str) -> None:
    assert _needs_decoding(text) == bool(re.search(r"[\\{}~$]|--|``|''", text))
