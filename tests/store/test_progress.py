"""An import tells a caller how far it has got, in entries, through a plain callback."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import progress as progress_module
from store.importing import import_files
from store.library import Library
from tests.conftest import AS_OF, REALDATA, SAMPLE_PROFILE

MILLIDGE = REALDATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib"


@pytest.fixture(autouse=True)
def _every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Report at every step, not every 50 ms, so that the steps themselves are seen."""
    monkeypatch.setattr(progress_module, "_INTERVAL", 0.0)


@pytest.mark.parametrize("source", [SAMPLE_PROFILE, MILLIDGE], ids=["profile", "bibtex"])
def test_progress_runs_from_the_start_to_every_entry_done(db_path: Path, source: Path) -> None:
    calls: list[tuple[int, int]] = []
    (done,) = import_files(
        Library(db_path), [str(source)], as_of=AS_OF, progress=lambda *c: calls.append(c)
    )
    papers = done.summary.added + done.summary.merged
    assert calls[-1] == (papers, papers)
    assert all(0 <= count <= total for count, total in calls)
    # Every entry is reported as it is placed, and the first report is early.
    assert len(calls) > papers
    assert calls[0][0] < papers / 2


def test_a_bibtex_file_reports_while_it_is_split(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.formats import bibtex_blocks

    monkeypatch.setattr(bibtex_blocks, "_PIECE_CHARS", 20_000)
    calls: list[tuple[int, int]] = []
    import_files(Library(db_path), [str(MILLIDGE)], progress=lambda *c: calls.append(c))
    # Before the entries are counted, the total is estimated from the share of
    # the file read, and the estimate closes in on the truth.
    estimates = [total for _, total in calls[: calls.index((813, 813))] if total != 813]
    assert len(set(estimates)) > 3
    assert abs(estimates[-1] - 813) < 813 * 0.1 < abs(estimates[0] - 813)


def test_no_callback_costs_nothing_and_changes_nothing(db_path: Path) -> None:
    (done,) = import_files(Library(db_path), [str(SAMPLE_PROFILE)], as_of=AS_OF)
    assert done.summary.added == 50
