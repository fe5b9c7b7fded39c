"""A large .bib file is split piece by piece, and that must never change what it yields."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.formats import bibtex_blocks
from store.formats.bibtex_blocks import split
from store.formats.encoding import decode_file, reads_as_utf8
from tests.formats.split_shape import split_shape

BIBTEX_FILES = sorted((Path(__file__).resolve().parents[1] / "data" / "bibtex").glob("*.bib"))

BROKEN = """@article{good1, title = {One}, year = {2020}}

@article{broken, title = {Never closed, year = {2021}
@string{j = {Journal}}
  @article{good2, title = {Two}, journal = j}
@article{dup, title = {A}, title = {B}}
@article{good1, title = {Again}}
@article{tail, title = {Value ends in a backslash\\\\}}
@article{last, title = {Unfinished
"""


@pytest.mark.parametrize(
    "text",
    [
        *(path.read_text(encoding="utf-8", errors="surrogateescape") for path in BIBTEX_FILES),
        BROKEN,
    ],
    ids=[*(path.stem for path in BIBTEX_FILES), "broken-blocks"],
)
def test_splitting_in_pieces_changes_nothing(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = split_shape(split(text, "refs.bib"))
    for piece_chars in (1, 700):  # a piece per block, and pieces of a few blocks
        monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", piece_chars)
        assert split_shape(split(text, "refs.bib")) == whole


@pytest.mark.parametrize("path", BIBTEX_FILES, ids=[path.stem for path in BIBTEX_FILES])
def test_utf8_bytes_split_in_pieces_as_their_text_does(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = path.read_bytes()
    text, notes = decode_file(raw)
    assert reads_as_utf8(raw, notes)  # the real files are all UTF-8
    whole = split_shape(split(text, "refs.bib"))
    for piece_chars in (1, 700, 1 << 21):
        monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", piece_chars)
        assert split_shape(split(raw, "refs.bib")) == whole


def test_damaged_utf8_bytes_split_as_their_text_does(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = BROKEN.encode() + "@article{bad, title = {caf\xe9}}\n".encode("latin-1")
    raw += "@article{after, title = {Fine éèêëü}}\n".encode()
    text, notes = decode_file(raw)
    assert reads_as_utf8(raw, notes)
    whole_split = split(text, "refs.bib")
    assert "bad" not in [entry.key for entry in whole_split.entries]  # bytes that are not text
    whole = split_shape(whole_split)
    monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", 1)
    assert split_shape(split(raw, "refs.bib")) == whole


def test_the_broken_sample_has_what_it_claims() -> None:
    result = split(BROKEN, "refs.bib")
    assert [entry.key for entry in result.entries] == ["good1", "good2", "dup", "tail"]
    assert len(result.warnings) >= 4 and result.skipped >= 2


def test_the_bytes_are_let_go_of_as_they_are_split(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = BIBTEX_FILES[0].read_bytes()
    monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", 700)
    cuts = bibtex_blocks.BibtexBytes(raw)
    assert len(cuts) == len(raw)
    taken = []

    def on_read(share: float, entries: int) -> None:
        # While the file is being split, what is left to split is all that is held.
        taken.append(sum(len(cut) for cut in cuts._cuts) / len(raw) + share)

    result = split(cuts, "refs.bib", on_read=on_read)
    assert cuts.take() is None
    assert len(taken) > 10 and all(abs(total - 1) < 1e-9 for total in taken)
    assert split_shape(result) == split_shape(split(raw.decode("utf-8"), "refs.bib"))
