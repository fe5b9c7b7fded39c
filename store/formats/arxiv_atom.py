"""arXiv API responses: the Atom XML that ``export.arxiv.org/api/query`` returns.

Two generations of the feed are read the same way, because both use the same
namespace URIs and ElementTree resolves prefixes wherever they are declared:
the 2016 format declares ``xmlns:arxiv`` on each element and links over
``http``; the current one declares namespaces on the root and adds
``<arxiv:affiliation>`` to authors.

The input is untrusted, so a document type declaration is refused before the
XML parser sees it (an internal DTD is how entity-expansion bombs work), and
every parser failure becomes a :class:`FormatError`.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from store.errors import FormatError
from store.links import is_web_url
from store.model import Collection, DatePrecision, ImportResult, ImportWarning, Paper
from store.text import clean_line

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
_A = "{" + ATOM_NS + "}"
_X = "{" + ARXIV_NS + "}"
_OS = "{" + OPENSEARCH_NS + "}"

# The arXiv identifier without its version: new style (0704.0001, 2301.12345) or
# old style (cond-mat/0412498, math.GT/0309136). Shared with the API client.
ARXIV_ID_PATTERN = r"\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}"
_ABS_ID = re.compile(
    r"/abs/(?P<id>" + ARXIV_ID_PATTERN + r")(?:v(?P<version>\d+))?/?$", re.IGNORECASE
)
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTRY_START = re.compile(r"<(?:[\w.\-]+:)?entry[\s/>]")
_DOI_RESOLVER = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
# A UTF-8 lead byte read as Latin-1, followed by a continuation byte read the same way.
_MOJIBAKE = re.compile(r"[\xc2-\xf4][\x80-\xbf]")
_CODE_URL = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co)"
    r"/[^\s<>\"'{}\\`]+",
    re.IGNORECASE,
)
_SNIFF_CHARS = 4096
_FALLBACK_COLLECTION = "arXiv import"


class ApiErrorFeed(FormatError):
    """The API's answer to a query it refused: a feed whose one entry is titled "Error"."""


def looks_like(text: str) -> bool:
    """Whether a text is an arXiv API Atom feed, judged from its head alone.

    Only the first few kilobytes are read, so sniffing a large file costs
    nothing: the root ``<feed>`` and the arXiv namespace or API id come first.

    Args:
        text: The whole input.

    Returns:
        True for an Atom feed that names the arXiv schema or API.
    """
    head = text[:_SNIFF_CHARS]
    return "<feed" in head and ATOM_NS in head and (ARXIV_NS in head or "arxiv.org/api" in head)


def parse(text: str, *, source: str = "") -> ImportResult:
    """Parse an arXiv API response into papers in feed order.

    Args:
        text: The whole Atom document.
        source: Where the text came from; its file stem names the collection.

    Returns:
        The papers (rank in the collection is their position in the feed), the
        collection, and a warning for each entry that has no arXiv id or title.
        A feed with no entries (arXiv's answer for unknown ids) gives no papers.

    Raises:
        FormatError: The text is not XML, declares a DTD, is not an Atom feed,
            is the API's error feed (:class:`ApiErrorFeed`), or holds entries
            none of which is readable.
    """
    root = _parse_xml(text.removeprefix("\ufeff"))
    if root.tag == _A + "entry":
        entries = [root]
    elif root.tag == _A + "feed":
        entries = root.findall(_A + "entry")
    else:
        raise FormatError("not an Atom feed (the root element is not <feed>)", 1)

    _raise_on_api_error(entries)
    name = (Path(source).stem if source else "") or _FALLBACK_COLLECTION
    lines = _entry_lines(text, len(entries))

    papers: list[Paper] = []
    paper_lines: list[int | None] = []
    warnings: list[ImportWarning] = []
    for rank, (entry, line) in enumerate(zip(entries, lines, strict=True), start=1):
        paper = _parse_entry(entry, rank, line, {name: rank})
        if isinstance(paper, ImportWarning):
            warnings.append(paper)
        else:
            papers.append(paper)
            paper_lines.append(line)
    if entries and not papers:
        first = warnings[0]
        raise FormatError(f"no readable arXiv entries: {first.message}", first.line)

    metrics: dict[str, str] = {}
    total = root.findtext(_OS + "totalResults")
    if total is not None and total.strip().isdigit():
        metrics["total_results"] = total.strip()
    collection = Collection(name=name, source=source, metrics=metrics)
    return ImportResult(
        papers=papers,
        collection=collection,
        warnings=warnings,
        source_keys=[""] * len(papers),
        lines=paper_lines,
        skipped=len(entries) - len(papers),
    )


def _parse_xml(text: str) -> ET.Element:
    """The document's root element, or a :class:`FormatError` saying why not."""
    if dtd := _DTD.search(text):
        line = text.count("\n", 0, dtd.start()) + 1
        raise FormatError("XML with a DTD or entity declarations is refused", line)
    try:
        return ET.fromstring(text)
    except ET.ParseError as err:
        line = err.position[0] if err.position else None
        raise FormatError(f"not well-formed XML ({_parse_error_reason(err)})", line) from None
    except (ValueError, LookupError, RecursionError) as err:
        # Lone surrogates cannot be encoded for expat; an odd encoding name is unknown.
        raise FormatError(f"not readable XML ({type(err).__name__})") from None


def _parse_error_reason(err: ET.ParseError) -> str:
    """Expat's message without the position it appends (the line is reported apart)."""
    return str(err).split(":", 1)[0]


def _raise_on_api_error(entries: list[ET.Element]) -> None:
    """The API answers a bad query with one entry titled "Error"; say what it says."""
    for entry in entries:
        title = _text(entry, _A + "title")
        entry_id = _text(entry, _A + "id")
        if title == "Error" and ("/api/errors" in entry_id or not _ABS_ID.search(entry_id)):
            summary = _text(entry, _A + "summary") or "no details given"
            raise ApiErrorFeed(f"the arXiv API reported an error: {summary}")


def _entry_lines(text: str, count: int) -> list[int | None]:
    """The line each entry starts on, found by scanning for ``<entry``.

    ElementTree keeps no positions, so the tags are counted in the text; when
    the count disagrees with the parsed entries (an ``<entry`` inside a
    comment, say) no line is better than a wrong one.
    """
    starts = [match.start() for match in _ENTRY_START.finditer(text)]
    if len(starts) != count:
        return [None] * count
    lines: list[int | None] = []
    line, position = 1, 0
    for start in starts:
        line += text.count("\n", position, start)
        position = start
        lines.append(line)
    return lines


def _parse_entry(
    entry: ET.Element, rank: int, line: int | None, collections: dict[str, int]
) -> Paper | ImportWarning:
    """One paper from one ``<entry>``; a warning when it has no arXiv id or title."""
    entry_id = _text(entry, _A + "id")
    id_match = _ABS_ID.search(entry_id)
    if id_match is None:
        shown = f" {entry_id[:80]!r}" if entry_id else ""
        return ImportWarning(f"entry {rank} has no arXiv id{shown}; skipped", line)
    title = _text(entry, _A + "title")
    if not title:
        return ImportWarning(f"entry {rank} ({id_match['id']}) has no title; skipped", line)

    authors: list[str] = []
    affiliations: list[str] = []
    for author in entry.findall(_A + "author"):
        name = _text(author, _A + "name")
        if name:
            authors.append(name)
        for affiliation in author.findall(_X + "affiliation"):
            value = _element_text(affiliation)
            if value and value not in affiliations:
                affiliations.append(value)

    primary = _attribute(entry.find(_X + "primary_category"), "term")
    categories = [primary] if primary else []
    for category in entry.findall(_A + "category"):
        term = _attribute(category, "term")
        if term and term not in categories:
            categories.append(term)

    url, pdf_url, doi_link = _links(entry)
    doi = _text(entry, _X + "doi").split(" ")[0]
    if not doi and _DOI_RESOLVER.match(doi_link):
        doi = _DOI_RESOLVER.sub("", doi_link)
    date = _day(_text(entry, _A + "published")) or _day(_text(entry, _A + "updated"))
    abstract = _text(entry, _A + "summary")
    comment = _text(entry, _X + "comment")
    code_url = _code_url(comment) or _code_url(abstract)

    extra: dict[str, str] = {}
    if id_match["version"]:
        extra["version"] = id_match["version"]
    if pdf_url:
        extra["pdf_url"] = pdf_url
    if comment:
        extra["comment"] = comment
    if updated := _text(entry, _A + "updated"):
        extra["updated"] = updated
    return Paper(
        id="",
        title=title,
        authors=tuple(authors),
        affiliations=tuple(affiliations),
        abstract=abstract,
        category=categories[0] if categories else "",
        categories=tuple(categories),
        date=date,
        date_precision=DatePrecision.DAY if date else None,
        has_code=bool(code_url),
        url=url,
        code_url=code_url,
        arxiv_id=canonical_arxiv_id(id_match["id"]),
        doi=doi,
        venue=_text(entry, _X + "journal_ref"),
        collections=collections,
        kind="preprint",
        extra=extra,
        origin="arxiv",
    )


def canonical_arxiv_id(arxiv_id: str) -> str:
    """An id without version in arXiv's spelling, so that the same paper compares equal.

    New-style ids are digits already; an old-style id has its archive
    lower-cased and its subject class upper-cased (``math.GT/0309136``).
    """
    if "/" not in arxiv_id:
        return arxiv_id
    archive, number = arxiv_id.split("/", 1)
    head, _, subject = archive.partition(".")
    return f"{head.lower()}.{subject.upper()}/{number}" if subject else f"{head.lower()}/{number}"


def _links(entry: ET.Element) -> tuple[str, str, str]:
    """The abstract page, the PDF and the DOI resolver links of an entry."""
    url = pdf_url = doi_link = ""
    for link in entry.findall(_A + "link"):
        href = clean_line(link.get("href", ""))
        if not is_web_url(href, openable=False):
            continue
        rel, title = link.get("rel", "alternate"), link.get("title", "")
        if title == "pdf" or link.get("type") == "application/pdf":
            pdf_url = pdf_url or href
        elif title == "doi":
            doi_link = doi_link or href
        elif rel == "alternate":
            url = url or href
    return url, pdf_url, doi_link


def _day(timestamp: str) -> str:
    """The ISO day of an Atom timestamp, or ``""`` when it holds no real date."""
    try:
        return datetime.date.fromisoformat(timestamp[:10]).isoformat()
    except ValueError:
        return ""


def _code_url(text: str) -> str:
    """The first code-repository link in a text, without the punctuation prose adds."""
    if "://" not in text:
        return ""
    match = _CODE_URL.search(text)
    if match is None:
        return ""
    url = match.group(0).rstrip(".,;:!?")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:!?")
    return url


def _text(parent: ET.Element, tag: str) -> str:
    """A child element's text on one line, or ``""`` when the child is missing."""
    child = parent.find(tag)
    return _element_text(child) if child is not None else ""


def _element_text(element: ET.Element) -> str:
    """All text inside an element, repaired, cleaned and whitespace-collapsed."""
    return clean_line(_repair_mojibake("".join(element.itertext())))


def _attribute(element: ET.Element | None, name: str) -> str:
    return clean_line(element.get(name, "")) if element is not None else ""


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 on its way into a file.

    Recorded API responses are often stored this way (a client that guessed
    the charset): ``RamÃ­rez`` for ``Ramírez``. Only text that decodes cleanly
    back to UTF-8 is changed, which Latin-1 text written on purpose never does.
    """
    if text.isascii() or _MOJIBAKE.search(text) is None:
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text
