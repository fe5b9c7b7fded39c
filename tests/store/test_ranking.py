"""Ranking by the user's decisions, and its feature cache, on real stores and real files."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from store import features as features_module
from store.errors import UnknownPaperError
from store.features import cache_path
from store.formats import decode_input, parse_text
from store.library import Library
from store.model import ImportResult, Paper, ReadingStatus
from store.query import parse as parse_query
from store.ranking import FEW_SKIPS, Ranker, Ranking, decisions_of
from tests.conftest import REALDATA, ROOT, child_env

PSYCHOLOGY = REALDATA / "bibtex" / "zotero-export-psychology-abstract-url-file-584.bib"
ML_THESIS = REALDATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib"
GLACIOLOGY = REALDATA / "csljson" / "better-csl-json-glaciology-thesis-88-items.json"
ARMENIAN = REALDATA / "csljson" / "zotero-csl-json-armenian-studies-250-items.json"


TwoFields = tuple[Library, list[Paper], list[Paper]]


def _import(library: Library, *paths: Path) -> None:
    for path in paths:
        result = parse_text(decode_input(path.read_bytes()), source=str(path))
        library.import_result(result, source=str(path))


def _only_in(library: Library, mine: str, other: str) -> list[Paper]:
    """Papers of collection ``mine`` (not also in ``other``), in the collection's order."""
    papers = [p for p in library.papers() if mine in p.collections and other not in p.collections]
    return sorted(papers, key=lambda p: p.collections[mine])


def _spread(papers: list[Paper], count: int) -> list[Paper]:
    step = len(papers) / count
    return [papers[int(k * step)] for k in range(count)]


@pytest.fixture
def two_fields(db_path: Path) -> TwoFields:
    """Psychology (with abstracts) and an ML thesis in one store, 15 of each decided."""
    library = Library(db_path)
    _import(library, PSYCHOLOGY, ML_THESIS)
    psych_name, ml_name = (c.name for c in library.collections())
    psychology = _only_in(library, psych_name, ml_name)
    ml = _only_in(library, ml_name, psych_name)
    library.set_status([p.id for p in _spread(psychology, 10)], ReadingStatus.READ)
    library.set_starred([p.id for p in _spread(psychology[5:], 5)], True)
    library.set_status([p.id for p in _spread(ml, 15)], ReadingStatus.SKIPPED)
    return library, psychology, ml


def test_interest_puts_the_read_field_first(two_fields: TwoFields) -> None:
    library, psychology, _ml = two_fields
    wanted = {p.id for p in psychology}
    unread = library.search(parse_query("status:unread"), sort="date")
    ranking = Ranker(library).fit(decisions_of(library))

    assert ranking.trained and ranking.note == ""
    top = ranking.order(unread)[:40]
    by_interest = sum(p.id in wanted for p in top) / 40
    by_date = sum(p.id in wanted for p in unread[:40]) / 40
    assert by_interest >= 0.9
    assert by_interest > by_date
    assert sorted(p.id for p in ranking.order(unread)) == sorted(p.id for p in unread)


def test_why_names_terms_of_the_paper_itself(two_fields: TwoFields) -> None:
    library, _psychology, _ml = two_fields
    ranking = Ranker(library).fit(decisions_of(library))
    best = ranking.order(library.search(parse_query("status:unread")))[0]
    reasons = ranking.why(best.id)
    assert 1 <= len(reasons) <= 3
    text = library.complete(best)
    words = " ".join((text.title, text.abstract, text.venue, *text.authors)).casefold()
    assert all(reason.split(" (")[0].casefold().split()[0] in words for reason in reasons)


def test_like_returns_papers_of_the_same_field_and_never_itself(two_fields: TwoFields) -> None:
    library, psychology, ml = two_fields
    ranker = Ranker(library)
    for reference, own in ((psychology[40], psychology), (ml[100], ml)):
        own_ids = {p.id for p in own}
        nearest = ranker.like(reference.id).order(library.papers())[:10]
        assert reference.id not in {p.id for p in nearest}
        assert sum(p.id in own_ids for p in nearest) >= 8


def test_like_of_an_unknown_paper_raises(two_fields: TwoFields) -> None:
    library, _psychology, _ml = two_fields
    with pytest.raises(UnknownPaperError):
        Ranker(library).like("NoSuchPaper1999")


def test_fewer_than_five_decisions_keep_date_order(db_path: Path) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY, ARMENIAN)
    by_date = library.search(parse_query(""), sort="date")
    library.set_status([p.id for p in by_date[:3]], ReadingStatus.READ)
    library.set_status([by_date[-1].id], ReadingStatus.SKIPPED)

    ranking = Ranker(library).fit(decisions_of(library))

    assert not ranking.trained
    assert ranking.note == "4 decisions so far, 5 needed"
    assert ranking.order(by_date) == list(by_date)
    assert ranking.why(by_date[0].id) == []


def test_decisions_read_reading_and_starred_are_positive(db_path: Path) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)
    ids = [p.id for p in library.papers()]
    library.set_status(ids[0:1], ReadingStatus.READ)
    library.set_status(ids[1:2], ReadingStatus.READING)
    library.set_starred(ids[2:3], True)
    library.set_status(ids[3:4], ReadingStatus.SKIPPED)

    few_skips = decisions_of(library)
    assert few_skips.positive == set(ids[0:3])
    assert few_skips.negative == {ids[3]}
    assert few_skips.weak == set(ids[4:])  # fewer than FEW_SKIPS skips: unread are weak
    library.set_status(ids[4 : 4 + FEW_SKIPS], ReadingStatus.SKIPPED)
    assert decisions_of(library).weak == frozenset()


def test_a_tag_model_ranks_tagged_papers_kind_first(db_path: Path) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY, ARMENIAN)
    glacio_name, armenian_name = (c.name for c in library.collections())
    armenian = _only_in(library, armenian_name, glacio_name)
    glaciology = {p.id for p in _only_in(library, glacio_name, armenian_name)}
    for paper in _spread(armenian, 8):
        library.change_tags([paper.id], add=["armenia"])

    decisions = decisions_of(library, "Armenia")  # tags match as ``tag:`` does
    assert len(decisions.positive) == 8
    ranking = Ranker(library).fit(decisions)

    assert ranking.name == "interest:Armenia" and ranking.trained
    top = ranking.order(library.search(parse_query("-tag:armenia")))[:20]
    assert len(top) == 20 and all(p.id not in glaciology for p in top)
    assert not Ranker(library).fit(decisions_of(library, "nosuchtag")).trained


# -- the feature cache ---------------------------------------------------------------


def test_features_are_cached_beside_the_store_and_reused(
    two_fields: TwoFields, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _psychology, _ml = two_fields
    first = Ranker(library).features()
    assert cache_path(library.path) == library.path.with_name("library.features.npz")
    assert cache_path(library.path).is_file()

    def no_build(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("features were built again from an unchanged catalogue")

    monkeypatch.setattr(features_module, "build", no_build)
    again = Ranker(Library(library.path)).features()
    assert again.ids == first.ids and again.terms == first.terms
    assert (again.matrix != first.matrix).nnz == 0


@pytest.mark.parametrize(
    "damage", [b"", b"not a zip at all", None], ids=["empty", "garbage", "truncated"]
)
def test_a_damaged_cache_is_rebuilt_silently(db_path: Path, damage: bytes | None) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)
    built = Ranker(library).features()
    path = cache_path(db_path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if damage is None else damage)

    rebuilt = Ranker(Library(db_path)).features()

    assert rebuilt.ids == built.ids and rebuilt.terms == built.terms
    assert features_module.load(path, built.signature) is not None  # written back whole


def test_a_changed_catalogue_rebuilds_the_features(db_path: Path) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)
    ranker = Ranker(library)
    before = ranker.features()
    _import(library, ARMENIAN)

    after = ranker.features()

    assert len(after.ids) == len(library) > len(before.ids)
    assert after.signature != before.signature
    assert Ranker(Library(db_path)).features().ids == after.ids


def test_a_child_process_can_build_the_features(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)

    def not_here(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("built in the reader's own process")

    monkeypatch.setattr(features_module, "build", not_here)
    monkeypatch.setattr(features_module, "CHILD_BUILD_MIN_PAPERS", 10)
    features = Ranker(library, build_in_child=True).features()

    assert features.ids == tuple(p.id for p in library.papers())
    assert cache_path(db_path).is_file()


def test_an_unwritable_folder_still_ranks(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("store.features.os.replace", refuse)
    features = Ranker(library).features()
    assert len(features.ids) == len(library)
    assert not cache_path(db_path).exists()
    assert not list(db_path.parent.glob("*.tmp"))


def test_papers_without_words_leave_the_model_untrained(db_path: Path) -> None:
    library = Library(db_path)
    papers = [Paper(id="", title=f"{n} — {n + 1}", date=f"20{n:02d}") for n in range(10, 22)]
    library.import_result(ImportResult(papers=papers), source="numbers")
    ids = [p.id for p in library.papers()]
    library.set_status(ids[:3], ReadingStatus.READ)
    library.set_status(ids[3:6], ReadingStatus.SKIPPED)

    ranking = Ranker(library).fit(decisions_of(library))

    assert not ranking.trained
    assert ranking.note == "the papers have no words to learn from"
    alike = Ranker(library).like(ids[0])
    assert not alike.trained and alike.order(library.papers()) == []


def test_feature_rows_are_unit_length_and_bounded(two_fields: TwoFields) -> None:
    import numpy as np

    library, _psychology, _ml = two_fields
    matrix = Ranker(library).features().matrix
    per_paper = np.diff(matrix.indptr)
    assert per_paper.max() == features_module.TERMS_PER_PAPER  # long abstracts were capped
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms[per_paper > 0], 1.0, atol=1e-5)


def _best_first(ranking: Ranking, papers: list[Paper]) -> list[Paper]:
    """What ``order`` promises, the slow way: best score first, ties in the given order."""
    listed = [p for p in papers if p.id not in ranking.excluded]
    if not ranking.keep_unrelated:
        listed = [p for p in listed if ranking.score(p.id) > 0.0]
    return sorted(listed, key=lambda p: -ranking.score(p.id))


def test_order_is_best_first_with_ties_in_the_given_order(two_fields: TwoFields) -> None:
    library, psychology, ml = two_fields
    by_date = library.search(parse_query(""), sort="date")
    # Papers the features do not know score 0 and tie with one another; copies of
    # the library's papers are other objects than the ones the ranker holds.
    strangers = [Paper(id=f"Stranger{n}", title=f"stranger {n}") for n in range(3)]
    copies = [replace(p) for p in by_date[::7]]
    mixed = by_date[::3] + strangers + copies + list(reversed(strangers))
    for ranker in (Ranker(library), Ranker(library, paper_rows=True)):
        interest = ranker.fit(decisions_of(library))
        alike = ranker.like(psychology[40].id)
        for ranking in (interest, alike):
            for papers in (by_date, list(reversed(by_date)), mixed, by_date[:1], []):
                assert ranking.order(papers) == _best_first(ranking, papers)
        ranked = interest.order(mixed)
        assert [p.id for p in ranked if p.id.startswith("Stranger")] == [
            "Stranger0", "Stranger1", "Stranger2", "Stranger2", "Stranger1", "Stranger0"
        ]  # fmt: skip
        copy = replace(psychology[40])
        assert copy is not psychology[40]
        assert psychology[40].id not in {p.id for p in alike.order([copy, *ml[:20]])}


def test_an_excluded_paper_the_features_lack_is_still_left_out(two_fields: TwoFields) -> None:
    library, _psychology, _ml = two_fields
    interest = Ranker(library).fit(decisions_of(library))
    stranger = Paper(id="Stranger0", title="stranger")
    papers = [*library.papers()[:10], stranger]
    leaving_out = Ranking(
        "like:Stranger0",
        True,
        "",
        interest.features,
        interest.weights,
        interest.scores,
        excluded=frozenset({"Stranger0"}),
    )
    assert leaving_out.order(papers) == _best_first(interest, papers[:10])


def test_loaded_features_rank_as_built_ones_after_their_memory_is_released(
    two_fields: TwoFields, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    library, psychology, _ml = two_fields
    built_ranker = Ranker(library)
    built = built_ranker.features()
    assert built.mapping is None  # built here: in memory
    monkeypatch.setattr(features_module, "_RELEASE_ROWS", 7)  # many blocks, each released
    loaded_ranker = Ranker(Library(library.path))
    loaded = loaded_ranker.features()
    assert loaded.mapping is not None  # mapped from the cache file, not read into memory
    assert not loaded.matrix.data.flags.owndata

    for ranker in (built_ranker, loaded_ranker):
        ranker.features().release()
    interest = built_ranker.fit(decisions_of(library)), loaded_ranker.fit(decisions_of(library))
    alike = built_ranker.like(psychology[3].id), loaded_ranker.like(psychology[3].id)
    for from_built, from_loaded in (interest, alike):
        assert np.array_equal(from_built.scores, from_loaded.scores)
        papers = library.papers()
        assert from_built.order(papers) == from_loaded.order(papers)
        assert from_built.why(papers[5].id) == from_loaded.why(papers[5].id)
    assert (loaded.matrix != built.matrix).nnz == 0
    with np.load(cache_path(library.path)) as saved:  # still an ordinary .npz
        assert np.array_equal(saved["data"], built.matrix.data)


def test_too_few_decisions_build_no_features(db_path: Path) -> None:
    library = Library(db_path)
    _import(library, GLACIOLOGY)
    library.set_status([p.id for p in library.papers()[:4]], ReadingStatus.READ)

    ranking = Ranker(library).fit(decisions_of(library))
    by_tag = Ranker(library).fit(decisions_of(library, tag="nobody-uses-this"))

    assert ranking.note == "4 decisions so far, 5 needed"
    assert by_tag.note == "no paper is tagged 'nobody-uses-this'"
    assert not cache_path(db_path).exists()
    assert ranking.order(library.papers()) == library.papers()
    # Nor do they load numpy: the reader pays nothing for an O that only says why not.
    code = (
        "import sys\nfrom store.library import Library\n"
        "from store.ranking import Ranker, decisions_of\n"
        f"library = Library({str(db_path)!r})\n"
        "ranking = Ranker(library, paper_rows=True).fit(decisions_of(library))\n"
        "ids = [p.id for p in library.papers()]\n"
        "assert [p.id for p in ranking.order(library.papers())] == ids\n"
        "print(*(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=child_env(),
        timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == ""


def test_a_child_process_fits_the_same_model(
    two_fields: TwoFields, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from store import ranking as ranking_module
    from store import svm

    library, _psychology, _ml = two_fields
    here = Ranker(library).fit(decisions_of(library))
    monkeypatch.setattr(ranking_module, "CHILD_FIT_MIN_PAPERS", 10)
    children: list[object] = []
    real = svm.fit_in_child

    def counted(*args: Any) -> object:
        children.append(real(*args))
        return children[-1]

    monkeypatch.setattr(svm, "fit_in_child", counted)
    there = Ranker(Library(library.path), build_in_child=True).fit(decisions_of(library))

    assert len(children) == 1 and children[0] is not None  # fitted by the child, not here
    assert np.array_equal(here.weights, there.weights)
    assert np.array_equal(here.scores, there.scores)
    papers = library.papers()
    assert here.order(papers) == there.order(papers)


def test_a_failing_child_fit_falls_back_to_fitting_here(
    two_fields: TwoFields, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from store import ranking as ranking_module

    library, _psychology, _ml = two_fields
    here = Ranker(library).fit(decisions_of(library))
    monkeypatch.setattr(ranking_module, "CHILD_FIT_MIN_PAPERS", 10)
    monkeypatch.setattr("store.svm.sys.executable", "/nonexistent/python")
    there = Ranker(Library(library.path), build_in_child=True).fit(decisions_of(library))

    assert there.trained and np.array_equal(here.scores, there.scores)


def test_papers_read_again_are_let_go_and_still_ranked(two_fields: TwoFields) -> None:
    library, _psychology, _ml = two_fields
    ranker = Ranker(library, paper_rows=True)
    ranking = ranker.fit(decisions_of(library))
    before = [p.id for p in ranking.order(library.papers())]
    assert ranking.paper_rows is not None and ranking.paper_rows.holds_papers()

    _import(Library(library.path), GLACIOLOGY)  # another process imports...
    assert library.refresh()  # ...and this one reads every paper again: new objects
    ranker.let_go_of_replaced_papers()

    assert not ranking.paper_rows.holds_papers()  # the old catalogue is not kept alive
    known = set(before)
    again = [p for p in library.papers() if p.id in known]
    assert [p.id for p in ranking.order(again)] == before  # looked up by id now
    fresh = ranker.fit(decisions_of(library))
    assert fresh.paper_rows is not None and fresh.paper_rows.holds_papers()
