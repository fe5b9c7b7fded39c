"""How commands write papers: JSON that no terminal acts on, one-line rows."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from store import rendered
from store.library import Library
from store.model import Paper, UserState
from store.names import author_line
from store.text import clean_line, strip_escape_sequences


def paper_record(paper: Paper, state: UserState) -> dict[str, Any]:
    """The section-3 fields of a paper, its rendered title and its user state (``list --json``)."""
    record = paper.to_dict()
    record["title_text"] = rendered.title_text(paper.title)
    record.update(state.to_dict())
    return record


def prepare_titles(library: Library, papers: Sequence[Paper]) -> None:
    """Have the shown titles rendered, from the cache beside the store where it has them."""
    rendered.prepare(
        library.path,
        (paper.title for paper in papers),
        every_title=(paper.title for paper in library.papers()),
    )


# orjson escapes C0 controls but writes C1 controls (U+009B is a CSI on many
# terminals), DEL and bidi overrides as they are. In JSON they can only sit
# inside strings, so writing them as \\u escapes keeps the document equal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe_json(text: str) -> str:
    """JSON text with every character a terminal could act on written as a \\u escape."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# Text exports keep tabs, newlines and CRLF row ends (CSV); every other control
# goes, with the rest of any escape sequence it starts.
_TEXT_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)


def terminal_safe_text(text: str) -> str:
    """Export text with nothing left in it that a terminal would act on."""
    return _TEXT_UNSAFE.sub("", strip_escape_sequences(text))


def print_json(value: Any) -> None:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    sys.stdout.write(terminal_safe_json(text) + "\n")


def print_json_records(
    library: Library,
    papers: list[Paper],
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """The papers as one JSON array (as ``print_json`` would write it), in pieces.

    ``extra`` adds fields to some records, by paper id (a ranking's ``score`` and ``why``).

    A query can match most of a 100,000-paper library: one document of every
    record, abstract and all, would hold the whole output in memory twice.
    """
    if not papers:
        print_json([])
        return
    out = sys.stdout
    out.write("[\n")
    for start in range(0, len(papers), _JSON_CHUNK):
        chunk = library.complete_all(papers[start : start + _JSON_CHUNK])
        pieces = [
            "  "
            + orjson.dumps(_record(library, paper, extra), option=orjson.OPT_INDENT_2)
            .decode("utf-8")
            .replace("\n", "\n  ")
            for paper in chunk
        ]
        out.write((",\n" if start else "") + terminal_safe_json(",\n".join(pieces)))
    out.write("\n]\n")


_JSON_CHUNK = 1000


def _record(
    library: Library, paper: Paper, extra: Mapping[str, Mapping[str, Any]] | None
) -> dict[str, Any]:
    record = paper_record(paper, library.state(paper.id))
    if extra and paper.id in extra:
        record.update(extra[paper.id])
    return record


def format_row(paper: Paper, state: UserState) -> str:
    """One line of ``list``: id, status, star, date, category, title, first author."""
    author = author_line(paper, 1)
    star = "★" if state.starred else " "
    return (
        f"{clean_line(paper.id)}  {state.status.symbol} {star} "
        f"{clean_line(paper.display_date) or '-':10}  {clean_line(paper.category) or '-':5} "
        f"{rendered.title_text(paper.title)} — {clean_line(author) or 'unknown author'}"
    )
