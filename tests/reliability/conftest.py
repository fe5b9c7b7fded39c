"""Fixtures of the reliability tests: a large store, built once, and the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, child_env, run_cli  # noqa: F401  (re-exported)

BIG_LIBRARY_SIZE = 3_000
CHILD_WRITER = Path(__file__).with_name("child_writer.py")


def cli_in_process(db: Path, *args: str) -> tuple[int, str, str]:
    """``paper-reader --db DB ARGS...`` run in this process: (exit code, stdout, stderr).

    The same code path as the console script, without an interpreter start;
    tests that need a real process use :func:`run_cli`.
    """
    from tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), *args])
    return code, out.getvalue(), err.getvalue()


def store_files(folder: Path) -> dict[str, bytes]:
    """Every file in a store folder, by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def big_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 3,000 generated papers (built once per session; copy before writing)."""
    from bench.generate import profile_dump
    from store.formats import parse_text
    from store.library import Library
    from tests.conftest import AS_OF

    db = tmp_path_factory.mktemp("big-store") / "library.json"
    result = parse_text(profile_dump(BIG_LIBRARY_SIZE, seed=11), "profile", as_of=AS_OF)
    Library(db).import_result(result, source="generated")
    return db


@pytest.fixture
def big_store(big_store_template: Path, tmp_path: Path) -> Path:
    """A private copy of the 3,000-paper store."""
    folder = tmp_path / "big"
    shutil.copytree(big_store_template.parent, folder)
    return folder / big_store_template.name


def rewrite_as_legacy(db: Path, *, state: bool) -> None:
    """Rewrite a store as paper-reader wrote it before: schema 2, parts by number only."""
    for catalogue, tail in ((db, ""), (db.with_name("library.json.bak"), ".bak")):
        data = json.loads(catalogue.read_text())
        abstracts = data["meta"]["abstracts"]
        for n in range(abstracts["parts"]):
            source = db.with_name(f"library.abstracts.{abstracts['generation']}.{n}.json")
            shutil.copyfile(source, db.with_name(f"library.abstracts.{n}.json{tail}"))
        data["meta"] = {"schema": {"version": 2}, "abstracts": {"parts": abstracts["parts"]}}
        catalogue.write_text(json.dumps(data))
    for part in db.parent.glob("library.abstracts.*.*.json"):
        part.unlink()
    if not state:
        for path in db.parent.glob("library.state.json*"):
            path.unlink()
