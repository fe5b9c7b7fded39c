"""Rendered titles: computed at import, kept beside the catalogue, rebuilt when unfit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

import store.latex
from store import rendered
from store.importing import import_files
from store.library import Library
from store.rendered import cache_path, prepare, title_text

BIBTEX = r"""
@article{a, title = {{Sharp Rates for $d^2\asymp n\log n$ Regimes}}, author = {Lee, Jason},
  year = {2023}}
@article{b, title = {Learning $\theta^\star \in S^{d-1}$ with Few Samples}, author = {Sun, Yue},
  year = {2022}}
@article{c, title = {A Plain Title}, author = {Ng, Andrew}, year = {2021}}
"""
RENDERED = {
    "a": "Sharp Rates for d² ≍ n log n Regimes",
    "b": "Learning θ⋆ ∈ Sᵈ⁻¹ with Few Samples",
    "c": "A Plain Title",
}


@pytest.fixture(autouse=True)
def _fresh_process() -> Iterator[None]:
    """Each test starts as a new process would: nothing rendered in memory."""
    rendered.forget()
    yield
    rendered.forget()


@pytest.fixture
def imported(db_path: Path, tmp_path: Path) -> Library:
    source = tmp_path / "refs.bib"
    source.write_text(BIBTEX, encoding="utf-8")
    library = Library(db_path)
    import_files(library, [str(source)])
    return library


def _texts(library: Library) -> dict[str, str]:
    by_key = {paper.aliases["refs"][0]: paper for paper in library.papers()}
    return {key: title_text(paper.title) for key, paper in by_key.items()}


def _no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(title: str) -> str:
        raise AssertionError(f"rendered again: {title!r}")

    monkeypatch.setattr(rendered, "_render", refuse)


def test_titles_render_latex_and_leave_plain_text_alone() -> None:
    assert title_text(r"$d^2\asymp n\log n$ Rates") == "d² ≍ n log n Rates"
    assert title_text("{Braces} alone are text") == "{Braces} alone are text"
    assert title_text("Tab\tand  spaces ") == "Tab and spaces"


def test_an_import_converts_each_latex_title_once(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Identity normalises the title and the import then renders it: one conversion.
    converted: list[str] = []
    original = store.latex.latex_to_unicode

    def counting(text: str) -> str:
        converted.append(text)
        return original(text)

    monkeypatch.setattr(store.latex, "latex_to_unicode", counting)
    source = tmp_path / "refs.bib"
    source.write_text(BIBTEX, encoding="utf-8")
    library = Library(db_path)
    import_files(library, [str(source)])
    assert sorted(converted) == [
        r"Learning $\theta^\star \in S^{d-1}$ with Few Samples",
        r"Sharp Rates for $d^2\asymp n\log n$ Regimes",
    ]
    assert _texts(library) == RENDERED


def test_an_import_renders_the_titles_so_a_later_list_renders_none(
    imported: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = orjson.loads(cache_path(imported.path).read_bytes())
    assert set(saved["titles"].values()) == {RENDERED["a"], RENDERED["b"]}  # LaTeX titles only
    rendered.forget()  # a new process
    _no_rendering(monkeypatch)
    library = Library(imported.path)
    assert prepare(library.path, (p.title for p in library.papers())) == 0
    assert _texts(library) == RENDERED


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00garbage{",
        b'{"renderer": "another version", "titles": {}}',
        b"[1, 2, 3]",
        b'{"renderer": "@", "titles": {"x": 3}}',
    ],
    ids=["empty", "garbage", "other-renderer", "not-an-object", "wrong-types"],
)
def test_a_damaged_or_foreign_cache_is_rebuilt_silently(
    imported: Library, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cache_path(imported.path)
    content = content.replace(b'"@"', orjson.dumps(rendered.renderer_signature()))
    path.write_bytes(content)
    rendered.forget()
    library = Library(imported.path)
    assert prepare(library.path, (p.title for p in library.papers())) == 2
    assert _texts(library) == RENDERED
    assert capsys.readouterr() == ("", "")
    rebuilt = orjson.loads(path.read_bytes())
    assert rebuilt["renderer"] == rendered.renderer_signature()
    assert sorted(rebuilt["titles"].values()) == sorted((RENDERED["a"], RENDERED["b"]))


def test_a_cache_holding_escape_sequences_is_not_trusted(imported: Library) -> None:
    path = cache_path(imported.path)
    saved = orjson.loads(path.read_bytes())
    saved["titles"] = {raw: "\x1b[2J" + text for raw, text in saved["titles"].items()}
    path.write_bytes(orjson.dumps(saved))
    rendered.forget()
    library = Library(imported.path)
    assert _texts(library) == RENDERED


def test_a_missing_cache_is_rebuilt(imported: Library) -> None:
    cache_path(imported.path).unlink()
    rendered.forget()
    assert prepare(imported.path, (p.title for p in imported.papers())) == 2
    assert cache_path(imported.path).exists()


def test_titles_of_replaced_papers_leave_the_cache(imported: Library, tmp_path: Path) -> None:
    changed = tmp_path / "refs.bib"
    changed.write_text(BIBTEX.replace(r"$d^2\asymp n\log n$", r"$k\le n$"), encoding="utf-8")
    import_files(imported, [str(changed)])
    titles = orjson.loads(cache_path(imported.path).read_bytes())["titles"]
    assert sorted(titles.values()) == sorted(("Sharp Rates for k ≤ n Regimes", RENDERED["b"]))


def test_a_cache_that_cannot_be_written_changes_nothing_shown(
    imported: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_path(imported.path).unlink()
    rendered.forget()

    def refuse(*_args: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("store.rendered.os.replace", refuse)
    assert prepare(imported.path, (p.title for p in imported.papers())) == 2
    assert _texts(imported) == RENDERED
    assert sorted(p.name for p in imported.path.parent.iterdir() if "titles" in p.name) == []
