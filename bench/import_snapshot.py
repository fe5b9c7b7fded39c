"""Import every file of ``tests/data`` (and a few generated ones) into fresh stores, clock frozen.

Two runs of this script, one on the code before a change and one after, give
two directory trees that ``diff -r`` compares byte for byte: a change meant to
leave imports alone (a faster splitter, leaner memory) must leave them identical.
Run it with ``PYTHONHASHSEED=0``: the rendered-title cache is written in set order.

    PYTHONHASHSEED=0 python -m bench.import_snapshot OUT_DIR [--generated N] [--inputs DIR]

The inputs are copied to one fixed directory first, since stores and messages
name the files they were imported from.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
from pathlib import Path

from store import clock

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _import(store_dir: Path, files: list[Path]) -> None:
    from tui.cli import main

    store_dir.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    argv = ["--db", str(store_dir / "library.json"), "import", *map(str, files)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code: object = main(argv)
        except SystemExit as exit_:
            code = exit_.code
    (store_dir / "output.txt").write_text(f"exit {code}\n{out.getvalue()}", encoding="utf-8")


def main() -> None:
    """Write one store per input file, one for all BibTeX files together, one per generated file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--generated", type=int, default=3000)
    parser.add_argument("--inputs", type=Path, default=Path("/tmp/import-snapshot-inputs"))
    args = parser.parse_args()
    clock.now_iso = lambda: "2026-01-01T00:00:00Z"
    inputs: Path = args.inputs
    shutil.rmtree(inputs, ignore_errors=True)
    shutil.copytree(DATA, inputs)
    files = sorted(p for p in inputs.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    for path in files:
        _import(args.out / path.parent.name / path.name, [path])
    _import(args.out / "all-bibtex", sorted((inputs / "bibtex").glob("*.bib")))
    if args.generated:
        from bench.generate import bibtex_dump
        from bench.generate_bib import real_bibtex_dump

        for name, text in (
            ("uniform.bib", bibtex_dump(args.generated)),
            ("realistic.bib", real_bibtex_dump(args.generated)),
        ):
            (inputs / name).write_text(text, encoding="utf-8")
            _import(args.out / "generated" / name, [inputs / name])


if __name__ == "__main__":
    main()
