"""The reader on a library whose full text is a cache file: it searches and shows
abstracts from the file, and never holds the abstracts itself."""

from __future__ import annotations

import pytest

import store.full_text
import tui.screens.main as main_screen
from store.full_text import cache_path
from store.library import Library
from tests.tui.test_reader import drive, paper_list, wait_until
from tui.widgets.abstract_view import AbstractView


@pytest.mark.parametrize("large", [False, True])
def test_the_reader_searches_and_shows_abstracts_from_the_cache_file(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    if large:  # abstracts searched in a worker, shown once the background load is done
        monkeypatch.setattr(main_screen, "FULL_TEXT_INLINE_LIMIT", 10)
    library = Library(sample_library.path)  # as opened by the reader, nothing read yet
    word = "blueprint"  # in LeanMarathon's abstract only, not in any title or author

    async def script(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(pilot, lambda: library.abstracts_loaded, "abstracts loaded")
        await pilot.press("slash", *word)
        await app.workers.wait_for_complete()
        await pilot.pause()
        listed = paper_list(app).papers
        assert [p.title[:12] for p in listed] == ["LeanMarathon"]
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: "evolving blueprint" in app.screen.query_one(AbstractView).content.plain,
            "LeanMarathon's abstract shown",
        )

    drive(library, script)
    assert cache_path(library.path).exists()
    # A large library's abstracts are read from the file, never all held here (a
    # small one's are read on the UI thread before the background load is done).
    assert (library._abstracts is None) == large
