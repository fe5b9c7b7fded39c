"""Every reading status shows everywhere: list symbol, label, key, Markdown heading."""

from __future__ import annotations

import pytest

from store.formats.markdown import dump
from store.model import Paper, ReadingStatus, UserState
from store.status import STATUS_TABLE, reading_list_order


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(STATUS_TABLE) == set(ReadingStatus)


@pytest.mark.parametrize("status", list(ReadingStatus))
def test_every_status_has_a_symbol_label_and_heading(status: ReadingStatus) -> None:
    assert len(status.symbol) == 1
    assert status.label == status.value
    assert status.heading.lower() == status.value
    assert isinstance(status.key, str)


@pytest.mark.parametrize("part", ["symbol", "label", "heading"])
def test_no_two_statuses_look_alike(part: str) -> None:
    values = [getattr(status, part) for status in ReadingStatus]
    assert len(set(values)) == len(values)


def test_keys_are_single_letters_none_shared() -> None:
    keys = [status.key for status in ReadingStatus if status.key]
    assert all(len(key) == 1 for key in keys)
    assert len(set(keys)) == len(keys)
    assert {s.key for s in ReadingStatus} == {"u", "", "r", "x"}


def test_the_reading_list_groups_papers_under_way_first() -> None:
    assert reading_list_order() == [
        ReadingStatus.READING,
        ReadingStatus.UNREAD,
        ReadingStatus.READ,
        ReadingStatus.SKIPPED,
    ]


def test_markdown_export_keeps_a_paper_of_every_status() -> None:
    papers = [Paper(id=f"p-{status}", title=f"On {status}") for status in ReadingStatus]
    states = {f"p-{status}": UserState(status=status) for status in ReadingStatus}
    text = dump(papers, states)
    for status in ReadingStatus:
        assert f"## {status.heading} (1)" in text
        assert f"On {status}" in text
