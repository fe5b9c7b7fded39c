"""SIGKILL at random instants: the store always opens and keeps every write that returned."""

from __future__ import annotations

import ast
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.library import Library
from store.model import ReadingStatus
from tests.conftest import ROOT
from tests.reliability.conftest import (
    BIG_LIBRARY_SIZE,
    CHILD_WRITER,
    child_env,
    run_cli,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

WRITE_KILLS = 30
IMPORT_KILLS = 10
IMPORT_SIZE = 4_000


def _kill_after(proc: subprocess.Popen[str], delay: float) -> str:
    """SIGKILL ``proc`` after ``delay`` seconds; what it printed before dying."""
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=30)
    return out


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    """Return once ``path`` exists (or the process ended, or 20 s passed)."""
    deadline = time.monotonic() + 20
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)


def _reported_writes(lines: list[str]) -> list[tuple[int, str, str, str]]:
    # A line cut short by the kill has no newline and was never a full report.
    return [ast.literal_eval(line) for line in lines if line.startswith("(")]


def test_every_returned_write_survives_sigkill(big_store: Path) -> None:
    """Dozens of kills mid-stream; after each, every reported write is in the store."""
    rng = random.Random(20260601)
    kills = verified = 0
    for run in range(WRITE_KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(CHILD_WRITER), "crash", str(big_store), str(run)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the child is writing from here on
        assert first.startswith("("), proc.communicate()[1]
        rest = _kill_after(proc, rng.uniform(0.0, 0.12))
        kills += proc.returncode == -signal.SIGKILL
        writes = _reported_writes([first, *rest.splitlines(keepends=True)])
        library = Library(big_store)  # must open: never a broken file
        assert len(library) == BIG_LIBRARY_SIZE
        for _i, paper_id, kind, value in writes:
            state = library.state(paper_id)
            if kind == "note":
                assert state.note == value, (run, paper_id)
            else:
                assert state.status is ReadingStatus(value), (run, paper_id)
        verified += len(writes)
        library.close()
    print("KILLS", kills, "VERIFIED", verified)
    assert kills == WRITE_KILLS
    assert verified >= 2 * WRITE_KILLS  # the kills landed in the middle of writing
    # A kill may leave a .tmp behind; the next write (holding the lock) removes it.
    Library(big_store).set_starred([Library(big_store).papers()[0].id], True)
    assert sorted(p.name for p in big_store.parent.glob("*.tmp")) == []


@pytest.fixture(scope="module")
def import_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import profile_dump

    path = tmp_path_factory.mktemp("import") / "profile.txt"
    path.write_text(profile_dump(IMPORT_SIZE, seed=99), encoding="utf-8")
    return path


def test_kill_during_import_leaves_old_or_new_catalogue(
    big_store: Path, import_file: Path, tmp_path: Path
) -> None:
    """An import killed at any instant leaves the old catalogue or the new one, whole."""
    library = Library(big_store)
    noted = library.papers()[0].id
    library.set_note(noted, "kept across every kill")
    pristine = tmp_path / "pristine"
    shutil.copytree(big_store.parent, pristine)
    new_size = BIG_LIBRARY_SIZE + IMPORT_SIZE

    started = time.perf_counter()
    done = run_cli(big_store, "import", str(import_file), "--as-of", "2026-11-28")
    full_import_s = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert len(Library(big_store)) == new_size

    rng = random.Random(7)
    outcomes: list[int] = []
    for run in range(IMPORT_KILLS):
        shutil.rmtree(big_store.parent)
        shutil.copytree(pristine, big_store.parent)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(big_store), "import", str(import_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        if run % 2:
            # Aim at the dangerous window: the new catalogue is being written.
            _wait_for(big_store.with_name(big_store.name + ".tmp"), proc)
            _kill_after(proc, rng.uniform(0.0, 0.03))
        else:
            _kill_after(proc, rng.uniform(0.1, full_import_s * 1.3))
        library = Library(big_store)
        assert len(library) in (BIG_LIBRARY_SIZE, new_size)
        assert library.state(noted).note == "kept across every kill"
        backup = big_store.with_name(big_store.name + ".bak")
        if backup.exists():  # the last good copy is itself whole
            assert len(Library(backup)) in (BIG_LIBRARY_SIZE, new_size)
        outcomes.append(len(library))
        library.set_starred([noted], True)  # writing again works, and clears leftovers
        assert list(big_store.parent.glob("*.tmp")) == []
    print("OUTCOMES", outcomes, full_import_s)
    assert BIG_LIBRARY_SIZE in outcomes  # at least some kills landed mid-import
