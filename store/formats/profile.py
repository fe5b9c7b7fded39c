"""The author-profile dump: a profile header, then one entry per paper.

The dump is text copied from a profile page, so it is read leniently: line
endings, blank lines and trailing spaces vary, the header may be missing, and a
broken entry becomes a warning instead of failing the import. The layout::

    Jason D. Lee                      profile name
    LG                                primary category
    h-index96                         metrics, one per line
    158 Papers                        papers the page declares
    AIJun 3Code                       entry header: CATEGORY DATE [Code]
    Title
    Author, Author et al. · aff, aff
    Abstract paragraphs, until the next entry header

Parsing is one pass over the lines with precompiled patterns and cheap
prefilters before each regex, because a library may import dumps of tens of
thousands of entries and the import should not be what the user waits on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import FormatError
from store.model import Collection, DatePrecision, ImportResult, ImportWarning, Paper
from store.text import clean_line, clean_text, strip_escape_sequences

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name: number for number, name in enumerate(_MONTHS, start=1)}
# Feb allows 29 here: a year-less Feb 29 is valid and resolves to a leap year.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# The category is bounded so that a long word in prose fails the match fast.
_ENTRY_HEADER = re.compile(
    r"(?P<cat>[A-Z][A-Za-z.-]{0,15}?)"
    r"(?P<mon>" + "|".join(_MONTHS) + r") (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?"
    r" ?(?P<code>Code)?"
)
# The same header anywhere in a text, for sniffing without splitting lines. The
# padding is whitespace other than a newline: "\s*" would rescan every run of
# blank lines from each of its lines, which is quadratic.
_ENTRY_HEADER_ANYWHERE = re.compile(
    r"^[^\S\n]*" + _ENTRY_HEADER.pattern + r"[^\S\n]*$", re.MULTILINE
)

_REPORT_EVERY = 1000  # entries between progress reports

_DECLARED_COUNT = re.compile(r"(?P<count>\d[\d,]*)\s+papers?", re.IGNORECASE)
# Metrics have no space between label and number: "h-index96", "15,936citations".
_METRIC_LABEL_FIRST = re.compile(r"(?P<label>[A-Za-z][A-Za-z .-]*[A-Za-z-])(?P<value>\d[\d,.]*%?)")
_METRIC_VALUE_FIRST = re.compile(r"(?P<value>\d[\d,.]*%?)(?P<label>[A-Za-z][A-Za-z .-]*)")
_CATEGORY_CODE = re.compile(r"(?:[a-z]+(?:-[a-z]+)?\.)?[A-Z]{2,5}")

# The lookbehind starts a match only at the head of a whitespace run: linear, not quadratic.
_AFFILIATION_MARK = re.compile(r"(?<!\s)\s+·(?=\s|$)")
_ET_AL = re.compile(r"(?:,\s*)?\bet\s+al\.$")
_AFFILIATION_SEPARATOR = re.compile(r",\s|\s·\s")
# Things names do not contain but prose does: sentence punctuation, digits,
# markup, and a period after a whole word ("Done.", unlike the initial in "D. Lee").
_PROSE_CHARACTER = re.compile(r"[;:!?()\[\]{}\"\\$=<>|/@#%*+^~_\d]")
_PROSE_WORD_END = re.compile(r"(?<![^\W\d_])(?!(?:Jr|Sr|St)\.)[^\W\d_]{2,}\.(?=\s|$)")
_NAME_PARTICLES = frozenset(
    {"al", "bin", "ben", "da", "das", "de", "degli", "del", "della", "der", "di", "do", "dos"}
    | {"du", "el", "ibn", "la", "le", "van", "von", "y", "zu"}
)
_MAX_AUTHOR_LINE = 300
_MAX_NAME_WORDS = 8
_MAX_PROFILE_NAME = 200

_URL = re.compile(r"https?://[^\s<>\"{}\\`]+")
_URL_TRAILING_PUNCTUATION = frozenset(".,;:!?'\"")
_URL_BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}
_URL_HOST = re.compile(r"[a-z]+://(?:[^/?#@]*@)?(?:www\.)?([^/?#:]*)", re.IGNORECASE)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")

_NO_ENTRIES = "no paper entries found (not an author-profile dump)"
_FALLBACK_COLLECTION = "Imported profile"


def looks_like(text: str) -> bool:
    """Whether a text is an author-profile dump, judged from its content.

    Lets the importer pick a format without trusting the file name. It stops
    at the first entry header with a real date instead of parsing the text.

    Args:
        text: The whole input.

    Returns:
        True when at least one line is a valid entry header.
    """
    text = text.removeprefix("\ufeff")
    if _has_entry_header(text):
        return True
    # A file with lone-CR line endings is one long line to the MULTILINE pattern.
    return "\r" in text and _has_entry_header(text.replace("\r", "\n"))


def _has_entry_header(text: str) -> bool:
    for match in _ENTRY_HEADER_ANYWHERE.finditer(text):
        if _valid_day(match["mon"], match["day"]):
            return True
    return False


def parse(
    text: str,
    *,
    as_of: datetime.date | None = None,
    source: str = "",
    on_read: Callable[[float, int], None] | None = None,
) -> ImportResult:
    """Parse an author-profile dump into papers in page order and their collection.

    Args:
        text: The whole dump.
        as_of: The reference date for year-less entry dates, which the page
            writes for the current year; today when not given.
        source: Where the text came from; names the collection when the dump
            has no profile header.
        on_read: Called now and then with the share of the entries read and
            how many that is.

    Returns:
        The papers (rank in the collection is their position on the page), the
        collection with the profile's metrics, and warnings for broken entries
        and for a page that declares more papers than it holds.

    Raises:
        FormatError: The text holds no readable entry, so it is not a dump.
    """
    reference_date = as_of if as_of is not None else datetime.date.today()
    lines = _split_lines(text)

    headers: list[tuple[int, re.Match[str]]] = []
    for index, line in enumerate(lines):
        # Every header ends in a digit or "Code", so most prose lines skip the regex.
        # A header with an impossible date still counts: its entry becomes a
        # warning instead of leaking into the previous abstract.
        if (
            line
            and (line[-1].isdigit() or line[-1] == "e")
            and (match := _ENTRY_HEADER.fullmatch(line)) is not None
        ):
            headers.append((index, match))
    if not headers:
        raise FormatError(_NO_ENTRIES)

    warnings: list[ImportWarning] = []
    profile = _parse_profile_header(lines[: headers[0][0]], warnings)
    name = profile.name or (Path(source).stem if source else "") or _FALLBACK_COLLECTION

    papers: list[Paper] = []
    entry_lines: list[int | None] = []
    for rank, (index, match) in enumerate(headers, start=1):
        end = headers[rank][0] if rank < len(headers) else len(lines)
        entry = _parse_entry(lines, index, end, match, reference_date, {name: rank})
        if isinstance(entry, ImportWarning):
            warnings.append(entry)
        else:
            papers.append(entry)
            entry_lines.append(index + 1)
        if on_read is not None and not rank % _REPORT_EVERY:
            on_read(rank / len(headers), rank)

    if not papers:
        first = warnings[0] if warnings else None
        detail = f": {first.message}" if first else ""
        raise FormatError(f"no readable paper entries{detail}", first.line if first else None)
    if profile.declared_count is not None and profile.declared_count > len(papers):
        warnings.append(
            ImportWarning(
                f"page declares {profile.declared_count} papers but holds {len(papers)}",
                profile.declared_line,
            )
        )
    collection = Collection(
        name=name,
        source=source,
        declared_count=profile.declared_count,
        metrics=profile.metrics,
    )
    return ImportResult(
        papers=papers,
        collection=collection,
        warnings=warnings,
        source_keys=[""] * len(papers),
        lines=entry_lines,
        skipped=len(headers) - len(papers),
    )


def _split_lines(text: str) -> list[str]:
    """Lines with line endings normalised, a BOM and escape sequences removed, edges stripped."""
    text = strip_escape_sequences(text.removeprefix("\ufeff"))
    if "\r" in text:  # else two copies of a 150 MB dump for nothing
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip() for line in text.split("\n")]


def _valid_day(month: str, day: str) -> bool:
    return 1 <= int(day) <= _MONTH_DAYS[_MONTH_NUMBER[month] - 1]


@dataclass(slots=True)
class _ProfileHeader:
    """What the lines above the first entry say about the profile."""

    name: str = ""
    declared_count: int | None = None
    declared_line: int | None = None
    metrics: dict[str, str] = field(default_factory=dict)


def _parse_profile_header(lines: list[str], warnings: list[ImportWarning]) -> _ProfileHeader:
    """Read the profile name, primary category, metrics and declared paper count.

    The first non-blank line is the name unless it reads as something else, so
    a dump whose header lost its name still yields its metrics.
    """
    profile = _ProfileHeader()
    seen_first_line = False
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        first_line = not seen_first_line
        seen_first_line = True
        if declared := _DECLARED_COUNT.fullmatch(line):
            profile.declared_count = int(declared["count"].replace(",", ""))
            profile.declared_line = number
        elif metric := _METRIC_LABEL_FIRST.fullmatch(line) or _METRIC_VALUE_FIRST.fullmatch(line):
            label = clean_line(metric["label"])
            profile.metrics[label] = clean_line(metric["value"].replace(",", ""))
        elif "category" not in profile.metrics and _CATEGORY_CODE.fullmatch(line):
            profile.metrics["category"] = line
        elif first_line and len(line) <= _MAX_PROFILE_NAME:
            profile.name = clean_line(line)
        else:
            warnings.append(ImportWarning("unrecognised profile header line ignored", number))
    return profile


def _parse_entry(
    lines: list[str],
    header_index: int,
    end: int,
    header: re.Match[str],
    as_of: datetime.date,
    collections: dict[str, int],
) -> Paper | ImportWarning:
    """One paper from its header and the lines up to the next header.

    Returns a warning instead when the entry cannot make a paper, so that one
    broken entry does not cost the rest of the page.
    """
    header_line = header_index + 1
    date = _entry_date(header, as_of)
    if date is None:
        return ImportWarning(f"date {header.group(0)!r} does not exist; entry skipped", header_line)

    index = _next_non_blank(lines, header_index + 1, end)
    title = clean_line(lines[index]) if index < end else ""
    if not title:
        return ImportWarning("entry has no title; skipped", header_line)

    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    truncated = False
    index = _next_non_blank(lines, index + 1, end)
    if index < end and _is_author_line(lines[index]):
        authors, truncated, affiliations = _parse_author_line(lines[index])
        index += 1

    abstract = _join_paragraphs(lines, index, end)
    code_url = _find_code_url(abstract)
    return Paper(
        id="",
        title=title,
        authors=authors,
        authors_truncated=truncated,
        affiliations=affiliations,
        abstract=abstract,
        category=header["cat"],
        date=date.isoformat(),
        date_precision=DatePrecision.DAY,
        has_code=header["code"] is not None or bool(code_url),
        code_url=code_url,
        collections=collections,
    )


def _next_non_blank(lines: list[str], start: int, end: int) -> int:
    while start < end and not lines[start]:
        start += 1
    return start


def _entry_date(header: re.Match[str], as_of: datetime.date) -> datetime.date | None:
    """The entry's date; a year-less one is the latest such day not after ``as_of``."""
    month = _MONTH_NUMBER[header["mon"]]
    day = int(header["day"])
    if header["year"] is not None:
        try:
            return datetime.date(int(header["year"]), month, day)
        except ValueError:
            return None
    if not _valid_day(header["mon"], header["day"]):
        return None
    # The day exists in the month, so only Feb 29 needs more than two tries.
    for year in range(as_of.year, max(as_of.year - 9, 0), -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate
    return None


def _is_author_line(line: str) -> bool:
    """Whether the line after a title lists authors rather than starting the abstract.

    An affiliation mark settles it; otherwise (ignoring a closing "et al.") a
    short line of capitalised, comma-separated names without sentence
    punctuation, so that an abstract citing "Smith et al." stays an abstract.
    """
    if "·" in line and _AFFILIATION_MARK.search(line):
        return True
    if line.endswith("al.") and (et_al := _ET_AL.search(line)):
        line = line[: et_al.start()]
    if len(line) > _MAX_AUTHOR_LINE or _PROSE_CHARACTER.search(line):
        return False
    if "." in line and _PROSE_WORD_END.search(line):
        return False
    for part in line.split(","):
        words = part.split()
        if len(words) > _MAX_NAME_WORDS:
            return False
        for word in words:
            # "d'Alembert", "al-Hassan": a lowercase prefix on a capitalised name passes.
            if (
                word[0].islower()
                and word not in _NAME_PARTICLES
                and not any(char.isupper() for char in word)
            ):
                return False
    return True


def _parse_author_line(line: str) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
    """Authors, whether the list was cut short with "et al.", and affiliations.

    The line is cleaned once as a whole: cleaning is per character, so the
    pieces come out the same as if each were cleaned, at a fraction of the cost.
    """
    line = clean_line(line)
    parts = _AFFILIATION_MARK.split(line, maxsplit=1) if "·" in line else [line]
    names_part = parts[0]
    affiliations: tuple[str, ...] = ()
    if len(parts) == 2:
        pieces = (piece.strip() for piece in _AFFILIATION_SEPARATOR.split(parts[1]))
        affiliations = tuple(piece for piece in pieces if piece)
    truncated = False
    if names_part.endswith("al.") and (et_al := _ET_AL.search(names_part)):
        truncated = True
        names_part = names_part[: et_al.start()]
    names: list[str] = []
    for piece in names_part.split(","):
        name = piece.strip()
        if name.startswith(("and ", "& ")):
            name = name.split(" ", 1)[1].lstrip()
        if name:
            names.append(name)
    return tuple(names), truncated, affiliations


def _join_paragraphs(lines: list[str], start: int, end: int) -> str:
    """Abstract text: a paragraph's lines joined by spaces, paragraphs by a blank line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[start:end]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    cleaned = (clean_text(paragraph).strip() for paragraph in paragraphs)
    return "\n\n".join(paragraph for paragraph in cleaned if paragraph)


def _find_code_url(abstract: str) -> str:
    """The abstract's code link: the first code-host URL, else the first URL."""
    if "://" not in abstract:
        return ""
    first_url = ""
    for match in _URL.finditer(abstract):
        url = _trim_url(match.group(0))
        host_match = _URL_HOST.match(url)
        host = host_match.group(1).lower() if host_match else ""
        if not host:
            continue
        if host in _CODE_HOSTS:
            return url
        first_url = first_url or url
    return first_url


def _trim_url(url: str) -> str:
    """Drop the sentence punctuation and unmatched brackets that prose puts after a URL.

    A bracket is kept when the URL opened it, as in Wikipedia-style ``(...)``.
    Bracket counts are taken once and kept up to date, so the loop stays linear.
    """
    closed: dict[str, int] = {}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _URL_TRAILING_PUNCTUATION:
            end -= 1
            continue
        opener = _URL_BRACKETS.get(last)
        if opener is None:
            break
        if last not in closed:
            closed[last] = url.count(last, 0, end) - url.count(opener, 0, end)
        if closed[last] <= 0:
            break
        closed[last] -= 1
        end -= 1
    return url[:end]
