"""Every store file that importing the test inputs writes, for a before/after comparison.

An import change that only makes imports faster must leave the store byte for
byte as it was. Run this with two code trees and compare the folders::

    git archive BASE | tar -x -C /tmp/base
    PYTHONHASHSEED=0 PYTHONPATH=/tmp/base python -m bench.import_snapshot /tmp/before
    PYTHONHASHSEED=0 python -m bench.import_snapshot /tmp/after
    diff -r /tmp/before /tmp/after   # only the first line of summaries.txt differs

(``PYTHONHASHSEED``: the rendered-titles cache is written in set order.) The
inputs are every file of ``tests/data`` and ``sample_data``, a generated
profile dump of 10,000 entries, two generated BibTeX files of 3,000 (one
clean shape, one like real bibliographies), and three profile dumps made from the sample
that hold duplicates (the same entry again, a year later, under another first
author, with its title re-cased), lone-CR line endings and a second profile.
Each is imported alone into a fresh store and then again (which must add
nothing), all of them one after another into one store and again, and all in
one command and again. The clock is frozen; the summaries, warnings and
merges are written to ``summaries.txt``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bench.generate import bibtex_dump, profile_dump
from bench.generate_bib import real_bibtex_dump

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 1)
_HEADER = re.compile(
    r"^(?=[A-Z][A-Za-z.-]{0,15}?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{1,2}(?:, \d{4})? ?(?:Code)?$)",
    re.MULTILINE,
)


def _variants(folder: Path) -> list[Path]:
    """Profile dumps made from the sample, each holding what the identity rules must sort out."""
    text = (ROOT / "sample_data" / "jason-d-lee-profile.txt").read_text(encoding="utf-8")
    head, *entries = _HEADER.split(text)
    lines = [entry.split("\n") for entry in entries]
    dups = [head, *entries, *entries[:5]]  # the same entries again
    for entry in lines[5:15]:  # a year later, and three years later
        year = re.search(r", (\d{4})", entry[0])
        if year:
            for shift in (1, 3):
                moved = entry[0].replace(year.group(0), f", {int(year.group(1)) + shift}")
                dups.append("\n".join([moved, *entry[1:]]))
    for entry in lines[15:22]:  # another first author
        dups.append("\n".join([*entry[:3], "Zed Quux, " + entry[3], *entry[4:]]))
    for entry in lines[22:30]:  # the title re-cased and re-punctuated
        dups.append("\n".join([entry[0], entry[1].upper().replace(":", " --") + "!", *entry[2:]]))
    dups += ["\n".join(entry[:2]) + "\n" for entry in lines[34:37]]  # only a title
    dups += ["LGFeb 30, 2021\nImpossible date\n\nA B\n\nText.\n", entries[40], entries[40]]
    dups += [entry.replace("\n", "\r\n") for entry in entries[42:46]]
    made = {
        "dups-profile.txt": "".join(part if part.endswith("\n") else part + "\n" for part in dups),
        "other-profile.txt": "Other Person\n\nCL\n\n" + "".join(entries[::3] + entries[:5]),
        "cr-profile.txt": "".join(entries[20:40]).replace("\n", "\r"),
    }
    for name, content in made.items():
        (folder / name).write_text(content, encoding="utf-8", newline="")
    generated = {
        "profile-10000.txt": profile_dump(10_000),
        "uniform-3000.bib": bibtex_dump(3_000),
        "realistic-3000.bib": real_bibtex_dump(3_000),
    }
    for name, content in generated.items():
        (folder / name).write_text(content, encoding="utf-8")
    return [folder / name for name in (*made, *generated)]


def main() -> None:
    """Write the snapshot into the folder named on the command line."""
    from store import clock
    from store.errors import PaperReaderError
    from store.importing import import_files
    from store.library import Library

    clock.now_iso = lambda: "2026-12-01T12:00:00Z"
    out = Path(sys.argv[1])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log = (out / "summaries.txt").open("w", encoding="utf-8")
    print("code from", Path(clock.__file__).parent, file=log)

    def run(scenario: str, db: Path, paths: list[str]) -> None:
        try:
            done = import_files(Library(db), paths, as_of=AS_OF)
        except PaperReaderError as err:
            print(scenario, "ERROR", err, file=log)
            return
        for item in done:
            print(scenario, Path(item.path).name, item.summary, file=log)
            for warning in item.summary.warnings:
                print("   warning", warning, file=log)
            for merge in item.summary.merges:
                print("   merged", merge, file=log)

    def keep(db: Path, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        for file in db.parent.iterdir():
            if not file.name.endswith(".lock"):
                shutil.copy(file, dest / file.name)

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        inputs = sorted(p for p in (ROOT / "tests" / "data").glob("*/*") if p.suffix != ".md")
        # A fixed folder: the store records where each input came from.
        made = Path(tempfile.gettempdir()) / "import-snapshot-inputs"
        made.mkdir(exist_ok=True)
        inputs += [ROOT / "sample_data" / "jason-d-lee-profile.txt", *_variants(made)]
        files = [str(path) for path in inputs]
        for path in files:
            db = work / "stores" / Path(path).name / "library.json"
            run("alone", db, [path])
            keep(db, out / "alone" / Path(path).name)
            run("again", db, [path])
            keep(db, out / "again" / Path(path).name)
        db = work / "seq" / "library.json"
        for path in files:
            run("seq", db, [path])
        keep(db, out / "seq")
        for path in files:
            run("seq-again", db, [path])
        keep(db, out / "seq-again")
        db = work / "one" / "library.json"
        run("one", db, files)
        keep(db, out / "one")
        run("one-again", db, files)
        keep(db, out / "one-again")
    log.close()


if __name__ == "__main__":
    main()
