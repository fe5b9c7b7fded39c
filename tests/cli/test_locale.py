"""The real command line under a POSIX locale, with closed streams and without a terminal.

Each test runs ``paper-reader`` in a child process, through ``sh`` where a
standard stream must be truly closed (``<&-``, ``>&-``), as a user's shell
or a cron job would start it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.library import Library
from tests.conftest import REALDATA, ROOT, child_env

INDOLOGY = REALDATA / "bibtex" / "indology-iast-utf8-and-latex-accents.bib"
TITLE = "Brahmāṇḍapurāṇam"  # a title of that file


def posix_env() -> dict[str, str]:
    """An ASCII locale with Python's UTF-8 mode off: what `LC_ALL=POSIX` shells get."""
    env = child_env()
    for name in ("PYTHONIOENCODING", "LANG", "LANGUAGE", "LC_CTYPE"):
        env.pop(name, None)
    env.update(LC_ALL="POSIX", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    return env


def run(
    db: Path, *args: str, redirect: str = "", stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``paper-reader --db DB ARGS REDIRECT`` from ``sh`` under the POSIX locale."""
    script = f'"$@" {redirect}'
    command = [sys.executable, "-m", "tui.cli", "--db", str(db), *args]
    return subprocess.run(
        ["sh", "-c", script, "sh", *command],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        env=posix_env(),
    )


def one_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text
    assert text.count("\n") == 1, text
    return text


@pytest.fixture
def store(db_path: Path) -> Path:
    done = run(db_path, "import", str(INDOLOGY))
    assert done.returncode == 0, done.stderr
    return db_path


def some_id(db: Path) -> str:
    return next(p.id for p in Library(db).papers() if TITLE in p.title)


def test_the_posix_locale_gets_the_python_we_mean() -> None:
    probe = "import sys; print(sys.stdout.encoding, sys.flags.utf8_mode)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, env=posix_env(), check=True
    )
    assert done.stdout.split() == [b"ascii", b"0"]  # else this file tests nothing


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--json"),
        ("show", "<id>"),
        ("export", "--format", "bibtex"),
        ("export", "--format", "json"),
        ("export", "--format", "markdown"),
        ("export", "--format", "csv"),
        ("stats",),
    ],
)
def test_output_is_utf8_whatever_the_locale(store: Path, args: tuple[str, ...]) -> None:
    args = tuple(some_id(store) if a == "<id>" else a for a in args)
    done = run(store, *args)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    out = done.stdout.decode("utf-8")  # strict: not one byte of another encoding
    if args[0] != "stats":
        assert TITLE in out


def test_import_reports_under_the_posix_locale(db_path: Path) -> None:
    done = run(db_path, "import", str(INDOLOGY))
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr + done.stdout
    assert any(TITLE in p.title for p in Library(db_path).papers())


def test_a_note_from_stdin_is_read_as_utf8(store: Path) -> None:
    paper_id = some_id(store)
    done = run(store, "note", paper_id, stdin="Żurada\n".encode())
    assert done.returncode == 0, done.stderr
    assert Library(store).state(paper_id).note == "Żurada"


def test_a_note_that_is_not_utf8_is_refused(store: Path) -> None:
    paper_id = some_id(store)
    run(store, "note", paper_id, "kept")
    done = run(store, "note", paper_id, stdin=b"\xff\xfeZ\x00")
    assert done.returncode == 1
    assert "not UTF-8" in one_line(done.stderr)
    assert Library(store).state(paper_id).note == "kept"


def test_a_note_with_stdin_closed_is_one_line(store: Path) -> None:
    paper_id = some_id(store)
    done = run(store, "note", paper_id, redirect="<&-")
    assert done.returncode == 1
    assert "standard input is closed" in one_line(done.stderr)
    assert Library(store).state(paper_id).note == ""


def test_commands_without_stdin_still_work(store: Path) -> None:
    done = run(store, "list", redirect="<&-")
    assert done.returncode == 0, done.stderr
    assert TITLE in done.stdout.decode("utf-8")
    paper_id = some_id(store)
    assert run(store, "mark", "read", paper_id, redirect="<&-").returncode == 0
    assert str(Library(store).state(paper_id).status) == "read"


def test_a_closed_stdout_is_one_line_and_does_nothing(store: Path) -> None:
    done = run(store, "list", redirect=">&-")
    assert done.returncode == 1
    assert "standard output is closed" in one_line(done.stderr)
    paper_id = some_id(store)
    done = run(store, "star", paper_id, redirect=">&-")
    assert done.returncode == 1
    assert not Library(store).state(paper_id).starred


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_output_device_is_one_line(store: Path) -> None:
    done = run(store, "export", "--format", "json", redirect=">/dev/full")
    assert done.returncode == 1
    one_line(done.stderr)


@pytest.mark.parametrize("redirect", ["</dev/null", "<&-", ">/dev/null", "2>/dev/null"])
def test_the_reader_needs_a_terminal(store: Path, redirect: str) -> None:
    done = run(store, redirect=redirect)
    assert done.returncode == 1
    if redirect != "2>/dev/null":
        assert "the reader needs a terminal" in one_line(done.stderr)


def test_the_reader_without_a_terminal_imports_nothing(db_path: Path) -> None:
    done = run(db_path, str(INDOLOGY), redirect="</dev/null")
    assert done.returncode == 1
    assert "the reader needs a terminal" in one_line(done.stderr)
    assert not db_path.exists()
