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

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from store import sidefiles
from store.errors import PaperReaderError
from store.text import clean_line

FILE_ROLE = "follows"
_VERSION = 1
_MAX_NAME = 80
_MAX_QUERY = 1000


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
    """The name as stored (trimmed), or a :class:`PaperReaderError` saying why not.

    A name is also a collection name, so it must be one line of printable
    text that no command would take for an option.
    """
    cleaned = name.strip()
    if not cleaned:
        raise PaperReaderError("a follow needs a name")
    if clean_line(cleaned) != cleaned or len(cleaned) > _MAX_NAME:
        raise PaperReaderError(
            f"not a follow name: {cleaned[:_MAX_NAME]!r} "
            f"(one line of printable text, at most {_MAX_NAME} characters)"
        )
    if cleaned.startswith("-"):
        raise PaperReaderError(f"a follow name cannot start with '-': {cleaned!r}")
    return cleaned


def check_query(query: str) -> str:
    """The arXiv query as stored, or a :class:`PaperReaderError` saying what is wrong.

    Only what is wrong in any arXiv query is refused here (an empty or
    multi-line one, unbalanced quotes or parentheses); the API judges the rest
    on the first fetch and its own message is shown then.
    """
    cleaned = " ".join(query.split())
    if not cleaned:
        raise PaperReaderError("an arXiv query cannot be empty")
    if clean_line(query) != query.strip() or len(cleaned) > _MAX_QUERY:
        raise PaperReaderError(
            f"not an arXiv query: {cleaned[:80]!r} "
            f"(one line of printable text, at most {_MAX_QUERY} characters)"
        )
    if cleaned.count('"') % 2:
        raise PaperReaderError(f"unbalanced quotes in the arXiv query: {cleaned!r}")
    depth = 0
    for char in cleaned:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise PaperReaderError(f"unbalanced parentheses in the arXiv query: {cleaned!r}")
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

    def add(self, name: str, query: str, *, now: str) -> Follow:
        """Save a new follow; a :class:`PaperReaderError` when the name is taken."""
        follow = Follow(name=check_name(name), query=check_query(query), added_at=now)
        with sidefiles.locked(self.path):
            follows = self._load()
            if any(existing.name == follow.name for existing in follows):
                raise PaperReaderError(f"a followed query named {follow.name!r} exists already")
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
        data = sidefiles.read_json(self.path)
        if data is None:
            return []
        records = data.get("follows")
        if not isinstance(records, list):
            raise sidefiles.damaged(self.path, "no list of follows")
        follows: list[Follow] = []
        for number, record in enumerate(records, start=1):
            try:
                follows.append(Follow.from_dict(record))
            except (TypeError, ValueError, KeyError) as err:
                raise sidefiles.damaged(
                    self.path, f"follow {number} is unreadable: {err}"
                ) from None
        return follows

    def _save(self, follows: list[Follow]) -> None:
        data = {"version": _VERSION, "follows": [asdict(follow) for follow in follows]}
        sidefiles.write_json(self.path, data)
