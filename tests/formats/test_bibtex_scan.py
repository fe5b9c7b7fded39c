"""The fast block reading gives exactly what bibtexparser's splitter gives, block for block."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import bibtex_dump
from bench.generate_bib import real_bibtex_dump
from store.formats import bibtex_blocks
from store.formats.bibtex_blocks import split
from store.formats.bibtex_scan import ScannedEntry, region_starts, scan_region
from tests.formats.split_shape import split_shape

BIBTEX_FILES = sorted((Path(__file__).resolve().parents[1] / "data" / "bibtex").glob("*.bib"))

# Each one is read both ways; the comments say which path of the splitter it takes.
TRICKY = {
    "nested-braces": "@article{a, title = {One {Two {Three {Four}}} five}, year = 2020}\n",
    "quotes-in-braces": '@article{a, title = {He said "hi", twice}, note = "x {y} z"}\n',
    "brace-quote-in-quotes": '@article{a, title = "A {"}quoted{"} word", year = {1}}\n',
    "escaped-marks": "@article{a, title = {100\\% \\{not\\} a \\, split}, note = x \\, y}\n",
    "escaped-backslash-brace": "@article{a, title = {ends in \\\\}, year = {2}}\n"
    "@article{b, x={1}}\n",
    "comment-blocks": "@comment{jabref-meta: {x}}\n@Comment{a, b = c}\n@article{a, t={1}}\n",
    "preamble": '@preamble{"\\def\\x{y}" # "z"}\n@PREAMBLE{ {\\relax} }\n@misc{m, t={1}}\n',
    "strings": '@string{j = "Journal"}\n@STRING{k = {K {nested}}}\n@string{l=j # " x"}\n'
    "@article{a, journal = j # { and } # k}\n",
    "unbalanced-entry": "@article{a, title = {Never closed, year = {2021}\n@article{b, t = {ok}}\n",
    "unbalanced-at-end": "@article{a, t = {fine}}\n@article{b, title = {Never closed\n",
    "parentheses": '@article(a, title = {A (b) c}, note = "x)", y = 3)\n@misc(b)\n',
    "paren-string": '@string(j = "J (x)")\n@article(c, journal = j)\n',
    "paren-unclosed-brace": "@article(a, title = {x) y}, z = 1)\n",
    "concatenation": '@string{s = "S"}\n@article{a, t = s # " and " # {x} # s, u = "a" "b"}\n',
    "percent-comments": "% a comment @article{not, a = block}\n"
    "@article{a,\n  % t = {x},\n  t = {y}}\n",
    "implicit-block-mid-line": "text @article{inner, t = {1}} more @misc{m2, t={2}}\n",
    "at-in-values": "@article{a, email = {me@example.org}, t = {LeQua @ {CLEF}}}\n",
    "line-start-at-in-value": "@article{a, abstract = {one\n  @misc{b, t = {x}}\n rest}}\n",
    "duplicate-fields": "@article{a, title = {A}, title = {B}, Title = {C}}\n",
    "duplicate-keys": "@article{a, t={1}}\n@article{a, t={2}}\n@string{s={1}}\n@string{s={2}}\n",
    "key-only": "@misc{lonely}\n@misc{trailing, t = {x},\n}\n@misc{empty,}\n",
    "dangling-name": "@article{a, t = {x}, year}\n@article{b, t={y}}\n",
    "no-comma": "@article{a title = {x}}\n@article{b, t={y}}\n",
    "key-with-brace": "@article{{a}, t = {x}}\n@article{b, t={y}}\n",
    "backslash-newlines": "@article{a, t = {x\\\\\ny}}\n@article{b, t = {z\\\\\nw}}\n"
    "@article{a, t = {x\\\\\ny}}\n",
    "uppercase-types": "@ARTICLE{A, TITLE = {X}}\n@InProceedings {b, Booktitle = {Y}}\n",
    "empty-type": "@{x, t = {1}}\n",
    "crlf": "@article{a,\r\n  title = {X},\r\n  year = {2000}\r\n}\r\n@article{b, t = {y}}\r\n",
    "blank-indented-start": "  @article{a, t = {x}}\n\t@article{b, t = {y}}\n",
    "nul-byte": "@article{a, t = {x\x00y}}\n@article{b, t = {ok}}\n",
    "surrogates": "@article{a, t = {caf\udce9}}\n@string{s = {\udcff}}\n@article{b, t = {ok}}\n",
    "deep-nesting": "@article{a, t = " + "{" * 20 + "x" + "}" * 20 + "}\n@article{b, t={y}}\n",
    "quote-then-brace": '@article{a, t = "x" # {y, z}, u = {"}}\n',
    "unclosed-quote": '@article{a, t = "open, u = {x}}\n@article{b, t = {y}}\n',
    "comment-at-end": "@article{a, t = {x}}\n% trailing comment\n",
    "at-sign-alone": "@ not a block\n@article{a, t = {x}}\n@@article{b, t = {y}}\n",
    "xdata": "@xdata{d, publisher = {P}}\n@book{b, xdata = {d}, title = {T}}\n",
}


def _both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = split_shape(split(text, "refs.bib"))
    with monkeypatch.context() as patched:
        patched.setattr(bibtex_blocks, "_SCAN", False)
        reference = split_shape(split(text, "refs.bib"))
    return fast, reference


@pytest.mark.parametrize("path", BIBTEX_FILES, ids=[path.stem for path in BIBTEX_FILES])
def test_real_files_read_as_bibtexparser_reads_them(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    fast, reference = _both_ways(text, monkeypatch)
    assert fast == reference
    for piece_chars in (1, 700):
        monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", piece_chars)
        assert _both_ways(text, monkeypatch) == (reference, reference)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_inputs_read_as_bibtexparser_reads_them(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TRICKY[name]
    fast, reference = _both_ways(text, monkeypatch)
    assert fast == reference
    # Each tricky block also within ordinary ones, on later lines.
    padded = "@misc{before, t = {x}}\n\n" + text + "\n@misc{after, t = {y}}\n"
    fast, reference = _both_ways(padded, monkeypatch)
    assert fast == reference


def test_generated_files_read_as_bibtexparser_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in (real_bibtex_dump(400), bibtex_dump(200)):
        fast, reference = _both_ways(text, monkeypatch)
        assert fast == reference


def test_all_tricky_inputs_in_one_file_and_shuffled(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [text for name, text in sorted(TRICKY.items()) if name != "unbalanced-at-end"]
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(blocks)
        text = "".join(blocks) + TRICKY["unbalanced-at-end"]
        fast, reference = _both_ways(text, monkeypatch)
        assert fast == reference


def test_the_fast_reading_reads_ordinary_files_without_bibtexparser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Guards the speed: ordinary entries must not fall back to the slow splitter.
    def refuse(text: str) -> list[object]:
        raise AssertionError(f"bibtexparser asked to split {text[:60]!r}")

    monkeypatch.setattr(bibtex_blocks, "_split_blocks", refuse)
    result = split(real_bibtex_dump(300), "refs.bib")
    assert len(result.entries) > 300 and not result.warnings


def test_uncertain_blocks_are_left_to_bibtexparser() -> None:
    for name in ("unbalanced-entry", "duplicate-fields", "key-with-brace", "paren-string"):
        text = TRICKY[name]
        starts = region_starts(text)
        readings = [
            scan_region(text, start, end)
            for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
        ]
        assert None in readings, name


def test_a_region_reads_its_entries_with_their_places() -> None:
    text = TRICKY["implicit-block-mid-line"]
    scanned = scan_region(text, 0, len(text))
    assert scanned is not None
    entries = [item for item in scanned if isinstance(item, ScannedEntry)]
    assert [(e.type, e.key, e.names, e.values) for e in entries] == [
        ("article", "inner", ("t",), ["{1}"]),
        ("misc", "m2", ("t",), ["{2}"]),
    ]
    assert text[entries[0].start : entries[0].end] == "@article{inner, t = {1}}"


_BIB_PIECES = st.sampled_from(
    [
        *("@", "@article{", "@misc(", "@string{", "@comment{", "@preamble{", "\n@book{", "{"),
        *("}", '"', "#", ",", "=", "\\", "\\\\", "\n", " ", "\t", "k", "title", "a = {x}"),
        *(")", "(", "%", '{"}', "\\{", "\\}", "\\,", "\\\n", "\r\n", "\x00", "é"),
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BIB_PIECES | st.text(max_size=3), max_size=60).map("".join))
def test_any_bibtex_like_text_reads_as_bibtexparser_reads_it(text: str) -> None:
    with pytest.MonkeyPatch.context() as patched:
        assert _both_ways(text, patched)[0] == _both_ways(text, patched)[1]
