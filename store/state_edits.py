"""Changes to the user state, described before they are written.

A :class:`StateEdit` says which papers change and how each one's state
becomes its new state. The library writes an edit under the store lock
(:mod:`store.state_writes`), applying it to the state as it is on disk then;
the reader also *previews* edits it has queued but not yet written, so that
the list shows a key's effect at once (:func:`overlaid`).

Every edit the reader makes is decided when the key is pressed (``r`` on a
read paper means "unread", whatever happens meanwhile), so applying one to a
state it already holds changes nothing: an edit previewed over the state it
has just been written to shows that same state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from store.model import DEFAULT_STATE, ReadingStatus, UserState
from store.undo import StateChange, reverted


@dataclass(frozen=True, slots=True)
class StateEdit:
    """A change to some papers' user state: ``change(paper_id, state)`` gives the new state."""

    ids: tuple[str, ...]
    change: Callable[[str, UserState], UserState]


def status_edit(ids: Iterable[str], status: ReadingStatus, stamp: str) -> StateEdit:
    """Set the reading status (``stamp``: when, kept only where the status changes)."""

    def change(_pid: str, state: UserState) -> UserState:
        if state.status is status:
            return state
        return replace(state, status=status, status_changed_at=stamp)

    return StateEdit(tuple(dict.fromkeys(ids)), change)


def star_edit(ids: Iterable[str], starred: bool) -> StateEdit:
    """Star or unstar."""
    return StateEdit(tuple(dict.fromkeys(ids)), lambda _pid, state: replace(state, starred=starred))


def tags_edit(ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> StateEdit:
    """Add and remove tags (added ones go last, in the order given)."""
    to_add = [tag.strip() for tag in add if tag.strip()]
    to_remove = {tag.strip() for tag in remove}

    def change(_pid: str, state: UserState) -> UserState:
        tags = [tag for tag in state.tags if tag not in to_remove]
        tags += [tag for tag in to_add if tag not in tags]
        return replace(state, tags=tuple(tags))

    return StateEdit(tuple(dict.fromkeys(ids)), change)


def note_edit(paper_id: str, note: str) -> StateEdit:
    """Replace a paper's note."""
    return StateEdit((paper_id,), lambda _pid, state: replace(state, note=note))


def new_flag_edit(ids: Iterable[str], new: bool) -> StateEdit:
    """Set or clear the flag a fetch puts on the papers it brought in."""
    return StateEdit(tuple(dict.fromkeys(ids)), lambda _pid, state: replace(state, new=new))


def undo_edit(change: StateChange) -> StateEdit:
    """What undoing ``change`` is expected to show (the write itself uses :meth:`undo`)."""

    def back(paper_id: str, state: UserState) -> UserState:
        return reverted(state, change.papers[paper_id])[0]

    return StateEdit(tuple(change.papers), back)


def overlaid(
    written: dict[str, UserState],
    pending: Iterable[StateEdit],
    known: Mapping[str, object],
) -> dict[str, UserState]:
    """The states ``written`` with the ``pending`` edits applied in order, as a new dict.

    ``written`` is returned itself when nothing is pending (never changed in
    place: other threads may be reading it). Papers not in ``known`` (the
    catalogue) are left out of an edit, as its write will refuse them.
    """
    edits = list(pending)
    if not edits:
        return written
    shown = dict(written)
    for edit in edits:
        for paper_id in edit.ids:
            if paper_id not in known:
                continue
            state = edit.change(paper_id, shown.get(paper_id, DEFAULT_STATE))
            if state.is_default:
                shown.pop(paper_id, None)
            else:
                shown[paper_id] = state
    return shown
