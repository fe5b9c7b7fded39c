"""BibTeX export that :func:`store.formats.bibtex.parse` reads back to the same papers.

Text is escaped so that the decoder's fast path returns it unchanged (UTF-8
kept, no LaTeX accents), math is kept, the month is a bare macro, and arXiv
papers get ``eprint``/``archiveprefix``/``primaryclass``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bibtexparser import model as bib
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.writer import BibtexFormat

from store.formats.bibtex_fields import DROPPED_FIELDS, first_year
from store.formats.bibtex_latex import braces_pair, escape_text, math_segments
from store.formats.bibtex_names import names
from store.formats.bibtex_values import MONTH_NAMES
from store.identity import base_key
from store.model import DatePrecision, Paper
from store.text import FAMILY_JOINER, clean_line

_MONTH_MACRO_NAMES = tuple(name[:3].lower() for name in MONTH_NAMES)
_BOOKTITLE_KINDS = frozenset(
    {"inproceedings", "incollection", "inbook", "conference", "inreference"}
)
# bibtexparser reads an entry type as "\w+" and a field name up to "=".
_VALID_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VALID_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_BRACE_AFTER_BACKSLASH = re.compile(r"(?<=\\)[{}]")
# Record types of other formats (CSL) that BibTeX spells differently.
# Types BibTeX and BibLaTeX styles know; anything else (RIS ``JOUR``, arXiv
# ``preprint``) is mapped through _FOREIGN_KINDS or falls back to article/misc.
_ENTRY_TYPES = frozenset(
    {
        *("article", "book", "booklet", "inbook", "incollection", "inproceedings"),
        *("conference", "manual", "mastersthesis", "misc", "phdthesis", "proceedings"),
        *("techreport", "unpublished", "online", "report", "thesis", "collection", "set"),
        *("mvbook", "mvcollection", "mvproceedings", "mvreference", "bookinbook"),
        *("suppbook", "suppcollection", "suppperiodical", "reference", "inreference"),
        *("patent", "periodical", "dataset", "software"),
    }
)
_FOREIGN_KINDS = {
    "jour": "article",
    "ejour": "article",
    "conf": "inproceedings",
    "cpaper": "inproceedings",
    "chap": "incollection",
    "book": "book",
    "thes": "phdthesis",
    "rprt": "techreport",
    "elec": "online",
    "preprint": "misc",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "webpage": "online",
    "post-weblog": "online",
}
_INVALID_KEY_CHARS = re.compile(r"[\s,{}()\"#%'=\\@~]")
# Names the importer would split, reorder or read as "the list was cut short".
_NAME_NEEDS_BRACES = re.compile(
    r",|\band\b|^others$|^et\.?\s+al\b|\bet\.?\s+al\b\.?$", re.IGNORECASE
)


def _escape_with_math(text: str) -> str:
    """Like :func:`escape_text`, but ``$...$`` written as is when BibTeX can hold it."""
    if "$" not in text:
        return escape_text(text)
    return "".join(
        segment if is_math and _math_writable(segment) else escape_text(segment)
        for is_math, segment in math_segments(text)
    )


def _math_writable(segment: str) -> bool:
    # Both readers must see balanced braces: bibtexparser skips any brace after a
    # backslash (even in "\\}"), classic BibTeX counts every brace.
    return (
        braces_pair(_BRACE_AFTER_BACKSLASH.sub("", segment))
        and braces_pair(segment)
        and "\n" not in segment
    )


def _escape_verbatim(value: str) -> str:
    """A URL, DOI or eprint: braces and backslashes percent-encoded, the rest as is."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _name_field(paper: Paper) -> str:
    written = [_name(name) for name in paper.authors]
    if paper.authors_truncated:
        written.append("others")
    return " and ".join(written)


def _name(name: str) -> str:
    """One name as BibTeX; a family name of joined words is written ``Family, Given``."""
    if FAMILY_JOINER in name:
        family_first = _family_first(name)
        if family_first:
            return family_first
    escaped = escape_text(name)
    return f"{{{escaped}}}" if _NAME_NEEDS_BRACES.search(name) else escaped


def _family_first(name: str) -> str:
    """``Garduño Freeman, Cristina`` for ``Cristina Garduño\u00a0Freeman``, or ``""``.

    BibTeX (and biber) then know where the family name starts; the form is
    used only when the importer reads it back as exactly the same name.
    """
    head, comma, suffix = name.partition(", ")
    given, _, family = head.rpartition(" ")
    parts = [family.replace(FAMILY_JOINER, " "), *([suffix] if comma else []), given]
    if any(not part or _NAME_NEEDS_BRACES.search(part) for part in parts):
        return ""
    written = ", ".join(escape_text(part) for part in parts)
    return written if names(written) == ((name,), False) else ""


def _fields(paper: Paper) -> list[bib.Field]:
    """The entry's fields: the model's first, then ``extra`` in its own order."""
    fields: list[bib.Field] = []
    taken: set[str] = set()

    def add(key: str, value: str, *, bare: bool = False) -> None:
        if not value or key in taken:
            return
        field = bib.Field(key, value)
        if bare:
            field.enclosing = "no-enclosing"
        fields.append(field)
        taken.add(key)

    extra = paper.extra
    add("title", _escape_with_math(paper.title))
    add("author", _name_field(paper))
    year = paper.year
    if year is not None:
        # A year the import could not reduce to one number ("1981, 1983") was kept.
        year_text = extra.get("year", "")
        add("year", escape_text(year_text) if year_text else str(year))
        if paper.date_precision in (DatePrecision.MONTH, DatePrecision.DAY):
            month = paper.date[5:7]
            if month.isdigit() and 1 <= int(month) <= 12:
                add("month", _MONTH_MACRO_NAMES[int(month) - 1], bare=True)
        if "date" in extra:
            add("date", escape_text(extra["date"]))
        elif paper.date_precision is DatePrecision.DAY or (
            year_text and first_year(year_text) != year
        ):
            length = _DATE_LENGTH[paper.date_precision] if paper.date_precision else 10
            add("date", paper.date[:length])
    if paper.venue:
        add(_venue_field(paper), escape_text(paper.venue))
    if paper.arxiv_id:
        add("eprint", _escape_verbatim(paper.arxiv_id))
        add("archiveprefix", "arXiv")
    add("primaryclass", _escape_verbatim(paper.category))
    add("doi", _escape_verbatim(paper.doi))
    add("url", _escape_verbatim(paper.url))
    add("abstract", _escape_with_math(paper.abstract))
    for key, value in extra.items():
        name = key.lower()
        if name in DROPPED_FIELDS or not _VALID_FIELD.fullmatch(name) or name in _MODEL_FIELDS:
            continue
        add(name, escape_text(value))
    return fields


_DATE_LENGTH = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7, DatePrecision.DAY: 10}


# Fields that import reads into the model: an ``extra`` copy (from another
# importer) would change the paper when the file is read back.
_MODEL_FIELDS = frozenset({"title", "subtitle", "author", "abstract", "journal"})


def _venue_field(paper: Paper) -> str:
    """``booktitle`` for papers inside a book or proceedings, else ``journal``."""
    if _kind(paper) in _BOOKTITLE_KINDS and "booktitle" not in paper.extra:
        return "booktitle"
    return "journal"


def _kind(paper: Paper) -> str:
    """The entry type: the paper's own, else ``article`` with a venue, else ``misc``.

    arXiv preprints without a recorded type are ``@misc``, as arXiv's own
    BibTeX export writes them.
    """
    kind = _FOREIGN_KINDS.get(paper.kind.lower(), paper.kind.lower())
    if kind in _ENTRY_TYPES:
        return kind
    return "article" if paper.venue and not paper.arxiv_id else "misc"


def _key(paper: Paper) -> str:
    key = _INVALID_KEY_CHARS.sub("_", clean_line(paper.id))
    return key or _INVALID_KEY_CHARS.sub("_", base_key(paper)) or "paper"


def _entries(papers: Iterable[Paper]) -> list[bib.Block]:
    """One entry per paper, keys made unique (``key``, ``key-2``, ...) within the output."""
    used: set[str] = set()
    blocks: list[bib.Block] = []
    for paper in papers:
        key = _key(paper)
        unique = key
        suffix = 2
        while unique.lower() in used:
            unique = f"{key}-{suffix}"
            suffix += 1
        used.add(unique.lower())
        blocks.append(bib.Entry(_kind(paper), unique, _fields(paper)))
    return blocks


def _write(blocks: list[bib.Block]) -> str:
    layout = BibtexFormat()  # type: ignore[no-untyped-call]  # bibtexparser leaves it unannotated
    layout.indent = "  "
    layout.block_separator = "\n"
    library = Library(blocks)
    text = write_string(
        library,
        unparse_stack=default_unparse_stack(allow_inplace_modification=True),
        bibtex_format=layout,
    )
    return text.strip() + "\n" if text.strip() else ""


def dump(papers: list[Paper]) -> str:
    """BibTeX for export: one entry per paper, keyed by its id, in the given order.

    UTF-8 is written as is (biber and modern BibTeX read it); LaTeX-special
    characters are escaped so that :func:`parse` gives back the same title,
    authors, date, venue, DOI, arXiv id, URL and abstract. Math in titles and
    abstracts is written as LaTeX math. Keys are the papers' ids, made valid
    and unique within the file.

    Args:
        papers: The papers to write.

    Returns:
        The ``.bib`` text (empty for no papers).
    """
    return _write(_entries(papers))


def entry_text(paper: Paper) -> str:
    """One paper's BibTeX entry, for the reader's "copy BibTeX" key.

    Args:
        paper: The paper to cite.

    Returns:
        The entry, ending in a newline.
    """
    return _write(_entries([paper]))
