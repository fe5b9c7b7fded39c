"""RIS dates: ``PY``, ``DA`` and ``Y1`` in the many forms exporters write them."""

from __future__ import annotations

import calendar
import re

from store.model import DatePrecision

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DATE_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+", re.ASCII)


def best_date(date: str, publication_year: str, year: str) -> tuple[str, DatePrecision | None]:
    """The most precise of ``DA``, ``PY`` and ``Y1`` that agrees with the year.

    Web of Science writes ``PY  - 2024`` and ``DA  - 2024 JAN 22``; old files
    write ``PY  - 2024/01/22/``. The year of ``PY`` (else ``Y1``) is trusted,
    and a fuller date from another tag is taken only when its year matches.
    The arguments are the tags' text under rispy's names: ``date`` is ``DA``,
    ``publication_year`` is ``Y1`` and ``year`` is ``PY``.
    """
    year_date = _parse_date(year) or _parse_date(publication_year)
    best = year_date
    for text in (date, publication_year, year):
        candidate = _parse_date(text)
        if candidate is None or (year_date is not None and candidate[0] != year_date[0]):
            continue
        if best is None or _precision_rank(candidate) > _precision_rank(best):
            best = candidate
    if best is None:
        return "", None
    found_year, month, day = best
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return f"{found_year:04d}-{month or 1:02d}-{day or 1:02d}", precision


def _precision_rank(date: tuple[int, int, int]) -> int:
    """1 for a year alone, 2 with a month, 3 with a day."""
    return 1 + (date[1] > 0) + (date[2] > 0)


def _parse_date(value: str) -> tuple[int, int, int] | None:
    """Year, month and day (0 when absent) from RIS date text, or None.

    Reads ``2024``, ``2024/01/22/``, ``2024///``, ``2024-01-22``,
    ``2024 JAN 22``, ``2023 DEC``, ``JAN 22 2024``, ``22 January 2024`` and
    seasons or ranges such as ``2024 JAN-FEB`` (the first month counts).
    """
    tokens = _DATE_TOKEN.findall(value)
    year_at = next(
        (i for i, t in enumerate(tokens) if len(t) == 4 and t.isdigit() and t != "0000"), None
    )
    if year_at is None:
        return None
    year = int(tokens[year_at])
    month, month_at = 0, -1
    for index, token in enumerate(tokens):
        if token.isalpha() and (number := _month_number(token)):
            month, month_at = number, index
            break
    after_year = tokens[year_at + 1] if year_at + 1 < len(tokens) else ""
    if not month and after_year.isdigit() and len(after_year) <= 2 and 1 <= int(after_year) <= 12:
        month, month_at = int(after_year), year_at + 1
    if not month:
        return year, 0, 0
    day = 0
    for index in (month_at + 1, month_at - 1):
        if 0 <= index < len(tokens) and index != year_at:
            token = tokens[index]
            if token.isdigit() and len(token) <= 2:
                day = int(token)
                break
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        day = 0
    return year, month, day


def _month_number(token: str) -> int:
    """1-12 for an English month name or its abbreviation (``JAN``, ``Sept``), else 0."""
    word = token.lower()
    if len(word) < 3:
        return 0
    try:
        index = _MONTHS.index(word[:3])
    except ValueError:
        return 0
    full = _MONTH_NAMES[index]
    return index + 1 if full.startswith(word) or word == "sept" else 0
