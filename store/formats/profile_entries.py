"""The entries of a profile dump: each a header line, a title, an author line and an abstract.

An entry runs from its header line to the next one. Most entries of a dump
have one layout (header, title, author line, abstract, at most one blank line
between them), and :data:`_USUAL_ENTRY` reads such an entry whole in one
regex match; any other entry is split into lines and read by the rules line
by line. Both give the same paper: the usual layout is only a faster way to
the same lines, and a test compares the two on every variant.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from store.formats.profile_authors import (
    USUAL_AUTHOR_LINE,
    read_author_line,
    read_usual_author_line,
)
from store.model import DatePrecision, ImportWarning, Paper
from store.text import clean_line, clean_text

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS, start=1)}
# Feb allows 29 here: a year-less Feb 29 is valid and resolves to a leap year.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# The category is bounded so that a long word in prose fails the match fast.
ENTRY_HEADER = re.compile(
    r"(?P<cat>[A-Z][A-Za-z.-]{0,15}?)"
    r"(?P<mon>" + "|".join(MONTHS) + r") (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?"
    r" ?(?P<code>Code)?"
)
_HEADER = re.sub(r"\?P<\w+>", "?:", ENTRY_HEADER.pattern)  # the same, capturing nothing
# A line that strips to a header, after the newline before it. The padding is
# whitespace other than a newline: "\s*" would rescan every run of blank lines.
_HEADER_LINE_AFTER = re.compile(r"\n[^\S\n]*" + _HEADER + r"[^\S\n]*(?=\n|\Z)")
# An entry in the usual layout, from the start of its header line to the
# start of the next header line (or the end): no padding around the header,
# no whitespace around the title, the author line or the abstract, no line of
# them a header, at most one blank line between them. Each of its lines is
# then its own stripped form, and its blank lines are the only ones.
_USUAL_ENTRY = re.compile(
    ENTRY_HEADER.pattern + r"(?<! )\n"
    r"(?!" + _HEADER + r"\n)(?P<title>\S(?:[^\n]*\S)?)\n(?P<gap1>\n)?"
    r"(?P<author_line>" + USUAL_AUTHOR_LINE + r")\n(?P<gap2>\n)?"
    r"(?!" + _HEADER + r"(?:\n|\Z))(?P<abstract>\S(?:[^\n]*\S)?)(?=\n|\Z)(?:\n(?P<gap3>\n)?)?"
    r"(?=" + _HEADER + r"(?:\n|\Z)|\Z)"
)
# The groups of a usual entry, in the order ``Match.groups()`` gives them.
_USUAL_GROUPS = (
    *("cat", "mon", "day", "year", "code", "title", "gap1", "author_line"),
    *("names", "et_al", "affiliations", "gap2", "abstract", "gap3"),
)
if tuple(_USUAL_ENTRY.groupindex) != _USUAL_GROUPS:
    raise AssertionError("_USUAL_GROUPS must list the groups of _USUAL_ENTRY in order")
_GAP1, _GAP2, _GAP3 = (_USUAL_GROUPS.index(gap) for gap in ("gap1", "gap2", "gap3"))
_REPORT_EVERY = 1000  # entries between progress reports
_UNKNOWN = "?"  # a date not looked up yet (None: a date that does not exist)

_URL = re.compile(r"https?://[^\s<>\"{}\\`]+")
_URL_TRAILING_PUNCTUATION = frozenset(".,;:!?'\"")
_URL_BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}
_URL_HOST = re.compile(r"[a-z]+://(?:[^/?#@]*@)?(?:www\.)?([^/?#:]*)", re.IGNORECASE)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


def valid_day(month: str, day: str) -> bool:
    """Whether the day exists in the month of some year (Feb 29 does)."""
    return 1 <= int(day) <= _MONTH_DAYS[_MONTH_NUMBER[month] - 1]


def first_header_line(text: str) -> int | None:
    """Where the first line that strips to an entry header starts; None when none does."""
    first_end = text.find("\n")
    if ENTRY_HEADER.fullmatch(text[: first_end if first_end >= 0 else len(text)].strip()):
        return 0
    found = _HEADER_LINE_AFTER.search(text)
    return found.start() + 1 if found else None


@dataclass
class EntryReader:
    """Reads the entries of one dump's text into papers and warnings, in page order.

    ``text`` has "\\n" line endings; ``collection`` names the list whose rank
    each paper gets; year-less dates resolve against ``as_of``.
    """

    text: str
    collection: str
    as_of: datetime.date
    papers: list[Paper] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    entries: int = 0
    # Dates and categories recur across a dump: looked up, and each kept once.
    _dates: dict[tuple[str, str, str | None], str | None] = field(default_factory=dict)
    _categories: dict[str, str] = field(default_factory=dict)

    def read(
        self, start: int, line: int, on_read: Callable[[float, int], None] | None = None
    ) -> None:
        """Read every entry from the header line at ``start`` (line number ``line``) on."""
        text = self.text
        size = len(text)
        usual_entry = _USUAL_ENTRY.match
        while start < size:
            if on_read is not None and self.entries and not self.entries % _REPORT_EVERY:
                on_read(start / size, self.entries)
            self.entries += 1
            usual = usual_entry(text, start)
            if usual is not None and self._read_usual(groups := usual.groups(), line):
                # Four lines and the blank ones among them (the last entry may end sooner).
                line += 4 + (groups[_GAP1] is not None) + (groups[_GAP2] is not None)
                line += groups[_GAP3] is not None
                start = usual.end()
                continue
            end = self._entry_end(start)
            self._read_lines(text[start:end].split("\n"), line)
            line += text.count("\n", start, end)
            start = end

    def _entry_end(self, start: int) -> int:
        """Where the line after the next header line starts, or the end of the text."""
        header_end = self.text.find("\n", start)
        if header_end < 0:
            return len(self.text)
        found = _HEADER_LINE_AFTER.search(self.text, header_end)
        return found.start() + 1 if found else len(self.text)

    def _read_usual(self, groups: tuple[str | None, ...], line: int) -> bool:
        """Add the paper of an entry in the usual layout; False when the line rules must decide.

        ``groups`` are the groups of its :data:`_USUAL_ENTRY` match, in order.
        """
        (
            cat,
            mon,
            day,
            year,
            code,
            title,
            _,
            author_line,
            names,
            et_al,
            affiliations,
            _,
            abstract,
        ) = groups[:13]
        # The pattern makes these groups present whenever it matches.
        assert cat and mon and day and title and author_line and names and abstract
        date = self._dates.get((mon, day, year), _UNKNOWN)
        if date is _UNKNOWN:
            date = self._date(mon, day, year)
        title = clean_line(title)
        authors = read_usual_author_line(author_line, names, et_al, affiliations)
        if date is None or not title or authors is None:
            return False  # a warning, or an author line the rules must read
        cleaned = clean_text(abstract)
        # The abstract has no whitespace at its edges unless cleaning left some.
        self._add(
            line,
            title,
            authors,
            cleaned if cleaned is abstract else cleaned.strip(),
            cat,
            date,
            code,
        )
        return True

    def _read_lines(self, lines: list[str], line: int) -> None:
        """Add the paper (or the warning) of an entry from its lines, header first."""
        lines = [text.strip() for text in lines]
        header = ENTRY_HEADER.fullmatch(lines[0])
        assert header is not None  # the entry starts at a header line
        date = self._date(header["mon"], header["day"], header["year"])
        if date is None:
            message = f"date {header.group(0)!r} does not exist; entry skipped"
            self.warnings.append(ImportWarning(message, line))
            return
        at = _next_non_blank(lines, 1)
        title = clean_line(lines[at]) if at < len(lines) else ""
        if not title:
            self.warnings.append(ImportWarning("entry has no title; skipped", line))
            return
        authors: tuple[tuple[str, ...], bool, tuple[str, ...]] = ((), False, ())
        at = _next_non_blank(lines, at + 1)
        if at < len(lines) and (author_line := read_author_line(lines[at])) is not None:
            authors = author_line
            at += 1
        abstract = _join_paragraphs(lines[at:])
        self._add(line, title, authors, abstract, header["cat"], date, header["code"])

    def _add(
        self,
        line: int,
        title: str,
        authors: tuple[tuple[str, ...], bool, tuple[str, ...]],
        abstract: str,
        category: str,
        date: str,
        code: str | None,
    ) -> None:
        code_url = _find_code_url(abstract) if "://" in abstract else ""
        names, truncated, affiliations = authors
        # from_dict builds a paper at half the cost of the frozen __init__.
        paper = Paper.from_dict(
            {
                "id": "",
                "title": title,
                "authors": names,
                "authors_truncated": truncated,
                "affiliations": affiliations,
                "abstract": abstract,
                "category": self._categories.setdefault(category, category),
                "date": date,
                "date_precision": DatePrecision.DAY,
                "has_code": code is not None or bool(code_url),
                "code_url": code_url,
                "collections": {self.collection: self.entries},
            }
        )
        self.papers.append(paper)
        self.lines.append(line)

    def _date(self, month: str, day: str, year: str | None) -> str | None:
        """The entry's ISO date; a year-less one is the latest such day not after ``as_of``."""
        key = (month, day, year)
        if key not in self._dates:
            self._dates[key] = _entry_date(month, day, year, self.as_of)
        return self._dates[key]


def _entry_date(month: str, day: str, year: str | None, as_of: datetime.date) -> str | None:
    number, day_number = _MONTH_NUMBER[month], int(day)
    if year is not None:
        try:
            return datetime.date(int(year), number, day_number).isoformat()
        except ValueError:
            return None
    if not valid_day(month, day):
        return None
    # The day exists in the month, so only Feb 29 needs more than two tries.
    for candidate_year in range(as_of.year, max(as_of.year - 9, 0), -1):
        try:
            candidate = datetime.date(candidate_year, number, day_number)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate.isoformat()
    return None


def _next_non_blank(lines: list[str], start: int) -> int:
    while start < len(lines) and not lines[start]:
        start += 1
    return start


def _join_paragraphs(lines: list[str]) -> str:
    """Abstract text: a paragraph's lines joined by spaces, paragraphs by a blank line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
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
