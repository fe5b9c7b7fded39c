"""``python -m bench.full_text STORE``: full-text search in the store, and what it holds.

The steps of the bench's in-process search measure, one at a time: open the
library, make its abstracts readable (``load_abstracts``, as the reader does
after start), fold it for search (``prepare_search``), then search each word
several times. Prints wall and CPU time and the process's memory (RSS, and
its peak) after each step, and the median of the bench's three words: on a
shared machine the CPU time is the figure to compare.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

_T = TypeVar("_T")
BENCH_WORDS = ("gradient", "kernel regime", "zzzz")  # as bench.__main__.measure_in_process
OTHER_QUERIES = ("gradient descent", "cat:LG year:>=2020 gradient")


def _memory() -> str:
    fields = {}
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) // 1024
    return f"RSS {fields.get('VmRSS', 0)} MB (peak {fields.get('VmHWM', 0)})"


def _step(label: str, work: Callable[[], _T]) -> _T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {_memory()}  wall {wall:.3f} s  cpu {cpu:.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("store", type=Path, help="the library's main file (library.json)")
    parser.add_argument("--runs", type=int, default=7, help="searches per query (default 7)")
    args = parser.parse_args()

    from store.library import Library
    from store.query import parse

    print(f"load average {os.getloadavg()[0]:.2f}")
    library = _step("open", lambda: Library(args.store))
    gc.collect()
    gc.freeze()  # as the reader does after loading
    _step("load_abstracts", library.load_abstracts)
    _step("prepare_search", library.prepare_search)
    medians: dict[str, float] = {}
    for text in (*BENCH_WORDS, *OTHER_QUERIES):
        query = parse(text)
        walls, cpus, found = [], [], 0
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            found = len(library.search(query))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        medians[text] = statistics.median(cpus)
        print(
            f"  {text!r}: {found} found, wall median {statistics.median(walls) * 1000:.0f} ms,"
            f" cpu median {medians[text] * 1000:.0f} ms"
        )
    bench = statistics.median(medians[word] for word in BENCH_WORDS)
    print(f"the bench's words, median of the CPU medians: {bench * 1000:.0f} ms; {_memory()}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
