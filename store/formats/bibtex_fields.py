"""BibTeX fields to a :class:`Paper`: title, names, dates, venue, identifiers, the rest.

Every field the model does not name goes to ``extra`` (LaTeX decoded), so
exports lose nothing; local file paths (``file``, often Windows ones) are
dropped, as they mean nothing on another machine. Math (``$...$``) in titles
and abstracts is kept as written, because the reader renders it at display
time; in other fields (venues, notes) nothing renders it later, so it
becomes Unicode here.
"""

from __future__ import annotations

import datetime
import functools
import re
import sys

from store.formats.bibtex_latex import decode, paragraphs, verbatim
from store.formats.bibtex_names import names
from store.formats.bibtex_values import MONTH_NAMES, Entry
from store.identity import normalize_arxiv_id, normalize_doi
from store.links import is_web_url
from store.model import DatePrecision, Paper
from store.text import clean_line, clean_text

_ISO_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?![\d])")
_ISO_PLAIN = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_MONTH_NUMBER = {name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}


def _date(fields: dict[str, str], extra: dict[str, str]) -> tuple[str, DatePrecision | None]:
    """The ISO date and its precision from ``date``, else ``year``/``month``/``day``.

    BibLaTeX's ``date`` wins when readable; a range (``1984/1986``) gives its
    start. A value that says more than the date kept (a range, ``in press``,
    ``Spring``) is kept in ``extra`` so that nothing is lost.
    """
    raw_date = fields.pop("date", "").strip()
    raw_year = fields.pop("year", "").strip()
    raw_month = fields.pop("month", "").strip()
    raw_day = fields.pop("day", "").strip()
    if raw_date:
        parsed = _iso_date(decode(raw_date, keep_math=False))
        if not _ISO_PLAIN.fullmatch(raw_date):
            extra["date"] = _clean_extra(raw_date)
        if parsed is not None:
            # biblatex ignores year/month beside a date; keep a year that says otherwise.
            if raw_year and decode(raw_year, keep_math=False).strip() != parsed[0][:4]:
                extra["year"] = _clean_extra(raw_year)
            return parsed

    year_text = decode(raw_year, keep_math=False) if raw_year else ""
    year_match = _YEAR.search(year_text)
    if year_match is None:
        for name, raw in (("year", raw_year), ("month", raw_month), ("day", raw_day)):
            if raw:
                extra[name] = _clean_extra(raw)
        return "", None
    if year_text.strip() != year_match.group(1):
        extra["year"] = _clean_extra(raw_year)
    year = int(year_match.group(1))

    month, day = _month_day(decode(raw_month, keep_math=False)) if raw_month else (None, None)
    if raw_day and month is not None and day is None and raw_day.isdigit():
        day = int(raw_day)
    if raw_month and month is None:
        extra["month"] = _clean_extra(raw_month)
    if month is None:
        return f"{year:04d}-01-01", DatePrecision.YEAR
    if day is not None and _valid(year, month, day):
        return f"{year:04d}-{month:02d}-{day:02d}", DatePrecision.DAY
    return f"{year:04d}-{month:02d}-01", DatePrecision.MONTH


def _iso_date(text: str) -> tuple[str, DatePrecision] | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}-01-01", DatePrecision.YEAR
    if day is None or not _valid(year, month, day):
        return f"{year:04d}-{month:02d}-01", DatePrecision.MONTH
    return f"{year:04d}-{month:02d}-{day:02d}", DatePrecision.DAY


def _month_day(text: str) -> tuple[int | None, int | None]:
    """Month and day from ``oct``/``October``/``10``/``January 16``/``16~jan``."""
    word = _MONTH_WORD.search(text)
    if word is not None:
        month = _MONTH_NUMBER[word.group(1).lower()]
        rest = text[: word.start()] + " " + text[word.end() :]
        number = _NUMBER.search(rest)
        return month, int(number.group(1)) if number else None
    number = _NUMBER.fullmatch(text.strip())
    if number is not None and 1 <= int(number.group(1)) <= 12:
        return int(number.group(1)), None
    return None, None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def first_year(text: str) -> int | None:
    """The first four-digit year in a text, or None."""
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


# --- entries to papers ---------------------------------------------------------------

_VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
# Local file paths (often Windows ones) mean nothing on another machine.
DROPPED_FIELDS = frozenset({"file", "local-url", "pdf"})
DROPPED_PREFIXES = ("bdsk-file-",)
_ARXIV_TYPES = frozenset({"arxiv"})
_ARXIV_HINT_FIELDS = ("journal", "journaltitle", "number", "volume", "note", "howpublished")
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")
_CATEGORY_SEPARATORS = re.compile(r"[\s,;]+")


def _clean_extra(value: str) -> str:
    if len(value) <= _SHARED_CHARS:
        return _clean_short_extra(value)
    return clean_line(decode(value, keep_math=False))


# Publishers, languages, ISSNs, dates and the like recur across a
# bibliography: each distinct short value is decoded once.
@functools.lru_cache(maxsize=1 << 14)
def _clean_short_extra(value: str) -> str:
    return _shared(clean_line(decode(value, keep_math=False)))


# Names, venues, dates, publishers and the like recur across a bibliography;
# a short value is kept once however many entries hold it (each copy costs
# 50-70 bytes: 75 MB over 100,000 realistic entries).
_SHARED_CHARS = 80


def _shared(value: str) -> str:
    return sys.intern(value) if len(value) <= _SHARED_CHARS else value


def to_paper(entry: Entry, collections: dict[str, int]) -> Paper:
    """A paper from one resolved entry; every field the model lacks goes to ``extra``."""
    fields = dict(entry.fields)
    extra: dict[str, str] = {}

    title = clean_line(decode(fields.pop("title", ""), keep_math=True))
    subtitle = clean_line(decode(fields.pop("subtitle", ""), keep_math=True))
    if subtitle:
        title = f"{title}{'' if title[-1:] in '.:?!' else ':'} {subtitle}" if title else subtitle
    authors, truncated = names(fields.pop("author", ""))
    abstract = clean_text(paragraphs(decode(fields.pop("abstract", ""), keep_math=True)))
    date, precision = _date(fields, extra)

    venue = ""
    for name in _VENUE_FIELDS:
        if name in fields:
            venue = clean_line(decode(fields.pop(name), keep_math=False))
            if venue:
                break

    doi = ""
    if "doi" in fields:
        raw_doi = verbatim(fields.pop("doi"))
        doi = normalize_doi(raw_doi)
        if not doi and raw_doi:
            extra["doi"] = clean_line(raw_doi)

    url = ""
    if "url" in fields:
        raw_url = clean_line(verbatim(fields.pop("url")))
        if is_web_url(raw_url, openable=False):
            url = raw_url
        elif raw_url:
            extra["url"] = raw_url
    if not url and "\\url" in fields.get("howpublished", ""):
        found = _URL_MACRO.search(fields["howpublished"])
        candidate = clean_line(verbatim(found.group(1))) if found else ""
        url = candidate if is_web_url(candidate, openable=False) else ""

    arxiv_id, category_text = _arxiv(fields, venue, doi, url)
    categories = tuple(part for part in _CATEGORY_SEPARATORS.split(category_text) if part)

    for name, value in fields.items():
        if name in DROPPED_FIELDS or name.startswith(DROPPED_PREFIXES):
            continue
        cleaned = _clean_extra(value)
        if cleaned:
            extra[name] = _shared(cleaned)

    return Paper(
        id=clean_line(entry.key),
        title=title,
        authors=tuple(map(_shared, authors)),
        authors_truncated=truncated,
        abstract=abstract,
        category=_shared(categories[0]) if categories else "",
        categories=tuple(map(_shared, categories)),
        date=_shared(date),
        date_precision=precision,
        url=url,
        arxiv_id=arxiv_id,
        doi=doi,
        venue=_shared(venue),
        collections=collections,
        kind=sys.intern(entry.type),
        extra=extra,
    )


def _arxiv(fields: dict[str, str], venue: str, doi: str, url: str) -> tuple[str, str]:
    """The arXiv id and primary class; consumes the eprint fields when they are arXiv's.

    Looks, in order, at ``eprint`` (typed arXiv, or untyped and shaped like an
    id, including the odd ``cs.LG/1708.07747``), then at any field naming
    arXiv: ``journal = {arXiv preprint arXiv:...}``, ``number = {arXiv:...}``,
    an arxiv.org URL, a ``10.48550/arXiv.`` DOI, DBLP's ``CoRR`` + ``abs/...``.
    """
    eprint_type = verbatim(fields.get("eprinttype", "") or fields.get("archiveprefix", ""))
    eprint = verbatim(fields.get("eprint", ""))
    arxiv_id = ""
    if eprint and (eprint_type.lower() in _ARXIV_TYPES or not eprint_type):
        arxiv_id = normalize_arxiv_id(eprint)
        if arxiv_id:
            for name in ("eprint", "eprinttype", "archiveprefix"):
                fields.pop(name, None)
    if not arxiv_id:
        candidates = [url, doi, venue, *(fields.get(name, "") for name in _ARXIV_HINT_FIELDS)]
        # Most entries name arXiv nowhere: one look at them all first.
        if "arxiv" not in "\n".join(candidates).lower():
            candidates = []
        for candidate in candidates:
            if "arxiv" in candidate.lower():
                arxiv_id = normalize_arxiv_id(candidate)
                if arxiv_id:
                    break
    if not arxiv_id and venue.lower() == "corr":
        volume = fields.get("volume", "")
        if volume.lower().startswith("abs/"):
            arxiv_id = normalize_arxiv_id(volume)
    # The subject class is read even without an id: a paper's category survives export.
    category = verbatim(fields.pop("primaryclass", "") or fields.pop("eprintclass", ""))
    return arxiv_id, clean_line(category)
