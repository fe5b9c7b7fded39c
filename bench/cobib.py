"""``python -m bench.cobib``: paper-reader and coBib side by side on one BibTeX file.

coBib (https://github.com/cobib/cobib) is a terminal bibliography manager
with a Textual UI; it is not a dependency: install it in a throwaway venv
(``python -m venv /tmp/cobib-venv && /tmp/cobib-venv/bin/pip install cobib``)
and pass its executable with ``--cobib``. In one run, on the same generated
file, each tool is timed as a whole process (median of ``--runs``):

- **import**: the file into an empty library (``paper-reader import`` /
  ``cobib add -b``), a fresh library each run;
- **list**: every entry printed (``paper-reader list`` / ``cobib list``);
- **search**: one word over all fields (``paper-reader list WORD`` /
  ``cobib search WORD``);
- **first paint**: start to the list drawn in a 120×40 tmux pane (polled
  with ``capture-pane``).

coBib gets its own configuration, database and XDG folders in the work
folder, downloads off; nothing outside the work folder is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import bibtex_dump
from bench.generate_bib import real_bibtex_dump

SEARCH_WORD = "kernel"
# coBib's list shows entry labels; ten of them on screen means the list is drawn.
_LABELS = re.compile(r"\bkey\d+\b|\bref\d+\b")


def _paper_reader() -> list[str]:
    beside = Path(sys.executable).with_name("paper-reader")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "tui.cli"]


def _timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(args)}: exit {done.returncode}: {stderr[-500:]}")
    return elapsed


def _first_paint(command: str, env: dict[str, str], shown: Callable[[str], bool]) -> float:
    """Seconds from starting ``command`` in a 120×40 tmux pane to ``shown(screen)``."""
    sock = f"bench-cobib-{os.getpid()}"
    exports = " ".join(f"{key}={_quoted(value)}" for key, value in env.items())
    start = time.perf_counter()
    shell = f"env -u COLUMNS -u LINES TERM=xterm-256color {exports} {command}; sleep 60"
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-x", "120", "-y", "40", shell], check=True)
    elapsed = float("nan")
    try:
        while time.perf_counter() - start < 60:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "0"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if shown(screen):
                elapsed = time.perf_counter() - start
                break
            time.sleep(0.01)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
        time.sleep(0.3)
    return elapsed


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


class PaperReader:
    """paper-reader with its own store and settings in the work folder."""

    name = "paper-reader"

    def __init__(self, work: Path) -> None:
        self.work = work / "paper-reader"
        self.db = self.work / "library.json"
        self.env = {**os.environ, "PAPER_READER_CONFIG": str(self.work / "settings.json")}

    def fresh(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)

    def import_file(self, source: Path) -> float:
        return _timed([*_paper_reader(), "--db", str(self.db), "import", str(source)], self.env)

    def list_all(self) -> float:
        return _timed([*_paper_reader(), "--db", str(self.db), "list"], self.env)

    def search(self, word: str) -> float:
        return _timed([*_paper_reader(), "--db", str(self.db), "list", word], self.env)

    def first_paint(self, n: int) -> float:
        env = {
            "PAPER_READER_DB": str(self.db),
            "PAPER_READER_CONFIG": self.env["PAPER_READER_CONFIG"],
        }
        return _first_paint(" ".join(_paper_reader()), env, lambda screen: f"of {n:,}" in screen)


class CoBib:
    """coBib with its own configuration, database and XDG folders in the work folder."""

    name = "coBib"

    def __init__(self, work: Path, executable: str) -> None:
        self.work = work / "cobib"
        self.executable = executable
        self.database = self.work / "data" / "literature.yaml"
        config = self.work / "config.py"
        self.env = {
            **os.environ,
            "COBIB_CONFIG": str(config),
            "XDG_CONFIG_HOME": str(self.work / "config"),
            "XDG_DATA_HOME": str(self.work / "data"),
            "XDG_CACHE_HOME": str(self.work / "cache"),
            "XDG_STATE_HOME": str(self.work / "state"),
        }

    def fresh(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        (self.work / "config.py").write_text(
            "from cobib.config import config\n"
            f"config.database.file = {str(self.database)!r}\n"
            "config.database.git = False\n"
            "config.commands.add.skip_download = True\n",
            encoding="utf-8",
        )
        _timed([self.executable, "init"], self.env)

    def import_file(self, source: Path) -> float:
        return _timed([self.executable, "add", "--skip-download", "-b", str(source)], self.env)

    def list_all(self) -> float:
        return _timed([self.executable, "list"], self.env)

    def search(self, word: str) -> float:
        return _timed([self.executable, "search", word], self.env)

    def first_paint(self, n: int) -> float:
        env = {key: self.env[key] for key in self.env if key.startswith(("COBIB", "XDG"))}
        return _first_paint(self.executable, env, lambda s: len(_LABELS.findall(s)) >= 10)


def measure(tool: PaperReader | CoBib, source: Path, n: int, runs: int) -> dict[str, float]:
    """Median seconds of each operation; the imports each into a fresh library."""
    imports = []
    for _ in range(runs):
        tool.fresh()
        imports.append(tool.import_file(source))
    return {
        "import_s": statistics.median(imports),
        "list_s": statistics.median(tool.list_all() for _ in range(runs)),
        "search_s": statistics.median(tool.search(SEARCH_WORD) for _ in range(runs)),
        "first_paint_s": statistics.median(tool.first_paint(n) for _ in range(runs)),
    }


TARGETS = {"import_s": 12, "list_s": 12, "search_s": 8, "first_paint_s": 6}


def table(ours: dict[str, float], theirs: dict[str, float], n: int) -> str:
    lines = [
        f"| on {n:,} BibTeX entries | paper-reader (s) | coBib (s) | faster | target |",
        "|---|---|---|---|---|",
    ]
    for key, target in TARGETS.items():
        ratio = theirs[key] / ours[key]
        label = key.removesuffix("_s").replace("_", " ")
        lines.append(
            f"| {label} | {ours[key]:.2f} | {theirs[key]:.2f} | {ratio:.1f}× | ≥ {target}× |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cobib", description=__doc__)
    parser.add_argument("--cobib", default="/tmp/cobib-venv/bin/cobib", help="coBib's executable")
    parser.add_argument("-n", type=int, default=5000, help="entries in the file")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for the file and both libraries")
    parser.add_argument(
        "--realistic", action="store_true", help="bench.generate_bib's file (@string, crossref)"
    )
    args = parser.parse_args()
    if shutil.which(args.cobib) is None:
        parser.error(f"no coBib at {args.cobib}: install it in a throwaway venv (see --help)")
    if shutil.which("tmux") is None:
        parser.error("tmux is needed to time the first paint")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-cobib-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{'real' if args.realistic else 'uniform'}-{args.n}.bib"
    if not source.exists():
        dump = real_bibtex_dump if args.realistic else bibtex_dump
        source.write_text(dump(args.n), encoding="utf-8")
    ours = measure(PaperReader(work), source, args.n, args.runs)
    theirs = measure(CoBib(work, args.cobib), source, args.n, args.runs)
    print(json.dumps({"paper-reader": ours, "coBib": theirs, "entries": args.n}, indent=2))
    print()
    print(table(ours, theirs, args.n))


if __name__ == "__main__":
    main()
