"""Followed arXiv queries: saved searches whose new papers ``fetch`` brings in.

A follow is a name and an arXiv API query (``cat:cs.LG AND abs:"in-context
learning"``, ``au:Lee_Jason_D``). Its papers live in the collection of the
same name, so ``collection:NAME`` lists them and forgetting the follow keeps
them. The follows are user data, kept in ``library.follows.json`` beside the
store (see :mod:`store.sidefiles` for how it is written)::

    {"version": 1, "follows": [{"name": "icl", "query": "...",
      "added_at": "2026-12-01T12:00:00Z", "fetched_at": "", "last_added": 0}]}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from store import sidefiles
from store.errors import PaperReaderError
from store.model import Collection
from store.query.haystack import normalise
from store.text import clean_line

FILE_ROLE = "follows"
_VERSION = 1
_MAX_NAME = 80
_MAX_QUERY = 1000


class RefusedFollow(PaperReaderError):
    """A follow that cannot be added as asked (a name or query to change: a usage error)."""


@dataclass(frozen=True, slots=True)
class Follow:
    """One saved query: what to ask arXiv, and when it was last asked.

    ``fetched_at`` is the UTC time of the last fetch that reached the API
    (``""`` before the first); ``last_added`` how many papers it added.
    """

    name: str
    query: str
    added_at: str = ""
    fetched_at: str = ""
    last_added: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Follow:
        """A follow from its record; raises ``TypeError``/``ValueError`` on a bad one."""
        name, query = data["name"], data["query"]
        if not isinstance(name, str) or not isinstance(query, str):
            raise TypeError("name and query must be text")
        return cls(
            name=name,
            query=query,
            added_at=str(data.get("added_at", "")),
            fetched_at=str(data.get("fetched_at", "")),
            last_added=int(data.get("last_added", 0)),
        )


def check_name(name: str) -> str:
    """The name as stored (trimmed), or a :class:`RefusedFollow` saying why not.

    A name is also a collection name, so it must be one line of printable
    text that no command would take for an option, and that ``collection:NAME``
    (``collection:"NAME"`` when it has spaces) can say: no double quote, and
    some letter, digit or sign that a search does not fold away.
    """
    cleaned = name.strip()
    if not cleaned:
        raise RefusedFollow("a follow needs a name")
    if clean_line(cleaned) != cleaned or len(cleaned) > _MAX_NAME:
        raise RefusedFollow(
            f"not a follow name: {cleaned[:_MAX_NAME]!r} "
            f"(one line of printable text, at most {_MAX_NAME} characters)"
        )
    if cleaned.startswith("-"):
        raise RefusedFollow(f"a follow name cannot start with '-': {cleaned!r}")
    if '"' in cleaned:
        raise RefusedFollow(
            f"a follow name cannot hold a double quote ({cleaned!r}): "
            "collection:NAME could not name it"
        )
    if not normalise(cleaned).strip():
        raise RefusedFollow(f"not a follow name: {cleaned!r} (collection:NAME would match all)")
    return cleaned


def check_collection(name: str, query: str, collections: Iterable[Collection]) -> None:
    """Refuse a name that is already a collection of imported papers.

    The follow's papers land in the collection of its name, so taking an
    imported collection's name would mix them with papers the follow did not
    bring. A collection a follow of the same name and query made (the follow
    was removed, and is added again) is its own. Names that fold to the same
    search (``ICL`` and ``icl``) are the same name here.

    Raises:
        RefusedFollow: Naming the collection and asking for another name.
    """
    wanted = normalise(name)
    own_source = f"search_query={query}"
    for collection in collections:
        if normalise(collection.name) != wanted:
            continue
        if collection.name == name and collection.source.endswith(own_source):
            return
        origin = f" (from {collection.source})" if collection.source else ""
        raise RefusedFollow(
            f"{collection.name!r} is already a collection of imported papers{origin}; "
            f"choose another name for the follow, e.g. {name + '-arxiv'!r}"
        )


def check_query(query: str) -> str:
    """The arXiv query as stored, or a :class:`RefusedFollow` saying what is wrong.

    Only what is wrong in any arXiv query is refused here (an empty or
    multi-line one, unbalanced quotes or parentheses); the API judges the rest
    on the first fetch and its own message is shown then.
    """
    cleaned = " ".join(query.split())
    if not cleaned:
        raise RefusedFollow("an arXiv query cannot be empty")
    if clean_line(query) != query.strip() or len(cleaned) > _MAX_QUERY:
        raise RefusedFollow(
            f"not an arXiv query: {cleaned[:80]!r} "
            f"(one line of printable text, at most {_MAX_QUERY} characters)"
        )
    if cleaned.count('"') % 2:
        raise RefusedFollow(f"unbalanced quotes in the arXiv query: {cleaned!r}")
    depth = 0
    for char in cleaned:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise RefusedFollow(f"unbalanced parentheses in the arXiv query: {cleaned!r}")
    return cleaned


class Follows:
    """The follows of one store, read from and written to its follows file."""

    def __init__(self, store_path: Path) -> None:
        self.path = sidefiles.side_path(store_path, FILE_ROLE)

    def all(self) -> list[Follow]:
        """Every follow, in the order they were added."""
        return self._load()

    def get(self, name: str) -> Follow:
        """The follow called ``name``; a :class:`PaperReaderError` when there is none."""
        for follow in self._load():
            if follow.name == name:
                return follow
        raise PaperReaderError(f"no followed query named {name!r}")

    def add(
        self, name: str, query: str, *, now: str, collections: Iterable[Collection] = ()
    ) -> Follow:
        """Save a new follow.

        Args:
            name: Its name, also the name of the collection its papers land in.
            query: The arXiv API query.
            now: When it is added (UTC, ISO 8601).
            collections: The store's collections: the name must not be one
                of imported papers (see :func:`check_collection`).

        Raises:
            RefusedFollow: The name or the query cannot be used, or a follow
                of that name exists already.
            StoreError: The follows file is damaged or missing (it is never
                written over then).
        """
        follow = Follow(name=check_name(name), query=check_query(query), added_at=now)
        check_collection(follow.name, follow.query, collections)
        with sidefiles.locked(self.path):
            follows = self._load()
            if any(existing.name == follow.name for existing in follows):
                raise RefusedFollow(f"a followed query named {follow.name!r} exists already")
            self._save([*follows, follow])
        return follow

    def remove(self, name: str) -> Follow:
        """Forget a follow (its papers stay); returns it."""
        with sidefiles.locked(self.path):
            follows = self._load()
            kept = [follow for follow in follows if follow.name != name]
            if len(kept) == len(follows):
                raise PaperReaderError(f"no followed query named {name!r}")
            self._save(kept)
        return next(follow for follow in follows if follow.name == name)

    def record_fetch(self, name: str, *, at: str, added: int) -> None:
        """Note that ``name`` was fetched at ``at`` and added ``added`` papers.

        A follow removed meanwhile (by another process) stays removed.
        """
        with sidefiles.locked(self.path):
            follows = self._load()
            updated = [
                replace(follow, fetched_at=at, last_added=added) if follow.name == name else follow
                for follow in follows
            ]
            if updated != follows:
                self._save(updated)

    def _load(self) -> list[Follow]:
        return read_follows(self.path)

    def _save(self, follows: list[Follow]) -> None:
        data = {"version": _VERSION, "follows": [asdict(follow) for follow in follows]}
        sidefiles.write_json(self.path, data)


def read_follows(path: Path) -> list[Follow]:
    """The follows in the follows file at ``path`` (none when it was never written).

    Raises:
        DamagedFileError: The file, or one of its records, is damaged, or
            the file is missing while its backups are there.
    """
    data = sidefiles.read_json(path)
    if data is None:
        return []
    records = data.get("follows")
    if not isinstance(records, list):
        raise sidefiles.damaged(path, "no list of follows")
    follows: list[Follow] = []
    for number, record in enumerate(records, start=1):
        try:
            follows.append(Follow.from_dict(record))
        except (TypeError, ValueError, KeyError) as err:
            raise sidefiles.damaged(path, f"follow {number} is unreadable: {err}") from None
    return follows
