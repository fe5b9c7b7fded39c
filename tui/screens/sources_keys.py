"""The reader's side of sources: ``F`` fetches followed queries, ``E`` enriches, "new" ends.

Mixed into :class:`~tui.screens.main.MainScreen`. Fetching and enriching
talk to the network, so they run in a worker, on a :class:`Library` of
their own: they write the store as another process would (under its lock),
and the reader picks the change up as it does a change made by the CLI.
Only one of them runs at a time. The worker posts its steps and its end as
messages; while it runs, a :class:`SourcesProgress` line above the footer
shows how far it has got.

A fetched paper is "new" until the cursor has rested on it for
:data:`SEEN_AFTER_S` (or it gets a status: see ``UserState.is_new``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from store.errors import PaperReaderError
from store.library import Library
from store.model import Paper
from tui.history import UndoHistory
from tui.widgets.footer import ReaderFooter
from tui.widgets.sources_progress import SourcesProgress

if TYPE_CHECKING:
    from store.fetching import FetchReport
    from tui.app import PaperReaderApp
    from tui.widgets.paper_list import PaperList

SEEN_AFTER_S = 1.0


@dataclass
class SourcesProgressed(Message):
    """A fetch or an enrichment got further: ``done`` of ``total`` (None: not known yet)."""

    what: str
    done: int = 0
    total: int | None = None
    unit: str = ""


@dataclass
class FetchFinished(Message):
    """A fetch ended: the follows that landed, and the error that stopped it ("" if none)."""

    landed: list[FetchReport] = field(default_factory=list)
    error: str = ""


@dataclass
class EnrichFinished(Message):
    """An enrichment ended: its summary, the log time ``z`` takes back, or the error."""

    summary: str
    logged_at: str = ""
    history_length: int = 0
    error: str = ""


@dataclass
class EnrichmentUndone(Message):
    """``z`` after ``E`` ended: what it did, and how it went."""

    outcome: str
    severity: SeverityLevel = "information"


class SourcesKeys(Screen[None]):
    """``F``, ``E``, ``z`` after ``E``, and the "new" marker's life (MainScreen's base)."""

    app: PaperReaderApp
    library: Library
    history: UndoHistory
    _sources_running = False
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
        """What the list header adds while the enrichment is taken back."""
        return self._sources_activity

    def _set_activity(self, text: str) -> None:
        self._sources_activity = text
        self._show_header(self.paper_list.papers)

    def _refuse_while_running(self) -> bool:
        if self._sources_running:
            self.notify("A fetch or an enrichment is already running")
        return self._sources_running

    def _start_progress(self, what: str) -> None:
        """Show the progress line (above the footer) until :meth:`_sources_done`."""
        self._sources_running = True
        self.mount(SourcesProgress(what), before=self.query_one(ReaderFooter))

    @on(SourcesProgressed)
    def _progressed(self, step: SourcesProgressed) -> None:
        for progress in self.query(SourcesProgress):
            progress.show(step.what, step.done, step.total, step.unit)

    def _sources_done(self, outcome: str, severity: SeverityLevel = "information") -> None:
        self._sources_running = False
        self.query(SourcesProgress).remove()
        self._set_activity("")
        self.notify(outcome, severity=severity, markup=False)
        self._pick_up_outside_changes()

    @on(events.Mount)
    def _check_side_files_after_start(self) -> None:
        self.call_after_refresh(self._report_damaged_side_files)

    def _report_damaged_side_files(self) -> None:
        """Say at start when the follows or the enrichment log is damaged (F, E, z need them)."""
        from store.enrich_log import EnrichLog
        from store.follows import Follows

        for check in (Follows(self.library.path).all, EnrichLog(self.library.path).check):
            try:
                check()
            except PaperReaderError as err:
                self.notify(str(err), severity="error", markup=False, timeout=15)

    # -- F ---------------------------------------------------------------------

    def action_fetch(self) -> None:
        """Fetch what is new for every followed arXiv query."""
        from store.follows import Follows

        if self._refuse_while_running():
            return
        try:
            follows = Follows(self.library.path).all()
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if not follows:
            self.notify("No followed queries: paper-reader follow add NAME QUERY", markup=False)
            return
        self._start_progress(f"Fetching {follows[0].name}")
        self._fetch_in_background()

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="fetch")
    def _fetch_in_background(self) -> None:
        from store.fetching import fetch_all
        from store.follows import Follow, Follows

        landed: list[FetchReport] = []
        library: Library | None = None
        try:
            library = Library(self.library.path)
            follows = Follows(library.path)
            names = [follow.name for follow in follows.all()]

            def progress(follow: Follow) -> Callable[[int, int], None]:
                what = f"Fetching {follow.name}"
                if len(names) > 1 and follow.name in names:
                    what += f" ({names.index(follow.name) + 1} of {len(names)})"
                self.post_message(SourcesProgressed(what))  # until its first page

                def update(done: int, total: int) -> None:
                    self.post_message(SourcesProgressed(what, done, total, "papers"))

                return update

            fetch_all(library, follows, progress=progress, on_report=landed.append)
        except PaperReaderError as err:
            self.post_message(FetchFinished(landed, str(err)))
            return
        finally:
            if library is not None:
                library.close()
        self.post_message(FetchFinished(landed))

    @on(FetchFinished)
    def _fetched(self, finished: FetchFinished) -> None:
        arrived = ", ".join(f"{r.follow} +{len(r.new_ids)}" for r in finished.landed)
        if finished.error:
            landed = f" (landed before: {arrived})" if arrived else ""
            self._sources_done(f"Fetch failed: {finished.error}{landed}", "error")
            return
        total = sum(len(r.new_ids) for r in finished.landed)
        self._sources_done(f"Fetched {total} new paper{'s' * (total != 1)}: {arrived}")

    # -- E ---------------------------------------------------------------------

    def action_enrich(self) -> None:
        """Look up the current paper (or the selection) on arXiv by its exact title."""
        from store.enrich_log import EnrichLog

        ids = self.paper_list.targets()
        if not ids or self._refuse_while_running():
            return
        library = self.library
        wanted = [pid for pid in ids if not library.get(pid).arxiv_id]
        if not wanted:
            self.notify("Already linked to arXiv: nothing to enrich")
            return
        try:
            EnrichLog(library.path).check()  # a damaged log refuses before arXiv is asked
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        self._start_progress(f"Enriching {len(wanted)} paper{'s' * (len(wanted) != 1)}")
        self._enrich_in_background(wanted, len(self.history.entries))

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="enrich")
    def _enrich_in_background(self, ids: list[str], history_length: int) -> None:
        from store.enrich import ENRICHED, enrich
        from store.enrich_log import EnrichLog

        what = f"Enriching {len(ids)} paper{'s' * (len(ids) != 1)}"

        def progress(done: int, total: int) -> None:
            self.post_message(SourcesProgressed(what, done, total, "requests"))

        library: Library | None = None
        try:
            library = Library(self.library.path)
            report = enrich(library, [library.get(pid) for pid in ids], progress=progress)
            run = EnrichLog(library.path).last() if report.count(ENRICHED) else None
        except PaperReaderError as err:
            self.post_message(EnrichFinished("", error=str(err)))
            return
        finally:
            if library is not None:
                library.close()
        logged_at = str(run["at"]) if run is not None else ""
        self.post_message(EnrichFinished(str(report), logged_at, history_length))

    @on(EnrichFinished)
    def _enriched(self, finished: EnrichFinished) -> None:
        if finished.error:
            self._sources_done(f"Enrich failed: {finished.error}", "error")
            return
        if not finished.logged_at:
            self._sources_done(f"Enriched: {finished.summary}")
            return
        self._enrichment_undo = (finished.logged_at, finished.history_length)
        self._sources_done(f"Enriched: {finished.summary}; z takes it back")

    def undo_enrichment(self) -> bool:
        """``z`` right after ``E``: take the enrichment back. False when ``z`` means more."""
        pending = self._enrichment_undo
        if pending is None or pending[1] != len(self.history.entries):
            self._enrichment_undo = None
            return False
        self._enrichment_undo = None
        self._sources_running = True
        self._set_activity(" · undoing the enrichment…")
        self._undo_enrichment_in_background(pending[0])
        return True

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, description="undo")
    def _undo_enrichment_in_background(self, at: str) -> None:
        from store.enrich_log import EnrichLog

        library: Library | None = None
        try:
            library = Library(self.library.path)
            log = EnrichLog(library.path)
            last = log.last()
            if last is None or last["at"] != at:
                outcome = "Not undone: another enrichment came since"
                self.post_message(EnrichmentUndone(outcome, "warning"))
                return
            undone = log.undo_last(library)
        except PaperReaderError as err:
            self.post_message(EnrichmentUndone(f"Not undone: {err}", "error"))
            return
        finally:
            if library is not None:
                library.close()
        kept = f" ({len(undone.kept)} changed since, kept)" if undone.kept else ""
        outcome = f"Undone: enrichment of {len(undone.restored)} papers{kept}"
        self.post_message(EnrichmentUndone(outcome))

    @on(EnrichmentUndone)
    def _enrichment_undone(self, undone: EnrichmentUndone) -> None:
        self._sources_done(undone.outcome, undone.severity)

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
