"""RIS, the tagged format of reference managers and databases (Web of Science,
Scopus, Cochrane, Zotero, EndNote): ``TY  - JOUR`` ... ``ER  - ``.

rispy maps the tags to named fields; this module finds the records first. Real
exports wrap records in things rispy does not expect: a byte-order mark on the
first line (rispy then misses the first ``TY`` and drops that record silently),
CRLF or lone-CR line endings, ``Record #1 of 4`` preambles, ``TY  -  JOUR``
with two spaces after the dash, a last record cut off before its ``ER``. So
the text is split into records here, each with the line of its ``TY``, and
each record goes to rispy on its own: one that rispy cannot read costs only
itself, and its warning can say where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import rispy  # ships no type hints: Any (see [tool.mypy] in pyproject.toml)
from rispy.config import LIST_TYPE_TAGS, TAG_KEY_MAPPING

from store.errors import FormatError
from store.formats.ris_dates import best_date
from store.identity import normalize_arxiv_id, normalize_doi
from store.links import is_web_url
from store.model import Collection, DatePrecision, ImportResult, ImportWarning, Paper
from store.text import FAMILY_JOINER, clean_line, clean_text

# A tag line: two-character tag, one or two spaces, a dash, then the value.
# The spec says exactly "TY  - "; exporters write one space, or two after the dash.
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?:[ \t]+(.*))?[ \t]*$")
_SNIFF = re.compile(r"^TY {1,2}-(?:[ \t]|$)", re.MULTILINE)
_SNIFF_BYTES = 65536

_FALLBACK_COLLECTION = "RIS import"
_NOT_RIS = "not RIS: no record start tag (TY  - ) found"

_ISSN = re.compile(r"\b[0-9]{4}-?[0-9]{3}[0-9Xx]\b", re.ASCII)
_HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", re.IGNORECASE)
_ET_AL = frozenset({"et al", "et. al", "and others", "others"})
_TRAILING_ET_AL = re.compile(r"[\s,]*\b(?:et\.?\s+al\b\.?|and others)\s*$", re.IGNORECASE)
_NOT_ISBN_CHARACTER = re.compile(r"[^0-9Xx]")

# rispy field names, in order of preference.
_TITLE_FIELDS = ("title", "primary_title", "short_title")
_AUTHOR_FIELDS = ("authors", "first_authors")
_ABSTRACT_FIELDS = ("abstract", "notes_abstract")
_VENUE_FIELDS = (
    "journal_name",
    "alternate_title3",
    "secondary_title",
    "alternate_title2",
    "alternate_title1",
)
# Extra fields keep CSL variable names, so every format fills them alike and
# the CSL-JSON export can write them back out.
_EXTRA_FIELDS = {
    "volume": "volume",
    "number": "issue",
    "edition": "edition",
    "language": "language",
    "accession_number": "archive_location",  # where Zotero puts RIS AN
}


class _RecordParser(rispy.RisParser):  # type: ignore[misc]  # rispy is untyped: Any
    """rispy's parser with two changes for real exports.

    rispy files unknown tags in a bucket named by its own ``UK`` tag, so a
    record that uses ``UK`` turns the bucket into a string and the next unknown
    tag crashes; a name no two-character tag can take avoids that. ``SN`` (a
    print and an electronic ISSN) and ``AD`` (one address per author) repeat
    in Web of Science records, so they are read as lists instead of keeping
    only the first.
    """

    UNKNOWN_TAG = "unknown"
    DEFAULT_MAPPING: ClassVar[dict[str, str]] = {
        **{tag: name for tag, name in TAG_KEY_MAPPING.items() if tag != "UK"},
        UNKNOWN_TAG: "unknown_tag",
    }
    DEFAULT_LIST_TAGS: ClassVar[list[str]] = [*LIST_TYPE_TAGS, "SN", "AD"]


_PARSER = _RecordParser()


@dataclass(slots=True)
class _RawRecord:
    """One record's lines in rispy's canonical form, and where it starts."""

    line: int
    lines: list[str] = field(default_factory=list)
    closed: bool = False


def looks_like(text: str) -> bool:
    """Whether a text is RIS: some line in its head starts a record with ``TY  -``.

    Args:
        text: The whole input.

    Returns:
        True when a ``TY`` tag line appears in the first 64 KB.
    """
    head = text[:_SNIFF_BYTES].removeprefix("\ufeff")
    if "\r" in head:
        head = head.replace("\r", "\n")
    return _SNIFF.search(head) is not None


def parse(text: str, *, source: str = "") -> ImportResult:
    """Parse RIS text into papers in file order.

    Args:
        text: The whole file.
        source: Where the text came from; its stem names the collection.

    Returns:
        The papers (ids left empty for the repository to assign; rank in the
        collection is the record's position in the file), the collection, and
        a warning with its line for every record that could not be imported,
        a record cut off before its ``ER`` and tags outside any record.

    Raises:
        FormatError: The text holds no RIS record, or no record could be read.
    """
    records, warnings = _split_records(text)
    if not records:
        raise FormatError(_NOT_RIS, 1)
    name = (Path(source).stem if source else "") or _FALLBACK_COLLECTION

    papers: list[Paper] = []
    keys: list[str] = []
    lines: list[int | None] = []
    for rank, record in enumerate(records, start=1):
        damage = _damage(record)
        if damage:
            warnings.append(ImportWarning(f"record {damage}; skipped", record.line))
            continue
        if not record.closed:
            warnings.append(ImportWarning("record has no end tag (ER); read as is", record.line))
        try:
            entries = _PARSER.parse_lines(iter([*record.lines, "ER  - "]))
        except Exception as err:  # rispy is third-party: contain whatever it raises
            warnings.append(
                ImportWarning(f"record skipped: rispy cannot read it ({err})", record.line)
            )
            continue
        entry = entries[0] if entries else {}
        paper = _to_paper(entry, {name: rank})
        if paper is None:
            warnings.append(ImportWarning("record has no title (TI/T1); skipped", record.line))
        else:
            papers.append(paper)
            keys.append(clean_line(_joined(entry, "id")))
            lines.append(record.line)

    if not papers:
        first = warnings[0]
        raise FormatError(f"no readable RIS record: {first.message}", first.line)
    warnings.sort(key=lambda warning: warning.line or 0)
    return ImportResult(
        papers=papers,
        collection=Collection(name=name, source=source),
        warnings=warnings,
        source_keys=keys,
        lines=lines,
        skipped=len(records) - len(papers),
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _damage(record: _RawRecord) -> str:
    """What makes a record unreadable as text (a NUL, undecodable bytes), or ``""``."""
    for line in record.lines:
        if "\x00" in line:
            return "holds a NUL byte (binary data)"
        if _SURROGATE.search(line):
            return "holds bytes that are not text in the file's encoding"
    return ""


def _split_records(text: str) -> tuple[list[_RawRecord], list[ImportWarning]]:
    """The records between ``TY`` and ``ER`` tags, with everything else dropped.

    Tag lines are rewritten to rispy's canonical ``XX  - value``; other lines
    inside a record are continuations of the previous tag's value and are
    indented so rispy cannot mistake them for tags. Lines between records
    (preambles, blank lines) are ignored, except tag lines, which mean a
    record lost its ``TY`` and get a warning.
    """
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    records: list[_RawRecord] = []
    warnings: list[ImportWarning] = []
    current: _RawRecord | None = None
    in_orphan_block = False
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TAG_LINE.match(line) if len(line) >= 4 and line[2] == " " else None
        if match is None:
            if current is not None and line.strip():
                current.lines.append(" " + line.strip())
            continue
        tag, value = match.group(1), match.group(2) or ""
        if tag == "TY":
            current = _RawRecord(number, [f"TY  - {value.strip()}"])
            records.append(current)
            in_orphan_block = False
        elif tag == "ER":
            if current is not None:
                current.closed = True
            current = None
            in_orphan_block = False
        elif current is not None:
            current.lines.append(f"{tag}  - {value.strip()}")
        elif not in_orphan_block:
            in_orphan_block = True
            warnings.append(
                ImportWarning(f"tag {tag} outside any record (no TY before it)", number)
            )
    return records, warnings


def _to_paper(entry: dict[str, Any], collections: dict[str, int]) -> Paper | None:
    """The paper a rispy record describes, or None when it has no title."""
    title = next((t for key in _TITLE_FIELDS if (t := clean_line(_joined(entry, key)))), "")
    if not title:
        return None
    kind = clean_line(_joined(entry, "type_of_reference"))
    urls = _web_urls(entry)
    doi = _doi(_joined(entry, "doi"), urls)
    date, precision = _best_date(entry)
    authors, truncated = _authors(entry)
    return Paper(
        id="",
        title=title,
        authors=authors,
        authors_truncated=truncated,
        affiliations=_unique(clean_line(a) for a in _values(entry, "author_address")),
        abstract=next(
            (a for key in _ABSTRACT_FIELDS if (a := clean_text(_joined(entry, key)).strip())), ""
        ),
        date=date,
        date_precision=precision,
        url=urls[0] if urls else "",
        arxiv_id=_arxiv_id(doi, urls),
        doi=doi,
        venue=next((v for key in _VENUE_FIELDS if (v := clean_line(_joined(entry, key)))), ""),
        collections=collections,
        kind=kind,
        extra=_extra(entry),
    )


def _values(entry: dict[str, Any], key: str) -> list[str]:
    """A field's values as a list of strings, whatever shape rispy gave it."""
    value = entry.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _joined(entry: dict[str, Any], key: str, separator: str = " ") -> str:
    return separator.join(_values(entry, key))


def _unknown(entry: dict[str, Any], tag: str) -> str:
    """A tag rispy does not know (Web of Science ``PU`` publisher, ``PI`` city)."""
    bucket = entry.get("unknown_tag")
    if not isinstance(bucket, dict):
        return ""
    values = bucket.get(tag)
    return clean_line(" ".join(v for v in values if isinstance(v, str))) if values else ""


def _unique(values: Any) -> tuple[str, ...]:
    """Non-empty values in first-seen order."""
    return tuple(dict.fromkeys(value for value in values if value))


def _authors(entry: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    """``AU`` (else ``A1``) names in reading order, and whether the list was cut short.

    ``Family, Given[, Suffix]`` becomes ``Given Family[, Suffix]``, a family
    name of several words joined by no-break spaces (the convention of
    :func:`store.text.family_name`). Cochrane ends a long list with an
    author called ``et al.``, and some exports append it to the last name
    (``Roth, Gregory A. et al.``): that is a fact about the list, not a
    name. Repeated names stay: two authors can share a name.
    """
    raw_names = next((names for key in _AUTHOR_FIELDS if (names := _values(entry, key))), [])
    cleaned = [clean_line(raw) for raw in raw_names]
    truncated = False
    kept: list[str] = []
    for name in cleaned:
        if name.lower().rstrip(".") in _ET_AL:
            truncated = True
        elif name:
            kept.append(name)
    if kept and (marker := _TRAILING_ET_AL.search(kept[-1])):
        kept[-1] = kept[-1][: marker.start()].rstrip(" ,")
        truncated = True
    names = [_display_name(name) for name in kept]
    return tuple(name for name in names if name), truncated


def _display_name(name: str) -> str:
    parts = [part.strip() for part in name.split(",")]
    if len(parts) < 2 or not parts[0]:
        return name
    family, given, *suffixes = parts
    display = f"{given} {family.replace(' ', FAMILY_JOINER)}".strip()
    suffix = ", ".join(part for part in suffixes if part)
    return f"{display}, {suffix}" if suffix else display


def _web_urls(entry: dict[str, Any]) -> list[str]:
    """The record's ``http(s)`` links; other schemes are not safe to open."""
    urls = []
    for value in _values(entry, "urls"):
        match = _HTTP_URL.match(clean_line(value))
        if match and is_web_url(match.group(0), openable=False):
            urls.append(match.group(0))
    return urls


def _doi(value: str, urls: list[str]) -> str:
    """The DOI without a resolver prefix, in its own case; else one from a doi.org link."""
    for candidate in clean_line(value).split():
        doi = _DOI_PREFIX.sub("", candidate)
        if normalize_doi(doi):
            return doi
    for url in urls:
        if match := _DOI_IN_URL.search(url):
            return match.group(1)
    return ""


def _arxiv_id(doi: str, urls: list[str]) -> str:
    """An arXiv id, looked for only where "arxiv" is named: ids look like any number."""
    for value in (doi, *urls):
        if "arxiv" in value.lower() and (arxiv := normalize_arxiv_id(value)):
            return arxiv
    return ""


def _best_date(entry: dict[str, Any]) -> tuple[str, DatePrecision | None]:
    """The entry's date from ``DA``, ``PY`` and ``Y1`` (see :func:`best_date`)."""
    return best_date(
        _joined(entry, "date"), _joined(entry, "publication_year"), _joined(entry, "year")
    )


def _extra(entry: dict[str, Any]) -> dict[str, str]:
    """Bibliographic fields the model does not name, under CSL variable names."""
    extra: dict[str, str] = {}
    for key, name in _EXTRA_FIELDS.items():
        if value := clean_line(_joined(entry, key)):
            extra[name] = value
    start, end = clean_line(_joined(entry, "start_page")), clean_line(_joined(entry, "end_page"))
    if start or end:
        extra["page"] = f"{start}-{end}" if start and end and start != end else start or end
    if publisher := clean_line(_joined(entry, "publisher")) or _unknown(entry, "PU"):
        extra["publisher"] = publisher
    if place := clean_line(_joined(entry, "place_published")) or _unknown(entry, "PI"):
        extra["publisher-place"] = place
    if keywords := _unique(clean_line(k) for k in _values(entry, "keywords")):
        extra["keywords"] = "; ".join(keywords)
    if notes := _unique(clean_text(n).strip() for n in _values(entry, "notes")):
        extra["note"] = "\n".join(notes)
    issns: list[str] = []
    isbns: list[str] = []
    for raw in _values(entry, "issn"):
        if value := clean_line(raw):
            (isbns if _is_isbn(value) else issns).append(value)
    if issns:
        extra["issn"] = "; ".join(_unique(issns))
    if isbns:
        extra["isbn"] = "; ".join(_unique(isbns))
    return extra


def _is_isbn(value: str) -> bool:
    """``SN`` holds an ISSN for serials and an ISBN for books; the digit count tells."""
    return len(_NOT_ISBN_CHARACTER.sub("", value)) in (10, 13) and not _ISSN.fullmatch(value)
