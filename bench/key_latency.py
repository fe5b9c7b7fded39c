"""``python -m bench.key_latency``: key → abstract painted, seen from the terminal.

Runs the installed reader in a pseudo-terminal at 120×40 (truecolor) on the
bench's generated libraries, waits until the screen is quiet, then presses
``j`` and times how long until the new paper's abstract (its first words)
arrives in what the reader writes — the whole path a user waits for: the key
read, the list's frame, the abstract's frame, the bytes on the wire. The next
``j`` follows ``--gap`` seconds after the abstract is seen (a reader skimming
papers; 0 presses at once, while the reader still renders ahead).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import _p95, build_library
from bench.bytes_per_key import _read_until_quiet, _spawn, _stop, _wait_for


def _markers(db: Path, count: int) -> list[bytes]:
    """The first words of each listed paper's abstract, in the reader's start order."""
    from store.library import Library
    from store.query import parse as parse_query
    from tui.render import render_abstract

    library = Library(db)
    library.load_abstracts()
    listed = library.complete_all(library.search(parse_query(""), sort="date")[:count])
    markers = []
    for paper in listed:
        words = render_abstract(paper).split()[:3]
        if not words:
            raise SystemExit(f"{db}: the paper {paper.id} has no abstract to wait for")
        markers.append(" ".join(words).encode())
    return markers


def measure(db: Path, presses: int, gap: float) -> dict[str, float | list[float]]:
    """Milliseconds from each ``j`` written to its paper's abstract read back."""
    markers = _markers(db, presses + 1)
    child, master = _spawn(db)
    seen = bytearray()
    try:
        if not _wait_for(master, seen, markers[0], 60):
            raise SystemExit("the first paper's abstract never appeared: list order differs?")
        _read_until_quiet(master, 1.5)  # background loading (abstracts, search index)
        times: list[float] = []
        for marker in markers[1:]:
            seen.clear()
            pressed = time.perf_counter()
            os.write(master, b"j")
            if not _wait_for(master, seen, marker, 10):
                raise SystemExit(f"no abstract starting {marker!r} within 10 s")
            times.append((time.perf_counter() - pressed) * 1000)
            if gap:
                _read_until_quiet(master, gap)
        os.write(master, b"q")
        _read_until_quiet(master, 0.5, limit=5.0)
    finally:
        _stop(child, master)
    return {
        "key_to_abstract_p95_ms": round(_p95(times), 1),
        "key_to_abstract_median_ms": round(statistics.median(times), 1),
        "key_to_abstract_max_ms": round(max(times), 1),
        "per_key_ms": [round(t, 1) for t in times],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000])
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument(
        "--gap", type=float, default=0.1, help="seconds of quiet after an abstract (default 0.1)"
    )
    parser.add_argument("--work", type=Path, help="folder for generated libraries (kept)")
    parser.add_argument("--per-key", action="store_true", help="print every key's time too")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="paper-reader-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    # The reader's default sort (the order the markers are taken in), whatever the user set.
    os.environ["PAPER_READER_CONFIG"] = str(work / "settings.json")
    for size in args.sizes:
        load = os.getloadavg()[0]
        result = measure(build_library(work, size), args.presses, args.gap)
        per_key = result.pop("per_key_ms")
        summary = "  ".join(f"{name} {value}" for name, value in result.items())
        print(f"{size:>7,} papers  gap {args.gap}s  load {load:.2f}  {summary}")
        if args.per_key:
            print("   ", per_key, file=sys.stderr)


if __name__ == "__main__":
    main()
