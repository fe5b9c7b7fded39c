"""Another process holding a store's lock, as a script or another tool may.

``python -m tests.lock_holder DB SECONDS`` takes ``DB.lock`` with flock(2)
(what ``flock DB.lock sleep SECONDS`` does), prints ``held``, keeps it for
SECONDS and exits. :func:`held_lock` runs it and returns once it holds the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT, child_env


@contextlib.contextmanager
def held_lock(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """A child process holding ``db``'s store lock for ``seconds`` (killed on the way out)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.lock_holder", str(db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        yield child
    finally:
        child.kill()
        child.wait()


def main(db: str, seconds: float) -> None:
    """Hold the lock, say so, wait, let go."""
    with open(db + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(seconds)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
