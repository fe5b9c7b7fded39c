"""A store writer run as a separate process by the reliability tests.

``crash DB RUN``: sets notes and statuses on distinct papers as fast as it
can, printing one line per write *after* the write returned, until killed.

``worker DB K N SHARED``: waits for a line on stdin (so every worker starts
at once), then does N rounds of: mark a paper of its own read, note it, and
tag one of the SHARED papers (comma-separated ids) with a tag of its own.

``marks DB SECONDS``: prints ``ready``, then marks one paper read and unread
again, one locked write after another, for SECONDS (as the reader does on keys).
"""

from __future__ import annotations

import sys
import time

from store.library import Library
from store.model import ReadingStatus

STATUSES = (ReadingStatus.READ, ReadingStatus.READING, ReadingStatus.SKIPPED)


def crash(db: str, run: int) -> None:
    """Write until killed; a reported line means the write had returned."""
    library = Library(db)
    ids = sorted(paper.id for paper in library.papers())
    offset = (run * 97) % len(ids)
    for i in range(len(ids)):
        paper_id = ids[(offset + i) % len(ids)]
        if i % 2 == 0:
            value = f"note of run {run}, write {i}\nsecond line"
            library.set_note(paper_id, value)
            kind = "note"
        else:
            status = STATUSES[i % len(STATUSES)]
            library.set_status([paper_id], status)
            kind, value = "status", str(status)
        print(repr((i, paper_id, kind, value)), flush=True)


def worker(db: str, k: int, rounds: int, shared: list[str]) -> None:
    """Disjoint writes on papers of its own, overlapping tag writes on shared papers."""
    library = Library(db)
    ids = sorted(paper.id for paper in library.papers() if paper.id not in shared)
    mine = ids[k * rounds : (k + 1) * rounds]
    print("ready", flush=True)
    sys.stdin.readline()
    for i, paper_id in enumerate(mine):
        library.set_status([paper_id], ReadingStatus.READ)
        library.set_note(paper_id, f"worker {k} round {i}")
        library.change_tags([shared[i % len(shared)]], add=[f"w{k}-{i}"])
    print("done", flush=True)


def marks(db: str, seconds: float) -> None:
    """Store writes back to back, each taking the store lock, until ``seconds`` are up."""
    library = Library(db)
    paper_id = library.papers()[0].id
    print("ready", flush=True)
    end = time.monotonic() + seconds
    read = False
    while time.monotonic() < end:
        read = not read
        library.set_status([paper_id], ReadingStatus.READ if read else ReadingStatus.UNREAD)


if __name__ == "__main__":
    mode, db = sys.argv[1], sys.argv[2]
    if mode == "crash":
        crash(db, int(sys.argv[3]))
    elif mode == "marks":
        marks(db, float(sys.argv[3]))
    else:
        worker(db, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(","))
