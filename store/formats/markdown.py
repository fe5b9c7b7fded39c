"""A Markdown reading list: the papers grouped by where the reader stands with them.

Meant to be pasted into notes, issues or a wiki, so it must render safely
wherever Markdown is rendered: imported text (titles, names, tags) is escaped
so that a hostile title cannot add a link, an image or HTML. Notes are the
reader's own Markdown and are kept as written, quoted under their paper.
Titles are shown as the reader shows them, their LaTeX rendered to Unicode.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from store.links import paper_link
from store.model import DEFAULT_STATE, Paper, UserState
from store.names import author_line
from store.rendered import title_text
from store.status import reading_list_order
from store.text import clean_line, clean_text

MAX_AUTHORS = 3

# Everything CommonMark can read as inline markup, plus "&" only where it starts
# an entity reference; a backslash makes each one a literal character.
_SPECIAL = re.compile(r"[\\`*_\[\]<>~]|&(?=#?\w+;)")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Characters kept as they are in a link destination; the rest are percent-encoded,
# so neither "<", ">", whitespace nor a newline can end the link early.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def escape(text: str) -> str:
    """Imported text as literal Markdown on one line: no links, emphasis or HTML."""
    return _SPECIAL.sub(lambda match: "\\" + match.group(0), clean_line(text))


def _link_target(url: str) -> str:
    return "<" + quote(clean_line(url), safe=_URL_SAFE) + ">"


def dump(papers: list[Paper], states: dict[str, UserState]) -> str:
    """The papers as a Markdown reading list, grouped by reading status.

    Groups come in the order Reading, Unread, Read, Skipped, and empty ones
    are left out; within a group the papers keep the order they were given in.

    Args:
        papers: The papers to list, in the caller's chosen order.
        states: The user state of each paper by id; missing means unread.

    Returns:
        The document, ending with a newline.
    """
    lines = ["# Reading list", ""]
    if not papers:
        lines += ["No papers.", ""]
    for status in reading_list_order():
        group = [p for p in papers if states.get(p.id, DEFAULT_STATE).status is status]
        if not group:
            continue
        lines += [f"## {status.heading} ({len(group)})", ""]
        for paper in group:
            lines += _item(paper, states.get(paper.id, DEFAULT_STATE))
        lines.append("")
    # A note's trailing blank line and the group's meet; one is enough.
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).rstrip("\n") + "\n"


def _item(paper: Paper, state: UserState) -> list[str]:
    """One bullet: star, linked title, first authors, year, tags; the note below."""
    title = escape(title_text(paper.title)) or "(untitled)"
    bullet = "- " + ("★ " if state.starred else "")
    bullet += f"[{title}]({_link_target(paper_link(paper))})"
    if authors := author_line(paper, MAX_AUTHORS, name=escape):
        bullet += f" — {authors}"
    if paper.year:
        bullet += f" ({paper.year})"
    tags = [escaped for escaped in map(escape, state.tags) if escaped]
    if tags:
        bullet += " · tags: " + ", ".join(tags)
    lines = [bullet]
    note = clean_text(state.note).strip("\n")
    if note.strip():
        # Indented under the bullet, the quote belongs to this item, not the list.
        lines += ["", *(f"  > {line}".rstrip() for line in note.split("\n")), ""]
    return lines
