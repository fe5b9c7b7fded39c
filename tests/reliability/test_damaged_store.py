"""A damaged store is reported, never replaced; the last good copy comes back with ``restore``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.generate import profile_dump
from store.errors import StoreError
from store.library import Library
from store.model import ImportResult, Paper, ReadingStatus
from store.tinydb_files import SCHEMA_VERSION
from tests.conftest import SAMPLE_PROFILE
from tests.reliability.conftest import cli_in_process, run_cli, store_files

NOTED = "Zhang2026LeanMarathon"


@pytest.fixture(scope="module")
def backed_up_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with state, imported into twice so both backups exist (built once)."""
    db = tmp_path_factory.mktemp("backed-up") / "store" / "library.json"
    more = db.parent.parent / "more.txt"
    more.write_text(profile_dump(5, seed=5), encoding="utf-8")
    for args in (
        ["import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"],
        ["note", NOTED, "a note worth keeping"],
        ["mark", "read", NOTED],
        ["import", str(more), "--as-of", "2026-11-28"],
    ):
        assert cli_in_process(db, *args)[0] == 0
    return db


@pytest.fixture
def backed_up(backed_up_template: Path, tmp_path: Path) -> Path:
    """A private copy of the backed-up store."""
    folder = tmp_path / "store"
    shutil.copytree(backed_up_template.parent, folder)
    return folder / "library.json"


def _truncate(text: str) -> str:
    return text[: len(text) // 2]


def _papers_as_list(text: str) -> str:
    data = json.loads(text)
    data["papers"] = list(data["papers"].values())
    return json.dumps(data)


def _drop_field(field: str) -> Callable[[str], str]:
    def damage(text: str) -> str:
        data = json.loads(text)
        del data["papers"][NOTED][field]
        return json.dumps(data)

    return damage


def _null_title(text: str) -> str:
    data = json.loads(text)
    data["papers"][NOTED]["title"] = None
    return json.dumps(data)


CATALOGUE_DAMAGE: dict[str, tuple[Callable[[str], str], str]] = {
    "truncated": (_truncate, "not valid JSON"),
    "emptied": (lambda _text: "", "empty"),
    "not json": (lambda _text: "these are not the papers you are looking for", "not valid JSON"),
    "top-level list": (lambda _text: "[1, 2, 3]", "not a JSON object"),
    "papers is a list": (_papers_as_list, "'papers' table is not a JSON object"),
    "paper without id": (_drop_field("id"), NOTED),
    "paper without title": (_drop_field("title"), NOTED),
    "title is null": (_null_title, NOTED),
}
STATE_DAMAGE: dict[str, tuple[Callable[[str], str], str]] = {
    "truncated": (_truncate, "not valid JSON"),
    "unknown status": (lambda text: text.replace('"read"', '"devoured"'), "devoured"),
    "state is a list": (lambda _text: '{"state": [1]}', "'state' table is not a JSON object"),
}


def _damage(path: Path, how: Callable[[str], str]) -> bytes:
    path.write_text(how(path.read_text()))
    return path.read_bytes()


@pytest.mark.parametrize("case", CATALOGUE_DAMAGE, ids=list(CATALOGUE_DAMAGE))
def test_damaged_catalogue_is_reported_and_left_alone(backed_up: Path, case: str) -> None:
    how, what = CATALOGUE_DAMAGE[case]
    _damage(backed_up, how)
    before = store_files(backed_up.parent)
    with pytest.raises(StoreError) as caught:
        Library(backed_up)
    message = str(caught.value)
    assert str(backed_up) in message and what in message
    assert "library.json.bak" in message and "paper-reader restore" in message
    for args in (["list"], ["import", str(SAMPLE_PROFILE)], ["mark", "read", NOTED]):
        code, _out, err = cli_in_process(backed_up, *args)
        assert code == 1, args
        assert err.count("\n") == 1 and str(backed_up) in err
    assert store_files(backed_up.parent) == before  # nothing replaced, not even the backup


@pytest.mark.parametrize("case", STATE_DAMAGE, ids=list(STATE_DAMAGE))
def test_damaged_state_is_reported_and_left_alone(backed_up: Path, case: str) -> None:
    how, what = STATE_DAMAGE[case]
    state = backed_up.with_name("library.state.json")
    _damage(state, how)
    before = store_files(backed_up.parent)
    for args in (["list"], ["note", NOTED, "overwrite?"], ["import", str(SAMPLE_PROFILE)]):
        code, _out, err = cli_in_process(backed_up, *args)
        assert code == 1 and err.count("\n") == 1, err
        assert str(state) in err and what in err
    assert store_files(backed_up.parent) == before


def test_each_import_keeps_the_previous_catalogue_and_state(backed_up: Path) -> None:
    catalogue_bak = json.loads(backed_up.with_name("library.json.bak").read_text())
    state_bak = json.loads(backed_up.with_name("library.state.json.bak").read_text())
    assert len(catalogue_bak["papers"]) == 50  # as it was before the second import
    assert state_bak["state"][NOTED]["note"] == "a note worth keeping"
    assert len(Library(backed_up)) == 55


def test_restore_brings_back_the_last_good_store(backed_up: Path) -> None:
    state = backed_up.with_name("library.state.json")
    damaged_catalogue = _damage(backed_up, _truncate)
    damaged_state = _damage(state, _truncate)
    done = run_cli(backed_up, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {backed_up} from {backed_up}.bak" in done.stdout
    assert f"restored {state} from {state}.bak" in done.stdout
    # the catalogue comes back with the abstracts it names (generation 1, kept
    # with the backup); the abstracts of the damaged one are kept aside
    assert "with its abstracts, 1 part(s) of generation 1" in done.stdout
    aside = sorted(backed_up.parent.glob("*.damaged-*"))
    assert [p.name.split(".damaged-")[0] for p in aside] == [
        "library.abstracts.2.0.json",
        "library.json",
        "library.state.json",
    ]
    assert [p.read_bytes() for p in aside[1:]] == [damaged_catalogue, damaged_state]
    assert all(str(p) in done.stdout for p in aside)
    library = Library(backed_up)
    assert len(library) == 50
    assert library.state(NOTED).note == "a note worth keeping"
    assert library.state(NOTED).status is ReadingStatus.READ
    assert run_cli(backed_up, "mark", "skipped", NOTED).returncode == 0  # usable again


def test_restore_without_a_backup_says_so_and_changes_nothing(db_path: Path) -> None:
    assert cli_in_process(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0
    _damage(db_path, _truncate)
    before = store_files(db_path.parent)
    done = run_cli(db_path, "restore")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no backup" in done.stderr and str(db_path) in done.stderr
    assert store_files(db_path.parent) == before


def test_restore_refuses_a_damaged_backup(backed_up: Path) -> None:
    _damage(backed_up, _truncate)
    _damage(backed_up.with_name("library.json.bak"), _truncate)
    before = store_files(backed_up.parent)
    done = run_cli(backed_up, "restore")
    assert done.returncode == 1 and "backup cannot be used" in done.stderr
    assert store_files(backed_up.parent) == before


@pytest.mark.parametrize("which", ["library.json", "library.state.json"])
def test_newer_schema_is_refused_through_the_cli_and_not_touched(
    backed_up: Path, which: str
) -> None:
    path = backed_up.with_name(which)
    data = json.loads(path.read_text())
    data["meta"] = {"schema": {"version": 99}}
    path.write_text(json.dumps(data))
    before = store_files(backed_up.parent)
    for args in (["list"], ["mark", "read", NOTED], ["import", str(SAMPLE_PROFILE)]):
        done = run_cli(backed_up, *args)
        assert done.returncode == 1 and done.stderr.count("\n") == 1
        assert "newer paper-reader" in done.stderr and str(path) in done.stderr
    assert store_files(backed_up.parent) == before


def test_newer_schema_written_while_open_is_refused_too(backed_up: Path) -> None:
    library = Library(backed_up)
    data = json.loads(backed_up.read_text())
    data["meta"] = {"schema": {"version": SCHEMA_VERSION + 1}}
    backed_up.write_text(json.dumps(data))
    before = backed_up.read_bytes()
    with pytest.raises(StoreError, match="newer"):
        library.import_result(_one())
    assert backed_up.read_bytes() == before


def _one() -> ImportResult:
    return ImportResult([Paper(id="", title="Anything at all", date="2020-01-01")])


def test_older_store_without_schema_table_is_migrated(db_path: Path) -> None:
    """The first stores had no ``meta`` table and fewer fields: they open and upgrade."""
    db_path.parent.mkdir(parents=True)
    db_path.write_text(
        json.dumps(
            {
                "papers": {"Old2019Paper": {"id": "Old2019Paper", "title": "An old paper"}},
                "collections": {"Mine": {"name": "Mine"}},
            }
        )
    )
    state = db_path.with_name("library.state.json")
    state.write_text(json.dumps({"state": {"Old2019Paper": {"status": "read"}}}))
    listed = run_cli(db_path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["status"] == "read"
    library = Library(db_path)
    library.set_note("Old2019Paper", "still here")
    library.import_result(_one())
    assert json.loads(state.read_text())["meta"]["schema"]["version"] == SCHEMA_VERSION
    assert json.loads(db_path.read_text())["meta"]["schema"]["version"] == SCHEMA_VERSION
    reopened = Library(db_path)
    assert reopened.get("Old2019Paper").title == "An old paper"
    assert reopened.state("Old2019Paper").status is ReadingStatus.READ
