"""``python -m bench.bytes_per_key``: what one cursor move costs on the wire.

Runs the installed reader in a pseudo-terminal at 120×40 (truecolor) on the
sample profile, waits until the screen is quiet, then presses ``j`` ten times
(quiet between presses) and counts the bytes the reader wrote for each key
and the screen rows those bytes touched. Over SSH every byte is felt.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import random
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


def _spawn(db: Path) -> tuple[subprocess.Popen[bytes], int]:
    """The reader on ``db`` in a fresh 120×40 truecolor pty, and the pty's master."""
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
    return child, master


def _stop(child: subprocess.Popen[bytes], master: int) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
    os.close(master)


def measure(db: Path, presses: int = 10) -> dict[str, float | list[int]]:
    """Bytes and rows the reader writes per ``j``, after a quiet first paint."""
    child, master = _spawn(db)
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
        _stop(child, master)
    return {
        "first_paint_bytes": len(first),
        "bytes_per_key_mean": statistics.mean(sizes),
        "bytes_per_key_max": max(sizes),
        "rows_per_key_mean": statistics.mean(rows),
        "rows_per_key_max": max(rows),
        "idle_bytes_2s": len(idle),
        "per_key": sizes,
    }


def _huge_library(work: Path, size: int = 10_000_000) -> Path:
    """The sample profile and one paper (the newest) with a ``size``-character abstract."""
    db = _library(work)
    rng = random.Random(1)
    words = ["memory", "capacity", "$d \\times d$", "{\\em sharp}", "\\emph{listwise}", "of"]
    abstract = " ".join(["HUGESTART"] + [rng.choice(words) for _ in range(size // 7)] + ["HUGEEND"])
    bib = work / "huge.bib"
    bib.write_text(
        "@article{huge2027,\n title={A Paper With a Huge Abstract},\n author={Doe, Jane},\n"
        f" year={{2027}},\n abstract={{{abstract}}}\n}}\n",
        encoding="utf-8",
    )
    subprocess.run(
        [*_command(), "--db", str(db), "import", str(bib)], check=True, capture_output=True
    )
    return db


def _wait_for(master: int, seen: bytearray, marker: bytes, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return False
            seen += chunk
    return marker in seen


def measure_huge(db: Path) -> dict[str, float]:
    """Seconds to the list, to the huge abstract's start, a ``j`` and ``q``."""
    started = time.monotonic()
    child, master = _spawn(db)
    seen = bytearray()
    try:
        _wait_for(master, seen, b"Huge Abstract", 60)
        listed = time.monotonic() - started
        _wait_for(master, seen, b"HUGESTART", 120)
        abstract = time.monotonic() - started
        _read_until_quiet(master, 1.0)
        seen.clear()
        pressed = time.monotonic()
        os.write(master, b"j")
        _wait_for(master, seen, b"\x1b[", 60)
        answered = time.monotonic() - pressed
        _read_until_quiet(master, 0.5)
        pressed = time.monotonic()
        os.write(master, b"q")
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=30)
        quit_s = time.monotonic() - pressed
    finally:
        _stop(child, master)
    return {
        "list_painted_s": round(listed, 2),
        "abstract_start_painted_s": round(abstract, 2),
        "j_answered_s": round(answered, 2),
        "q_quit_s": round(quit_s, 2),
    }


def _timed(master: int, keys: bytes, marker: bytes, limit: float = 60) -> float:
    """Seconds from writing ``keys`` until ``marker`` is in what the reader writes."""
    _read_until_quiet(master, 0.5)
    seen = bytearray()
    pressed = time.monotonic()
    os.write(master, keys)
    if not _wait_for(master, seen, marker, limit):
        raise SystemExit(f"no {marker!r} within {limit} s of {keys!r}")
    return round(time.monotonic() - pressed, 2)


def measure_huge_views(db: Path) -> dict[str, float]:
    """Seconds to open the huge paper in the paper view and in triage, to reach
    its end (G), its start again (g), and to leave (q, esc)."""
    child, master = _spawn(db)
    seen = bytearray()
    try:
        _wait_for(master, seen, b"HUGESTART", 120)
        result = {
            "paper_view_opened_s": _timed(master, b"\r", b"Paper 1 of"),
            "paper_view_end_G_s": _timed(master, b"G", b"HUGEEND"),
            "paper_view_start_g_s": _timed(master, b"g", b"HUGESTART"),
            "paper_view_left_q_s": _timed(master, b"q", b"by date"),
            "triage_opened_s": _timed(master, b"T", b"HUGESTART"),
            "triage_end_G_s": _timed(master, b"G", b"HUGEEND"),
            "triage_left_esc_s": _timed(master, b"\x1b", b"by date"),
        }
    finally:
        _stop(child, master)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--db", type=Path, help="an existing store (default: the sample profile)")
    parser.add_argument(
        "--huge",
        action="store_true",
        help="time a 10 MB abstract instead (seconds to list, abstract, j, q)",
    )
    parser.add_argument(
        "--huge-views",
        action="store_true",
        help="time the 10 MB abstract in the paper view and triage (open, G, g, leave)",
    )
    args = parser.parse_args()
    result: dict[str, float | list[int]]
    with tempfile.TemporaryDirectory(prefix="bytes-per-key-") as tmp:
        if args.huge:
            result = dict(measure_huge(args.db or _huge_library(Path(tmp))))
        elif args.huge_views:
            result = dict(measure_huge_views(args.db or _huge_library(Path(tmp))))
        else:
            result = measure(args.db or _library(Path(tmp)), args.presses)
    for name, value in result.items():
        print(f"{name:22} {value}")
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
