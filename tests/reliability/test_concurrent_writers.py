"""Several processes writing one store at once: every change from every one survives."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from store.library import Library
from store.model import ReadingStatus
from tests.conftest import ROOT
from tests.reliability.conftest import CHILD_WRITER, child_env, run_cli

WORKERS = 4
ROUNDS = 25  # each round is three separate locked writes
CLI_ROUNDS = 2


def _shared_ids(db: Path, count: int) -> list[str]:
    return sorted(paper.id for paper in Library(db).papers())[:count]


def test_library_writers_in_four_processes_lose_nothing(big_store: Path) -> None:
    shared = _shared_ids(big_store, 2)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(CHILD_WRITER),
                "worker",
                str(big_store),
                str(k),
                str(ROUNDS),
                ",".join(shared),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        for k in range(WORKERS)
    ]
    for proc in procs:  # all loaded; now let them loose together
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out == "done\n", err

    library = Library(big_store)
    others = sorted(p.id for p in library.papers() if p.id not in shared)
    for k in range(WORKERS):
        for i, paper_id in enumerate(others[k * ROUNDS : (k + 1) * ROUNDS]):
            state = library.state(paper_id)
            assert state.status is ReadingStatus.READ, paper_id
            assert state.note == f"worker {k} round {i}", paper_id
    tags = set(library.state(shared[0]).tags) | set(library.state(shared[1]).tags)
    assert tags == {f"w{k}-{i}" for k in range(WORKERS) for i in range(ROUNDS)}
    for n, paper_id in enumerate(shared):  # each shared paper got exactly its own rounds
        expected = {f"w{k}-{i}" for k in range(WORKERS) for i in range(n, ROUNDS, 2)}
        assert set(library.state(paper_id).tags) == expected


def test_cli_writers_in_parallel_lose_nothing(big_store: Path) -> None:
    shared = _shared_ids(big_store, 1)[0]
    own = sorted(p.id for p in Library(big_store).papers())[1 : 1 + WORKERS]

    def worker(k: int) -> list[subprocess.CompletedProcess[str]]:
        done = []
        for i in range(CLI_ROUNDS):
            done.append(run_cli(big_store, "tag", shared, f"+cli{k}-{i}"))
            done.append(run_cli(big_store, "note", own[k], f"note {k}.{i}"))
        done.append(run_cli(big_store, "mark", "reading", own[k]))
        return done

    with ThreadPoolExecutor(WORKERS) as pool:
        results = [r for batch in pool.map(worker, range(WORKERS)) for r in batch]
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    library = Library(big_store)
    expected = {f"cli{k}-{i}" for k in range(WORKERS) for i in range(CLI_ROUNDS)}
    assert set(library.state(shared).tags) == expected
    for k, paper_id in enumerate(own):
        assert library.state(paper_id).note == f"note {k}.{CLI_ROUNDS - 1}"
        assert library.state(paper_id).status is ReadingStatus.READING


def test_open_library_picks_up_outside_changes(big_store: Path) -> None:
    reader = Library(big_store)
    first, second = sorted(p.id for p in reader.papers())[:2]
    assert not reader.refresh()
    assert run_cli(big_store, "mark", "read", first).returncode == 0
    assert reader.refresh()
    assert reader.state(first).status is ReadingStatus.READ
    reader.set_starred([second], True)  # writing after must keep the outside change
    fresh = Library(big_store)
    assert fresh.state(first).status is ReadingStatus.READ and fresh.state(second).starred


def test_open_library_can_mark_a_paper_imported_elsewhere(big_store: Path, tmp_path: Path) -> None:
    """The reader opened before an import in another shell can mark the new paper."""
    reader = Library(big_store)
    extra = tmp_path / "one.json"
    extra.write_text(
        '{"format": "paper-reader", "version": 1, "papers": '
        '[{"id": "New2026Paper", "title": "A paper imported elsewhere"}]}'
    )
    assert run_cli(big_store, "import", str(extra)).returncode == 0
    reader.set_status(["New2026Paper"], ReadingStatus.READ)
    assert Library(big_store).state("New2026Paper").status is ReadingStatus.READ


def test_change_is_seen_when_inode_size_and_mtime_all_repeat(big_store: Path) -> None:
    """Two quick writes elsewhere can recycle the inode, size and (coarse) mtime.

    ext4 hands a freed inode number to the next new file, and a clock with
    coarse granularity gives both writes one mtime. Left unseen, the reader's
    next write would be built on stale data and undo the other process's.
    """
    reader, other = Library(big_store), Library(big_store)
    paper_id = reader.papers()[0].id
    other.set_note(paper_id, "note-00")
    reader.refresh()
    state_file = big_store.with_name("library.state.json")
    seen = os.stat(state_file)
    for n in range(1, 40):  # same-size writes until the inode number comes back
        other.set_note(paper_id, f"note-{n:02}")
        if os.stat(state_file).st_ino == seen.st_ino:
            break
    os.utime(state_file, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert os.stat(state_file).st_size == seen.st_size
    assert reader.refresh(), "another process's write went unseen"
    assert reader.state(paper_id).note == f"note-{n:02}"
    reader.set_starred([reader.papers()[1].id], True)
    assert Library(big_store).state(paper_id).note == f"note-{n:02}"


def test_opening_the_store_mid_write_does_not_break_the_writer(
    big_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``paper-reader list`` started while the reader saves must not cost the save."""
    writer = Library(big_store)
    paper_id = writer.papers()[0].id
    real_fsync = os.fsync
    opened: list[Library] = []

    def fsync_then_open(fd: int) -> None:
        real_fsync(fd)
        if not opened:  # the temp file is written: another process opens the store now
            opened.append(Library(big_store))

    monkeypatch.setattr(os, "fsync", fsync_then_open)
    writer.set_note(paper_id, "saved while another process opened the store")
    monkeypatch.undo()
    assert opened
    assert Library(big_store).state(paper_id).note.startswith("saved while")


def test_a_stale_temp_file_is_removed_by_the_next_write(big_store: Path) -> None:
    stale = big_store.with_name("library.state.json.tmp")
    stale.write_bytes(b'{"half a wr')
    library = Library(big_store)
    assert stale.exists()  # opening to read leaves it: a live writer may own it
    library.set_starred([library.papers()[0].id], True)
    assert not stale.exists()


def test_follows_written_while_another_process_writes_the_store_all_land(
    sample_library: Library,
) -> None:
    # The follows file has a lock of its own: a process taking the store's lock
    # (the reader on every key) must not take its half-written file for a leftover.
    from store.follows import Follows

    child = subprocess.Popen(
        [sys.executable, str(CHILD_WRITER), "marks", str(sample_library.path), "20"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        follows = Follows(sample_library.path)
        names = [f"query{n}" for n in range(30)]
        for name in names:
            follows.add(name, "all:lean", now="2026-12-01T00:00:00Z")
    finally:
        child.kill()
        child.wait()
    assert [follow.name for follow in Follows(sample_library.path).all()] == names
