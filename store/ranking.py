"""Rank papers by the user's own taste, learned from their decisions.

A linear SVM over the tf-idf features of :mod:`store.features`, as
arxiv-sanity-lite does: papers the user read, is reading or starred are
positive, skipped ones negative (and, while there are few skips, unread ones
are weak negatives). ``interest:TAG`` learns one tag instead: its papers are
positive, every other paper negative. "More like this" needs no model: the
nearest papers by cosine similarity of the same features.

How a caller uses it (the command line, or the reader from a worker)::

    ranker = Ranker(library)                 # cheap; nothing is read yet
    ranking = ranker.fit(decisions_of(library))   # features (cached), then the model
    ranking.trained, ranking.note            # False and why, with < 5 decisions
    ranking.order(papers)                    # best first; ties keep the given order
    ranking.why(paper_id)                    # ["theorem proving", "lean", "Lee (author)"]
    ranker.like(paper_id).order(papers)      # nearest first, the paper itself left out

:meth:`Ranker.fit` and :meth:`Ranker.like` do the slow work (features on
first use: seconds for a large library; a fit: tens of milliseconds to a few
hundred at 100,000 papers, ~1 s in a child process) and belong in a worker, as does
:func:`decisions_of` (one pass over every paper's state: ~45 ms at 100,000).
A :class:`Ranking` is immutable and can be handed to the UI thread in a
message; :meth:`~Ranking.why` is cheap there, and so is :meth:`~Ranking.order`:
the worker that made the ranking put the scores in order, so ordering papers
is a look-up of each one's place and a sort of integers (~20 ms for 100,000
papers with ``paper_rows=True``, ~65 ms without; 1,000 papers: 0.2 ms). A
ranker keeps its features while the catalogue is unchanged, so a re-rank
after a decision only fits; a long-lived process passes
``build_in_child=True`` so that building the features, and fitting the
model of a large library (:data:`CHILD_FIT_MIN_PAPERS`), happen in child
processes and leave none of their memory behind: scikit-learn alone would
keep ~60 MB (:mod:`store.svm`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store.errors import UnknownPaperError
from store.features import Features, load_or_build, signature
from store.model import Paper, ReadingStatus
from store.paper_rows import PaperRows
from store.paper_terms import display_term
from store.query import normalise

if TYPE_CHECKING:
    from store.library import Library

MIN_DECISIONS = 5
"""Fewer decisions than this leave the interest model untrained (date order stays)."""
FEW_SKIPS = 5
"""With fewer skipped papers than this, unread papers count as weak negatives."""
MAX_WEAK_NEGATIVES = 4000
"""Weak negatives beyond this are sampled evenly: fitting stays fast at 100k papers."""
_STRONG_NEGATIVE_WEIGHT = 4.0  # a skip says more than a paper not yet looked at
CHILD_FIT_MIN_PAPERS = 50_000
"""From this many papers on, a ranker with ``build_in_child`` fits in a child process.

The child's start and scikit-learn's import make a re-rank ~1 s of CPU
instead of ~0.2 s at 100,000 papers; below this size the ~60 MB that
scikit-learn keeps in the reader weigh less than a quick re-rank.
"""
_POSITIVE = frozenset({ReadingStatus.READ, ReadingStatus.READING})


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the user decided, as the model learns it.

    Attributes:
        positive: Ids of papers the user wants more of.
        negative: Ids of papers the user turned down (skipped).
        weak: Ids of papers taken as negatives with less weight (not yet decided).
        tag: The tag this is about (``interest:TAG``), or "" for the user's interest.
    """

    positive: frozenset[str]
    negative: frozenset[str]
    weak: frozenset[str] = frozenset()
    tag: str = ""

    @property
    def count(self) -> int:
        """How many papers the user decided on (weak negatives are not decisions)."""
        return len(self.positive) + len(self.negative)


def decisions_of(library: Library, tag: str = "") -> Decisions:
    """The user's decisions in ``library``: for their interest, or for one tag.

    Interest: read, reading and starred papers are positive, skipped ones
    negative; with fewer than :data:`FEW_SKIPS` skips, unread papers are weak
    negatives. A tag (matched as the query's ``tag:`` does, case and accents
    aside): its papers are positive, skipped ones negative, every other paper
    a weak negative.
    """
    positive: set[str] = set()
    negative: set[str] = set()
    weak: set[str] = set()
    unread: set[str] = set()
    wanted = normalise(tag)  # as ``tag:`` matches: case and accents aside
    for paper in library.papers():
        state = library.state(paper.id)
        if tag:
            liked = any(normalise(own) == wanted for own in state.tags)
        else:
            liked = state.starred or state.status in _POSITIVE
        if liked:
            positive.add(paper.id)
        elif state.status is ReadingStatus.SKIPPED:
            negative.add(paper.id)
        elif tag:
            weak.add(paper.id)
        elif state.status is ReadingStatus.UNREAD:
            unread.add(paper.id)
    if not tag and len(negative) < FEW_SKIPS:
        weak = unread
    return Decisions(frozenset(positive), frozenset(negative), frozenset(weak), tag)


@dataclass(frozen=True, slots=True, eq=False)
class Ranking:
    """Scores for every paper of a catalogue, and the terms behind each score.

    Attributes:
        name: What ranks: ``interest``, ``interest:TAG`` or ``like:ID``.
        trained: False when there was too little to learn from; every score is then 0.
        note: Why it is untrained, one line for the user ("" when trained).
        features: The features the scores come from.
        weights: One weight per term: the model's, or the reference paper's row for ``like``.
        scores: One score per row of ``features``.
        excluded: Ids :meth:`order` leaves out (the reference paper of ``like``).
        keep_unrelated: False for ``like``: :meth:`order` drops papers scoring 0 or less.
        paper_rows: The rows of the library's paper objects, when the ranker keeps them
            (:meth:`order` is then quicker); None looks each paper up by id.
    """

    name: str
    trained: bool
    note: str
    features: Features
    weights: Any
    scores: Any
    excluded: frozenset[str] = frozenset()
    keep_unrelated: bool = True
    paper_rows: PaperRows | None = None
    # Computed once by whoever makes the ranking (a worker), for :meth:`order`
    # (None when untrained: every score is 0):
    # each row's place in the order (equal scores share one; the last entry is
    # for papers the features do not know, scored 0), whether it is listed at
    # all, and the excluded ids that have no row.
    _place: Any = field(init=False, repr=False, compare=False)
    _listed: Any = field(init=False, repr=False, compare=False)
    _unknown_excluded: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.trained:  # every score is 0: nothing to put in order
            for name in ("_place", "_listed"):
                object.__setattr__(self, name, None)
            object.__setattr__(self, "_unknown_excluded", frozenset())
            return
        import numpy as np

        scores = np.append(np.asarray(self.scores, dtype=np.float32).ravel(), np.float32(0.0))
        _values, place = np.unique(-scores, return_inverse=True)  # -0.0 and 0.0 are one place
        listed = np.ones(scores.size, dtype=bool) if self.keep_unrelated else scores > 0.0
        rows = self.features.rows
        for paper_id in self.excluded:
            if (row := rows.get(paper_id)) is not None:
                listed[row] = False
        unknown = frozenset(i for i in self.excluded if i not in rows)
        object.__setattr__(self, "_place", place.astype(np.int32).ravel())  # frozen otherwise
        object.__setattr__(self, "_listed", listed)
        object.__setattr__(self, "_unknown_excluded", unknown)

    def score(self, paper_id: str) -> float:
        """The paper's score (0.0 for a paper the features do not know)."""
        row = self.features.rows.get(paper_id)
        return float(self.scores[row]) if row is not None else 0.0

    def order(self, papers: Sequence[Paper]) -> list[Paper]:
        """These papers, best first; papers with equal scores keep their given order.

        The scores were put in order once, when this ranking was made: this
        is a look-up of each paper's row and a sort of small integers (see
        ``python -m bench.ranking`` for its time at 100,000 papers).
        """
        if not self.trained:  # all tied at 0
            return [p for p in papers if p.id not in self.excluded] if self.keep_unrelated else []
        import numpy as np

        if self._unknown_excluded:
            papers = [p for p in papers if p.id not in self._unknown_excluded]
        if self.paper_rows is not None:
            index = self.paper_rows.find(papers, self.features)
        else:
            rows, unknown = self.features.rows, len(self.features.ids)
            index = np.array([rows.get(paper.id, unknown) for paper in papers], dtype=np.intp)
        chosen = np.flatnonzero(self._listed[index])
        # Place, then given position: unique keys, so the quicker unstable sort is stable here.
        keys = self._place[index[chosen]].astype(np.int64) * max(len(papers), 1) + chosen
        chosen = chosen[np.argsort(keys)]
        return [papers[i] for i in chosen.tolist()]

    def ties(self, papers: Iterable[Paper]) -> int:
        """How many of these papers share their score with another of them."""
        seen: dict[float, int] = {}
        for paper in papers:
            value = self.score(paper.id)
            seen[value] = seen.get(value, 0) + 1
        return sum(count for count in seen.values() if count > 1)

    def why(self, paper_id: str, limit: int = 3) -> list[str]:
        """The few terms that weigh most for this paper's score, heaviest first."""
        row = self.features.rows.get(paper_id)
        if row is None or not self.trained:
            return []
        import numpy as np

        matrix = self.features.matrix
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        weight = matrix.data[start:end] * self.weights[columns]
        best = np.argsort(-weight, kind="stable")[:limit]
        return [
            display_term(self.features.terms[columns[i]]) for i in best if float(weight[i]) > 0.0
        ]


class Ranker:
    """Fits interest models and finds similar papers over one library's features.

    The features are loaded (or built) on first use and kept until the
    catalogue changes. Methods may run in a worker thread; one lock keeps two
    workers from building the features twice. A long-lived caller (the
    reader) passes ``build_in_child=True``: features are then built, and a
    large library's models fitted, by child processes, so the reader keeps
    none of that memory (the features are mapped from their file); and
    ``paper_rows=True``: the rankings then order the library's papers twice
    as fast (see :class:`PaperRows`), for ~1 MB per 100,000 papers.
    The features follow the catalogue files: a caller that knows another
    process changed them calls ``library.refresh()`` before ranking.
    """

    def __init__(
        self, library: Library, *, build_in_child: bool = False, paper_rows: bool = False
    ) -> None:
        self._library = library
        self._build_in_child = build_in_child
        self._keep_paper_rows = paper_rows
        self._features: Features | None = None
        self._paper_rows: PaperRows | None = None
        self._lock = threading.Lock()

    def features(self) -> Features:
        """The current catalogue's features (cached in memory and beside the store)."""
        return self._current()[0]

    def let_go_of_replaced_papers(self) -> None:
        """Stop holding the library's papers if it has read them again (cheap: one look-up).

        The rankings made here share what the ranker holds: a caller that
        keeps rankings (the reader) calls this when its list may have been
        read again, so that the old papers do not outlive the catalogue.
        """
        rows = self._paper_rows
        if rows is not None:
            rows.holds_papers()

    def _current(self) -> tuple[Features, PaperRows | None]:
        """The features, and the rows of the library's papers in them when they are kept."""
        with self._lock:
            features = self._features
            if features is None or features.signature != signature(self._library):
                features = load_or_build(self._library, in_child=self._build_in_child)
                self._features = features
                self._paper_rows = None
            if self._keep_paper_rows and (
                self._paper_rows is None or not self._paper_rows.holds_papers()
            ):
                self._paper_rows = PaperRows(self._library, features)
            return features, self._paper_rows

    def fit(self, decisions: Decisions) -> Ranking:
        """A model of these decisions, scoring every paper of the catalogue.

        Too few decisions (or no paper with the tag) need no features: none
        are loaded or built, and every score is 0.
        """
        name = f"interest:{decisions.tag}" if decisions.tag else "interest"
        if not (decisions.positive if decisions.tag else decisions.count >= MIN_DECISIONS):
            nothing = Features((), None, (), "")
            return _untrained(name, _untrained_note(decisions, 0, 0, nothing), nothing)
        import numpy as np

        features, paper_rows = self._current()
        rows = features.rows
        positive = sorted(rows[i] for i in decisions.positive if i in rows)
        negative = sorted(rows[i] for i in decisions.negative if i in rows)
        weak = sorted(rows[i] for i in decisions.weak if i in rows)
        if len(weak) > MAX_WEAK_NEGATIVES:
            step = len(weak) / MAX_WEAK_NEGATIVES
            weak = [weak[int(k * step)] for k in range(MAX_WEAK_NEGATIVES)]
        note = _untrained_note(decisions, len(positive), len(negative) + len(weak), features)
        if note:
            return _untrained(name, note, features)
        labels = np.array([1] * len(positive) + [0] * (len(negative) + len(weak)))
        # Each class weighs half of the total; within the negatives a skip
        # weighs more than a paper merely left unread.
        total = len(labels)
        raw = np.array([_STRONG_NEGATIVE_WEIGHT] * len(negative) + [1.0] * len(weak))
        weights = np.concatenate(
            [np.full(len(positive), total / (2 * len(positive))), raw * (total / (2 * raw.sum()))]
        )
        from store import svm

        decided = features.matrix[positive + negative + weak]
        features.release()
        fitted = None
        if self._build_in_child and len(features.ids) >= CHILD_FIT_MIN_PAPERS:
            fitted = svm.fit_in_child(decided, labels, weights)
        coef, intercept = fitted or svm.fit(decided, labels, weights)
        scores = features.dot(coef) + np.float32(intercept)
        return Ranking(name, True, "", features, coef, scores, paper_rows=paper_rows)

    def like(self, paper_id: str) -> Ranking:
        """Papers by cosine similarity to this one (itself excluded); raises for an unknown id."""
        features, paper_rows = self._current()
        row = features.rows.get(paper_id)
        if row is None:
            raise UnknownPaperError(paper_id)
        import numpy as np

        reference = np.asarray(features.matrix[row].todense()).ravel()
        scores = features.dot(reference)
        trained = bool(reference.any())
        note = "" if trained else f"{paper_id} has no words to compare"
        return Ranking(
            f"like:{paper_id}",
            trained,
            note,
            features,
            reference,
            scores,
            excluded=frozenset({paper_id}),
            keep_unrelated=False,
            paper_rows=paper_rows,
        )


def _untrained_note(
    decisions: Decisions, positives: int, negatives: int, features: Features
) -> str:
    """Why a model of these decisions cannot be fitted, or "" when it can."""
    if decisions.tag:
        if not positives:
            return f"no paper is tagged {decisions.tag!r}"
    elif decisions.count < MIN_DECISIONS:
        return f"{decisions.count} decisions so far, {MIN_DECISIONS} needed"
    if not positives:
        return "no paper read, reading or starred yet"
    if not negatives:
        return "nothing to tell apart: every paper is a positive"
    if not features.terms:
        return "the papers have no words to learn from"
    return ""


def _untrained(name: str, note: str, features: Features) -> Ranking:
    if features.matrix is None:  # none were loaded: neither is numpy
        return Ranking(name, False, note, features, (), ())
    import numpy as np

    return Ranking(
        name,
        False,
        note,
        features,
        np.zeros(len(features.terms), dtype=np.float32),
        np.zeros(len(features.ids), dtype=np.float32),
    )
