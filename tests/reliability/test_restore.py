"""``restore`` acts only on damage; ``--force`` and ``--empty-state`` act on purpose.

Every case runs the real command line (``run_cli``) on a real store built by
real imports, and compares the files on disk before and after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import profile_dump
from store.library import Library
from store.model import ReadingStatus
from tests.conftest import SAMPLE_PROFILE, run_cli
from tests.reliability.conftest import cli_in_process, store_files

NOTED = "Zhang2026LeanMarathon"
LATER_NOTE = "written after the last import"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 papers, a note and a status, 5 more papers imported, then a newer note (built once)."""
    db = tmp_path_factory.mktemp("restore") / "store" / "library.json"
    more = db.parent.parent / "more.txt"
    more.write_text(profile_dump(5, seed=5), encoding="utf-8")
    for args in (
        ["import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"],
        ["note", NOTED, "a note worth keeping"],
        ["mark", "read", NOTED],
        ["import", str(more), "--as-of", "2026-11-28"],
        ["note", NOTED, LATER_NOTE],
    ):
        assert cli_in_process(db, *args)[0] == 0
    return db


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template store."""
    shutil.copytree(template.parent, tmp_path / "store")
    return tmp_path / "store" / "library.json"


def _state(db: Path) -> Path:
    return db.with_name("library.state.json")


def _catalogue_parts(db: Path) -> list[Path]:
    meta = json.loads(db.read_text())["meta"]["abstracts"]
    return [
        db.with_name(f"library.abstracts.{meta['generation']}.{n}.json")
        for n in range(meta["parts"])
    ]


def _truncate(path: Path) -> bytes:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path.read_bytes()


def test_a_healthy_store_is_left_exactly_as_it_is(store: Path) -> None:
    before = store_files(store.parent)
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "nothing is damaged\n"
    assert store_files(store.parent) == before
    library = Library(store)
    assert len(library) == 55 and library.state(NOTED).note == LATER_NOTE


def test_a_new_store_has_nothing_to_restore(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "library.json"
    done = run_cli(db, "restore")
    assert (done.returncode, done.stdout) == (0, "nothing is damaged\n")
    assert not db.parent.exists()


def test_damage_to_the_catalogue_alone_keeps_the_newer_state(store: Path) -> None:
    """The state file is healthy and newer than its backup: restore must not touch it."""
    state_before = _state(store).read_bytes()
    newest_parts = _catalogue_parts(store)
    damaged = _truncate(store)
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {store} from {store}.bak" in done.stdout
    assert "library.state.json" not in done.stdout
    assert _state(store).read_bytes() == state_before
    aside = sorted(store.parent.glob("library.json.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    # the damaged catalogue's abstracts are kept beside it, not deleted
    for part in newest_parts:
        assert not part.exists()
        assert len(list(store.parent.glob(part.name + ".damaged-*"))) == 1
    library = Library(store)
    assert len(library) == 50  # as before the last import
    assert library.state(NOTED).note == LATER_NOTE
    assert library.abstract(NOTED).startswith("Long-horizon autoformalization")
    assert run_cli(store, "restore").stdout == "nothing is damaged\n"


def test_damage_to_the_state_alone_keeps_the_catalogue(store: Path) -> None:
    catalogue_before = store.read_bytes()
    _truncate(_state(store))
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {_state(store)} from" in done.stdout
    assert f"restored {store} " not in done.stdout
    assert store.read_bytes() == catalogue_before
    library = Library(store)
    assert len(library) == 55
    # the newest good copy: the state as it was before the last import
    assert library.state(NOTED).note == "a note worth keeping"
    assert library.state(NOTED).status is ReadingStatus.READ


def test_restore_force_rolls_a_healthy_store_back_keeping_the_current_files(store: Path) -> None:
    before = store_files(store.parent)
    newest_parts = _catalogue_parts(store)
    done = run_cli(store, "restore", "--force")
    assert done.returncode == 0, done.stderr
    assert f"restored {store} from {store}.bak" in done.stdout
    assert f"restored {_state(store)} from {_state(store)}.bak" in done.stdout
    kept = {p.name.split(".before-restore-")[0]: p for p in store.parent.glob("*.before-restore-*")}
    assert set(kept) == {"library.json", "library.state.json", *(p.name for p in newest_parts)}
    for name, path in kept.items():
        assert path.read_bytes() == before[name], name
        assert str(path) in done.stdout
    library = Library(store)
    assert len(library) == 50
    assert library.state(NOTED).note == "a note worth keeping"  # as before the last import
    assert library.abstract(NOTED).startswith("Long-horizon autoformalization")
    assert run_cli(store, "restore").stdout == "nothing is damaged\n"


def test_restore_force_without_a_backup_changes_nothing(db_path: Path) -> None:
    assert cli_in_process(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0
    before = store_files(db_path.parent)
    done = run_cli(db_path, "restore", "--force")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "nothing to roll back to" in done.stderr and f"{db_path}.bak" in done.stderr
    assert store_files(db_path.parent) == before


def test_restore_empty_state_starts_over_on_purpose(store: Path) -> None:
    catalogue_before = store.read_bytes()
    state_before = _state(store).read_bytes()
    done = run_cli(store, "restore", "--empty-state")
    assert done.returncode == 0, done.stderr
    assert f"started {_state(store)} with no reading state" in done.stdout
    (aside,) = store.parent.glob("library.state.json.before-restore-*")
    assert aside.read_bytes() == state_before and str(aside) in done.stdout
    assert store.read_bytes() == catalogue_before
    library = Library(store)
    assert len(library) == 55 and library.state(NOTED).note == ""


def test_force_and_empty_state_are_one_or_the_other(store: Path) -> None:
    before = store_files(store.parent)
    done = run_cli(store, "restore", "--force", "--empty-state")
    assert done.returncode == 2 and "not allowed with" in done.stderr
    assert store_files(store.parent) == before


def test_a_damaged_backup_is_refused_and_nothing_is_written(store: Path) -> None:
    _truncate(store)
    _truncate(store.with_name("library.json.bak"))
    before = store_files(store.parent)
    done = run_cli(store, "restore")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "backup cannot be used" in done.stderr
    assert store_files(store.parent) == before


def test_a_state_without_any_usable_backup_points_to_empty_state(store: Path) -> None:
    _truncate(_state(store))
    for backup in store.parent.glob("library.state.json.bak*"):
        backup.unlink()
    before = store_files(store.parent)
    done = run_cli(store, "restore")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no usable backup" in done.stderr and "restore --empty-state" in done.stderr
    assert store_files(store.parent) == before
    done = run_cli(store, "restore", "--empty-state")
    assert done.returncode == 0, done.stderr
    assert len(list(store.parent.glob("library.state.json.damaged-*"))) == 1
    assert Library(store).state(NOTED).note == ""
