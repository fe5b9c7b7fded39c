"""The library's search: folded texts made once, laid out in each sort order.

A search over 100,000 papers has to finish within a keystroke, so the work
per paper must be one or two substring tests and nothing else: no dict
lookup, no object to build. The index therefore folds every paper once (see
:func:`store.query.search_text`) and keeps, for each sort order, lists of
those texts aligned with the sorted papers. A search walks positions in
those lists, and its result (:class:`Matches`) remembers its positions, so
typing on re-filters the previous result without looking anything up.

Abstracts are most of a library's bytes: they are folded once into one
buffer (:class:`~store.full_text.FullText`, mapped from a cache file in a
large library), and a view holds where each of its papers' lies. A search
reads that buffer front to back whatever the sort order (the positions are
visited in the order their abstracts lie in, then sorted back), a few
thousand papers at a time, and gives back the memory of the pages it read
after each.

An index belongs to one version of the catalogue; the library makes a new
one when the catalogue changes. It is safe to use from a worker thread while
the UI thread uses it too: the per-paper dicts are only ever added to (one
insertion is atomic), the aligned lists are built whole before they are
published, and two threads filling the same cache only repeat each other's
work.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar

from store.errors import SearchCancelled
from store.full_text import FullText
from store.model import DEFAULT_STATE, Paper, UserState
from store.query import FoldedAbstracts, Query, search_text


class Matches(list[Paper]):
    """A search result: papers in order, and where each sits in its sort order."""

    __slots__ = ("key", "positions")

    def __init__(self, papers: list[Paper], key: tuple[str, int], positions: Sequence[int]) -> None:
        super().__init__(papers)
        self.key = key
        self.positions = positions


@dataclass(frozen=True, slots=True)
class _Reading:
    """A view's papers and search texts in the order their abstracts lie in the full text.

    A search of a view sorted otherwise (by title) walks these front to
    back, as it would the view itself: the pages of the text are then read
    in turn, and so are the lists.
    """

    order: list[int]  # k → the position in the view
    rank: array[int]  # the position in the view → k
    papers: list[Paper]
    short: list[str]
    abstracts: FoldedAbstracts


@dataclass(slots=True)
class _View:
    """One sort order's papers with their search texts, aligned by position."""

    papers: list[Paper]
    short: list[str] | None = None
    abstracts: FoldedAbstracts | None = None
    # None when the abstracts lie in the full text in the view's own order.
    reading: _Reading | None = None
    where: dict[str, int] | None = None


_T = TypeVar("_T")
_id_of = attrgetter("id")
# Papers searched between two looks at whether the caller still wants the
# answer (a few milliseconds' work), and at most between two releases of the
# full text's pages (~5 MB of abstracts).
_STOP_CHECK_EVERY = 4096


class _Folding(dict[int, _T]):
    """Position → folded text, made when first read."""

    def __init__(self, fold: Callable[[int], _T]) -> None:
        super().__init__()
        self._fold = fold

    def __missing__(self, position: int) -> _T:
        value = self[position] = self._fold(position)
        return value


class SearchIndex:
    """Folded search texts of one catalogue version, and views per sort order."""

    def __init__(self, papers: Mapping[str, Paper], full_text: Callable[[], FullText]) -> None:
        """``full_text()``: the library's abstracts, folded (made when first asked for)."""
        self._papers = papers
        self._full_text = full_text
        self._short: dict[str, str] = {}
        self._views: dict[str, _View] = {}
        self._prepared = False

    # -- folding ---------------------------------------------------------------

    def _short_of(self, paper: Paper) -> str:
        text = self._short.get(paper.id)
        if text is None:
            text = self._short[paper.id] = search_text(paper, "")
        return text

    def prepare(self, sort: str, ordered: list[Paper], *, abstracts: bool) -> None:
        """Fold every paper now (``ordered`` holds them all), laid out in ``sort`` order."""
        view = self._view(sort, ordered)
        self._short_texts(view)
        if abstracts:
            self._abstract_spans(view)
        self._where(view)
        self._prepared = True  # from now on, searches use (and build) the aligned views

    # -- views -----------------------------------------------------------------

    def _view(self, sort: str, ordered: list[Paper]) -> _View:
        view = self._views.get(sort)
        if view is None or view.papers is not ordered:
            view = self._views[sort] = _View(ordered)
        return view

    def _short_texts(self, view: _View) -> list[str]:
        if view.short is None:
            short_of = self._short_of
            view.short = [short_of(paper) for paper in view.papers]
        return view.short

    def _abstract_spans(self, view: _View) -> FoldedAbstracts:
        """Where each of the view's papers' folded abstract lies (0, 0 for none)."""
        if view.abstracts is None:
            full = self._full_text()
            slots, starts, ends = full.slots, full.starts, full.ends
            at = [slots.get(paper.id, -1) for paper in view.papers]
            begin = array("q", [starts[k] if k >= 0 else 0 for k in at])
            end = array("q", [ends[k] if k >= 0 else 0 for k in at])
            laid = [begin[i] for i, k in enumerate(at) if k >= 0]
            if any(a > b for a, b in pairwise(laid)):
                order = sorted(range(len(at)), key=begin.__getitem__)
                rank = array("i", [0]) * len(order)
                for k, i in enumerate(order):
                    rank[i] = k
                short = self._short_texts(view)
                view.reading = _Reading(
                    order,
                    rank,
                    [view.papers[i] for i in order],
                    [short[i] for i in order],
                    FoldedAbstracts(
                        full.folded,
                        array("q", [begin[i] for i in order]),
                        array("q", [end[i] for i in order]),
                        full.release,
                    ),
                )
            view.abstracts = FoldedAbstracts(full.folded, begin, end, full.release)
        return view.abstracts

    def _spans_of(self, ordered: list[Paper]) -> FoldedAbstracts:
        """Where the folded abstracts of ``ordered`` lie, found when first read."""
        full = self._full_text()
        slots, starts, ends = full.slots, full.starts, full.ends

        def start(i: int) -> int:
            slot = slots.get(ordered[i].id)
            return 0 if slot is None else starts[slot]

        def end(i: int) -> int:
            slot = slots.get(ordered[i].id)
            return 0 if slot is None else ends[slot]

        return FoldedAbstracts(full.folded, _Folding(start), _Folding(end), full.release)

    def positions_of(self, sort: str, ordered: list[Paper], papers: list[Paper]) -> list[int]:
        """Where these papers sit in ``ordered`` (papers not in it are left out)."""
        where = self._where(self._view(sort, ordered))
        return [where[paper.id] for paper in papers if paper.id in where]

    def listed(
        self, sort: str, ordered: list[Paper], paper_ids: list[str], positions: Sequence[int]
    ) -> int:
        """How many of ``paper_ids`` sit at one of ``positions`` (ascending)."""
        where = self._where(self._view(sort, ordered))
        count = 0
        for paper_id in paper_ids:
            position = where.get(paper_id)
            if position is not None:
                at = bisect_left(positions, position)
                count += at < len(positions) and positions[at] == position
        return count

    @staticmethod
    def _where(view: _View) -> dict[str, int]:
        if view.where is None:
            papers = view.papers
            view.where = dict(zip(map(_id_of, papers), range(len(papers)), strict=True))
        return view.where

    # -- searching -------------------------------------------------------------

    def select(
        self,
        query: Query,
        sort: str,
        ordered: list[Paper],
        candidates: Sequence[int],
        states: Mapping[str, UserState],
        *,
        abstracts: bool,
        stop: Callable[[], bool] | None = None,
    ) -> Sequence[int]:
        """The positions in ``ordered`` among ``candidates`` whose papers match.

        With ``stop``, the text terms run over a few thousand papers at a time
        and :class:`SearchCancelled` is raised as soon as ``stop()`` is true:
        a worker searching abstracts for a query the user has typed past must
        not keep the CPU from the search for the new one.
        """
        default = DEFAULT_STATE

        def state_of(i: int) -> UserState:
            return states.get(ordered[i].id, default)

        cheap, textual = query.split()
        if not cheap.is_empty:
            candidates = cheap.select(ordered, state_of, candidates=candidates)
        if textual.is_empty:
            return candidates
        view = self._view(sort, ordered)
        texts: Mapping[int, str] | list[str]
        if view.short is None and not self._prepared:
            # Fold only what the search reads: a command need not fold every
            # paper's title and authors for one query.
            texts = _Folding(lambda i: self._short_of(ordered[i]))
        else:
            texts = self._short_texts(view)
        folded: FoldedAbstracts | None = None
        if abstracts:
            # A command's search finds where the abstracts it reads lie, and no others.
            lazy = view.abstracts is None and not self._prepared
            folded = self._spans_of(ordered) if lazy else self._abstract_spans(view)
        reading = view.reading if folded is not None else None
        if reading is None:
            return _in_chunks(textual, ordered, state_of, texts, folded, candidates, stop)
        # Read the full text front to back, then give the positions their order.
        if isinstance(candidates, range) and len(candidates) == len(ordered):
            chosen: Sequence[int] = range(len(ordered))
        else:
            wanted, rank = bytearray(len(ordered)), reading.rank
            for i in candidates:
                wanted[rank[i]] = 1
            chosen = [k for k in range(len(ordered)) if wanted[k]]
        in_text_order = reading.papers

        def state_at(k: int) -> UserState:
            return states.get(in_text_order[k].id, default)

        found = _in_chunks(
            textual, in_text_order, state_at, reading.short, reading.abstracts, chosen, stop
        )
        order = reading.order
        return sorted(order[k] for k in found)


def _in_chunks(
    query: Query,
    papers: list[Paper],
    state_of: Callable[[int], UserState],
    texts: Mapping[int, str] | list[str],
    folded: FoldedAbstracts | None,
    candidates: Sequence[int],
    stop: Callable[[], bool] | None,
) -> list[int]:
    """``query.select`` a few thousand candidates at a time, looking at ``stop`` between."""
    matched: list[int] = []
    for start in range(0, len(candidates), _STOP_CHECK_EVERY):
        if stop is not None and stop():
            raise SearchCancelled
        chunk = candidates[start : start + _STOP_CHECK_EVERY]
        matched += query.select(papers, state_of, texts, folded, candidates=chunk)
        if folded is not None:
            folded.release()
    return matched
