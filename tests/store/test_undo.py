"""Undo takes back only its own change: a compare-and-set against what the change wrote."""

from __future__ import annotations

import json

import pytest

from store.library import Library
from store.model import ReadingStatus, UserState
from store.undo import PaperChange, StateChange, UndoOutcome, reverted
from tests.conftest import run_cli

LEAN = "Zhang2026LeanMarathon"
FINE = "Huang2026Fine"


def other_process(library: Library) -> Library:
    """A second handle on the same files, as another shell's command would open them."""
    return Library(library.path)


def test_undo_keeps_fields_another_process_set_since(sample_library: Library) -> None:
    starred = sample_library.set_starred([LEAN], True)
    other = other_process(sample_library)
    other.set_status([LEAN], ReadingStatus.READING)
    other.change_tags([LEAN], add=["x"])

    outcome = sample_library.undo(starred)

    assert outcome == UndoOutcome(undone=1)
    for library in (sample_library, Library(sample_library.path)):
        state = library.state(LEAN)
        assert not state.starred
        assert state.status is ReadingStatus.READING
        assert state.tags == ("x",)


def test_a_field_changed_elsewhere_is_not_undone(sample_library: Library) -> None:
    read = sample_library.set_status([LEAN], ReadingStatus.READ)
    other_process(sample_library).set_status([LEAN], ReadingStatus.SKIPPED)

    outcome = sample_library.undo(read)

    assert outcome == UndoOutcome(left=1)
    assert Library(sample_library.path).state(LEAN).status is ReadingStatus.SKIPPED


def test_bulk_undo_reverts_the_papers_that_still_match(sample_library: Library) -> None:
    ids = [p.id for p in sample_library.papers()[:3]]
    read = sample_library.set_status(ids, ReadingStatus.READ)
    other_process(sample_library).set_status([ids[1]], ReadingStatus.SKIPPED)

    outcome = sample_library.undo(read)

    assert outcome == UndoOutcome(undone=2, left=1)
    reopened = Library(sample_library.path)
    assert [reopened.state(i).status for i in ids] == [
        ReadingStatus.UNREAD,
        ReadingStatus.SKIPPED,
        ReadingStatus.UNREAD,
    ]


def test_undo_sees_a_write_by_a_real_second_process(sample_library: Library) -> None:
    read = sample_library.set_status([LEAN, FINE], ReadingStatus.READ)
    assert run_cli(sample_library.path, "mark", "skipped", FINE).returncode == 0
    assert run_cli(sample_library.path, "tag", LEAN, "+x").returncode == 0

    # No refresh in between: the undo itself must pick the write up under the lock.
    outcome = sample_library.undo(read)

    assert outcome == UndoOutcome(undone=1, left=1)
    reopened = Library(sample_library.path)
    assert reopened.state(LEAN).status is ReadingStatus.UNREAD
    assert reopened.state(LEAN).tags == ("x",)
    assert reopened.state(FINE).status is ReadingStatus.SKIPPED


def test_status_changed_at_follows_the_status(sample_library: Library) -> None:
    sample_library.set_status([LEAN], ReadingStatus.READING)
    earlier = sample_library.state(LEAN).status_changed_at
    read = sample_library.set_status([LEAN], ReadingStatus.READ)
    sample_library.undo(read)
    state = Library(sample_library.path).state(LEAN)
    assert (state.status, state.status_changed_at) == (ReadingStatus.READING, earlier)


def test_an_undone_paper_with_nothing_left_leaves_the_state_file(sample_library: Library) -> None:
    sample_library.undo(sample_library.set_status([LEAN], ReadingStatus.READ))
    state_file = sample_library.path.with_name("library.state.json")
    assert LEAN not in json.loads(state_file.read_text()).get("state", {})


def test_marking_the_same_status_again_elsewhere_still_matches(sample_library: Library) -> None:
    read = sample_library.set_status([LEAN], ReadingStatus.READ)
    other_process(sample_library).set_status([LEAN], ReadingStatus.READ)  # a no-op
    assert sample_library.undo(read) == UndoOutcome(undone=1)
    assert sample_library.state(LEAN).status is ReadingStatus.UNREAD


def test_leaving_a_status_and_coming_back_counts_as_changed(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = sample_library.set_status([LEAN], ReadingStatus.READ)
    other = other_process(sample_library)
    other.set_status([LEAN], ReadingStatus.UNREAD)
    monkeypatch.setattr("store.clock.now_iso", lambda: "2099-01-01T00:00:00Z")
    other.set_status([LEAN], ReadingStatus.READ)  # read again, at another moment
    assert sample_library.undo(read) == UndoOutcome(left=1)
    assert sample_library.state(LEAN).status_changed_at == "2099-01-01T00:00:00Z"


def test_tags_are_undone_one_by_one(sample_library: Library) -> None:
    sample_library.change_tags([LEAN], add=["a", "b", "c"])
    tagged = sample_library.change_tags([LEAN], add=["lean"], remove=["b"])
    other_process(sample_library).change_tags([LEAN], add=["x"], remove=["a"])

    assert sample_library.undo(tagged) == UndoOutcome(undone=1)
    # "lean" (added) is gone, "b" (removed) is back before "c" as it was, "x" stays.
    assert Library(sample_library.path).state(LEAN).tags == ("b", "c", "x")


def test_a_tag_changed_elsewhere_is_left_and_the_rest_undone(sample_library: Library) -> None:
    tagged = sample_library.change_tags([LEAN], add=["a", "b"])
    other_process(sample_library).change_tags([LEAN], remove=["a"])
    assert sample_library.undo(tagged) == UndoOutcome(partly=1)
    assert sample_library.state(LEAN).tags == ()

    sample_library.change_tags([FINE], add=["keep"])
    untagged = sample_library.change_tags([FINE], remove=["keep"])
    other_process(sample_library).change_tags([FINE], add=["keep"])
    assert sample_library.undo(untagged) == UndoOutcome(left=1)
    assert sample_library.state(FINE).tags == ("keep",)


def test_tags_unchanged_elsewhere_come_back_in_their_order(sample_library: Library) -> None:
    sample_library.change_tags([LEAN], add=["a", "b", "c"])
    tagged = sample_library.change_tags([LEAN], add=["z"], remove=["a", "c"])
    sample_library.undo(tagged)
    assert sample_library.state(LEAN).tags == ("a", "b", "c")


def test_a_note_is_undone_only_if_nobody_rewrote_it(sample_library: Library) -> None:
    sample_library.set_note(LEAN, "first")
    noted = sample_library.set_note(LEAN, "second")
    assert sample_library.undo(noted) == UndoOutcome(undone=1)
    assert Library(sample_library.path).state(LEAN).note == "first"

    noted = sample_library.set_note(LEAN, "mine")
    other_process(sample_library).set_note(LEAN, "theirs")
    assert sample_library.undo(noted) == UndoOutcome(left=1)
    assert Library(sample_library.path).state(LEAN).note == "theirs"


def test_a_change_records_per_field_before_and_after(sample_library: Library) -> None:
    sample_library.set_starred([FINE], True)
    change = sample_library.set_starred([LEAN, FINE], True)
    assert list(change) == [LEAN]  # the paper already starred was not changed
    assert change.papers[LEAN].fields() == {"starred": (False, True)}


def test_note_saves_in_a_row_undo_as_one_edit(sample_library: Library) -> None:
    typed = sample_library.set_note(LEAN, "dra")
    typed = typed.then(sample_library.set_note(LEAN, "draft"))
    assert typed.papers[LEAN].fields() == {"note": ("", "draft")}
    sample_library.undo(typed)
    assert sample_library.state(LEAN).note == ""


def test_reverted_touches_no_field_the_change_did_not_set() -> None:
    change = PaperChange(UserState(), UserState(starred=True))
    current = UserState(ReadingStatus.READ, True, ("t",), "n", "2026-01-01T00:00:00Z")
    state, done, left = reverted(current, change)
    assert (done, left) == (1, 0)
    assert state == UserState(ReadingStatus.READ, False, ("t",), "n", "2026-01-01T00:00:00Z")


def test_undo_of_nothing_changes_nothing(sample_library: Library) -> None:
    assert sample_library.undo(StateChange()) == UndoOutcome()
