"""Does the suite notice when behaviour breaks? One-line breakages, applied one at a time.

    python -m tests.mutations                 # every mutation in MUTATIONS
    python -m tests.mutations --only r-noop   # some of them (names, comma-separated)
    python -m tests.mutations --list

Each mutation is a search/replace of one snippet in one file (the first of its
targets found in this checkout, so a row can follow code that moved). The repository
is copied to a temporary folder, the snippet replaced there, and the chosen
test files run there (``pytest -x``, this checkout's interpreter, PYTHONPATH
pointing at the copy). A mutation is *caught* when a test that passes on the
unmutated copy fails with it: tests that already fail (rules not implemented
yet) are left out, so they can neither hide nor fake a catch. A snippet that
is not in its file, or is there more than once, is reported as such, never
as a catch. Not part of the suite (it is slow); run it by hand.

When the code moves, retarget a row of MUTATIONS (or add a Target to it): the
file, the exact text to find (it may span lines to be unique) and what to put
instead. ``--list`` shows where each row applies in this checkout.
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
class Target:
    """Replace ``old`` (exactly once in ``file``) with ``new``."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutation:
    """One breakage, with the places it may live; the first target found is applied.

    Several targets let one row follow code that moved (the store before and
    after the identity rewrite, tui/cli.py before and after it became a package).
    """

    name: str
    what: str
    targets: Sequence[Target]
    tests: Sequence[str]  # test files, or prefixes of test ids ("file::test_name")


# fmt: off
MUTATIONS = [
    Mutation("title-no-year", "title matching ignores the year", [
        Target("store/identity.py",
               "return f\"{title}|{year or ''}|{surname}\"",
               "return f\"{title}||{surname}\""),
        Target("store/identity.py",
               "    if not _years_within_one(a.year, b.year) or not (a.surname and a.surname == b.surname):",  # noqa: E501
               "    if not (a.surname and a.surname == b.surname):"),
    ], TITLE_RULE),
    Mutation("title-alone", "title matching uses the title alone", [
        Target("store/identity.py",
               "return f\"{title}|{year or ''}|{surname}\"",
               "return f\"{title}||\""),
        Target("store/identity.py",
               "    if _same_by_title(a, b):\n",
               "    if titles_agree:\n"),
    ], TITLE_RULE),
    Mutation("venues-ignored", "two different venues do not keep a title match apart", [
        Target("store/identity.py",
               "    if a.venue and b.venue and a.venue != b.venue and not (a.preprint or b.preprint):",  # noqa: E501
               "    if False:"),
    ], IDENTITY),
    Mutation("doi-no-title", "a DOI match ignores whether the titles agree", [
        Target("store/identity.py",
               "        if titles_agree and years_fit:\n",
               "        if years_fit:\n"),
    ], IDENTITY),
    Mutation("arxiv-no-title", "an arXiv id match between user files ignores the titles", [
        Target("store/identity.py",
               "        if a.from_arxiv_api or b.from_arxiv_api or titles_agree:\n",
               "        if True:\n"),
    ], IDENTITY),
    Mutation("alias-ignored", "a source key is not looked up on re-import", [
        Target("store/identity.py",
               "        return self._alias.get((source, key))\n",
               "        return None\n"),
    ], IDENTITY),
    Mutation("r-noop", "`r` in the reader does nothing", [
        Target("tui/screens/main.py",
               "lambda ids: library.set_status(ids, status))",
               "lambda ids: {})"),
        Target("tui/screens/decisions.py",
               'self._change(f"Marked {status.label}", ids, status_edit(ids, status, clock.now_iso()))',  # noqa: E501
               "return"),
    ], READER),
    Mutation("note-empty-kept", "`note ID ''` does not clear the note", [
        Target("tui/cli.py",
               "    library.set_note(args.id, note)\n",
               "    library.set_note(args.id, note) if note else None\n"),
        Target("tui/cli/state.py",
               "    library.set_note(paper_id, note)\n",
               "    library.set_note(paper_id, note) if note else None\n"),
    ], CLI),
    Mutation("star-not-written", "a star changes memory but is never written", [
        Target("store/library.py",
               "return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))",  # noqa: E501
               "return self._states.update({i: replace(self.state(i), starred=starred)"
               " for i in ids}) or {}"),
        Target("store/state_writes.py",
               "return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))",  # noqa: E501
               "return self._states.update({i: replace(self.state(i), starred=starred)"
               " for i in ids}) or {}"),
        # The reader previews a star at once; the write then leaves the star out.
        Target("store/state_writes.py",
               "changes = {pid: state for pid, state in changes.items() if state != previous[pid]}",
               "changes = {pid: state for pid, state in changes.items()"
               " if state != previous[pid] and state.starred == previous[pid].starred}"),
    ], ("tests/store/test_library.py", *CLI, *READER)),
    Mutation("no-temp-fsync", "no fsync of the temp file before the rename", [
        Target("store/repository.py",
               "                handle.flush()\n                os.fsync(handle.fileno())\n",
               "                handle.flush()\n"),
        Target("store/atomic.py",
               "                handle.flush()\n                os.fsync(handle.fileno())\n",
               "                handle.flush()\n"),
    ], ATOMIC),
    Mutation("no-folder-fsync", "no fsync of the folder after the rename", [
        Target("store/repository.py",
               "\n    _fsync_folder(path.parent)\n",
               "\n    pass\n"),
        Target("store/atomic.py",
               "    fsync_folder(path.parent)\n\n\ndef discard(",
               "    pass\n\n\ndef discard("),
    ], ATOMIC),
    Mutation("c-copies-code", "`c` copies the code link instead of the paper link", [
        Target("tui/screens/main.py",
               'self._copy("paper link", paper_link(paper))',
               'self._copy("paper link", code_link(paper) or paper_link(paper))'),
        Target("tui/screens/paper_links.py",
               'self._copy("paper link", paper_link(paper))',
               'self._copy("paper link", code_link(paper) or paper_link(paper))'),
    ], COPYING),
    Mutation("link-wrong-field", "the paper link is built from the DOI field for arXiv", [
        Target("store/links.py",
               "quote(paper.arxiv_id.strip(), safe='/.:')",
               "quote(paper.doi.strip(), safe='/.:')"),
    ], ("tests/tui/test_clipboard.py", "tests/formats/test_markdown_csv.py",
        "tests/reliability/test_terminal_safety.py", *CLI)),
    Mutation("escapes-kept", "escape sequences are not removed from titles", [
        Target("store/text.py",
               "        strip_escape_sequences(_valid_unicode(text))\n",
               "        _valid_unicode(text)\n"),
    ], SANITISING),
    Mutation("bibtex-no-doi", "BibTeX export drops the DOI", [
        Target("store/formats/bibtex.py",
               '    add("doi", _escape_verbatim(paper.doi))\n',
               "    pass\n"),
        Target("store/formats/bibtex_export.py",
               '    add("doi", _escape_verbatim(paper.doi))\n',
               "    pass\n"),
    ], EXPORTS),
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


def locate(mutation: Mutation, tree: Path) -> tuple[Target | None, str]:
    """The first target found exactly once in ``tree``, else None and why not."""
    problems = []
    for target in mutation.targets:
        path = tree / target.file
        found = path.read_text(encoding="utf-8").count(target.old) if path.is_file() else -1
        if found == 1:
            return target, ""
        problems.append(
            f"file not found: {target.file}"
            if found < 0
            else f"snippet not found in {target.file}"
            if found == 0
            else f"snippet found {found} times in {target.file}"
        )
    return None, "; ".join(problems)


def apply(target: Target, copy: Path) -> None:
    """Patch the copy (the snippet was checked to be there exactly once)."""
    path = copy / target.file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(target.old, target.new, 1), encoding="utf-8")


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
            target, problem = locate(m, ROOT)
            print(f"{m.name:18} {target.file if target else problem:30} {m.what}")
        return 0 if chosen else 2

    located = {m.name: locate(m, ROOT) for m in chosen}
    files = sorted({t.split("::")[0] for m in chosen if located[m.name][0] for t in m.tests})
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
        target, problem = located[mutation.name]
        if target is None:
            rows.append((mutation, "", f"NOT APPLIED: {problem}", "", 0, 0.0))
            continue
        if not selected:
            rows.append((mutation, target.file, "NO PASSING TESTS", "", 0, 0.0))
            continue
        with repository_copy() as copy:
            apply(target, copy)
            code, outcomes = run_pytest(copy, selected, stop_first=True)
        failed = [n for n, outcome in outcomes.items() if outcome == "failed"]
        if code == 1 and failed:
            verdict = "yes"
        elif code == 0:
            verdict = "NO"
        else:
            verdict = f"ERROR (pytest exit {code})"
        rows.append((mutation, target.file, verdict, failed[0] if failed else "", len(selected),
                     time.monotonic() - started))  # fmt: skip
        print(f"{mutation.name}: {verdict}", file=sys.stderr)

    print("| mutation | file | caught (suite failed) | first failing test | tests | s |")
    print("|---|---|---|---|---|---|")
    for mutation, file, verdict, first, count, seconds in rows:
        print(
            f"| {mutation.name}: {mutation.what} | `{file or '-'}` | {verdict} | "
            f"{first.replace('|', '/') or '-'} | {count} | {seconds:.0f} |"
        )
    if failing:
        print(f"\nLeft out ({len(failing)} tests fail without any mutation):")
        for nodeid in failing:
            print(f"  {nodeid}")
    return 0 if all(verdict == "yes" for _m, _f, verdict, *_ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
