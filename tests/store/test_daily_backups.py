"""The state is kept as it was before the first write of each day, for the last seven days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import keeping
from store.library import Library
from tests.reliability.conftest import cli_in_process

NOTED = "Zhang2026LeanMarathon"


def _days(n: int) -> list[str]:
    return [f"2026-12-{day:02d}" for day in range(1, n + 1)]


def _note_in(path: Path) -> str:
    return str(json.loads(path.read_text()).get("state", {}).get(NOTED, {}).get("note", ""))


def test_one_backup_a_day_before_its_first_write_seven_days_kept(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = sample_library.path.with_name("library.state.json")
    for day in _days(9):
        monkeypatch.setattr(keeping, "today", lambda day=day: day)
        sample_library.set_note(NOTED, f"first of {day}")
        sample_library.set_note(NOTED, f"last of {day}")
        daily = state.with_name(f"library.state.json.bak.{day}")
        # before the day's first write: what the day before left
        previous = "" if day == "2026-12-01" else f"last of 2026-12-{int(day[-2:]) - 1:02d}"
        assert _note_in(daily) == previous
    kept = sorted(p.name.rsplit(".", 1)[1] for p in state.parent.glob("library.state.json.bak.*"))
    assert kept == _days(9)[2:]


def test_notes_written_between_imports_come_back(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sample_library.path
    monkeypatch.setattr(keeping, "today", lambda: "2026-12-01")
    assert cli_in_process(db, "note", NOTED, "written on the first")[0] == 0
    monkeypatch.setattr(keeping, "today", lambda: "2026-12-02")
    assert cli_in_process(db, "note", NOTED, "written on the second")[0] == 0
    state = db.with_name("library.state.json")
    state.write_text(state.read_text()[:20])  # damaged
    code, out, err = cli_in_process(db, "restore")
    assert code == 0, err
    assert f"restored {state} from {state}.bak.2026-12-02" in out
    assert Library(db).state(NOTED).note == "written on the first"


def test_a_damaged_daily_backup_is_passed_over_for_an_older_good_one(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sample_library.path
    for day, note in (("2026-12-01", "one"), ("2026-12-02", "two"), ("2026-12-03", "three")):
        monkeypatch.setattr(keeping, "today", lambda day=day: day)
        assert cli_in_process(db, "note", NOTED, note)[0] == 0
    state = db.with_name("library.state.json")
    state.with_name("library.state.json.bak.2026-12-03").write_text("{")
    state.write_text("{")
    code, out, err = cli_in_process(db, "restore")
    assert code == 0, err
    assert f"from {state}.bak.2026-12-02" in out
    assert Library(db).state(NOTED).note == "one"
