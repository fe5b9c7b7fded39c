"""A change shown before it is written: searching and counting see it, the disk gets it later.

The reader previews a change (the key's effect, at once), then writes it from
another thread. Until then the library shows it on top of the states on disk,
including what other processes write meanwhile; once written, or once the
write fails, the preview is gone.
"""

from __future__ import annotations

import sys
import threading
import time

import pytest

from store.errors import StoreError
from store.library import Library
from store.model import ReadingStatus
from store.query import parse
from store.state_edits import note_edit, star_edit, status_edit, tags_edit
from tests.lock_holder import held_lock

LEAN = "Zhang2026LeanMarathon"
FINE = "Huang2026Fine"
READ = ReadingStatus.READ


def ids(library: Library, query: str) -> list[str]:
    return [paper.id for paper in library.search(parse(query))]


def test_a_preview_is_searched_and_counted_but_not_written(sample_library: Library) -> None:
    token, expected = sample_library.preview(status_edit([LEAN], READ, "2026-12-01T10:00:00Z"))
    assert list(expected) == [LEAN] and expected.papers[LEAN].after.status is READ
    assert sample_library.state(LEAN).status is READ
    assert ids(sample_library, "status:read") == [LEAN]
    everything = sample_library.search(parse(""))
    assert sample_library.count_unread(everything) == len(everything) - 1
    assert Library(sample_library.path).state(LEAN).status is ReadingStatus.UNREAD

    change = sample_library.write_previewed(token)
    assert change.papers[LEAN].after.status is READ
    assert Library(sample_library.path).state(LEAN).status is READ
    assert sample_library.state(LEAN).status is READ


def test_a_dropped_preview_shows_the_disk_again(sample_library: Library) -> None:
    token, _ = sample_library.preview(star_edit([LEAN, FINE], True))
    assert ids(sample_library, "is:starred") != []
    sample_library.drop_preview(token)
    assert ids(sample_library, "is:starred") == []
    assert not sample_library.state(LEAN).starred


def test_a_write_that_times_out_drops_its_preview(sample_library: Library) -> None:
    impatient = Library(sample_library.path, lock_timeout=0.2)
    token, _ = impatient.preview(tags_edit([LEAN], add=["later"]))
    assert impatient.state(LEAN).tags == ("later",)
    with held_lock(sample_library.path, 3.0), pytest.raises(StoreError, match="busy"):
        impatient.write_previewed(token)
    assert impatient.state(LEAN).tags == ()
    assert Library(sample_library.path).state(LEAN).tags == ()


def test_a_preview_stays_on_top_of_what_another_process_writes(sample_library: Library) -> None:
    token, _ = sample_library.preview(note_edit(LEAN, "mine"))
    Library(sample_library.path).set_status([LEAN], ReadingStatus.READING)  # another process
    assert sample_library.refresh()
    state = sample_library.state(LEAN)
    assert (state.note, state.status) == ("mine", ReadingStatus.READING)
    sample_library.write_previewed(token)
    state = Library(sample_library.path).state(LEAN)
    assert (state.note, state.status) == ("mine", ReadingStatus.READING)


def test_previews_of_one_paper_apply_in_order(sample_library: Library) -> None:
    first, _ = sample_library.preview(status_edit([LEAN], READ, "2026-12-01T10:00:00Z"))
    second, expected = sample_library.preview(
        status_edit([LEAN], ReadingStatus.SKIPPED, "2026-12-01T10:00:01Z")
    )
    assert expected.papers[LEAN].before.status is READ
    sample_library.drop_preview(first)  # the earlier write failed: the later one still shows
    assert sample_library.state(LEAN).status is ReadingStatus.SKIPPED
    sample_library.write_previewed(second)
    assert Library(sample_library.path).state(LEAN).status is ReadingStatus.SKIPPED


def test_a_write_on_another_thread_while_the_ui_refreshes_loses_nothing(
    sample_library: Library,
) -> None:
    papers = [paper.id for paper in sample_library.papers() if paper.id != LEAN][:30]
    tokens = [
        sample_library.preview(note_edit(paper_id, f"note {n}"))[0]
        for n, paper_id in enumerate(papers)
    ]
    stop = threading.Event()
    errors: list[BaseException] = []

    def ui() -> None:  # the reader's refresh timer, keys and painting, as fast as they go
        try:
            while not stop.is_set():
                shown, _ = sample_library.preview(star_edit([LEAN], True))
                sample_library.drop_preview(shown)
                sample_library.refresh()
                for paper_id in papers:
                    sample_library.state(paper_id)
                sample_library.count_unread(sample_library.search(parse("has:note")))
        except BaseException as err:
            errors.append(err)

    reader = threading.Thread(target=ui)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
    reader.start()
    try:
        for token in tokens:
            sample_library.write_previewed(token)
    finally:
        stop.set()
        reader.join()
        sys.setswitchinterval(switch)
    assert errors == []
    reopened = Library(sample_library.path)
    assert [reopened.state(p).note for p in papers] == [f"note {n}" for n in range(30)]
    assert [sample_library.state(p).note for p in papers] == [f"note {n}" for n in range(30)]


def test_marking_seen_never_waits_for_the_lock(sample_library: Library) -> None:
    sample_library.mark_new([LEAN])
    with held_lock(sample_library.path, 3.0):
        started = time.monotonic()
        assert not sample_library.mark_seen([LEAN])  # the cursor rested: nothing written
        assert time.monotonic() - started < 1.0
        assert sample_library.state(LEAN).is_new  # still new; the next rest clears it
    assert sample_library.mark_seen([LEAN])
    assert not Library(sample_library.path).state(LEAN).is_new
