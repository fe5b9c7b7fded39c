"""Bytes from a file as text: UTF-8, UTF-16, or the Windows code page older tools write.

The rules, in order:

1. A byte-order mark decides: UTF-8 (the mark dropped), UTF-16 or UTF-32.
2. Known binary formats (PNG, gzip, zip, PDF, ...) and samples full of
   control bytes are refused: "binary data, not a text file". UTF-16
   without a mark (every other byte a NUL) is recognised first.
3. Valid UTF-8 is UTF-8.
4. Text that is mostly UTF-8 with a few bytes that are not (a damaged
   entry) stays UTF-8; each bad byte becomes a lone surrogate
   (``surrogateescape``), and the importers skip the entry holding it with
   a warning on its line, so one bad entry never costs the whole file. A
   NUL byte in an otherwise textual file is treated the same way.
5. Anything else is Windows-1252 (which older TeX setups and Windows tools
   write, and which is Latin-1 plus printable characters in 0x80-0x9F), the
   five bytes Windows-1252 leaves undefined read as Latin-1.

Every fallback (a mark other than UTF-8's, Windows-1252) is one warning.
"""

from __future__ import annotations

import codecs
import re

from store.errors import FormatError
from store.model import ImportWarning

_SAMPLE_BYTES = 65536
_MAGIC = (
    b"\x89PNG",
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip, docx, epub
    b"%PDF-",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"(\xb5/\xfd",  # zstd
    b"7z\xbc\xaf\x27\x1c",
    b"\x7fELF",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",  # OLE2: old .doc and .xls
    b"Rar!",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", ""),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Bytes no text holds: C0 controls but tab, newline, form feed, carriage return and ESC.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_ESCAPED = re.compile("[\udc80-\udcff]")
_NOT_UTF8 = "not UTF-8: read as Windows-1252/Latin-1"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes Windows-1252 leaves undefined, read as Latin-1."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("paper_reader_latin1", _latin1_fallback)


def decode_file(raw: bytes) -> tuple[str, list[ImportWarning]]:
    """A file's bytes as text, and a warning when its encoding had to be guessed.

    Args:
        raw: The whole file.

    Returns:
        The text (byte-order mark dropped) and at most one warning.

    Raises:
        FormatError: The file is empty, or binary data rather than text.
    """
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            text = _decode_unicode(raw[len(bom) :], codec)
            _require_content(text)
            notes = (
                [ImportWarning(f"{name} text (byte-order mark): read as {name}")] if name else []
            )
            return text, notes
    _refuse_binary(raw)
    unmarked = _utf16_without_mark(raw)
    if unmarked:
        text = _decode_unicode(raw, unmarked)
        _require_content(text)
        return text, [ImportWarning("UTF-16 text without a byte-order mark: read as UTF-16")]
    if not raw or raw.isspace():  # not ``raw.strip()``: that copies the whole file
        raise FormatError("the file is empty")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", "surrogateescape")
    bad_bytes = len(_ESCAPED.findall(text))
    if _non_ascii(text) - bad_bytes > bad_bytes:
        return text, []  # UTF-8 with a damaged run: its entry is skipped, not the file
    return raw.decode("cp1252", "paper_reader_latin1"), [ImportWarning(_NOT_UTF8)]


_CHECKED_BYTES = 1 << 22


def plain_utf8(raw: bytes) -> bool:
    """Whether :func:`decode_file` reads ``raw`` as UTF-8 with no warning, told without the text.

    True for bytes with no byte-order mark that are neither binary nor empty
    and are valid UTF-8 throughout. The check decodes a few megabytes at a
    time, so a large file's text (up to four times its bytes) never exists
    whole; a caller that then reads the bytes piece by piece never makes it.
    """
    if raw.startswith(tuple(bom for bom, _, _ in _BOMS)):
        return False
    try:
        _refuse_binary(raw)
    except FormatError:
        return False
    # ``not raw.strip()`` without the copy strip makes of a file with a final newline.
    if _utf16_without_mark(raw) or not raw or raw.isspace():
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _CHECKED_BYTES):
            decoder.decode(view[start : start + _CHECKED_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def reads_as_utf8(raw: bytes, notes: list[ImportWarning]) -> bool:
    """Whether :func:`decode_file` read ``raw`` as UTF-8 without a byte-order mark.

    Its text is then ``raw.decode("utf-8", "surrogateescape")``, and so is the
    text of any piece of ``raw`` cut at an ASCII byte, decoded on its own.
    ``notes`` are the warnings :func:`decode_file` gave with it.
    """
    return not notes and not raw.startswith(tuple(bom for bom, _, _ in _BOMS))


def _decode_unicode(raw: bytes, codec: str) -> str:
    """UTF-16/32 (or UTF-8) text; undecodable units become lone surrogates."""
    try:
        return raw.decode(codec, "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode(codec, "replace")


def _require_content(text: str) -> None:
    if not text.strip():
        raise FormatError("the file is empty")


def _refuse_binary(raw: bytes) -> None:
    """Raise for a known binary format or a sample with too many control bytes for text."""
    if raw.startswith(_MAGIC):
        raise FormatError("binary data, not a text file", 1)
    sample = raw[:_SAMPLE_BYTES]
    controls = len(_CONTROL_BYTES.findall(sample))
    nuls = sample.count(b"\x00")
    # Random bytes are ~10% such controls, text next to none; a few NULs in
    # one damaged entry must not refuse the whole file.
    if controls > len(sample) * 0.03 or (nuls > 4 and nuls > len(sample) // 100):
        if _utf16_without_mark(raw):
            return
        first_nul = raw.find(b"\x00")
        line = raw[:first_nul].count(b"\n") + 1 if first_nul >= 0 else 1
        raise FormatError("binary data, not a text file", line)


def _utf16_without_mark(raw: bytes) -> str:
    """``utf-16-le``/``-be`` when every other byte of the sample is a NUL, else ``""``."""
    sample = raw[: _SAMPLE_BYTES & ~1]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(b"\x00"), odd.count(b"\x00")
    if odd_nuls > 0.4 * len(odd) and even_nuls < 0.05 * len(even):
        return "utf-16-le"
    if even_nuls > 0.4 * len(even) and odd_nuls < 0.05 * len(odd):
        return "utf-16-be"
    return ""


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def decode_input(raw: bytes) -> str:
    """:func:`decode_file` without its warning, for callers that show none."""
    return decode_file(raw)[0]
