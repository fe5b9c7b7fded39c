"""Does the suite notice when behaviour breaks? One-line breakages, applied one at a time.

    python -m tests.mutations                 # every mutation in MUTATIONS
    python -m tests.mutations --only r-noop   # some of them (names, comma-separated)
    python -m tests.mutations --list

Each mutation is a search/replace of one snippet in one file. The repository
is copied to a temporary folder, the snippet replaced there, and the chosen
test files run there (``pytest -x``, this checkout's interpreter, PYTHONPATH
pointing at the copy). A mutation is *caught* when a test that passes on the
unmutated copy fails with it: tests that already fail (rules not implemented
yet) are left out, so they can neither hide nor fake a catch. A snippet that
is not in its file, or is there more than once, is reported as such, never
as a catch. Not part of the suite (it is slow); run it by hand.

When the code moves, retarget a row of MUTATIONS: the file, the exact text to
find (it may span lines to be unique) and what to put instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IDENTITY = ("tests/cli/test_identity_rules.py", "tests/store/test_library.py")
# The tests that pin the rule itself (a prefix of test ids selects them).
TITLE_RULE = (
    "tests/cli/test_identity_rules.py::test_same_title",
    "tests/cli/test_identity_rules.py::test_short_title",
    "tests/store/test_library.py::test_weak_evidence",
)
READER = ("tests/tui/test_reader.py",)
CLI = ("tests/cli/test_cli.py",)
ATOMIC = ("tests/reliability/test_atomic_order.py", "tests/reliability/test_disk_errors.py")
COPYING = ("tests/tui/test_reader.py", "tests/tui/test_clipboard.py")
SANITISING = (
    "tests/cli/test_cli.py",
    "tests/reliability/test_hostile_input.py",
    "tests/reliability/test_terminal_safety.py",
    "tests/store/test_text.py",
)
EXPORTS = ("tests/cli/test_cli.py", "tests/formats/test_bibtex.py")


@dataclass(frozen=True)
class Mutation:
    """One breakage: replace ``old`` (exactly once in ``file``) with ``new``."""

    name: str
    what: str
    file: str
    old: str
    new: str
    tests: Sequence[str]  # test files, or prefixes of test ids ("file::test_name")


# fmt: off
MUTATIONS = [
    Mutation("title-no-year", "title matching ignores the year",
             "store/identity.py",
             "return f\"{title}|{year or ''}|{surname}\"",
             "return f\"{title}||{surname}\"",
             TITLE_RULE),
    Mutation("title-alone", "title matching uses the title alone",
             "store/identity.py",
             "return f\"{title}|{year or ''}|{surname}\"",
             "return f\"{title}||\"",
             TITLE_RULE),
    Mutation("doi-no-title", "a DOI match ignores whether the titles agree",
             "store/identity.py",
             "RETARGET: the line where a DOI match requires agreeing titles",
             "",
             IDENTITY),
    Mutation("r-noop", "`r` in the reader does nothing",
             "tui/screens/main.py",
             'self._change(f"Marked {status}", ids, lambda ids: library.set_status(ids, status))',
             'self._change(f"Marked {status}", ids, lambda ids: {})',
             READER),
    Mutation("note-empty-kept", "`note ID ''` does not clear the note",
             "tui/cli.py",
             "    library.set_note(args.id, note)\n",
             "    library.set_note(args.id, note) if note else None\n",
             CLI),
    Mutation("star-not-written", "a star changes memory but is never written",
             "store/library.py",
             "return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))",
             "return self._states.update({i: replace(self.state(i), starred=starred)"
             " for i in ids}) or {}",
             ("tests/store/test_library.py", *CLI, *READER)),
    Mutation("no-temp-fsync", "no fsync of the temp file before the rename",
             "store/repository.py",
             "                handle.flush()\n                os.fsync(handle.fileno())\n",
             "                handle.flush()\n",
             ATOMIC),
    Mutation("no-folder-fsync", "no fsync of the folder after the rename",
             "store/repository.py",
             "\n    _fsync_folder(path.parent)\n",
             "\n    pass\n",
             ATOMIC),
    Mutation("c-copies-code", "`c` copies the code link instead of the paper link",
             "tui/screens/main.py",
             'self._copy("paper link", paper_link(paper))',
             'self._copy("paper link", code_link(paper) or paper_link(paper))',
             COPYING),
    Mutation("link-wrong-field", "the paper link is built from the DOI field for arXiv",
             "store/links.py",
             "quote(paper.arxiv_id.strip(), safe='/.:')",
             "quote(paper.doi.strip(), safe='/.:')",
             ("tests/tui/test_clipboard.py", "tests/formats/test_markdown_csv.py",
              "tests/reliability/test_terminal_safety.py", *CLI)),
    Mutation("escapes-kept", "escape sequences are not removed from titles",
             "store/text.py",
             "        strip_escape_sequences(_valid_unicode(text))\n",
             "        _valid_unicode(text)\n",
             SANITISING),
    Mutation("bibtex-no-doi", "BibTeX export drops the DOI",
             "store/formats/bibtex.py",
             '    add("doi", _escape_verbatim(paper.doi))\n',
             "    pass\n",
             EXPORTS),
]
# fmt: on

_IGNORED = shutil.ignore_patterns(
    ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "__pycache__", "*.egg-info"
)
_PLUGIN = """
import json, os

def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        with open(os.environ["MUTATION_OUTCOMES"], "a", encoding="utf-8") as out:
            out.write(json.dumps([report.nodeid, report.when, report.outcome]) + "\\n")
"""


@contextmanager
def repository_copy() -> Iterator[Path]:
    """A throw-away copy of this checkout (no git, no caches)."""
    with tempfile.TemporaryDirectory(prefix="paper-reader-mutant-") as folder:
        copy = Path(folder) / "repo"
        shutil.copytree(ROOT, copy, ignore=_IGNORED)
        (Path(folder) / "mutation_outcomes_plugin.py").write_text(_PLUGIN, encoding="utf-8")
        yield copy


def snippet_problem(mutation: Mutation, tree: Path) -> str:
    """Why the mutation cannot be applied in ``tree``, or "" when it can."""
    target = tree / mutation.file
    if not target.is_file():
        return f"file not found: {mutation.file}"
    found = target.read_text(encoding="utf-8").count(mutation.old)
    if found != 1:
        return "snippet not found" if found == 0 else f"snippet found {found} times"
    return ""


def apply(mutation: Mutation, copy: Path) -> None:
    """Patch the copy (the snippet was checked to be there exactly once)."""
    target = copy / mutation.file
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(mutation.old, mutation.new, 1), encoding="utf-8")


def run_pytest(copy: Path, args: Sequence[str], *, stop_first: bool) -> tuple[int, dict[str, str]]:
    """pytest in the copy; returns its exit code and each test's outcome."""
    outcomes = copy.parent / "outcomes.jsonl"
    outcomes.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, (str(copy), str(copy.parent), env.get("PYTHONPATH")))
    )
    env["MUTATION_OUTCOMES"] = str(outcomes)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "mutation_outcomes_plugin", "-p", "no:randomly"]
    command += ["-x"] if stop_first else []
    done = subprocess.run(
        [*command, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=1800
    )
    results: dict[str, str] = {}
    if outcomes.exists():
        for line in outcomes.read_text(encoding="utf-8").splitlines():
            nodeid, _when, outcome = json.loads(line)
            if results.get(nodeid) != "failed":  # a failing setup or teardown fails the test
                results[nodeid] = outcome
    return done.returncode, results


def check_copy_is_tested(copy: Path) -> None:
    """Refuse to run when the copy's code would not be the code under test."""
    env = dict(os.environ, PYTHONPATH=str(copy))
    probe = "import store, tui; print(store.__file__); print(tui.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=copy, env=env, capture_output=True, text=True
    )
    paths = done.stdout.split()
    if done.returncode != 0 or not all(p.startswith(str(copy)) for p in paths):
        raise SystemExit(f"the copy's code is not what Python imports there: {done.stdout}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated mutation names")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only.split(",")]
    if args.list or not chosen:
        for m in MUTATIONS:
            print(f"{m.name:18} {m.file:26} {m.what}")
        return 0 if chosen else 2

    problems = {m.name: snippet_problem(m, ROOT) for m in chosen}
    files = sorted({t.split("::")[0] for m in chosen if not problems[m.name] for t in m.tests})
    print(f"baseline: {len(files)} test files on the unmutated copy ...", file=sys.stderr)
    with repository_copy() as copy:
        check_copy_is_tested(copy)
        _code, baseline = run_pytest(copy, files, stop_first=False) if files else (0, {})
    passing = {nodeid for nodeid, outcome in baseline.items() if outcome == "passed"}
    failing = sorted(nodeid for nodeid, outcome in baseline.items() if outcome == "failed")
    print(f"baseline: {len(passing)} pass, {len(failing)} fail (left out)", file=sys.stderr)

    rows = []
    for mutation in chosen:
        started = time.monotonic()
        selected = sorted(n for n in passing if n.startswith(tuple(mutation.tests)))
        if problems[mutation.name]:
            rows.append((mutation, problems[mutation.name].upper(), "", 0, 0.0))
            continue
        if not selected:
            rows.append((mutation, "NO PASSING TESTS", "", 0, 0.0))
            continue
        with repository_copy() as copy:
            apply(mutation, copy)
            code, outcomes = run_pytest(copy, selected, stop_first=True)
        failed = [n for n, outcome in outcomes.items() if outcome == "failed"]
        if code == 1 and failed:
            verdict = "yes"
        elif code == 0:
            verdict = "NO"
        else:
            verdict = f"ERROR (pytest exit {code})"
        rows.append((mutation, verdict, failed[0] if failed else "", len(selected),
                     time.monotonic() - started))  # fmt: skip
        print(f"{mutation.name}: {verdict}", file=sys.stderr)

    print("| mutation | file | caught (suite failed) | first failing test | tests | s |")
    print("|---|---|---|---|---|---|")
    for mutation, verdict, first, count, seconds in rows:
        print(
            f"| {mutation.name}: {mutation.what} | `{mutation.file}` | {verdict} | "
            f"{first.replace('|', '/') or '-'} | {count} | {seconds:.0f} |"
        )
    if failing:
        print(f"\nLeft out ({len(failing)} tests fail without any mutation):")
        for nodeid in failing:
            print(f"  {nodeid}")
    return 0 if all(verdict == "yes" for _m, verdict, *_ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
