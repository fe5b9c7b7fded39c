"""``enrich``: the matching rules on their own, then the use case against a local stand-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import arxiv_api, enrich
from store.enrich import AMBIGUOUS, ENRICHED, NOT_FOUND, filled, match, search_phrase
from store.enrich_log import EnrichLog
from store.errors import PaperReaderError, StoreError
from store.formats import arxiv_atom
from store.library import Library
from store.model import DatePrecision, ImportResult, Paper, ReadingStatus
from tests.arxiv_stand_in import (
    JASON_LEE_7,
    TESTING_100,
    StandIn,
    closed_port_url,
    entries_of,
    feed,
    serve,
)

NO_PACE = arxiv_api.Pacer(0)


def real_entries(path: Path) -> list[Paper]:
    return arxiv_atom.parse(path.read_text(encoding="utf-8"), source="api").papers


@pytest.fixture(scope="module")
def lee() -> dict[str, Paper]:
    """The arXiv entries of seven sample-profile papers, by arXiv id."""
    return {paper.arxiv_id: paper for paper in real_entries(JASON_LEE_7)}


@pytest.fixture(scope="module")
def testing() -> list[Paper]:
    """100 real entries of a title search for "testing"."""
    return real_entries(TESTING_100)


def paper(title: str, *authors: str, year: int | None = None, truncated: bool = False) -> Paper:
    return Paper(
        id="P",
        title=title,
        authors=authors,
        authors_truncated=truncated,
        date=f"{year}-01-01" if year else "",
        date_precision=DatePrecision.YEAR if year else None,
    )


# --- the matching rules ---------------------------------------------------------------


def test_titles_match_with_case_accents_latex_punctuation_and_spacing_folded(
    lee: dict[str, Paper],
) -> None:
    entry = lee["2301.13196"]
    for title in (
        "Looped Transformers as Programmable Computers",
        "looped transformers as {P}rogrammable  computers.",
        "Looped Transformers as Programmable Computers\u00a0",
        "LOOPED TRANSFORMERS AS PROGRAMMABLE COMPUTERS",
    ):
        assert match(paper(title, "A. Giannou", year=2023), [entry]) == (ENRICHED, [entry])
    accented = lee["2209.15594"]
    assert (
        match(
            paper(
                "Self-stabilization: the implicit bias of gradient descent at the "
                "edge of stability",
                "Alex Dami\\'{a}n",
            ),
            [accented],
        )[0]
        == ENRICHED
    )
    assert (
        match(
            paper(
                "Self stabilization - The implicit bias of gradient descent at the "
                "edge of stability",
                "Damian, Alex",
            ),
            [accented],
        )[0]
        == ENRICHED
    )


def test_a_near_miss_is_never_accepted(testing: list[Paper]) -> None:
    # arXiv's phrase search for "Mutation Testing" returns longer titles holding it.
    near = [p for p in testing if "Mutation Testing" in p.title]
    assert len(near) >= 3
    assert match(paper("Mutation Testing", "Yue Jia"), near) == (NOT_FOUND, [])
    assert match(paper("Mutation Testing"), near) == (NOT_FOUND, [])


def test_the_first_authors_surname_must_agree(lee: dict[str, Paper]) -> None:
    entry = lee["2307.03381"]
    title = "Teaching Arithmetic to Small Transformers"
    assert match(paper(title, "Lee, Nayoung", year=2023), [entry])[0] == ENRICHED
    assert match(paper(title, "N. Lee", year=2023), [entry])[0] == ENRICHED
    assert match(paper(title, "Kartik Sreenivasan", year=2023), [entry])[0] == NOT_FOUND
    # A paper without authors is matched on title (and year) alone.
    assert match(paper(title, year=2023), [entry])[0] == ENRICHED


def test_years_must_be_within_one(lee: dict[str, Paper]) -> None:
    entry = lee["2301.13196"]  # first and last version in 2023
    title = "Looped Transformers as Programmable Computers"
    for year, outcome in ((2022, ENRICHED), (2024, ENRICHED), (2025, NOT_FOUND), (2021, NOT_FOUND)):
        assert match(paper(title, "Giannou", year=year), [entry])[0] == outcome, year
    assert match(paper(title, "Giannou"), [entry])[0] == ENRICHED  # no year: not a reason
    # Submitted 2012, last revised 2014: a listing dated by either version agrees.
    proximal = lee["1206.1623"]
    title = "Proximal Newton-type methods for minimizing composite functions"
    for year, outcome in ((2011, ENRICHED), (2014, ENRICHED), (2015, ENRICHED), (2016, NOT_FOUND)):
        assert match(paper(title, "Jason D. Lee", year=year), [proximal])[0] == outcome, year


def test_two_arxiv_papers_with_the_same_title_and_author_are_ambiguous(
    lee: dict[str, Paper],
) -> None:
    entry = lee["2307.03381"]
    twin = entry.with_changes(arxiv_id="2307.99999")
    title = "Teaching Arithmetic to Small Transformers"
    outcome, found = match(paper(title, "Nayoung Lee"), [entry, twin])
    assert outcome == AMBIGUOUS
    assert [p.arxiv_id for p in found] == ["2307.03381", "2307.99999"]
    # The same entry returned for two OR-ed phrases is one paper, not two.
    assert match(paper(title, "Nayoung Lee"), [entry, entry])[0] == ENRICHED


def test_filling_adds_what_is_missing_and_strips_the_version(lee: dict[str, Paper]) -> None:
    entry = lee["2301.13196"]
    assert entry.extra["version"] == "1"
    profile = paper(
        "Looped Transformers as Programmable Computers",
        "Angeliki Giannou",
        "Shashank Rajput",
        "Jy-yong Sohn",
        year=2023,
        truncated=True,
    ).with_changes(category="LG", abstract="The profile's abstract.")
    done = filled(profile, entry)
    assert done.arxiv_id == "2301.13196"
    assert done.url == "https://arxiv.org/abs/2301.13196"
    assert done.extra == {"pdf_url": "https://arxiv.org/pdf/2301.13196"}
    assert done.authors == entry.authors and len(done.authors) == 6
    assert done.authors_truncated is False
    assert done.categories == ("cs.LG", "cs.AI")
    # What the paper had stays: its id, title, category, abstract and date.
    assert (done.id, done.title, done.category, done.abstract, done.date) == (
        "P",
        profile.title,
        "LG",
        "The profile's abstract.",
        profile.date,
    )


def test_filling_never_replaces_a_field_already_set(lee: dict[str, Paper]) -> None:
    entry = lee["1206.1623"]
    mine = paper(
        "Proximal Newton-type methods for minimizing composite functions",
        "Jason D. Lee",
        "Yuekai Sun",
        year=2014,
    ).with_changes(doi="10.9999/mine", venue="My Venue", url="https://example.org/p")
    done = filled(mine, entry)
    assert (done.doi, done.venue, done.url) == ("10.9999/mine", "My Venue", "https://example.org/p")
    assert done.authors == ("Jason D. Lee", "Yuekai Sun")  # complete per its source: kept
    assert done.arxiv_id == "1206.1623"


def test_a_truncated_list_that_starts_differently_is_kept(lee: dict[str, Paper]) -> None:
    entry = lee["2402.10193"]
    other = paper(
        "BitDelta: Your Fine-Tune May Only Be Worth One Bit",
        "James Liu",
        "Someone Else",
        year=2024,
        truncated=True,
    )
    done = filled(other, entry)
    assert done.authors == other.authors and done.authors_truncated
    assert done.arxiv_id == "2402.10193"


def test_search_phrases_carry_words_only() -> None:
    assert (
        search_phrase("Self-Stabilization: The {I}mplicit Bias")
        == "self stabilization the implicit bias"
    )
    assert search_phrase('Quotes "and" (parens)') == "quotes and parens"
    assert search_phrase("Erd\\H{o}s problems") == "erdos problems"
    assert search_phrase("...") == ""


# --- the use case ---------------------------------------------------------------------


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from serve()


def store_files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def test_the_sample_profile_gets_ids_and_full_authors_and_keeps_its_marks(
    sample_library: Library, stand_in: StandIn
) -> None:
    library = sample_library
    stand_in.searchable = entries_of(JASON_LEE_7) + entries_of(TESTING_100)
    library.set_starred(["Giannou2023Looped"], True)
    library.set_status(["Lee2014Proximal"], ReadingStatus.READ)
    library.change_tags(["He2023REST"], add=["speculative"])
    library.set_note("Liu2024BitDelta", "1-bit deltas")
    before = {p.id: library.complete(p) for p in library.papers()}
    states = {pid: library.state(pid) for pid in before}

    report = enrich.enrich(library, library.papers(), base_url=stand_in.url, pacer=NO_PACE)

    assert str(report) == "enriched 7, not found 43, ambiguous 0"
    assert report.requests == len(stand_in.requests) <= 10
    for query in stand_in.requests:
        assert query["search_query"].startswith('ti:"')
    assert {p.id for p in library.papers()} == set(before)
    assert {pid: library.state(pid) for pid in before} == states
    looped = library.get("Giannou2023Looped")
    assert looped.arxiv_id == "2301.13196"
    assert looped.authors[-1] == "Dimitris Papailiopoulos" and not looped.authors_truncated
    proximal = library.get("Lee2014Proximal")
    assert (proximal.arxiv_id, proximal.doi) == ("1206.1623", "10.1137/130921428")
    assert proximal.date == before["Lee2014Proximal"].date
    truncated_before = [
        pid
        for pid in ("Liu2024BitDelta", "He2023REST", "Lee2023Teaching", "Su2020Sanity")
        if before[pid].authors_truncated
    ]
    assert len(truncated_before) == 4
    assert not any(library.get(pid).authors_truncated for pid in truncated_before)
    for pid, old in before.items():
        assert library.complete(library.get(pid)).abstract == old.abstract
        assert library.get(pid).title == old.title
    # Papers arXiv does not know are untouched.
    lean = library.get("Zhang2026LeanMarathon")
    assert lean == before["Zhang2026LeanMarathon"].with_abstract("")

    again = enrich.enrich(library, library.papers(), base_url=stand_in.url, pacer=NO_PACE)
    assert str(again) == "enriched 0, not found 43, ambiguous 0"


def test_fifty_papers_take_at_most_ten_requests(sample_library: Library, stand_in: StandIn) -> None:
    stand_in.searchable = entries_of(JASON_LEE_7)
    enrich.enrich(
        sample_library, sample_library.papers(), dry_run=True, base_url=stand_in.url, pacer=NO_PACE
    )
    assert len(stand_in.requests) == 5
    assert all(q["search_query"].count(' OR ti:"') == 9 for q in stand_in.requests)


def test_a_full_answer_is_asked_again_title_by_title(
    sample_library: Library, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enrich, "RESULTS_PER_REQUEST", 1)
    stand_in.searchable = entries_of(JASON_LEE_7)
    chosen = [sample_library.get(pid) for pid in ("Giannou2023Looped", "Lee2023Teaching")]
    report = enrich.enrich(sample_library, chosen, base_url=stand_in.url, pacer=NO_PACE)
    # One answer held only one entry: the other title was asked for on its own.
    assert str(report) == "enriched 2, not found 0, ambiguous 0"
    assert report.requests == 2


def test_an_id_another_paper_holds_is_a_likely_duplicate(
    sample_library: Library, stand_in: StandIn, lee: dict[str, Paper]
) -> None:
    library = sample_library
    stand_in.searchable = entries_of(JASON_LEE_7)
    library.import_result(ImportResult(papers=[lee["2301.13196"].with_changes(title="Looped")]))
    holder = next(p.id for p in library.papers() if p.arxiv_id == "2301.13196")
    chosen = [library.get("Giannou2023Looped")]
    report = enrich.enrich(library, chosen, base_url=stand_in.url, pacer=NO_PACE)
    (lookup,) = report.lookups
    assert (lookup.outcome, lookup.duplicate_of) == ("duplicate", holder)
    assert str(report) == "enriched 0, not found 0, ambiguous 0, likely duplicates 1"
    assert library.get("Giannou2023Looped").arxiv_id == ""


def test_a_dry_run_or_a_failure_changes_nothing(
    sample_library: Library, stand_in: StandIn, db_path: Path
) -> None:
    stand_in.searchable = entries_of(JASON_LEE_7)
    before = store_files(db_path)
    report = enrich.enrich(
        sample_library, sample_library.papers(), dry_run=True, base_url=stand_in.url, pacer=NO_PACE
    )
    assert report.count(ENRICHED) == 7
    assert store_files(db_path) == before

    url = closed_port_url()
    with pytest.raises(PaperReaderError, match=re.escape(f"cannot reach the arXiv API at {url}")):
        enrich.enrich(sample_library, sample_library.papers(), base_url=url, pacer=NO_PACE)
    assert store_files(db_path) == before


def test_undo_puts_back_only_what_still_holds_the_enriched_value(
    sample_library: Library, stand_in: StandIn, db_path: Path
) -> None:
    library = sample_library
    stand_in.searchable = entries_of(JASON_LEE_7)
    before = {p.id: p for p in library.papers()}
    enrich.enrich(library, library.papers(), base_url=stand_in.url, pacer=NO_PACE)
    log = EnrichLog(db_path)
    assert log.path.name == "library.enrichments.json"
    run = log.last()
    assert run is not None
    assert run["papers"]["Giannou2023Looped"]["arxiv_id"] == {"before": "", "after": "2301.13196"}
    # The user corrects one enriched field by hand before undoing.
    library.revise_papers(["Lee2014Proximal"], lambda p: p.with_changes(venue="SIAM J. Optim."))
    library.set_starred(["Lee2023Teaching"], True)

    undone = EnrichLog(db_path).undo_last(library)

    assert len(undone.restored) == 7
    assert undone.kept == {"Lee2014Proximal": ["venue"]}
    for pid, old in before.items():
        now = library.get(pid)
        if pid == "Lee2014Proximal":
            assert (now.venue, now.arxiv_id) == ("SIAM J. Optim.", "")
        else:
            assert now == old
    assert library.state("Lee2023Teaching").starred
    assert EnrichLog(db_path).last() is None
    with pytest.raises(PaperReaderError, match="no enrichment to undo"):
        EnrichLog(db_path).undo_last(library)


def test_a_damaged_log_is_reported(sample_library: Library, db_path: Path) -> None:
    log = EnrichLog(db_path)
    log.path.write_text('{"version": 1, "runs": [{"papers": {"x": 1}}]}', encoding="utf-8")
    with pytest.raises(StoreError, match=r"enrichments\.json: the file is damaged"):
        log.undo_last(sample_library)


def test_the_stand_in_serves_the_real_format() -> None:
    # The replayed answers parse like the recorded ones they are cut from.
    text = feed(entries_of(TESTING_100)[:3], total=214881)
    result = arxiv_atom.parse(text)
    assert len(result.papers) == 3
    assert result.collection is not None
    assert result.collection.metrics["total_results"] == "214881"
