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

The lines above the first entry header are the profile's; the entries are
read by :mod:`store.formats.profile_entries`, mostly one regex match each,
because a library may import dumps of 100,000 entries and the import should
not be what the user waits on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import FormatError
from store.formats.profile_entries import (
    ENTRY_HEADER,
    EntryReader,
    first_header_line,
    valid_day,
)
from store.model import Collection, ImportResult, ImportWarning
from store.text import clean_line, strip_escape_sequences

# The same header anywhere in a text, for sniffing without splitting lines. The
# padding is whitespace other than a newline: "\s*" would rescan every run of
# blank lines from each of its lines, which is quadratic.
_ENTRY_HEADER_ANYWHERE = re.compile(
    r"^[^\S\n]*" + ENTRY_HEADER.pattern + r"[^\S\n]*$", re.MULTILINE
)

_DECLARED_COUNT = re.compile(r"(?P<count>\d[\d,]*)\s+papers?", re.IGNORECASE)
# Metrics have no space between label and number: "h-index96", "15,936citations".
_METRIC_LABEL_FIRST = re.compile(r"(?P<label>[A-Za-z][A-Za-z .-]*[A-Za-z-])(?P<value>\d[\d,.]*%?)")
_METRIC_VALUE_FIRST = re.compile(r"(?P<value>\d[\d,.]*%?)(?P<label>[A-Za-z][A-Za-z .-]*)")
_CATEGORY_CODE = re.compile(r"(?:[a-z]+(?:-[a-z]+)?\.)?[A-Z]{2,5}")

_MAX_PROFILE_NAME = 200

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
        if valid_day(match["mon"], match["day"]):
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
    text = strip_escape_sequences(text.removeprefix("\ufeff"))
    if "\r" in text:  # else two copies of a 150 MB dump for nothing
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = first_header_line(text)
    if start is None:
        raise FormatError(_NO_ENTRIES)

    warnings: list[ImportWarning] = []
    head = [line.strip() for line in text[: start - 1].split("\n")] if start else []
    profile = _parse_profile_header(head, warnings)
    name = profile.name or (Path(source).stem if source else "") or _FALLBACK_COLLECTION
    reader = EntryReader(text, name, reference_date, warnings=warnings)
    reader.read(start, len(head) + 1, on_read)
    papers = reader.papers

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
        lines=reader.lines,
        skipped=reader.entries - len(papers),
    )


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
