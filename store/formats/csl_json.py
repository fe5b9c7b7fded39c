"""CSL-JSON, the citation data of Zotero, Better BibTeX, pandoc and citeproc.

Read: Zotero's native export (tab-indented, ids are ``http://zotero.org/...``
URIs, ``date-parts`` years as strings), Better CSL JSON (one item per line,
``citation-key``, numeric ``date-parts``, ``literal`` names) and anything
else that is an array of CSL items (or an object holding one in ``items``).
A citation key survives the import as the paper's id; an item without one
gets an id from the repository.

Written (:mod:`.csl_json_export`): an array of CSL items for ``pandoc
--citeproc``. Papers know names only as display strings, so names are split
back into ``given``/``family`` (or kept whole as ``literal``) in a way that
reading the file back restores every name exactly (:mod:`.csl_names`).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from store.errors import FormatError
from store.formats.csl_json_export import CSL_TYPES, dump
from store.formats.csl_names import read_names, scalar
from store.identity import normalize_arxiv_id, normalize_doi
from store.links import is_web_url
from store.model import Collection, DatePrecision, ImportResult, ImportWarning, Paper
from store.text import clean_line, clean_text

__all__ = ["CSL_TYPES", "dump", "looks_like", "parse"]

_NAME_VARIABLES = ("editor", "translator")
# CSL variables kept in a paper's extra on import, under these keys.
_IMPORTED_EXTRA = {
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "number": "number",
    "edition": "edition",
    "publisher": "publisher",
    "publisher-place": "publisher-place",
    "collection-title": "collection-title",
    "ISSN": "issn",
    "ISBN": "isbn",
    "language": "language",
    "keyword": "keywords",
    "archive_location": "archive_location",
}
_CSL_KEYS = frozenset({"type", "title", "id", "citation-key", "author", "issued"})

_SNIFF_BYTES = 65536
_SNIFF_START = re.compile(r'\[\s*\{|\{\s*"items"\s*:\s*\[\s*\{')
_SNIFF_TYPE = re.compile(r'"type"\s*:\s*"(?:' + "|".join(sorted(CSL_TYPES)) + r')"')
_SNIFF_KEY = re.compile(r'"(?:title|id|citation-key)"\s*:')
_OWN_EXPORT = re.compile(r'"format"\s*:\s*"paper-reader"')

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+\-]{0,199}", re.ASCII)
_DATE_TEXT = re.compile(r"(?<![0-9])([0-9]{4})(?:[-/]([0-9]{1,2})(?:[-/]([0-9]{1,2}))?)?", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]{1,6}", re.ASCII)
# CSL's rich-text markup in titles; a lone "<" (as in "x < y") is text.
_RICH_TEXT = re.compile(
    r"</?(?:i|b|sup|sub|sc)>|<span\s+(?:class=\"nocase\"|style=\"font-variant:\s*small-caps;?\")>"
    r"|</span>"
)
_HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", re.IGNORECASE)
# JSON strings and brackets, to find where each top-level item starts.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_STRUCTURE = re.compile(r"[\[\]{},]")
_NON_SPACE = re.compile(r"\S")

_FALLBACK_COLLECTION = "CSL-JSON import"


def looks_like(text: str) -> bool:
    """Whether a text is CSL-JSON, judged from its head without parsing it.

    An array of objects (or ``{"items": [...]}``) whose head names a CSL
    item type and a title or id key. paper-reader's own JSON export, an
    object tagged ``"format": "paper-reader"``, is never claimed.

    Args:
        text: The whole input.

    Returns:
        True when the first 64 KB read as the start of CSL-JSON.
    """
    head = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    if not _SNIFF_START.match(head) or _OWN_EXPORT.search(head, 0, 500):
        return False
    return _SNIFF_TYPE.search(head) is not None and _SNIFF_KEY.search(head) is not None


def parse(text: str, *, source: str = "") -> ImportResult:
    """Parse CSL-JSON into papers in file order.

    Args:
        text: The whole file.
        source: Where the text came from; its stem names the collection.

    Returns:
        The papers, keeping each item's citation key (``citation-key``, or an
        ``id`` that is a plain key rather than a URI) as its id and leaving the
        id empty for the repository to assign otherwise; the collection (rank
        is the item's position in the file); a warning naming the index (and
        line, when items sit in a top-level array) of every item skipped.

    Raises:
        FormatError: The text is not JSON (with the decoder's line), or is JSON
            but not CSL (no array of items, or no item with CSL fields).
    """
    text = text.removeprefix("\ufeff")
    document, may_hold_surrogates = _load(text)
    items, in_top_array = _items(document)
    name = (Path(source).stem if source else "") or _FALLBACK_COLLECTION

    item_lines = _item_lines(text, len(items)) if in_top_array else [None] * len(items)

    papers: list[Paper] = []
    keys: list[str] = []
    lines: list[int | None] = []
    warnings: list[ImportWarning] = []
    for index, (item, line) in enumerate(zip(items, item_lines, strict=True), start=1):
        if not isinstance(item, dict):
            warnings.append(ImportWarning(f"item {index} is not an object; skipped", line))
            continue
        if may_hold_surrogates and _holds_surrogate(item):
            message = f"item {index} holds a lone surrogate (not text); skipped"
            warnings.append(ImportWarning(message, line))
            continue
        paper = _to_paper(item, {name: index})
        if paper is None:
            key = _citation_key(item)
            reason = f"({key}) has no title" if key else "has no title"
            warnings.append(ImportWarning(f"item {index} {reason}; skipped", line))
        else:
            papers.append(paper)
            keys.append(_source_key(item))
            lines.append(line)

    if not papers:
        first = warnings[0]
        raise FormatError(f"no readable CSL item: {first.message}", first.line)
    return ImportResult(
        papers=papers,
        collection=Collection(name=name, source=source),
        warnings=warnings,
        keep_ids=True,
        source_keys=keys,
        lines=lines,
        skipped=len(items) - len(papers),
    )


def _load(text: str) -> tuple[Any, bool]:
    """The decoded JSON and whether it may hold lone surrogates; else a :class:`FormatError`.

    orjson refuses lone surrogates, whether escaped (``"\\udc80"``) or in
    the text (bytes that were not UTF-8); the standard library reads both,
    so that only the items holding them are lost, not the file.
    """
    try:
        return orjson.loads(text), False
    except orjson.JSONDecodeError as err:
        if "surrogate" not in err.msg:
            raise FormatError(f"not valid JSON ({err.msg})", err.lineno) from None
    try:
        return json.loads(text), True
    except json.JSONDecodeError as err:
        raise FormatError(f"not valid JSON ({err.msg})", err.lineno) from None
    except RecursionError:
        raise FormatError("not valid JSON (nested too deeply)") from None


def _holds_surrogate(value: Any) -> bool:
    """Whether any string in a decoded JSON value holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(item) for item in value)
    return False


def _items(document: Any) -> tuple[list[Any], bool]:
    """The CSL items of a decoded document, and whether they are its top-level array."""
    if isinstance(document, list):
        items, in_top_array = document, True
    elif isinstance(document, dict):
        if document.get("format") == "paper-reader":
            raise FormatError("a paper-reader JSON export, not CSL-JSON", 1)
        if isinstance(document.get("items"), list):
            items, in_top_array = document["items"], False
        elif _CSL_KEYS & document.keys():
            items, in_top_array = [document], False
        else:
            raise FormatError("JSON, but not CSL-JSON: an object without CSL items", 1)
    else:
        raise FormatError("JSON, but not CSL-JSON: not an array of items", 1)
    if not items:
        raise FormatError("CSL-JSON without any item", 1)
    if not any(isinstance(item, dict) and _CSL_KEYS & item.keys() for item in items):
        raise FormatError("JSON, but not CSL-JSON: no item has CSL fields (type, title, id)", 1)
    return items, in_top_array


def _item_lines(text: str, count: int) -> list[int | None]:
    """The 1-based line where each element of the top-level array starts.

    Strings are blanked first in one C-level pass (a JSON string holds no
    raw newline, so line numbers survive), which leaves only brackets to
    walk in Python: a few per item rather than one per field. An array
    holding something other than objects and arrays (a bare ``42``) is
    walked again with its commas. The text is known to be valid JSON here.
    """
    skeleton = _JSON_STRING.sub('""', text)
    starts: list[int] = []
    depth = 0
    for bracket in _JSON_BRACKET.finditer(skeleton):
        if bracket.group() in "[{":
            depth += 1
            if depth == 2:
                starts.append(bracket.start())
        else:
            depth -= 1
    if len(starts) != count:
        starts = _element_starts(skeleton)
    if len(starts) != count:  # no line is better than a wrong one
        return [None] * count
    lines: list[int | None] = []
    line, position = 1, 0
    for start in starts:
        line += skeleton.count("\n", position, start)
        position = start
        lines.append(line)
    return lines


def _element_starts(skeleton: str) -> list[int]:
    """Where each element of the top-level array starts, commas and all."""
    starts: list[int] = []
    depth = 0
    for token in _JSON_STRUCTURE.finditer(skeleton):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if mark == "[" and depth == 1:
                starts.append(token.end())
        elif mark in "]}":
            depth -= 1
        elif depth == 1:
            starts.append(token.end())
    elements: list[int] = []
    for start in starts:
        match = _NON_SPACE.search(skeleton, start)
        if match is not None and match.group() != "]":
            elements.append(match.start())
    return elements


def _to_paper(item: dict[str, Any], collections: dict[str, int]) -> Paper | None:
    """The paper a CSL item describes, or None when it has no title."""
    title = _markup_free(clean_line(scalar(item.get("title"))))
    if not title:
        return None
    authors, truncated = read_names(item.get("author"))
    date, precision = _issued(item.get("issued"))
    doi = _doi(scalar(item.get("DOI")))
    url = _web_url(scalar(item.get("URL")))
    kind = clean_line(scalar(item.get("type")))
    venue = _markup_free(
        clean_line(scalar(item.get("container-title")))
        or clean_line(scalar(item.get("event-title")))
    )
    return Paper(
        id=_citation_key(item),
        title=title,
        authors=authors,
        authors_truncated=truncated,
        abstract=clean_text(scalar(item.get("abstract"))).strip(),
        date=date,
        date_precision=precision,
        url=url,
        arxiv_id=_arxiv_id((doi, url, scalar(item.get("number")))),
        doi=doi,
        venue=venue,
        collections=collections,
        kind=kind,
        extra=_extra(item),
    )


def _markup_free(text: str) -> str:
    return clean_line(_RICH_TEXT.sub("", text)) if "<" in text else text


def _citation_key(item: dict[str, Any]) -> str:
    """``citation-key``, else an ``id`` that is a plain key (not a URI, not a bare number)."""
    for field in ("citation-key", "id"):
        value = item.get(field)
        if isinstance(value, str):
            key = value.strip()
            if _PLAIN_KEY.fullmatch(key) and not key.isdigit():
                return key
    return ""


def _source_key(item: dict[str, Any]) -> str:
    """The item's own key as the file spells it: ``citation-key``, else ``id``, as text."""
    for field in ("citation-key", "id"):
        key = clean_line(scalar(item.get(field)))
        if key:
            return key
    return ""


def _issued(value: Any) -> tuple[str, DatePrecision | None]:
    """The ISO date and its precision from a CSL date, or ``("", None)``.

    ``date-parts`` come as numbers or as strings (Zotero); a range keeps its
    start; ``raw``, ``literal`` and an old-style ``year``/``month``/``day``
    object are fallbacks.
    """
    parts: tuple[int, int, int] | None = None
    if isinstance(value, dict):
        ranges = value.get("date-parts")
        if isinstance(ranges, list) and ranges and isinstance(ranges[0], list):
            parts = _from_parts(ranges[0])
        for key in ("raw", "literal"):
            if parts is None and isinstance(value.get(key), str):
                parts = _from_text(value[key])
        if parts is None and "year" in value:
            parts = _from_parts([value.get("year"), value.get("month"), value.get("day")])
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        parts = _from_text(str(value))
    if parts is None:
        return "", None
    year, month, day = parts
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return f"{year:04d}-{month or 1:02d}-{day or 1:02d}", precision


def _from_parts(parts: list[Any]) -> tuple[int, int, int] | None:
    """Year, month, day (0 when absent) from ``[y, m, d]``; seasons (13-24) count as no month."""
    year = _integer(parts[0]) if parts else None
    if year is None or not 1 <= year <= 9999:
        return None
    month = _integer(parts[1]) if len(parts) > 1 else None
    if month is None or not 1 <= month <= 12:
        return year, 0, 0
    day = _integer(parts[2]) if len(parts) > 2 else None
    if day is None or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return year, month, 0
    return year, month, day


def _from_text(text: str) -> tuple[int, int, int] | None:
    """The first ``YYYY[-MM[-DD]]`` (or with slashes) in a raw date string."""
    match = _DATE_TEXT.search(text)
    if match is None:
        return None
    return _from_parts([group for group in match.groups() if group is not None])


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def _doi(value: str) -> str:
    """The DOI without a resolver prefix, in its own case, or ``""``."""
    doi = _DOI_PREFIX.sub("", clean_line(value))
    return doi if normalize_doi(doi) else ""


def _web_url(value: str) -> str:
    """The URL when it is ``http(s)``; other schemes are not safe to open."""
    match = _HTTP_URL.match(clean_line(value))
    return match.group(0) if match and is_web_url(match.group(0), openable=False) else ""


def _arxiv_id(values: Iterable[str]) -> str:
    """An arXiv id, looked for only where "arxiv" is named: ids look like any number."""
    for value in values:
        if "arxiv" in value.lower() and (arxiv := normalize_arxiv_id(value)):
            return arxiv
    return ""


def _extra(item: dict[str, Any]) -> dict[str, str]:
    """Bibliographic variables the model does not name, under lower-case CSL names."""
    extra: dict[str, str] = {}
    for variable, key in _IMPORTED_EXTRA.items():
        if value := clean_line(scalar(item.get(variable))):
            extra[key] = value
    if note := clean_text(scalar(item.get("note"))).strip():
        extra["note"] = note
    for variable in _NAME_VARIABLES:
        names, _ = read_names(item.get(variable))
        if names:
            extra[variable] = "; ".join(names)
    return extra
