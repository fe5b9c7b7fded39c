"""What a change to the user state did, and how to take back only that.

Every change of status, star, tags or note returns a :class:`StateChange`:
per paper, the state before and the state the change wrote. Undo is a
compare-and-set on it (:func:`reverted`): a field goes back to its old value
only where it still holds the value this change set. Another process (or
another window) may have written since, and its change is never erased.

The fields compared:

- ``status``: the status together with ``status_changed_at``, which follows
  it (marking the same status again elsewhere keeps the stamp, so it still
  matches; a different status, or leaving and coming back, does not);
- ``starred`` and ``note``: the value itself;
- ``tags``: tag by tag. Undo removes each tag the change added that is still
  there and puts back each tag it removed that is still absent, at its old
  place. Tags added or removed elsewhere are left as they are, so ``tag +x``
  in another shell survives undoing ``+lean`` in the reader. A tag the change
  added and someone removed since (or removed and someone re-added) counts
  as changed elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from store.model import UserState

FIELDS = ("status", "starred", "tags", "note")


def _status(state: UserState) -> tuple[str, str]:
    return (str(state.status), state.status_changed_at)


@dataclass(frozen=True, slots=True)
class PaperChange:
    """One paper's state before a change and the state the change wrote."""

    before: UserState
    after: UserState

    def fields(self) -> dict[str, tuple[object, object]]:
        """The fields this change set: field name → (value before, value set)."""
        changed: dict[str, tuple[object, object]] = {}
        if _status(self.before) != _status(self.after):
            changed["status"] = (_status(self.before), _status(self.after))
        for name in ("starred", "tags", "note"):
            before, after = getattr(self.before, name), getattr(self.after, name)
            if before != after:
                changed[name] = (before, after)
        return changed


@dataclass(frozen=True, slots=True)
class StateChange:
    """What one change did to the user state of some papers (empty: nothing).

    ``papers`` maps a paper id to its :class:`PaperChange`; only papers whose
    state the change really altered are in it, so ``len()`` is the number of
    papers changed.
    """

    papers: Mapping[str, PaperChange] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.papers)

    def __bool__(self) -> bool:
        return bool(self.papers)

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def then(self, later: StateChange) -> StateChange:
        """This change followed by ``later``, as one change (a note typed in bursts).

        Each paper keeps its first ``before`` and its last ``after``.
        """
        papers = dict(self.papers)
        for paper_id, change in later.papers.items():
            first = papers.get(paper_id)
            papers[paper_id] = PaperChange(first.before, change.after) if first else change
        return StateChange(papers)


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What an undo did, counted in papers.

    ``undone``: every field the change set was put back. ``partly``: some
    were, others had changed elsewhere since. ``left``: nothing was put back,
    every field had changed elsewhere since (or the paper is gone).
    """

    undone: int = 0
    partly: int = 0
    left: int = 0

    @property
    def changed_elsewhere(self) -> int:
        """Papers where at least one field was not undone."""
        return self.partly + self.left


def _undo_tags(current: tuple[str, ...], change: PaperChange) -> tuple[tuple[str, ...], int, int]:
    """(tags with this change taken back where it still holds, tags reverted, tags left)."""
    before, after = change.before.tags, change.after.tags
    if current == after:
        return before, 1, 0
    added = [tag for tag in after if tag not in before]
    removed = [tag for tag in before if tag not in after]
    tags = list(current)
    done = left = 0
    for tag in added:
        if tag in tags:
            tags.remove(tag)
            done += 1
        else:
            left += 1
    for tag in removed:
        if tag in tags:
            left += 1
            continue
        # Put it back after the tag that preceded it before, if that one is still there.
        at = before.index(tag)
        anchor = next((tags.index(t) + 1 for t in reversed(before[:at]) if t in tags), 0)
        tags.insert(anchor, tag)
        done += 1
    return tuple(tags), done, left


def reverted(current: UserState, change: PaperChange) -> tuple[UserState, int, int]:
    """The current state with ``change`` taken back wherever it still holds.

    Returns (the new state, fields reverted, fields left because they changed
    elsewhere since). Fields the change did not set are never touched.
    """
    state = current
    done = left = 0
    for name in change.fields():
        if name == "status":
            if _status(current) == _status(change.after):
                state = replace(
                    state,
                    status=change.before.status,
                    status_changed_at=change.before.status_changed_at,
                )
                done += 1
            else:
                left += 1
        elif name == "tags":
            tags, tags_done, tags_left = _undo_tags(current.tags, change)
            state = replace(state, tags=tags)
            done, left = done + (tags_done > 0), left + (tags_left > 0)
        elif getattr(current, name) == getattr(change.after, name):
            state = replace(state, **{name: getattr(change.before, name)})
            done += 1
        else:
            left += 1
    return state, done, left


def take_back(
    change: StateChange, current: Callable[[str], UserState | None]
) -> tuple[dict[str, UserState], UndoOutcome]:
    """The states that undo ``change`` where it still holds, and what that does.

    ``current`` gives a paper's state now (None: the paper is gone). Returns
    the new states of the papers that go back (fully or partly) and the counts.
    """
    states: dict[str, UserState] = {}
    undone = partly = left = 0
    for paper_id, paper_change in change.papers.items():
        now = current(paper_id)
        if now is None:
            left += 1
            continue
        state, done, kept = reverted(now, paper_change)
        if state != now:
            states[paper_id] = state
        if kept and done:
            partly += 1
        elif kept:
            left += 1
        else:
            undone += 1
    return states, UndoOutcome(undone, partly, left)
