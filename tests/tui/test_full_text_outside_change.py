"""The reader whose abstracts come from the full-text cache, when another process
changes an abstract (as ``enrich``, its undo, or an import does)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import store.full_text
import tui.screens.main as main_screen
from store.library import Library
from tests.tui.test_reader import current_id, drive, paper_list, wait_until
from tui.widgets.abstract_view import AbstractView


def test_an_abstract_changed_by_another_process_is_shown_and_searched(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    monkeypatch.setattr(main_screen, "FULL_TEXT_INLINE_LIMIT", 10)
    library = Library(sample_library.path)
    word = "wombatfjord"

    async def script(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(pilot, lambda: library.abstracts_loaded, "abstracts loaded")
        paper_id = current_id(app)
        other = Library(sample_library.path)  # another process, enriching
        other.revise_papers(
            [paper_id], lambda p: replace(p, abstract=f"Rewritten: {word} {p.abstract}")
        )

        def shown() -> str:
            return str(app.screen.query_one(AbstractView).content.plain)

        await wait_until(pilot, lambda: word in shown(), "the new abstract shown")
        await pilot.press("slash", *word)
        await app.workers.wait_for_complete()
        await wait_until(
            pilot,
            lambda: [p.id for p in paper_list(app).papers] == [paper_id],
            "the new word found",
        )

    drive(library, script)
    assert library._abstracts is None
