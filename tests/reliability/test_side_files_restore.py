"""The follows and the enrichment log are user data: damage to them is found and restored.

A missing follows file (or enrichment log) beside its backups is damage, as
a damaged one is: every command that needs it refuses with one line naming
the file and ``paper-reader restore``, nothing writes over it, and
``restore`` brings back the newest good backup. A healthy file is never
rolled back, ``--force`` included. Real stores built by the real command
line (the enrichment against the local arXiv stand-in); ``restore`` and the
refusals run as a child process, as a user runs them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from store import arxiv_api, keeping
from tests.arxiv_stand_in import JASON_LEE_7, entries_of, serve
from tests.conftest import SAMPLE_PROFILE, run_cli
from tests.reliability.conftest import cli_in_process, store_files

NOTED = "Zhang2026LeanMarathon"
CLOSED = "http://127.0.0.1:9/api/query"  # nothing here may reach the network


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample profile, a note, two follows added on two days, and one enrichment."""
    db = tmp_path_factory.mktemp("side-files") / "store" / "library.json"
    with pytest.MonkeyPatch.context() as patch:
        for stand_in in serve():
            stand_in.searchable = entries_of(JASON_LEE_7)
            patch.setenv(arxiv_api.API_URL_ENV, stand_in.url)
            patch.setenv(arxiv_api.DELAY_ENV, "0")
            patch.setattr(keeping, "today", lambda: "2026-12-01")
            for args in (
                ["import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"],
                ["note", NOTED, "a note worth keeping"],
                ["follow", "add", "icl", 'abs:"in-context learning"'],
            ):
                assert cli_in_process(db, *args)[0] == 0, args
            patch.setattr(keeping, "today", lambda: "2026-12-02")
            for args in (["follow", "add", "lee", "au:Lee_Jason_D"], ["enrich"]):
                code, _out, err = cli_in_process(db, *args)
                assert code == 0, (args, err)
    return db


@pytest.fixture
def store(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the template store; the arXiv API is a closed port."""
    monkeypatch.setenv(arxiv_api.API_URL_ENV, CLOSED)
    monkeypatch.setenv(arxiv_api.DELAY_ENV, "0")
    shutil.copytree(template.parent, tmp_path / "store")
    return tmp_path / "store" / "library.json"


def _follows(db: Path) -> Path:
    return db.with_name("library.follows.json")


def _log(db: Path) -> Path:
    return db.with_name("library.enrichments.json")


def _truncate(path: Path) -> bytes:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path.read_bytes()


def _followed(db: Path) -> list[str]:
    done = run_cli(db, "follow", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [record["name"] for record in json.loads(done.stdout)]


def _refused(db: Path, damaged: Path, *commands: list[str]) -> None:
    """Each command exits 1 with one line naming ``damaged`` and the way out; nothing written."""
    before = store_files(db.parent)
    for args in commands:
        done = run_cli(db, *args)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, (args, done.stderr)
        assert str(damaged) in done.stderr and "`paper-reader restore`" in done.stderr, (
            args,
            done.stderr,
        )
    assert store_files(db.parent) == before


FOLLOW_COMMANDS = (
    ["follow", "list"],
    ["follow", "add", "new", "au:x"],
    ["follow", "remove", "icl"],
    ["fetch"],
)


def _side_files(db: Path) -> dict[str, bytes]:
    return {
        name: data
        for name, data in store_files(db.parent).items()
        if name.startswith(("library.follows.json", "library.enrichments.json"))
    }


def test_a_healthy_store_with_follows_and_a_log_is_left_as_it_is(store: Path) -> None:
    before = store_files(store.parent)
    done = run_cli(store, "restore")
    assert (done.returncode, done.stdout) == (0, "nothing is damaged\n"), done.stderr
    assert store_files(store.parent) == before
    assert _followed(store) == ["icl", "lee"]


def test_force_rolls_the_catalogue_back_never_the_follows_or_the_log(store: Path) -> None:
    before = _side_files(store)
    assert "library.follows.json.bak.2026-12-02" in before
    done = run_cli(store, "restore", "--force")
    assert done.returncode == 0, done.stderr
    assert f"restored {store} from" in done.stdout
    assert "follows" not in done.stdout and "enrichments" not in done.stdout
    assert _side_files(store) == before
    assert _followed(store) == ["icl", "lee"]


def test_a_missing_follows_file_is_damage_and_restore_brings_it_back(store: Path) -> None:
    _follows(store).unlink()
    _refused(store, _follows(store), *FOLLOW_COMMANDS)
    assert not _follows(store).exists()  # `follow add` did not start an empty one
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {_follows(store)} from {_follows(store)}.bak" in done.stdout
    # The newest backup: the file before its last write (the second follow).
    assert _followed(store) == ["icl"]
    assert run_cli(store, "restore").stdout == "nothing is damaged\n"
    assert run_cli(store, "follow", "add", "lee", "au:Lee_Jason_D").returncode == 0


def test_a_damaged_follows_file_is_never_written_over_and_is_kept_aside(store: Path) -> None:
    damaged = _truncate(_follows(store))
    _refused(store, _follows(store), *FOLLOW_COMMANDS)
    assert _follows(store).read_bytes() == damaged
    catalogue, state = store.read_bytes(), store.with_name("library.state.json").read_bytes()
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 2  # kept the damaged file aside, restored it
    (aside,) = store.parent.glob("library.follows.json.damaged-*")
    assert aside.read_bytes() == damaged and str(aside) in done.stdout
    assert _followed(store) == ["icl"]
    # Only the follows were touched.
    assert store.read_bytes() == catalogue
    assert store.with_name("library.state.json").read_bytes() == state


def test_a_damaged_backup_is_passed_over_for_a_good_daily_one(store: Path) -> None:
    _truncate(_follows(store))
    _truncate(store.with_name("library.follows.json.bak"))
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    daily = store.with_name("library.follows.json.bak.2026-12-02")
    assert f"restored {_follows(store)} from {daily}" in done.stdout
    assert _followed(store) == ["icl"]


def test_follows_without_any_usable_backup_stop_restore_with_the_way_out(store: Path) -> None:
    _truncate(_follows(store))
    for backup in store.parent.glob("library.follows.json.bak*"):
        _truncate(backup)
    _truncate(store)  # the catalogue is damaged too: restore does nothing half-way
    before = store_files(store.parent)
    done = run_cli(store, "restore")
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert str(_follows(store)) in done.stderr
    assert "no usable backup" in done.stderr and "move it aside" in done.stderr
    assert store_files(store.parent) == before


def test_force_and_empty_state_restore_a_damaged_follows_file_too(store: Path) -> None:
    for flag in ("--force", "--empty-state"):
        _truncate(_follows(store))
        done = run_cli(store, "restore", flag)
        assert done.returncode == 0, (flag, done.stderr)
        assert f"restored {_follows(store)} from" in done.stdout, flag
        assert _followed(store) == ["icl"]


def test_a_lost_enrichment_log_is_damage_and_undo_works_after_restore(store: Path) -> None:
    enriched = [r["id"] for r in json.loads(run_cli(store, "list", "--json", "has:arxiv").stdout)]
    assert enriched  # the template's enrichment found papers
    _log(store).unlink()
    _refused(store, _log(store), ["enrich", "--undo"])
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert f"restored {_log(store)} from {_log(store)}.bak" in done.stdout
    undone = run_cli(store, "enrich", "--undo")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.rstrip().endswith(f": {len(enriched)} restored")
    assert json.loads(run_cli(store, "list", "--json", "has:arxiv").stdout) == []


def test_a_damaged_enrichment_log_is_refused_then_restored(store: Path) -> None:
    damaged = _truncate(_log(store))
    # Refused before arXiv is asked (the API is a closed port here).
    _refused(store, _log(store), ["enrich", "--undo"], ["enrich"])
    assert _log(store).read_bytes() == damaged
    done = run_cli(store, "restore")
    assert done.returncode == 0, done.stderr
    assert len(list(store.parent.glob("library.enrichments.json.damaged-*"))) == 1
    assert run_cli(store, "enrich", "--undo").returncode == 0
