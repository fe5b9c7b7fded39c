"""``python -m bench.bytes_per_key``: what one cursor move costs on the wire.

Runs the installed reader in a pseudo-terminal at 120×40 (truecolor) on the
sample profile, waits until the screen is quiet, then presses ``j`` ten times
(quiet between presses) and counts the bytes the reader wrote for each key
and the screen rows those bytes touched. Over SSH every byte is felt.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench.__main__ import _command

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "sample_data" / "jason-d-lee-profile.txt"
COLUMNS, ROWS = 120, 40
# A repaint arrives within a frame or two; this long without output is "quiet".
QUIET_S = 0.4
# Cursor positioning: ESC [ row ; col H (Textual moves to each changed line).
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def _library(work: Path) -> Path:
    db = work / "db"
    subprocess.run(
        [*_command(), "--db", str(db), "import", str(PROFILE), "--as-of", "2026-11-28"],
        check=True,
        capture_output=True,
    )
    return db


def _read_until_quiet(fd: int, quiet: float, limit: float = 30.0) -> bytes:
    """Everything the reader writes until it has said nothing for ``quiet`` s."""
    out = bytearray()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return bytes(out)


def rows_touched(output: bytes) -> int:
    """How many distinct screen rows the output moves the cursor to."""
    return len({int(m.group(1)) for m in _MOVE.finditer(output)})


def measure(db: Path, presses: int = 10) -> dict[str, float | list[int]]:
    """Bytes and rows the reader writes per ``j``, after a quiet first paint."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [*_command(), "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        first = _read_until_quiet(master, 1.5)
        sizes: list[int] = []
        rows: list[int] = []
        for _ in range(presses):
            os.write(master, b"j")
            written = _read_until_quiet(master, QUIET_S)
            sizes.append(len(written))
            rows.append(rows_touched(written))
        idle = _read_until_quiet(master, 2.0)
        os.write(master, b"q")
        _read_until_quiet(master, 0.5, limit=5.0)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
        os.close(master)
    return {
        "first_paint_bytes": len(first),
        "bytes_per_key_mean": statistics.mean(sizes),
        "bytes_per_key_max": max(sizes),
        "rows_per_key_mean": statistics.mean(rows),
        "rows_per_key_max": max(rows),
        "idle_bytes_2s": len(idle),
        "per_key": sizes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--db", type=Path, help="an existing store (default: the sample profile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bytes-per-key-") as tmp:
        db = args.db or _library(Path(tmp))
        result = measure(db, args.presses)
    for name, value in result.items():
        print(f"{name:22} {value}")
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
