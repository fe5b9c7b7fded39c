"""The reader's side of sources: ``F`` fetches followed queries, ``E`` enriches, "new" ends.

Mixed into :class:`~tui.screens.main.MainScreen`. Fetching and enriching
talk to the network, so they run in a worker, on a :class:`Library` of
their own: they write the store as another process would (under its lock),
and the reader picks the change up as it does a change made by the CLI.
Only one of them runs at a time.

A fetched paper is "new" until the cursor has rested on it for
:data:`SEEN_AFTER_S` (or it gets a status: see ``UserState.is_new``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from store.errors import PaperReaderError
from store.library import Library
from store.model import Paper
from tui.history import UndoHistory

if TYPE_CHECKING:
    from tui.app import PaperReaderApp
    from tui.widgets.paper_list import PaperList

SEEN_AFTER_S = 1.0


class SourcesKeys(Screen[None]):
    """``F``, ``E``, ``z`` after ``E``, and the "new" marker's life (MainScreen's base)."""

    app: PaperReaderApp
    library: Library
    history: UndoHistory
    _sources_activity = ""
    _seen_timer: Timer | None = None
    # The enrichment ``z`` takes back: its log time and the undo history's length then.
    _enrichment_undo: tuple[str, int] | None = None

    @property
    def paper_list(self) -> PaperList:
        """The list of papers (the main screen's)."""
        raise NotImplementedError

    def _pick_up_outside_changes(self) -> None:
        raise NotImplementedError

    def _show_header(self, visible: list[Paper]) -> None:
        raise NotImplementedError

    def apply_filters(self, matched: list[Paper] | None = None, *, fuller: bool = False) -> None:
        """Search and filter again (the main screen's)."""
        raise NotImplementedError

    def _show_current(self, paper: Paper | None = None) -> None:
        raise NotImplementedError

    def sources_activity(self) -> str:
        """What the list header adds while a fetch or an enrichment runs."""
        return self._sources_activity

    def _set_activity(self, text: str) -> None:
        self._sources_activity = text
        self._show_header(self.paper_list.papers)

    # -- F ---------------------------------------------------------------------

    def action_fetch(self) -> None:
        """Fetch what is new for every followed arXiv query."""
        from store.follows import Follows

        if self._sources_activity:
            self.notify("A fetch or an enrichment is already running")
            return
        try:
            follows = Follows(self.library.path).all()
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if not follows:
            self.notify("No followed queries: paper-reader follow add NAME QUERY", markup=False)
            return
        self._set_activity(" · fetching…")
        self._fetch_in_background()

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="fetch")
    def _fetch_in_background(self) -> None:
        from store.fetching import FetchReport, fetch_all
        from store.follows import Follow, Follows

        call = self.app.call_from_thread
        landed: list[FetchReport] = []

        def progress(follow: Follow) -> Callable[[int, int], None]:
            def update(done: int, total: int) -> None:
                call(self._set_activity, f" · fetching {follow.name} {done}/{total}…")

            return update

        library: Library | None = None
        try:
            library = Library(self.library.path)
            fetch_all(
                library,
                Follows(library.path),
                progress=progress,
                on_report=landed.append,
            )
        except PaperReaderError as err:
            call(self._sources_done, f"Fetch failed: {err}", "error")
            return
        finally:
            if library is not None:
                library.close()
        arrived = ", ".join(f"{r.follow} +{len(r.new_ids)}" for r in landed)
        total = sum(len(r.new_ids) for r in landed)
        call(self._sources_done, f"Fetched {total} new paper{'s' * (total != 1)}: {arrived}")

    def _sources_done(self, message: str, severity: SeverityLevel = "information") -> None:
        self._set_activity("")
        self.notify(message, severity=severity, markup=False)
        self._pick_up_outside_changes()

    # -- E ---------------------------------------------------------------------

    def action_enrich(self) -> None:
        """Look up the current paper (or the selection) on arXiv by its exact title."""
        ids = self.paper_list.targets()
        if not ids:
            return
        if self._sources_activity:
            self.notify("A fetch or an enrichment is already running")
            return
        library = self.library
        wanted = [pid for pid in ids if not library.get(pid).arxiv_id]
        if not wanted:
            self.notify("Already linked to arXiv: nothing to enrich")
            return
        self._set_activity(f" · enriching {len(wanted)}…")
        self._enrich_in_background(wanted, len(self.history.entries))

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="enrich")
    def _enrich_in_background(self, ids: list[str], history_length: int) -> None:
        from store.enrich import ENRICHED, enrich
        from store.enrich_log import EnrichLog

        call = self.app.call_from_thread
        library: Library | None = None
        try:
            library = Library(self.library.path)
            report = enrich(library, [library.get(pid) for pid in ids])
            run = EnrichLog(library.path).last() if report.count(ENRICHED) else None
        except PaperReaderError as err:
            call(self._sources_done, f"Enrich failed: {err}", "error")
            return
        finally:
            if library is not None:
                library.close()
        if run is None:
            call(self._sources_done, f"Enriched: {report}")
            return
        call(self._enriched, f"Enriched: {report}; z takes it back", str(run["at"]), history_length)

    def _enriched(self, message: str, at: str, history_length: int) -> None:
        self._enrichment_undo = (at, history_length)
        self._sources_done(message)

    def undo_enrichment(self) -> bool:
        """``z`` right after ``E``: take the enrichment back. False when ``z`` means more."""
        pending = self._enrichment_undo
        if pending is None or pending[1] != len(self.history.entries):
            self._enrichment_undo = None
            return False
        self._enrichment_undo = None
        self._set_activity(" · undoing the enrichment…")
        self._undo_enrichment_in_background(pending[0])
        return True

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="undo")
    def _undo_enrichment_in_background(self, at: str) -> None:
        from store.enrich_log import EnrichLog

        call = self.app.call_from_thread
        library: Library | None = None
        try:
            library = Library(self.library.path)
            log = EnrichLog(library.path)
            last = log.last()
            if last is None or last["at"] != at:
                call(self._sources_done, "Not undone: another enrichment came since", "warning")
                return
            undone = log.undo_last(library)
        except PaperReaderError as err:
            call(self._sources_done, f"Not undone: {err}", "error")
            return
        finally:
            if library is not None:
                library.close()
        kept = f" ({len(undone.kept)} changed since, kept)" if undone.kept else ""
        call(self._sources_done, f"Undone: enrichment of {len(undone.restored)} papers{kept}")

    # -- the "new" marker ------------------------------------------------------

    def cursor_moved_to(self, paper: Paper | None) -> None:
        """Start counting the rest on a new paper; a paper the cursor leaves stays new."""
        if self._seen_timer is not None:
            self._seen_timer.stop()
            self._seen_timer = None
        if paper is not None and self.library.state(paper.id).is_new:
            self._seen_timer = self.set_timer(SEEN_AFTER_S, lambda: self._rested_on(paper.id))

    def _rested_on(self, paper_id: str) -> None:
        self._seen_timer = None
        current = self.paper_list.current
        if current is None or current.id != paper_id:
            return
        library = self.library
        revision = library.revision
        try:
            library.mark_seen([paper_id])
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if library.revision > revision + 1:
            # The write re-read what another process changed: show that too.
            self.apply_filters()
            self._show_current()
            return
        # Only the marker changes: an ``is:new`` list keeps the paper until it is
        # searched again, so that it does not vanish from under the cursor.
        self.paper_list.refresh()
