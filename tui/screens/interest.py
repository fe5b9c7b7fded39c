"""The reader's side of ranking: ``O`` to "interest", ``m`` for more like this, why lines.

Mixed into :class:`~tui.screens.main.MainScreen`. Fitting a model and
finding similar papers read every paper (and, the first time, build the
features): they run in a worker, which posts the :class:`Ranking` back in a
message; the UI thread only orders the listed papers by it (the scores were
put in order by the worker: ~20 ms for 100,000 papers).

A model refitted after a decision is kept aside and used from the next
``O`` or query on, so that the rows do not move under the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.worker import get_current_worker

from store.errors import PaperReaderError
from store.model import Paper
from tui.screens.sources_keys import SourcesKeys

if TYPE_CHECKING:
    from store.ranking import Ranker, Ranking

INTEREST = "interest"
# A model is fitted this long after the reader opens (when the user has made
# enough decisions), so that triage and the paper view can say why; later
# than the abstracts, which the first search needs more.
FIT_AFTER_OPEN_S = 2.0


@dataclass
class RankingReady(Message):
    """A worker's ranking: the user's interest, or papers like one paper."""

    ranking: Ranking


@dataclass
class RankingFailed(Message):
    """A worker could not fit a model (``fitting``) or find the papers like one."""

    error: PaperReaderError
    fitting: bool


def why_line(ranking: Ranking | None, paper_id: str) -> str:
    """``Why: lean, theorem proving, autoformalization``, or "" without a trained model."""
    if ranking is None or not ranking.trained:
        return ""
    terms = ranking.why(paper_id)
    return f"Why: {', '.join(terms)}" if terms else ""


class InterestKeys(SourcesKeys):
    """``O`` to interest, ``m``, and the rankings behind them (MainScreen's base)."""

    sort: str
    # The model the list is ordered by while sorted by interest.
    interest: Ranking | None = None
    # A newer model (fitted after a decision), used from the next O or query on.
    _fresh_interest: Ranking | None = None
    # The user chose "interest" and the list waits for a model.
    interest_waiting = False
    # "More like this": the papers like this one, and the paper they are like.
    like: Ranking | None = None
    like_of: str | None = None
    # The paper the cursor goes to on the next repaint of the list.
    keep_next: str | None = None

    @cached_property
    def ranker(self) -> Ranker:
        """Features built, and a large library's models fitted, in child processes.

        The reader keeps none of that memory (nor scikit-learn's). The
        rankings keep the rows of the library's papers, so that ordering the
        list by one on every repaint costs ~20 ms at 100,000 papers.
        """
        from store.ranking import Ranker

        return Ranker(self.library, build_in_child=True, paper_rows=True)

    @property
    def latest_interest(self) -> Ranking | None:
        """The newest model of the user's interest, trained or not (None before the first)."""
        return self._fresh_interest or self.interest

    @property
    def known_interest(self) -> Ranking | None:
        """The newest trained model of the user's interest, if any."""
        for ranking in (self._fresh_interest, self.interest):
            if ranking is not None and ranking.trained:
                return ranking
        return None

    def store_sort(self) -> str:
        """The store's sort key: interest orders the date-sorted results."""
        return "date" if self.sort == INTEREST else self.sort

    def ranked(self, papers: list[Paper]) -> list[Paper]:
        """The listed papers in the order of "more like this" or of interest."""
        if "ranker" in self.__dict__:  # made: it may hold papers the library read again since
            self.ranker.let_go_of_replaced_papers()
        if self.like is not None:
            return self.like.order(papers)
        if self.sort == INTEREST and self.interest is not None and self.interest.trained:
            return self.interest.order(papers)
        return papers

    def sources_activity(self) -> str:
        ranking = " · ranking…" if self.interest_waiting and self.sort == INTEREST else ""
        return ranking + super().sources_activity()

    # -- interest --------------------------------------------------------------

    def sort_by_interest(self) -> None:
        """The user chose interest: use the newest model, or fit one."""
        self.take_fresh_interest()
        if self.interest is None or not self.interest.trained:
            # An untrained model may be out of date: fit again, and say why if it still is.
            self.interest = None
            self.interest_waiting = True
            self.refit_interest()

    def take_fresh_interest(self) -> None:
        """Use the model fitted since the last O or query (the list is reordered anyway)."""
        if self._fresh_interest is not None:
            self.interest, self._fresh_interest = self._fresh_interest, None

    def refit_interest(self) -> None:
        """Fit the interest model again in a worker (after a decision, say)."""
        self._fit_interest(self.ranker)

    def fit_interest_if_decided(self) -> None:
        """Fit a model after opening, for triage and the paper view, if one can be trained.

        A user with fewer decisions than a model needs pays nothing: no
        features are built or loaded, and scikit-learn is not imported. A model
        the user asked for meanwhile (``O``) is newer: nothing more to fit.
        """
        if self.latest_interest is not None or self.interest_waiting:
            return
        self._fit_interest(self.ranker, only_if_trainable=True)

    def decided(self) -> None:
        """A decision was made: refit the model when one is in use."""
        if self.interest is not None or self._fresh_interest is not None:
            self.refit_interest()

    @work(thread=True, exclusive=True, group="interest", exit_on_error=False, description="fit")
    def _fit_interest(self, ranker: Ranker, *, only_if_trainable: bool = False) -> None:
        # The ranker comes from the UI thread: two workers must share one.
        from store.ranking import MIN_DECISIONS, decisions_of

        try:
            decisions = decisions_of(self.library)
            if only_if_trainable and decisions.count < MIN_DECISIONS:
                return
            ranking = ranker.fit(decisions)
        except PaperReaderError as err:
            self.post_message(RankingFailed(err, fitting=True))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(RankingReady(ranking))

    @on(RankingFailed)
    def _ranking_failed(self, message: RankingFailed) -> None:
        if message.fitting:
            self.interest_waiting = False
        self.notify(str(message.error), severity="error", markup=False)
        if message.fitting:
            self._show_header(self.paper_list.papers)

    @on(RankingReady)
    def _ranking_ready(self, message: RankingReady) -> None:
        ranking = message.ranking
        if ranking.name.startswith("like:"):
            self._like_ready(ranking)
            return
        if not self.interest_waiting:
            self._fresh_interest = ranking
            return
        self.interest_waiting = False
        if self.sort != INTEREST:
            self._fresh_interest = ranking  # the user sorted otherwise meanwhile
            return
        if not ranking.trained:
            self._fresh_interest = ranking  # triage says why it is not offered
            self.sort = "date"
            self.apply_filters()
            self.notify(f"Interest: {ranking.note}; kept date order", markup=False, timeout=6)
            return
        self.interest = ranking
        self.apply_filters()

    # -- more like this --------------------------------------------------------

    def action_more_like_this(self) -> None:
        """List the papers nearest to this one, nearest first (esc goes back)."""
        paper = self.paper_list.current
        if paper is not None:
            self._find_like(self.ranker, paper.id)

    @work(thread=True, exclusive=True, group="like", exit_on_error=False, description="like")
    def _find_like(self, ranker: Ranker, paper_id: str) -> None:
        try:
            ranking = ranker.like(paper_id)
        except PaperReaderError as err:
            self.post_message(RankingFailed(err, fitting=False))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(RankingReady(ranking))

    def _like_ready(self, ranking: Ranking) -> None:
        if not ranking.trained:
            self.notify(f"More like this: {ranking.note}", markup=False)
            return
        self.like_of = next(iter(ranking.excluded))
        self.like = ranking
        self.keep_next = ""  # the nearest paper, at the top
        self.apply_filters()

    def leave_like(self, *, repaint: bool = True) -> None:
        """Back to the list as it was, the cursor on the paper the others were like."""
        self.keep_next, self.like, self.like_of = self.like_of, None, None
        if repaint:
            self.apply_filters()
