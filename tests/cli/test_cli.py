"""The command line as scripts use it: real subprocesses against a temp store."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROFILE, run_cli

run = run_cli  # the console script in a child process, as scripts run it


def counts(done: subprocess.CompletedProcess[str]) -> dict[str, int]:
    """The counts (``added N, ...``) of an import's one summary line; the exact form is
    pinned in test_identity_rules.py."""
    (line,) = done.stdout.strip().splitlines()
    return {name: int(n) for name, n in re.findall(r"([a-z]+) (\d+)", line.split(": ", 1)[1])}


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """The finished command, which must have succeeded."""
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def imported(db_path: Path) -> Path:
    done = ok(run(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"))
    found = counts(done)
    assert (found["added"], found["updated"], found["unchanged"]) == (50, 0, 0)
    assert found["warnings"] == 1
    assert "page declares 158 papers but holds 50" in done.stderr
    return db_path


def test_import_twice_reports_unchanged(imported: Path) -> None:
    again = ok(run(imported, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"))
    found = counts(again)
    assert (found["added"], found["updated"], found["unchanged"]) == (0, 0, 50)
    assert found["warnings"] == 1


def test_list_json_has_paper_fields_and_user_state(imported: Path) -> None:
    assert run(imported, "mark", "read", "Zhang2026LeanMarathon").returncode == 0
    assert run(imported, "star", "Zhang2026LeanMarathon").returncode == 0
    assert run(imported, "tag", "Zhang2026LeanMarathon", "+lean", "agents").returncode == 0
    assert run(imported, "tag", "Zhang2026LeanMarathon", "-agents").returncode == 0
    assert run(imported, "note", "Zhang2026LeanMarathon", stdin="from *stdin*\n").returncode == 0
    out = run(imported, "list", "--json")
    papers = json.loads(out.stdout)
    assert len(papers) == 50
    lean = next(p for p in papers if p["id"] == "Zhang2026LeanMarathon")
    assert lean["status"] == "read" and lean["starred"] is True
    assert lean["tags"] == ["lean"] and lean["note"] == "from *stdin*"
    assert lean["authors"] == ["Yuanhe Zhang", "Yuekai Sun", "Taiji Suzuki"]
    assert lean["authors_truncated"] is True
    assert lean["date"] == "2026-06-03" and lean["date_precision"] == "day"
    assert lean["code_url"] == "https://github.com/YuanheZ/LeanMarathon"
    expected_keys = {
        "id", "title", "title_text", "authors", "authors_truncated", "affiliations", "abstract",
        "category", "date", "date_precision", "has_code", "url", "code_url", "arxiv_id", "doi",
        "venue", "collections", "added_at", "status", "starred", "tags", "note",
        "status_changed_at",
    }  # fmt: skip
    assert expected_keys <= set(lean)


def test_titles_are_shown_rendered_and_json_keeps_the_raw_title(
    db_path: Path, tmp_path: Path
) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(
        "@article{k, title = {Rates $d^2\\asymp n\\log n$ Sharp}, author = {Lee, Jason},"
        " year = {2023}}\n",
        encoding="utf-8",
    )
    assert run(db_path, "import", str(source)).returncode == 0
    shown = "Rates d² ≍ n log n Sharp"
    (record,) = json.loads(run(db_path, "list", "--json").stdout)
    assert record["title"] == "Rates $d^2\\asymp n\\log n$ Sharp"
    assert record["title_text"] == shown
    assert f" {shown} — Jason Lee" in run(db_path, "list").stdout
    assert f"Title: {shown}\n" in run(db_path, "show", record["id"]).stdout
    assert f"[{shown}](" in run(db_path, "export", "--format", "markdown").stdout
    csv_text = run(db_path, "export", "--format", "csv").stdout
    assert f"Rates $d^2\\asymp n\\log n$ Sharp,{shown}," in csv_text


def test_list_query_sort_and_limit(imported: Path) -> None:
    out = run(imported, "list", "cat:CL", "--json", "--sort", "title")
    titles = [p["title"] for p in json.loads(out.stdout)]
    assert len(titles) == 3 and titles == sorted(titles, key=str.casefold)
    limited = run(imported, "list", "year:2022", "--limit", "2")
    assert len(limited.stdout.splitlines()) == 2
    unread = run(imported, "list", "-status:unread", "--json")
    assert json.loads(unread.stdout) == []


def test_malformed_query_is_one_line_exit_1(imported: Path) -> None:
    out = run(imported, "list", 'title:"unclosed')
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "column" in out.stderr
    assert "Traceback" not in out.stderr


def test_show_and_unknown_id(imported: Path) -> None:
    shown = run(imported, "show", "Zhang2026LeanMarathon")
    assert shown.returncode == 0
    assert "AI (Artificial Intelligence)" in shown.stdout
    assert "https://github.com/YuanheZ/LeanMarathon" in shown.stdout
    missing = run(imported, "show", "Nobody1999")
    assert missing.returncode == 1 and "Nobody1999" in missing.stderr
    assert run(imported, "mark", "read", "Nobody1999").returncode == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\x7fELF" * 40, b"just some words\nnothing else\n", b"\xff\xfe\xfa bad"],
    ids=["empty", "binary", "prose", "not-utf8"],
)
def test_junk_is_refused_and_store_unchanged(
    imported: Path, tmp_path: Path, content: bytes
) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(content)
    before = {p.name: p.read_bytes() for p in imported.parent.iterdir() if p.is_file()}
    out = run(imported, "import", str(junk))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and str(junk) in out.stderr
    after = {p.name: p.read_bytes() for p in imported.parent.iterdir() if p.is_file()}
    assert after == before


def test_junk_into_a_new_store_creates_nothing(db_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    assert run(db_path, "import", str(junk)).returncode == 1
    assert not db_path.exists()


def test_usage_errors_exit_2(db_path: Path) -> None:
    assert run(db_path, "mark", "finished", "X").returncode == 2
    assert run(db_path, "list", "--sort", "colour").returncode == 2
    assert run(db_path, "export").returncode == 2


def test_export_json_round_trips_losslessly(imported: Path, tmp_path: Path) -> None:
    ok(run(imported, "mark", "skipped", "Zhang2026LeanMarathon"))
    ok(run(imported, "mark", "reading", "Huang2026Fine"))
    ok(run(imported, "star", "Huang2026Fine"))
    ok(run(imported, "tag", "Huang2026Fine", "+theory", "+to-cite"))
    ok(run(imported, "note", "Zhang2026LeanMarathon", "a note\nwith *two* lines"))
    exported = tmp_path / "all.json"
    ok(run(imported, "export", "--format", "json", "-o", str(exported)))
    other = tmp_path / "other" / "library.json"
    assert counts(ok(run(other, "import", str(exported))))["added"] == 50
    first = json.loads(ok(run(imported, "list", "--json", "--sort", "rank")).stdout)
    second = json.loads(ok(run(other, "list", "--json", "--sort", "rank")).stdout)
    assert first == second
    restored = {p["id"]: p for p in second}
    lean, fine = restored.pop("Zhang2026LeanMarathon"), restored.pop("Huang2026Fine")
    assert (lean["status"], lean["note"]) == ("skipped", "a note\nwith *two* lines")
    assert lean["status_changed_at"] and not lean["starred"]
    assert (fine["status"], fine["starred"], fine["tags"]) == (
        "reading",
        True,
        ["theory", "to-cite"],
    )
    assert all(p["status"] == "unread" and not p["starred"] for p in restored.values())


def test_export_query_selects_papers(imported: Path) -> None:
    out = run(imported, "export", "cat:GT", "--format", "json")
    data = json.loads(out.stdout)
    assert [p["category"] for p in data["papers"]] == ["GT"]


def test_stats_json(imported: Path) -> None:
    run(imported, "mark", "read", "Zhang2026LeanMarathon", "Huang2026Fine")
    stats = json.loads(run(imported, "stats", "--json").stdout)
    assert stats["total"] == 50
    assert stats["status"] == {"unread": 48, "reading": 0, "read": 2, "skipped": 0}
    assert stats["categories"]["LG"] == 41
    assert stats["collections"] == {"Jason D. Lee": 50}


def test_version_and_help(db_path: Path) -> None:
    version = run(db_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("paper-reader ")
    helped = run(db_path, "--help")
    assert helped.returncode == 0 and "import" in helped.stdout and "export" in helped.stdout


def test_hostile_text_never_reaches_the_terminal(db_path: Path, tmp_path: Path) -> None:
    text = SAMPLE_PROFILE.read_text().replace(
        "LeanMarathon: Toward", "Lean\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b0mMarathon: Toward", 1
    )
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(text)
    run(db_path, "import", str(hostile), "--as-of", "2026-11-28")
    listed = json.loads(run(db_path, "list", "--json", "--sort", "rank").stdout)
    assert listed[0]["title"] == (  # the escape sequences removed whole, nothing else
        "LeanMarathon: Toward Reliable AI Co-Mathematicians through Long-Horizon Lean"
        " Autoformalization"
    )
    for args in (["list"], ["show", listed[0]["id"]], ["list", "--json"]):
        out = run(db_path, *args)
        assert out.returncode == 0
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\x9b" not in out.stdout


def test_export_keeps_page_order(imported: Path) -> None:
    data = json.loads(run(imported, "export", "--format", "json").stdout)
    assert data["papers"][0]["id"] == "Zhang2026LeanMarathon"
    ranks = [p["collections"]["Jason D. Lee"] for p in data["papers"]]
    assert ranks == sorted(ranks)


def test_note_from_empty_stdin_is_refused(imported: Path) -> None:
    assert run(imported, "note", "Zhang2026LeanMarathon", "kept").returncode == 0
    refused = run(imported, "note", "Zhang2026LeanMarathon", stdin="")
    assert refused.returncode == 1 and "no note text" in refused.stderr
    shown = json.loads(run(imported, "show", "Zhang2026LeanMarathon", "--json").stdout)
    assert shown["note"] == "kept"


def test_empty_note_argument_clears_the_note(imported: Path) -> None:
    ok(run(imported, "note", "Zhang2026LeanMarathon", "kept"))
    assert [
        p["id"] for p in json.loads(ok(run(imported, "list", "has:note", "--json")).stdout)
    ] == ["Zhang2026LeanMarathon"]
    ok(run(imported, "note", "Zhang2026LeanMarathon", ""))
    shown = json.loads(ok(run(imported, "show", "Zhang2026LeanMarathon", "--json")).stdout)
    assert shown["note"] == ""
    assert json.loads(ok(run(imported, "list", "has:note", "--json")).stdout) == []


def test_help_shows_the_reader_usage_with_files(db_path: Path) -> None:
    done = ok(run(db_path, "--help"))
    first = done.stdout.splitlines()[0]
    assert first == "usage: paper-reader [--db PATH] [FILE ...]"
    assert "paper-reader [--db PATH] COMMAND [ARGS ...]" in done.stdout
