"""``list --json``: one JSON array, written a chunk of records at a time."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.conftest import SAMPLE_PROFILE
from tests.reliability.conftest import cli_in_process
from tui.cli import output
from tui.cli.output import terminal_safe_json


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_the_chunks_are_the_array_written_whole(
    db_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli_in_process(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0
    assert cli_in_process(db_path, "star", "Zhang2026LeanMarathon")[0] == 0
    monkeypatch.setattr(output, "_JSON_CHUNK", chunk)
    code, out, _err = cli_in_process(db_path, "list", "--json")
    assert code == 0
    records = orjson.loads(out)
    assert len(records) == 50 and any(record["starred"] for record in records)
    whole = orjson.dumps(records, option=orjson.OPT_INDENT_2).decode("utf-8")
    assert out == terminal_safe_json(whole) + "\n"
