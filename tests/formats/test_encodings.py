"""Encodings and partial damage: a file's bytes become text, and one bad entry costs itself.

Real files from tests/data are re-encoded here (Latin-1, Windows-1252,
UTF-16 with and without a byte-order mark) and must import to the same
papers as the UTF-8 original, with exactly one warning saying what was
guessed. A NUL byte or undecodable bytes inside one entry skip that entry
with a warning on its line; truly binary files are still refused.
"""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path

import pytest

from store.errors import FileFormatError, FormatError
from store.formats import decode_file, decode_input, parse_files, parse_text
from store.model import ImportWarning

DATA = Path(__file__).parent.parent / "data"
PSYCHOLOGY = DATA / "bibtex" / "zotero-export-psychology-abstract-url-file-584.bib"
SCOPUS = DATA / "ris" / "scopus-export-707-records-utf8.ris"
MILLIDGE = DATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib"
GLACIOLOGY = DATA / "csljson" / "better-csl-json-glaciology-thesis-88-items.json"
ARMENIAN = DATA / "csljson" / "zotero-csl-json-armenian-studies-250-items.json"
ENCODING_NOTES = ("not UTF-8", "UTF-16", "UTF-32")


def _encodable_part(path: Path, start: str, codec: str) -> str:
    """The real file's records that the codec can write (most of them), as UTF-8 text."""
    text = path.read_text(encoding="utf-8-sig")
    blocks = re.split(f"(?m)^(?={start})", text)
    kept = []
    for block in blocks:
        try:
            block.encode(codec)
        except UnicodeEncodeError:
            continue
        kept.append(block)
    part = "".join(kept)
    assert not part.isascii(), "the test needs accented text to prove anything"
    return part


def _encoding_notes(warnings: list[ImportWarning]) -> list[str]:
    return [str(w) for w in warnings if any(note in str(w) for note in ENCODING_NOTES)]


@pytest.mark.parametrize("codec", ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    ("path", "start", "fmt"),
    [(PSYCHOLOGY, "@", "bibtex"), (SCOPUS, "TY  -", "ris")],
    ids=["bibtex", "ris"],
)
def test_reencoded_real_files_import_the_same_papers_with_one_warning(
    path: Path, start: str, fmt: str, codec: str
) -> None:
    original = _encodable_part(path, start, codec)
    expected = parse_text(original, fmt, source=path.name)
    ((_, result),) = parse_files([(path.name, original.encode(codec))])
    assert result.papers == expected.papers
    assert len(result.papers) > 300
    assert len(_encoding_notes(result.warnings)) == 1
    assert result.warnings[0].line is None  # about the file, not a line
    assert len(result.warnings) == len(expected.warnings) + 1


def test_utf8_gives_no_encoding_warning_and_drops_its_mark() -> None:
    raw = PSYCHOLOGY.read_bytes()
    text, notes = decode_file(b"\xef\xbb\xbf" + raw)
    assert notes == []
    assert text == raw.decode("utf-8")


def test_windows_1252_and_its_undefined_bytes() -> None:
    # 0x93/0x94 are curly quotes in Windows-1252; 0x81 is undefined there: Latin-1 reads it.
    text, notes = decode_file(b"@misc{k, title = {\x93Caf\xe9\x94 \x81}}\n")
    assert text == "@misc{k, title = {\u201cCaf\u00e9\u201d \x81}}\n"
    assert [str(note) for note in notes] == ["not UTF-8: read as Windows-1252/Latin-1"]
    assert parse_text(text, "bibtex").papers[0].title == "\u201cCafé\u201d"


def test_a_nul_byte_in_one_bibtex_entry_skips_that_entry_only() -> None:
    raw = MILLIDGE.read_bytes()
    entries = [m.start() for m in re.finditer(rb"(?m)^@", raw)]
    tenth = entries[9]
    damaged = raw[: tenth + 40] + b"\x00" + raw[tenth + 40 :]
    original = parse_text(raw.decode("utf-8"), "bibtex")
    ((_, result),) = parse_files([("thesis.bib", damaged)])
    assert len(result.papers) == len(original.papers) - 1
    assert result.skipped == 1
    assert original.papers[9] not in result.papers
    line = raw[:tenth].count(b"\n") + 1
    assert [(w.line, "NUL" in w.message) for w in result.warnings] == [(line, True)]


def test_undecodable_bytes_in_one_utf8_entry_skip_that_entry_only() -> None:
    raw = MILLIDGE.read_bytes()
    entries = [m.start() for m in re.finditer(rb"(?m)^@", raw)]
    fifth = entries[4]
    damaged = raw[: fifth + 30] + b"\xff\xfe\xc3" + raw[fifth + 30 :]
    ((_, result),) = parse_files([("thesis.bib", damaged)])
    assert len(result.papers) == 812
    assert result.skipped == 1
    assert not _encoding_notes(result.warnings)  # still UTF-8: one entry is damaged
    assert result.warnings[0].line == raw[:fifth].count(b"\n") + 1
    assert "not text" in result.warnings[0].message


def test_a_nul_byte_in_one_ris_record_skips_that_record_only() -> None:
    text = SCOPUS.read_text(encoding="utf-8-sig")
    records = [m.start() for m in re.finditer(r"(?m)^TY  -", text)]
    third = records[2]
    damaged = text[: third + 20] + "\x00" + text[third + 20 :]
    ((_, result),) = parse_files([("scopus.ris", damaged.encode("utf-8"))])
    assert len(result.papers) == 706
    assert result.skipped == 1
    assert result.warnings[0].line == text[:third].count("\n") + 1


@pytest.mark.parametrize("path", [GLACIOLOGY, ARMENIAN], ids=lambda path: path.name)
def test_a_lone_surrogate_in_one_csl_item_skips_that_item_only(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    original = parse_text(text, "csljson")
    # The first title of the third item gets an escaped lone surrogate.
    third_item = original.lines[2]
    assert third_item is not None
    position = [m.start() for m in re.finditer(r'"title": ?"', text)][2]
    assert text[:position].count("\n") + 1 >= third_item
    damaged = text[: position + 10] + "\\udc80" + text[position + 10 :]
    ((_, result),) = parse_files([(path.name, damaged.encode("utf-8"))])
    assert len(result.papers) == len(original.papers) - 1
    assert result.skipped == 1
    assert original.papers[2] not in result.papers
    assert "surrogate" in result.warnings[0].message
    assert result.warnings[0].line == third_item


@pytest.mark.parametrize(
    "raw",
    [
        gzip.compress(PSYCHOLOGY.read_bytes()),
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        bytes(range(32)) * 100,
        random.Random(10).randbytes(4096),
    ],
    ids=["gzip of a real .bib", "png", "control bytes", "random bytes"],
)
def test_binary_files_are_refused_naming_the_file(raw: bytes) -> None:
    with pytest.raises(FormatError, match="binary data, not a text file"):
        decode_file(raw)
    with pytest.raises(FileFormatError) as caught:
        parse_files([("library.bib.gz", raw)])
    assert str(caught.value).startswith("library.bib.gz: ")


def test_decode_input_still_returns_text_alone() -> None:
    assert decode_input("Café".encode("cp1252")) == "Café"
    with pytest.raises(FormatError, match="empty"):
        decode_input(b" \n\t")


@pytest.mark.parametrize(
    "raw",
    [
        PSYCHOLOGY.read_bytes(),
        "@misc{k, title = {Erdős}}\n".encode(),
        b"\xef\xbb\xbf@misc{k, title = {marked}}",
        "@misc{k, title = {Müller}}".encode("cp1252"),
        "@misc{k, title = {UTF-16}}".encode("utf-16-le"),
        "@misc{k, title = {UTF-16}}".encode("utf-16"),
        b"   \n\t\r\n",
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "@misc{a, title = {Fine é}}\n".encode() + b"@misc{b, title = {caf\xe9}}\n",
    ],
    ids=["real", "utf8", "bom", "cp1252", "utf16", "utf16-bom", "blank", "empty", "png", "damaged"],
)
def test_plain_utf8_says_what_decode_file_would_do_without_the_text(raw: bytes) -> None:
    from store.formats.encoding import plain_utf8

    try:
        text, notes = decode_file(raw)
    except FormatError:
        expected = False
    else:
        expected = (
            not notes
            and not raw.startswith(b"\xef\xbb\xbf")
            and text == raw.decode("utf-8", "replace")
        )
    assert plain_utf8(raw) is expected


def test_a_utf8_bibtex_file_imports_without_its_whole_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 150 MB file decoded whole holds up to 600 MB of text: the bytes are
    # checked and split piece by piece instead, to the same papers.
    raw = MILLIDGE.read_bytes()
    expected = parse_text(raw.decode("utf-8"), "bibtex", source=str(MILLIDGE))

    def whole_text(data: bytes) -> object:
        raise AssertionError(f"decoded whole: {len(data)} bytes")

    monkeypatch.setattr("store.formats.decode_file", whole_text)
    [(_, result)] = parse_files([(str(MILLIDGE), raw)])
    assert result.papers == expected.papers
    assert result.warnings == expected.warnings
