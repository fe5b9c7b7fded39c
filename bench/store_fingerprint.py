"""What imports write, in a form two versions of the code can be compared by.

``python -m bench.store_fingerprint OUT_DIR [--tree SRC] [EXTRA_FILE ...]``
imports every file of ``tests/data`` into a fresh store of its own, then all
of them into one store (so that papers meet across formats), then each extra
file, each import one ``paper-reader import`` process run from the source
tree ``SRC`` (default: this checkout). Every file the stores hold is written
under ``OUT_DIR`` with the import's timestamps blanked and the rendered-title
cache's renderer signature dropped (it hashes the renderer's source, which is
what changes), with a ``SUMS`` file of their SHA-256. Two runs, one from the
code before a change and one after, must then give the same ``SUMS``:
``diff -r BEFORE AFTER`` names any paper that came out differently.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

_HERE = Path(__file__).resolve().parents[1]
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_RUN = "import sys; sys.path.insert(0, sys.argv.pop(1)); from tui.cli import main; sys.exit(main())"


def _import(tree: Path, store: Path, files: list[Path]) -> str:
    """Run one import from ``tree`` into ``store``; its summary lines."""
    command = [sys.executable, "-c", _RUN, str(tree), "--db", str(store / "library.json")]
    done = subprocess.run(
        [*command, "import", *map(str, files)], capture_output=True, text=True, check=False
    )
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def _normalised(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.name.endswith(".titles.json"):
        data = orjson.loads(raw)
        data.pop("renderer", None)
        raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    return _TIMESTAMP.sub(b"<time>", raw)


def main() -> None:
    """Import, then write the normalised store files and their sums."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--tree", type=Path, default=_HERE)
    parser.add_argument("extra", type=Path, nargs="*")
    options = parser.parse_intermixed_args()
    data = sorted(
        path for path in (_HERE / "tests" / "data").glob("*/*") if path.name != "SOURCES.md"
    )
    cases = [(path.name, [path]) for path in data]
    cases.append(("all-together", data))
    cases.extend((path.name, [path]) for path in options.extra)
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    sums: list[str] = []
    for name, files in cases:
        with tempfile.TemporaryDirectory() as work:
            store = Path(work)
            summary = _import(options.tree, store, files).replace(str(_HERE), "<repo>")
            (out / f"{name}.summary").write_text(summary, encoding="utf-8")
            sums.append(f"{hashlib.sha256(summary.encode()).hexdigest()}  {name}.summary")
            for path in sorted(store.iterdir()):
                if path.name.endswith(".lock"):
                    continue
                text = _normalised(path)
                (out / f"{name}--{path.name}").write_bytes(text)
                sums.append(f"{hashlib.sha256(text).hexdigest()}  {name}--{path.name}")
        print(name, file=sys.stderr)
    (out / "SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
