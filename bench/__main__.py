"""``python -m bench``: measure paper-reader against the targets of PRODUCT.md §7.

Whole processes where a user feels the whole process (import, list, start),
in-process where a part is measured (key to repaint through ``run_test``,
store writes, search). Prints a table and JSON; medians over several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import bibtex_dump, profile_dump
from bench.generate_bib import real_bibtex_dump

QUICK_SIZES = (1_000, 10_000)
FULL_SIZES = (1_000, 10_000, 100_000)


def _command() -> list[str]:
    beside = Path(sys.executable).with_name("paper-reader")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "tui.cli"]


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("nan")


def _source(work: Path, name: str, dump: Callable[[int], str], n: int) -> Path:
    """A generated input file, written once per work folder."""
    path = work / name
    if not path.exists():
        path.write_text(dump(n), encoding="utf-8")
    return path


def _run_alone(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of this one child process.

    Run through :mod:`bench.rusage`, which forks it from a small process:
    the figures are the command's own (a child forked from this process
    would start at this process's size), and its CPU time is what a busy
    machine (other processes taking turns on the cores) does not inflate.
    """
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(
            [sys.executable, "-m", "bench.rusage", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
        figures = json.loads(done.stdout or "{}")
        if done.returncode != 0 or figures.get("exit") != 0:
            errors.seek(0)
            raise RuntimeError(f"{args}: {errors.read().decode(errors='replace').strip()}")
    return figures["wall_s"], figures["cpu_s"], figures["max_rss_kib"]


def _import_figures(work: Path, source: Path, runs: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds, and the largest peak RSS (MB), of
    ``paper-reader import SOURCE`` into a fresh store."""
    walls, cpus, peaks = [], [], []
    for run in range(runs):
        db = work / f"import-{source.stem}-{run}" / "library.json"
        wall, cpu, peak = _run_alone([*_command(), "--db", str(db), "import", str(source)])
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak / 1024)
        shutil.rmtree(db.parent)
    return _median(walls), _median(cpus), max(peaks)


def measure_import(work: Path, n: int, runs: int) -> dict[str, float]:
    """Import speed (by wall and by CPU time) and peak memory, for the generated inputs.

    Each import is its own child process (see :func:`_run_alone`): profile
    dumps, the uniform BibTeX file and the realistic one of :mod:`bench.generate_bib`.
    """
    row: dict[str, float] = {}
    for name, file_name, dump in (
        ("profile", f"profile-{n}.txt", profile_dump),
        ("bibtex", f"bibtex-{n}.bib", bibtex_dump),
        ("bibtex_real", f"bibtex-real-{n}.bib", real_bibtex_dump),
    ):
        wall, cpu, peak = _import_figures(work, _source(work, file_name, dump, n), runs)
        row[f"import_{name}_papers_per_s"] = n / wall
        row[f"import_{name}_papers_per_cpu_s"] = n / cpu
        row[f"import_{name}_s"] = wall
        row[f"import_{name}_peak_rss_mb"] = peak
    return row


def build_library(work: Path, n: int) -> Path:
    db = work / f"library-{n}" / "library.json"
    if not db.exists():
        source = _source(work, f"profile-{n}.txt", profile_dump, n)
        _run([*_command(), "--db", str(db), "import", str(source)])
    return db


def measure_list(db: Path, runs: int) -> dict[str, float]:
    times = [
        _run([*_command(), "--db", str(db), "list", "cat:LG year:>=2020 gradient", "--json"])[0]
        for _ in range(runs)
    ]
    return {"list_query_json_s": _median(times)}


def _session_peak_rss(sock: str) -> list[float]:
    """The reader's peak RSS (MB) over a session, not an idle start.

    The background loading is let finish, then a full-text search is typed;
    the high-water mark is read after that (once per size: it takes 6 s).
    """
    time.sleep(3.0)
    for keys in (["/"], ["-l", "gradient descent"], ["Enter"]):
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "0", *keys], check=False)
    time.sleep(3.0)
    peaks = []
    # The reader is the pane's shell's child (other readers may run on the machine).
    shell = subprocess.run(
        ["tmux", "-L", sock, "list-panes", "-t", "0", "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    pids = subprocess.run(
        ["pgrep", "-P", ",".join(shell) or "0"], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def measure_start(db: Path, n: int, runs: int) -> dict[str, float]:
    """Process start to the first painted list, read from a real terminal (tmux)."""
    if shutil.which("tmux") is None:
        return {}
    times = []
    peak_rss = []
    for run in range(runs):
        sock = f"paper-reader-bench-{os.getpid()}-{run}"
        env_prefix = f"env -u COLUMNS -u LINES TERM=xterm-256color PAPER_READER_DB={db}"
        cmd = f"{env_prefix} {' '.join(_command())}; sleep 60"
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "-L",
                sock,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                cmd,
            ],
            check=True,
        )
        shown = ""
        # The status line counts "1,234 of 100,000"; older readers wrote "of 100000".
        markers = (f"of {n:,}", f"of {n}")
        while time.perf_counter() - start < 60:
            shown = subprocess.run(
                ["tmux", "-L", sock, "capture-pane", "-p", "-t", "0"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if any(marker in shown for marker in markers):
                break
            time.sleep(0.01)
        times.append(time.perf_counter() - start)
        if run == runs - 1:
            peak_rss += _session_peak_rss(sock)
        subprocess.run(["tmux", "-L", sock, "kill-server"], check=False, capture_output=True)
        time.sleep(0.3)
    result = {"start_to_first_paint_s": _median(times)}
    if peak_rss:
        result["reader_peak_rss_mb"] = max(peak_rss)
    return result


def measure_in_process(db: Path, key_presses: int) -> dict[str, float]:
    """Key-to-repaint latencies, searches and store writes inside one process."""
    from textual import events

    from store.library import Library
    from store.model import ReadingStatus
    from store.query import parse as parse_query
    from tui.app import PaperReaderApp
    from tui.widgets.abstract_view import AbstractView
    from tui.widgets.search_bar import SearchBar

    library = Library(db)
    import gc

    gc.collect()
    gc.freeze()  # as the reader does after loading (tui.app.keep_out_of_gc)
    ids = [paper.id for paper in library.papers()]
    write_times = []
    for paper_id in ids[:20]:
        start = time.perf_counter()
        library.set_status([paper_id], ReadingStatus.READ)
        write_times.append(time.perf_counter() - start)
    # As the reader does in a worker after start: fold every paper once.
    library.prepare_search()
    full_text = []
    for word in ("gradient", "kernel regime", "zzzz"):
        start = time.perf_counter()
        library.search(parse_query(word))
        full_text.append(time.perf_counter() - start)

    class TimedApp(PaperReaderApp):
        """Counts frames so a key can be timed to the repaint it causes."""

        frames = 0

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                TimedApp.frames += 1

    app = TimedApp(library)
    move: list[float] = []
    move_detail: list[float] = []
    typing: list[float] = []
    settled: list[float] = []

    async def wait_frame(pilot: Any, before: int) -> None:
        deadline = time.perf_counter() + 2
        while TimedApp.frames == before and time.perf_counter() < deadline:
            await asyncio.sleep(0.0005)

    posted_at = [0.0]

    async def timed_key(
        pilot: Any, key: str, character: str, done: Callable[[], bool] = lambda: True
    ) -> float:
        # Post the key as the driver would (Pilot.press adds waits of its own), then
        # wait until the key's effect is in place and the frame showing it is out.
        await pilot.pause()
        start = posted_at[0] = time.perf_counter()
        app.post_message(events.Key(key, character))
        deadline = start + 5
        while not done() and time.perf_counter() < deadline:
            await asyncio.sleep(0.0005)
        before = TimedApp.frames
        await wait_frame(pilot, before)
        return time.perf_counter() - start

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            details = app.screen.query_one(AbstractView)

            def screen_painted() -> bool:
                screen = app.screen
                return not (
                    screen._layout_required
                    or screen._repaint_required
                    or screen._dirty_widgets
                    or screen._callbacks
                )

            def abstract_shown() -> bool:
                current = app.screen.paper_list.current
                return current is not None and details.shown_id == current.id

            for _ in range(key_presses):
                move.append(await timed_key(pilot, "j", "j"))
                start = posted_at[0]
                # Shown means painted: the pane has the paper and the screen has
                # nothing left to lay out or repaint (Textual's own bookkeeping).
                while not (abstract_shown() and screen_painted()):
                    if time.perf_counter() - start > 5:
                        break
                    await asyncio.sleep(0.0005)
                move_detail.append(time.perf_counter() - start)
            search = app.screen.query_one(SearchBar)
            app.screen.set_focus(search)
            await pilot.pause()
            typed = ""
            for char in "transformer lee":
                typed += char
                wanted = typed

                def shown(wanted: str = wanted) -> bool:
                    # the list shows a result of this query (titles and authors at least)
                    screen = app.screen
                    last = screen.searches.last
                    return screen.query_obj.text == wanted and (
                        last is not None and last.query is screen.query_obj
                    )

                key = "space" if char == " " else char
                typing.append(await timed_key(pilot, key, char, shown))
                start = posted_at[0]  # the key's own time, not the wait for quiet before it
                while not app.screen.search_settled and time.perf_counter() - start < 10:
                    await asyncio.sleep(0.002)
                settled.append(time.perf_counter() - start)

    asyncio.run(drive())
    return {
        "mark_read_ms": _median(write_times) * 1000,
        "full_text_search_ms": _median(full_text) * 1000,
        "cursor_key_to_repaint_p95_ms": _p95(move) * 1000,
        "cursor_key_to_repaint_median_ms": _median(move) * 1000,
        "cursor_key_to_abstract_p95_ms": _p95(move_detail) * 1000,
        "cursor_key_to_abstract_median_ms": _median(move_detail) * 1000,
        "search_key_to_repaint_median_ms": _median(typing) * 1000,
        "search_key_to_full_text_median_ms": _median(settled) * 1000,
    }


def measure_list_text(db: Path, runs: int) -> dict[str, float]:
    """The text ``list`` against ``list --json`` over the whole library (titles rendered once)."""
    text = [_run([*_command(), "--db", str(db), "list"])[0] for _ in range(runs)]
    as_json = [_run([*_command(), "--db", str(db), "list", "--json"])[0] for _ in range(runs)]
    return {"list_text_s": _median(text), "list_json_s": _median(as_json)}


def run(
    sizes: tuple[int, ...], work: Path, *, imports_only: bool = False, imports: bool = True
) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        runs = 3 if n <= 10_000 else 1
        row: dict[str, Any] = {"papers": n}
        if imports:
            row.update(measure_import(work, n, runs))
        if imports_only:
            rows.append(row)
            print(f"measured imports of {n} papers", file=sys.stderr)
            continue
        db = build_library(work, n)
        row.update(measure_list_text(db, runs))
        row.update(measure_list(db, runs))
        row.update(measure_start(db, n, 3))  # one start is too noisy to report
        row.update(measure_in_process(db, key_presses=60))
        rows.append(row)
        print(f"measured {n} papers", file=sys.stderr)
    return rows


COLUMNS: list[tuple[str, str, Callable[[float], str]]] = [
    ("import_profile_papers_per_s", "import profile (papers/s)", lambda v: f"{v:,.0f}"),
    ("import_bibtex_papers_per_s", "import BibTeX (papers/s)", lambda v: f"{v:,.0f}"),
    ("import_profile_papers_per_cpu_s", "import profile (papers/CPU s)", lambda v: f"{v:,.0f}"),
    ("import_bibtex_papers_per_cpu_s", "import BibTeX (papers/CPU s)", lambda v: f"{v:,.0f}"),
    (
        "import_bibtex_real_papers_per_s",
        "import realistic BibTeX (entries/s)",
        lambda v: f"{v:,.0f}",
    ),
    (
        "import_bibtex_real_papers_per_cpu_s",
        "import realistic BibTeX (entries/CPU s)",
        lambda v: f"{v:,.0f}",
    ),
    ("import_profile_peak_rss_mb", "import profile peak RSS (MB)", lambda v: f"{v:.0f}"),
    ("import_bibtex_peak_rss_mb", "import BibTeX peak RSS (MB)", lambda v: f"{v:.0f}"),
    (
        "import_bibtex_real_peak_rss_mb",
        "import realistic BibTeX peak RSS (MB)",
        lambda v: f"{v:.0f}",
    ),
    ("list_text_s", "list, text (s)", lambda v: f"{v:.2f}"),
    ("list_json_s", "list --json (s)", lambda v: f"{v:.2f}"),
    ("start_to_first_paint_s", "start to first paint (s)", lambda v: f"{v:.2f}"),
    ("cursor_key_to_repaint_p95_ms", "cursor key→repaint p95 (ms)", lambda v: f"{v:.1f}"),
    ("cursor_key_to_abstract_p95_ms", "cursor key→abstract shown p95 (ms)", lambda v: f"{v:.1f}"),
    ("search_key_to_repaint_median_ms", "search key→repaint median (ms)", lambda v: f"{v:.1f}"),
    (
        "search_key_to_full_text_median_ms",
        "search key→full-text result median (ms)",
        lambda v: f"{v:.0f}",
    ),
    ("full_text_search_ms", "full-text search, store only (ms)", lambda v: f"{v:.0f}"),
    ("mark_read_ms", "mark read (ms)", lambda v: f"{v:.2f}"),
    ("list_query_json_s", "list QUERY --json (s)", lambda v: f"{v:.2f}"),
    ("reader_peak_rss_mb", "reader peak RSS after a full-text search (MB)", lambda v: f"{v:.0f}"),
]


def table(rows: list[dict[str, Any]]) -> str:
    header = "| measure | " + " | ".join(f"{row['papers']:,}" for row in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]
    for key, label, fmt in COLUMNS:
        if not any(key in row for row in rows):
            continue  # not measured in this run (--imports-only)
        cells = [fmt(row[key]) if key in row else "–" for row in rows]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 10k only (under a minute)")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit library sizes")
    parser.add_argument("--work", type=Path, help="folder for generated files (kept)")
    parser.add_argument(
        "--imports-only",
        action="store_true",
        help="only import speed and peak memory, for profile dumps and BibTeX",
    )
    parser.add_argument(
        "--no-imports",
        action="store_true",
        help="skip the import measures (the reader's: list, start, keys, search, memory)",
    )
    args = parser.parse_args()
    sizes = tuple(args.sizes) if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    work = args.work or Path(tempfile.mkdtemp(prefix="paper-reader-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PAPER_READER_CONFIG"] = str(work / "settings.json")
    rows = run(sizes, work, imports_only=args.imports_only, imports=not args.no_imports)
    print(json.dumps(rows, indent=2))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
