"""A CSV table of papers and the reader's state, for spreadsheets and scripts.

``title`` is the title as stored (LaTeX and all), ``title_text`` the title
as the reader shows it (LaTeX rendered to Unicode). Written with the
:mod:`csv` module (RFC 4180 quoting, so commas, quotes and newlines in notes
survive). Spreadsheets run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, and imported titles are untrusted, so such
a cell is prefixed with an apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import csv
import io

from store.model import DEFAULT_STATE, Paper, UserState
from store.rendered import title_text

COLUMNS = (
    "id",
    "title",
    "title_text",
    "authors",
    "year",
    "date",
    "category",
    "venue",
    "doi",
    "arxiv_id",
    "url",
    "code_url",
    "status",
    "starred",
    "tags",
    "note",
)
LIST_SEPARATOR = "; "
# Tab and carriage return also start formulas in some spreadsheets (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell that no spreadsheet will evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def row(paper: Paper, state: UserState) -> dict[str, str]:
    """The column values of one paper, before formula neutralising."""
    return {
        "id": paper.id,
        "title": paper.title,
        "title_text": title_text(paper.title),
        "authors": LIST_SEPARATOR.join(paper.authors),
        "year": str(paper.year) if paper.year else "",
        "date": paper.date,
        "category": paper.category,
        "venue": paper.venue,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "url": paper.url,
        "code_url": paper.code_url,
        "status": str(state.status),
        "starred": "true" if state.starred else "false",
        "tags": LIST_SEPARATOR.join(state.tags),
        "note": state.note,
    }


def dump(papers: list[Paper], states: dict[str, UserState]) -> str:
    """A header row, then one row per paper in the order given.

    Args:
        papers: The papers to write.
        states: The user state of each paper by id; missing means unread.

    Returns:
        The CSV text with ``\\r\\n`` row endings, as RFC 4180 has it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for paper in papers:
        values = row(paper, states.get(paper.id, DEFAULT_STATE))
        writer.writerow([neutralise(values[column]) for column in COLUMNS])
    return buffer.getvalue()
