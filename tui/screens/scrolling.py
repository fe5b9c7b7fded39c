"""Paging a screen that is one scrolling body (help, statistics) from its keys."""

from __future__ import annotations

from textual.containers import VerticalScroll


def scroll_lines(body: VerticalScroll, lines: int) -> None:
    """Scroll ``body`` by whole lines (negative: up), at once."""
    body.scroll_relative(y=lines, animate=False)


def scroll_pages(body: VerticalScroll, pages: int) -> None:
    """Scroll ``body`` a page down (``pages > 0``) or up, at once."""
    if pages > 0:
        body.scroll_page_down(animate=False)
    else:
        body.scroll_page_up(animate=False)
