"""``enter``, ``T`` and ``S``: from the list to the paper view, triage and statistics.

Mixed into :class:`~tui.screens.main.MainScreen`. A view that decides about
papers hands back to the list, which then searches and shows again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from store.errors import PaperReaderError
from store.model import ReadingStatus
from tui.screens.interest import INTEREST, InterestKeys

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class OtherViews(InterestKeys):
    """The views the list opens, and the list brought up to date after them."""

    if TYPE_CHECKING:

        def save_pending_note(self) -> None: ...

    def _note_saved_first(self) -> None:
        try:
            self.save_pending_note()
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)

    def action_open_paper(self) -> None:
        """Read the paper under the cursor on the full screen, as in a pager."""
        from tui.screens.paper import PaperScreen

        if self.paper_list.current is None:
            return
        self._note_saved_first()
        main = cast("MainScreen", self)  # the paper view pages through the main screen's list
        self.app.push_screen(PaperScreen(main), lambda _result: self._after_triage())

    def action_triage(self) -> None:
        """One unread paper at a time: one key decides, the next appears."""
        from tui.screens.triage import TriageScreen

        unread = [
            p
            for p in self.paper_list.papers
            if self.library.state(p.id).status is ReadingStatus.UNREAD
        ]
        ranking = self.known_interest
        sort = self.sort
        if ranking is not None:  # the papers most likely to matter first
            unread, sort = ranking.order(unread), INTEREST
        elif self.sort == INTEREST:
            sort = "date"
        if not unread:
            self.notify("No unread papers in this list")
            return
        self._note_saved_first()
        self.app.push_screen(
            TriageScreen(
                [p.id for p in unread],
                self.library,
                self.history,
                sort=sort,
                ranking=ranking or self.latest_interest,
            ),
            lambda _result: self._after_triage(),
        )

    def _after_triage(self) -> None:
        self.apply_filters()
        self._show_current()
        self.decided()

    def action_stats(self) -> None:
        """Papers per year, reading progress and categories."""
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.library))
