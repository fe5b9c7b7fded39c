"""The full text against what a user does to a store from outside one process.

Real stores in temp dirs, searched and read as the commands do: a word that
came from a terminal in another encoding, abstracts changed by another
process, the cache beside a store that cannot be written.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

import store.full_text
from store.formats import parse_text
from store.library import Library
from store.query import parse as parse_query

BIB = (
    "@article{a, title={Alpha}, author={Ann Zed}, year={2020}, abstract={Caf\\'e au lait}}\n"
    "@article{b, title={Beta}, author={Bob Zed}, year={2021}, abstract={Gradient descent}}\n"
)


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    Library(path).import_result(parse_text(BIB, source="two.bib"))
    return path


@pytest.mark.parametrize("in_file", [False, True])
def test_a_word_with_an_undecodable_byte_finds_nothing_and_does_not_crash(
    small_store: Path, monkeypatch: pytest.MonkeyPatch, in_file: bool
) -> None:
    if in_file:
        monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    library = Library(small_store)
    # `paper-reader list caf$'\xe9'` in a UTF-8 locale: argv holds U+DCE9
    for text in ("caf\udce9", "abstract:caf\udce9", "-caf\udce9"):
        found = [p.title for p in library.search(parse_query(text))]
        assert found == (["Beta", "Alpha"] if text.startswith("-") else []), text
    assert [p.title for p in library.search(parse_query("gradient"))] == ["Beta"]


def test_the_child_runs_our_code_whatever_the_folder_it_starts_in(
    small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's project folder with a package of the same name: `python -m`
    # would put the current folder first and run that package's code.
    project = tmp_path / "project"
    (project / "store").mkdir(parents=True)
    ran = project / "ran"
    (project / "store" / "__init__.py").write_text(f"open({str(ran)!r}, 'w').close()\n")
    monkeypatch.chdir(project)
    library = Library(small_store)
    cache = store.full_text.cache_path(small_store)
    assert store.full_text.build_in_child(small_store, library._abstract_parts, [])
    assert not ran.exists()
    stamp = store.full_text.signature(library._abstract_parts.paths(small_store))
    assert stamp is not None
    written = store.full_text.FullText.open(cache, stamp)
    assert written is not None and dict(written) == library._abstract_map()


def test_a_cache_folded_under_another_unicode_database_is_made_again(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Folding (NFKD, casefold, what is printable) follows Python's Unicode
    # database: after a Python upgrade, text folded by the old one would be
    # searched with needles folded by the new one.
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    Library(small_store).full_text()
    cache = store.full_text.cache_path(small_store)
    before = cache.stat().st_ino
    monkeypatch.setattr(unicodedata, "unidata_version", "99.0.0")
    library = Library(small_store)
    assert [p.title for p in library.search(parse_query("gradient"))] == ["Beta"]
    assert cache.stat().st_ino != before  # written again for this database


class _Free:
    """What ``os.statvfs`` says of a folder with ``free`` bytes left."""

    def __init__(self, free: int) -> None:
        self.f_bavail, self.f_frsize = free // 4096, 4096


def test_the_cache_is_not_written_into_the_last_free_space_of_the_disk(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Filling the disk, even for a moment, would make the user's own writes
    # (a note, a status) fail in a process writing at the same instant.
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    monkeypatch.setattr(os, "statvfs", lambda _path: _Free(1 << 20))
    library = Library(small_store)
    library.abstract("a")  # abstracts in memory: this process writes the file
    assert [p.title for p in library.search(parse_query("gradient"))] == ["Beta"]
    folder = small_store.parent
    assert not [f.name for f in folder.iterdir() if ".search.bin" in f.name]


def test_the_cache_is_on_disk_before_it_takes_the_place_of_the_old_one(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exports read abstracts from it: after a power cut, the renamed file must
    # hold the texts, not blocks never written.
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    synced: set[int] = set()
    done: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        synced.add(os.fstat(fd).st_ino)
        real_fsync(fd)

    def replace(source: str | Path, target: str | Path) -> None:
        if str(target).endswith(".search.bin"):
            done.append("synced" if os.stat(source).st_ino in synced else "not synced")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    library = Library(small_store)
    library.abstract("a")
    assert library.full_text().mapped
    assert done == ["synced"]
