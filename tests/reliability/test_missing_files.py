"""A missing essential file is damage, reported like a damaged one, never an empty library.

The essential files are the catalogue, the abstracts parts it names and the
state file. Stores written before the catalogue listed its companions (and
before abstracts had generations) still open as they did.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import profile_dump
from store.errors import StoreError
from store.formats import parse_text
from store.library import Library
from store.model import ReadingStatus
from tests.conftest import AS_OF, SAMPLE_PROFILE, run_cli
from tests.reliability.conftest import cli_in_process, rewrite_as_legacy, store_files

NOTED = "Zhang2026LeanMarathon"
COMMANDS = (
    ["list"],
    ["mark", "read", NOTED],
    ["note", NOTED, "x"],
    ["import", str(SAMPLE_PROFILE)],
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two imports and a note (built once): every backup exists."""
    db = tmp_path_factory.mktemp("missing") / "store" / "library.json"
    more = db.parent.parent / "more.txt"
    more.write_text(profile_dump(5, seed=5), encoding="utf-8")
    for args in (
        ["import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"],
        ["note", NOTED, "a note worth keeping"],
        ["import", str(more), "--as-of", "2026-11-28"],
    ):
        assert cli_in_process(db, *args)[0] == 0
    return db


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template.parent, tmp_path / "store")
    return tmp_path / "store" / "library.json"


def _meta(db: Path) -> dict[str, dict[str, object]]:
    return dict(json.loads(db.read_text())["meta"])


def _parts(db: Path) -> list[Path]:
    abstracts = _meta(db)["abstracts"]
    gen, count = abstracts["generation"], abstracts["parts"]
    return [db.with_name(f"library.abstracts.{gen}.{n}.json") for n in range(int(str(count)))]


def _refused_everywhere(db: Path, missing: Path, *words: str) -> None:
    """Every command exits 1 with one line naming ``missing``; nothing is written."""
    before = store_files(db.parent)
    for args in COMMANDS:
        code, _out, err = cli_in_process(db, *args)
        assert code == 1 and err.count("\n") == 1, (args, err)
        assert str(missing) in err and "missing" in err, err
        for word in words:
            assert word in err, (word, err)
    assert store_files(db.parent) == before


def test_a_missing_state_file_is_damage_and_restore_brings_it_back(store: Path) -> None:
    state = store.with_name("library.state.json")
    state.unlink()
    _refused_everywhere(store, state, "paper-reader restore", "--empty-state")
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {state} from" in done.stdout
    assert Library(store).state(NOTED).note == "a note worth keeping"


def test_a_missing_state_file_without_backups_points_to_empty_state(store: Path) -> None:
    state = store.with_name("library.state.json")
    for path in store.parent.glob("library.state.json*"):
        path.unlink()
    _refused_everywhere(store, state, "restore --empty-state")
    assert run_cli(store, "restore").returncode == 1
    done = run_cli(store, "restore", "--empty-state")
    assert done.returncode == 0, done.stderr
    assert cli_in_process(store, "mark", "read", NOTED)[0] == 0


def test_a_missing_abstracts_part_is_damage(store: Path) -> None:
    (part,) = _parts(store)
    part.unlink()
    _refused_everywhere(store, part, "paper-reader restore", "library.json.bak")
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {store} from {store}.bak" in done.stdout
    library = Library(store)
    assert len(library) == 50 and library.abstract(NOTED).startswith("Long-horizon")
    assert library.state(NOTED).note == "a note worth keeping"


def test_a_missing_catalogue_beside_a_state_is_damage(store: Path) -> None:
    store.unlink()
    _refused_everywhere(store, store, "paper-reader restore")
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert len(Library(store)) == 50


def test_a_missing_catalogue_with_only_a_state_is_damage_too(store: Path) -> None:
    store.unlink()
    store.with_name("library.json.bak").unlink()
    state = store.with_name("library.state.json")
    noted = state.read_bytes()
    _refused_everywhere(store, store, "reading state of 1 paper", "restore --empty-state")
    assert run_cli(store, "restore").returncode == 1  # no backup of the catalogue
    done = run_cli(store, "restore", "--empty-state")  # a new store, the notes kept aside
    assert done.returncode == 0, done.stderr
    (aside,) = store.parent.glob("library.state.json.before-restore-*")
    assert aside.read_bytes() == noted
    assert cli_in_process(store, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0


def test_a_new_store_is_fine_and_the_first_import_creates_the_state(db_path: Path) -> None:
    assert cli_in_process(db_path, "list") == (0, "", "")
    assert not db_path.parent.exists()
    assert cli_in_process(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0
    state = json.loads(db_path.with_name("library.state.json").read_text())
    assert state.get("state", {}) == {}
    assert _meta(db_path)["companions"] == {"expected": ["state"]}


def test_a_state_file_deleted_while_open_is_never_written_over(store: Path) -> None:
    library = Library(store)
    state = store.with_name("library.state.json")
    state.unlink()
    before = store_files(store.parent)
    with pytest.raises(StoreError, match="missing"):
        library.set_note(NOTED, "would start an empty state")
    assert store_files(store.parent) == before


def test_parts_removed_by_another_process_are_not_damage(store: Path) -> None:
    """A reader that opened an older catalogue reads on after two imports elsewhere."""
    reader = Library(store)
    writer = Library(store)
    for seed in (7, 8):
        result = parse_text(profile_dump(3, seed=seed), "profile", as_of=AS_OF)
        writer.import_result(result, source=f"seed {seed}")
    assert reader.abstract(NOTED).startswith("Long-horizon")
    assert reader.refresh()
    assert len(reader) == len(writer) == 61


# -- stores written before generations and companions ---------------------------


def test_an_old_store_without_a_state_file_opens_as_before(store: Path) -> None:
    rewrite_as_legacy(store, state=False)
    listed = run_cli(store, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 55
    assert Library(store).abstract(NOTED).startswith("Long-horizon")
    assert cli_in_process(store, "mark", "read", NOTED)[0] == 0
    assert Library(store).state(NOTED).status is ReadingStatus.READ


def test_an_old_store_moves_over_at_its_next_import_and_keeps_a_backup(store: Path) -> None:
    rewrite_as_legacy(store, state=True)
    more = store.parent / "more.txt"
    more.write_text(profile_dump(2, seed=9), encoding="utf-8")
    assert cli_in_process(store, "import", str(more), "--as-of", "2026-11-28")[0] == 0
    names = sorted(p.name for p in store.parent.glob("library.abstracts.*"))
    # the new generation, and the old parts as generation 0 beside the backup
    assert names == ["library.abstracts.0.0.json", "library.abstracts.1.0.json"]
    assert _meta(store)["companions"] == {"expected": ["state"]}
    assert len(Library(store)) == 57
    done = run_cli(store, "restore", "--force")
    assert done.returncode == 0, done.stderr
    library = Library(store)
    assert len(library) == 55 and library.abstract(NOTED).startswith("Long-horizon")


def test_an_old_store_restores_from_its_old_backups(store: Path) -> None:
    rewrite_as_legacy(store, state=True)
    store.write_text("{")
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    part = store.with_name("library.abstracts.0.json")
    assert f"restored {part} from {part}.bak" in done.stdout
    library = Library(store)
    assert len(library) == 50 and library.abstract(NOTED).startswith("Long-horizon")
