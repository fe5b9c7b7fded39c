"""``--sort interest[:TAG]`` and ``--like ID`` as scripts use them: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REALDATA, ROOT, SAMPLE_PROFILE, child_env, run_cli

GLACIOLOGY = REALDATA / "csljson" / "better-csl-json-glaciology-thesis-88-items.json"
ARMENIAN = REALDATA / "csljson" / "zotero-csl-json-armenian-studies-250-items.json"


TwoFields = tuple[Path, set[str], set[str]]


def _list(db: Path, *args: str) -> tuple[list[dict[str, Any]], str]:
    done = run_cli(db, "list", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def _spread(records: list[dict[str, Any]], count: int) -> list[str]:
    step = len(records) / count
    return [records[int(k * step)]["id"] for k in range(count)]


@pytest.fixture
def two_fields(db_path: Path) -> TwoFields:
    """Glaciology and Armenian studies (titles only) in one store; 15 read, 15 skipped."""
    done = run_cli(db_path, "import", str(GLACIOLOGY), str(ARMENIAN))
    assert done.returncode == 0, done.stderr
    papers, _ = _list(db_path, "--sort", "rank")  # each collection in its file's order
    glaciology = [p for p in papers if list(p["collections"]) == [GLACIOLOGY.stem]]
    armenian = [p for p in papers if list(p["collections"]) == [ARMENIAN.stem]]
    assert len(glaciology) > 80 and len(armenian) > 200
    assert run_cli(db_path, "mark", "read", *_spread(glaciology, 15)).returncode == 0
    assert run_cli(db_path, "mark", "skipped", *_spread(armenian, 15)).returncode == 0
    return db_path, {p["id"] for p in glaciology}, {p["id"] for p in armenian}


def test_interest_lists_the_read_kind_first(two_fields: TwoFields) -> None:
    db, glaciology, _armenian = two_fields
    ranked, stderr = _list(db, "status:unread", "--sort", "interest", "--limit", "40")
    by_date, _ = _list(db, "status:unread", "--limit", "40")

    assert len(ranked) == 40
    precision = sum(p["id"] in glaciology for p in ranked) / 40
    assert precision >= 0.9 > sum(p["id"] in glaciology for p in by_date) / 40
    assert all(isinstance(p["score"], float) and isinstance(p["why"], list) for p in ranked)
    assert [p["score"] for p in ranked] == sorted((p["score"] for p in ranked), reverse=True)
    assert ranked[0]["why"] and all(isinstance(term, str) for term in ranked[0]["why"])
    assert "needed" not in stderr  # trained: no fallback to date order


def test_like_returns_the_papers_own_kind(two_fields: TwoFields) -> None:
    db, glaciology, armenian = two_fields
    for own in (glaciology, armenian):
        reference = sorted(own)[len(own) // 2]
        nearest, _ = _list(db, "--like", reference, "--limit", "10")
        assert reference not in {p["id"] for p in nearest}
        assert sum(p["id"] in own for p in nearest) >= 8
        assert [p["score"] for p in nearest] == sorted((p["score"] for p in nearest), reverse=True)


def test_too_few_decisions_keep_date_order_and_say_so(db_path: Path) -> None:
    assert run_cli(db_path, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28").returncode == 0
    assert run_cli(db_path, "mark", "read", "Zhang2026LeanMarathon").returncode == 0
    by_interest, stderr = _list(db_path, "--sort", "interest")
    by_date, _ = _list(db_path)

    assert [p["id"] for p in by_interest] == [p["id"] for p in by_date]
    assert "interest: 1 decisions so far, 5 needed; listing in date order" in stderr
    assert {(p["score"], tuple(p["why"])) for p in by_interest} == {(0.0, ())}
    text = run_cli(db_path, "list", "--sort", "interest", "--limit", "3")
    assert len(text.stdout.splitlines()) == 3 and "5 needed" in text.stderr


def test_sort_by_a_tag_and_export_in_that_order(two_fields: TwoFields) -> None:
    db, glaciology, _armenian = two_fields
    tagged = sorted(glaciology)[:6]
    for paper_id in tagged:
        assert run_cli(db, "tag", paper_id, "+ice").returncode == 0
    ranked, _ = _list(db, "-tag:ice", "--sort", "interest:ice", "--limit", "20")
    assert sum(p["id"] in glaciology for p in ranked) >= 18

    exported = run_cli(db, "export", "-tag:ice", "--format", "json", "--sort", "interest:ice")
    assert exported.returncode == 0, exported.stderr
    order = [p["id"] for p in json.loads(exported.stdout)["papers"]]
    assert order[:20] == [p["id"] for p in ranked]


def test_bad_ranking_arguments_are_refused(two_fields: TwoFields) -> None:
    db, glaciology, _armenian = two_fields
    unknown = run_cli(db, "list", "--like", "NoSuchPaper1999")
    assert unknown.returncode == 1 and "NoSuchPaper1999" in unknown.stderr
    assert run_cli(db, "list", "--sort", "interesting").returncode == 2
    assert run_cli(db, "list", "--sort", "interest:").returncode == 2
    both = run_cli(db, "list", "--like", sorted(glaciology)[0], "--sort", "date")
    assert both.returncode == 1 and "--like" in both.stderr


_IMPORTED = "print('loaded:', *(m for m in ('sklearn', 'scipy') if m in sys.modules))"


def test_a_plain_list_and_the_reader_do_not_load_scikit_learn(two_fields: TwoFields) -> None:
    db, _glaciology, _armenian = two_fields
    listing = (
        "import sys\nfrom tui.cli.main import main\n"
        f"main(['--db', {str(db)!r}, 'list', '--sort', 'title'])\n{_IMPORTED}"
    )
    reader = f"import sys\nimport tui.app\n{_IMPORTED}"
    store = f"import sys\nimport store.ranking, store.features\n{_IMPORTED}"
    ranked = (
        "import sys\nfrom tui.cli.main import main\n"
        f"main(['--db', {str(db)!r}, 'list', '--sort', 'interest'])\n{_IMPORTED}"
    )
    cases: list[tuple[str, list[str]]] = [
        (listing, []),
        (reader, []),
        (store, []),
        (ranked, ["sklearn", "scipy"]),
    ]
    for code, expected in cases:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(),
            timeout=60,
            check=True,
        )
        last = done.stdout.splitlines()[-1].split()
        assert last == ["loaded:", *expected]
