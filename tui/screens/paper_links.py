"""The reader's ways out to other programs: ``c C y`` copy, ``o`` opens in a browser.

Mixed into :class:`~tui.screens.main.MainScreen`, whose ``paper_actions``
table maps the list's requests to the ``_do_*`` methods here. A browser may
take seconds to start, so it is started in a worker, which posts what came
of it in a message.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen

from store.library import Library
from store.links import bibtex_entry, code_link, is_web_url, paper_link
from store.model import Paper
from tui import clipboard

if TYPE_CHECKING:
    from tui.app import PaperReaderApp


@dataclass
class LinkOpened(Message):
    """A browser was asked to open a link: what came of it, in words."""

    outcome: str


class PaperLinks(Screen[None]):
    """Copy a paper's link, code link or BibTeX; open its link (MainScreen's base)."""

    app: PaperReaderApp
    library: Library

    def _first(self, ids: list[str]) -> Paper | None:
        """The paper a single-paper action means: the current one, or the first selected."""
        return self.library.get(ids[0]) if ids else None

    def _copy(self, what: str, text: str) -> None:
        outcome = clipboard.copy(self.app, text)
        if outcome.too_large:
            self.notify(f"{what} is too large for the terminal clipboard", severity="warning")
            return
        shown = text if len(text) <= 120 else text[:117] + "..."
        self.notify(f"Copied {what} {outcome.describe()}:\n{shown}", markup=False)

    def _do_copy_link(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is not None:
            self._copy("paper link", paper_link(paper))

    def _do_copy_code(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is None:
            return
        link = code_link(paper)
        if not link:
            self.notify("This paper has no code link", severity="warning")
            return
        self._copy("code link", link)

    def _do_copy_bibtex(self, ids: list[str]) -> None:
        library = self.library
        papers = library.complete_all(library.get(pid) for pid in ids)
        if papers:
            what = "BibTeX entry" if len(papers) == 1 else f"{len(papers)} BibTeX entries"
            self._copy(what, "\n".join(bibtex_entry(paper) for paper in papers))

    def _do_open(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is None:
            return
        link = paper_link(paper)
        if not is_web_url(link):
            self.notify("This paper has no web link to open", severity="warning")
            return
        if clipboard.local_clipboard_available(os.environ, sys.platform):
            self._open_in_browser(link)
        else:
            outcome = clipboard.copy(self.app, link)
            self.notify(
                f"No display to open a browser on: copied the link instead "
                f"{outcome.describe()}:\n{link}",
                markup=False,
            )

    @work(thread=True, exit_on_error=False)
    def _open_in_browser(self, link: str) -> None:
        opened = webbrowser.open(link)
        self.post_message(
            LinkOpened(f"Opened in your browser: {link}" if opened else f"No browser found: {link}")
        )

    @on(LinkOpened)
    def _link_opened(self, message: LinkOpened) -> None:
        self.notify(message.outcome, markup=False)
