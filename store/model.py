"""The domain: papers, collections and the reader's own state about each paper.

Everything here is a frozen value object so that the UI can hold on to papers
without fearing that the store mutates them underneath it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from operator import attrgetter
from typing import Any

# Re-exported: the domain is read from this module (category_name by the reader and CLI too).
from store.categories import category_name as category_name
from store.status import ReadingStatus as ReadingStatus


def year_of(date: str) -> int | None:
    """The year of an ISO date (``2024-06-03`` → 2024), or None when it has none.

    Four ASCII digits or nothing: ``str.isdigit`` alone accepts digits such as
    ``²`` that ``int()`` rejects, and no filter or facet may crash on odd data.
    """
    head = date[:4]
    return int(head) if len(head) == 4 and head.isascii() and head.isdigit() else None


class DatePrecision(StrEnum):
    """How much of a paper's ISO date is real rather than padding."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper in the catalogue; the part that importers produce.

    ``collections`` maps a collection name to the paper's rank (1-based page
    order) in it, so one paper can sit in several reading lists at once.
    ``categories`` lists every subject code, primary first (``category`` is
    the primary one); ``kind`` is the source's record type (BibTeX ``article``,
    CSL ``paper-conference``); ``extra`` keeps bibliographic fields the model
    does not name (volume, pages, publisher, ...) so exports lose nothing.
    ``aliases`` maps a source (the collection an import filled) to the keys
    that source gave this paper (BibTeX key, CSL ``citation-key``, RIS ``ID``,
    or a fingerprint for a record without one): a re-import finds the paper by
    them first. ``origin`` is ``"arxiv"`` when the arXiv API described the paper
    (arXiv revises titles between versions, so its id outweighs its title).
    """

    id: str
    title: str
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    affiliations: tuple[str, ...] = ()
    abstract: str = ""
    category: str = ""
    date: str = ""
    date_precision: DatePrecision | None = None
    has_code: bool = False
    url: str = ""
    code_url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    venue: str = ""
    collections: dict[str, int] = field(default_factory=dict)
    added_at: str = ""
    categories: tuple[str, ...] = ()
    kind: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    origin: str = ""

    @property
    def year(self) -> int | None:
        """The publication year, when the date has one (see :func:`year_of`)."""
        return year_of(self.date)

    @property
    def display_date(self) -> str:
        """The date to the precision the source gave: ``2024``, ``2024-06`` or ``2024-06-03``."""
        if self.date_precision is DatePrecision.YEAR:
            return self.date[:4]
        if self.date_precision is DatePrecision.MONTH:
            return self.date[:7]
        return self.date

    @property
    def first_author(self) -> str:
        """The first author's name, or an empty string for anonymous works."""
        return self.authors[0] if self.authors else ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the section-3 keys, lists instead of tuples."""
        # Called for every paper on import and export: one C-level attrgetter call.
        data = dict(zip(_PAPER_FIELD_ORDER, _paper_values(self), strict=True))
        for name in ("authors", "affiliations", "categories"):
            data[name] = list(data[name])
        data["collections"] = dict(self.collections)
        data["extra"] = dict(self.extra)
        data["aliases"] = {source: list(keys) for source, keys in self.aliases.items()}
        data["date_precision"] = str(self.date_precision) if self.date_precision else None
        return data

    def to_record(self) -> dict[str, Any]:
        """The catalogue record: no abstract, and no field left at its default.

        Abstracts live in their own file, and most fields of most papers are
        empty; every key left out is one less object to build when a library
        of 100,000 papers opens. :meth:`from_dict` fills the defaults back in.
        Written out field by field because an import calls it per paper (a
        test checks that every field but the abstract round-trips); orjson
        writes the tuples and the enum as they are.
        """
        record: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.authors:
            record["authors"] = self.authors
        if self.authors_truncated:
            record["authors_truncated"] = self.authors_truncated
        if self.affiliations:
            record["affiliations"] = self.affiliations
        if self.category:
            record["category"] = self.category
        if self.date:
            record["date"] = self.date
        if self.date_precision is not None:
            record["date_precision"] = self.date_precision
        if self.has_code:
            record["has_code"] = self.has_code
        if self.url:
            record["url"] = self.url
        if self.code_url:
            record["code_url"] = self.code_url
        if self.arxiv_id:
            record["arxiv_id"] = self.arxiv_id
        if self.doi:
            record["doi"] = self.doi
        if self.venue:
            record["venue"] = self.venue
        if self.collections:
            record["collections"] = self.collections
        if self.added_at:
            record["added_at"] = self.added_at
        if self.categories:
            record["categories"] = self.categories
        if self.kind:
            record["kind"] = self.kind
        if self.extra:
            record["extra"] = self.extra
        if self.aliases:
            record["aliases"] = self.aliases
        if self.origin:
            record["origin"] = self.origin
        return record

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paper:
        """Build a paper from :meth:`to_dict` output, ignoring unknown keys."""
        # Called 100,000 times when a large library opens: one positional call,
        # no intermediate dict. Wrong types raise (TypeError, ValueError...).
        get = data.get
        authors = get("authors", ())
        affiliations = get("affiliations", ())
        categories = get("categories", ())
        collections = get("collections")
        extra = get("extra")
        aliases = get("aliases")
        return _build(
            data["id"],
            data["title"],
            authors if type(authors) is tuple else tuple(authors),
            get("authors_truncated", False),
            affiliations if type(affiliations) is tuple else tuple(affiliations),
            get("abstract", ""),
            get("category", ""),
            get("date", ""),
            _PRECISIONS.get(get("date_precision") or ""),
            get("has_code", False),
            get("url", ""),
            get("code_url", ""),
            get("arxiv_id", ""),
            get("doi", ""),
            get("venue", ""),
            {str(k): int(v) for k, v in collections.items()} if collections is not None else {},
            get("added_at", ""),
            categories if type(categories) is tuple else tuple(categories),
            get("kind", ""),
            {str(k): str(v) for k, v in extra.items()} if extra is not None else {},
            {str(k): tuple(map(str, v)) for k, v in aliases.items()} if aliases else {},
            get("origin", ""),
        )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Paper:
        """:meth:`from_dict` of a catalogue record just parsed from JSON, nothing else holds.

        Built for 100,000 at a time: the record's own dicts are kept where they
        already hold what :meth:`from_dict` would copy, and repeated text
        (names, categories, venues, when added) is one shared string (35 MB
        less at 100,000; dates are not shared: a fifth of the build for 6 MB).
        It raises where a field is not what the catalogue writes, although
        :meth:`from_dict` may read it: the caller then uses :meth:`from_dict`.
        """
        pid = record["id"]
        title = record["title"]
        if type(pid) is not str or type(title) is not str:
            raise ValueError("it has no text id and title")
        get = record.get
        collections = _kept(get("collections"), int)
        extra = _kept(get("extra"), str)
        aliases = get("aliases")
        if not aliases:
            aliases = {}
        else:
            for source, keys in aliases.items():
                aliases[source] = tuple(map(str, keys))  # same keys: allowed while iterating
        draft = _UnfrozenPaper(
            pid,
            title,
            tuple(map(_shared, get("authors", ()))),
            get("authors_truncated", False),
            tuple(map(_shared, get("affiliations", ()))),
            get("abstract", ""),
            _shared(category) if (category := get("category", "")) else category,
            get("date", ""),
            _PRECISIONS.get(get("date_precision") or ""),
            get("has_code", False),
            get("url", ""),
            get("code_url", ""),
            get("arxiv_id", ""),
            get("doi", ""),
            _shared(venue) if (venue := get("venue", "")) else venue,
            collections,
            _shared(added_at) if (added_at := get("added_at", "")) else added_at,
            tuple(map(_shared, get("categories", ()))),
            _shared(kind) if (kind := get("kind", "")) else kind,
            extra,
            aliases,
            _shared(origin) if (origin := get("origin", "")) else origin,
        )
        draft.__class__ = Paper  # type: ignore[assignment]  # see _UnfrozenPaper
        return draft  # type: ignore[return-value]

    def catalogued(
        self, paper_id: str, added_at: str, aliases: dict[str, tuple[str, ...]] | None = None
    ) -> Paper:
        """The library's copy: its final id, no abstract (kept apart), ``aliases`` if given."""
        values = list(_paper_values(self))
        values[_ID], values[_ADDED_AT], values[_ABSTRACT] = paper_id, added_at, ""
        values[_ALIASES] = self.aliases if aliases is None else aliases
        return _build(*values)

    def with_abstract(self, abstract: str) -> Paper:
        """The same paper with this abstract (``replace`` costs 10× more)."""
        values = list(_paper_values(self))
        values[_ABSTRACT] = abstract
        return _build(*values)

    def with_aliases(self, aliases: dict[str, tuple[str, ...]]) -> Paper:
        """The same paper with these aliases (an import sets them on every paper it adds)."""
        values = list(_paper_values(self))
        values[_ALIASES] = aliases
        return _build(*values)

    def with_changes(self, **changes: Any) -> Paper:
        """A copy with some fields replaced."""
        return replace(self, **changes)


_PAPER_FIELD_ORDER = tuple(f.name for f in fields(Paper))
_paper_values = attrgetter(*_PAPER_FIELD_ORDER)
_PRECISIONS = {p.value: p for p in DatePrecision}
# One string for every equal one (text only), freed like others once no paper holds it.
_shared = sys.intern
_ID, _ABSTRACT, _ADDED_AT, _ALIASES = (
    _PAPER_FIELD_ORDER.index(n) for n in ("id", "abstract", "added_at", "aliases")
)


class _UnfrozenPaper:
    """Paper's memory layout without its frozen ``__init__``.

    A frozen dataclass sets each of its 20 fields through
    ``object.__setattr__``, 13× slower than plain slot stores: 0.4 s of the
    time a 100,000-paper library takes to open. A paper is built here and
    then becomes a :class:`Paper` (same slots, so CPython allows the class
    change), frozen from then on. Nothing else ever sees this class.
    """

    __slots__ = _PAPER_FIELD_ORDER

    def __init__(
        self,
        id: str,
        title: str,
        authors: tuple[str, ...],
        authors_truncated: bool,
        affiliations: tuple[str, ...],
        abstract: str,
        category: str,
        date: str,
        date_precision: DatePrecision | None,
        has_code: bool,
        url: str,
        code_url: str,
        arxiv_id: str,
        doi: str,
        venue: str,
        collections: dict[str, int],
        added_at: str,
        categories: tuple[str, ...],
        kind: str,
        extra: dict[str, str],
        aliases: dict[str, tuple[str, ...]],
        origin: str,
    ) -> None:
        self.id = id
        self.title = title
        self.authors = authors
        self.authors_truncated = authors_truncated
        self.affiliations = affiliations
        self.abstract = abstract
        self.category = category
        self.date = date
        self.date_precision = date_precision
        self.has_code = has_code
        self.url = url
        self.code_url = code_url
        self.arxiv_id = arxiv_id
        self.doi = doi
        self.venue = venue
        self.collections = collections
        self.added_at = added_at
        self.categories = categories
        self.kind = kind
        self.extra = extra
        self.aliases = aliases
        self.origin = origin


def _kept(mapping: dict[str, Any] | None, kind: type[Any]) -> dict[str, Any]:
    """A record's own dict when every value is already a ``kind``, else a converted copy."""
    if mapping is None:
        return {}
    for value in mapping.values():
        if type(value) is not kind:
            return {str(k): kind(v) for k, v in mapping.items()}
    return mapping


def _build(*values: Any) -> Paper:
    """A Paper from its field values in declaration order, built fast (see above)."""
    draft = _UnfrozenPaper(*values)
    # The class change is the point: same slots, so CPython allows it; mypy cannot know.
    draft.__class__ = Paper  # type: ignore[assignment]
    return draft  # type: ignore[return-value]


if Paper.__slots__ != _UnfrozenPaper.__slots__:
    raise AssertionError("_UnfrozenPaper must mirror Paper's fields, in order")


@dataclass(frozen=True, slots=True)
class UserState:
    """What the reader has decided about a paper; kept apart from the catalogue.

    Keeping it apart means marking a paper read rewrites a few hundred bytes,
    not a catalogue of every abstract. ``new`` marks a paper a ``fetch``
    brought in that the user has not looked at yet (see :attr:`is_new`).
    """

    status: ReadingStatus = ReadingStatus.UNREAD
    starred: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""
    status_changed_at: str = ""
    new: bool = False

    @property
    def is_new(self) -> bool:
        """Fetched and not yet seen: the flag holds until the paper is looked at or decided."""
        return self.new and self.status is ReadingStatus.UNREAD

    @property
    def is_default(self) -> bool:
        """True when nothing about the paper differs from a fresh import."""
        return (
            self.status is ReadingStatus.UNREAD
            and not self.starred
            and not self.tags
            and not self.note
            and not self.status_changed_at
            and not self.new
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the user-state keys."""
        return {
            "status": str(self.status),
            "starred": self.starred,
            "tags": list(self.tags),
            "note": self.note,
            "status_changed_at": self.status_changed_at,
            "new": self.new,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UserState:
        """Build a state from :meth:`to_dict` output; missing keys take defaults."""
        return cls(
            status=ReadingStatus(data.get("status", "unread")),
            starred=bool(data.get("starred", False)),
            tags=tuple(data.get("tags", ())),
            note=str(data.get("note", "")),
            status_changed_at=str(data.get("status_changed_at", "")),
            new=bool(data.get("new", False)),
        )


DEFAULT_STATE = UserState()


@dataclass(frozen=True, slots=True)
class Collection:
    """A reading list as imported: one profile page, one BibTeX file, ..."""

    name: str
    source: str = ""
    imported_at: str = ""
    declared_count: int | None = None
    metrics: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "source": self.source,
            "imported_at": self.imported_at,
            "declared_count": self.declared_count,
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Collection:
        """Build a collection from :meth:`to_dict` output."""
        declared = data.get("declared_count")
        return cls(
            name=str(data["name"]),
            source=str(data.get("source", "")),
            imported_at=str(data.get("imported_at", "")),
            declared_count=int(declared) if declared is not None else None,
            metrics={str(k): str(v) for k, v in (data.get("metrics") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """A problem with one part of an input that did not stop the rest importing."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an importer returns: papers in input order, their collection, warnings.

    Papers from importers carry provisional ids (an importer cannot know which
    keys the library already holds); the repository assigns final ones. A
    format that carries its own keys (BibTeX) sets ``keep_ids``. ``states``
    (keyed by the papers' ids) and ``collections`` come only from the lossless
    JSON, which carries the user's state and several reading lists at once.

    ``source_keys`` and ``lines`` run parallel to ``papers`` (or are empty when
    the format has neither): the source's own key of each entry (BibTeX key,
    CSL ``citation-key``/``id``, RIS ``ID``; ``""`` when it has none) and the
    1-based line where the entry starts. ``skipped`` counts the entries that
    could not be read (each also has a warning). ``exact_ids`` marks
    paper-reader's own export: its ids are the papers' identity, restored as
    they are and never merged by the identity rules.
    """

    papers: list[Paper]
    collection: Collection | None = None
    warnings: list[ImportWarning] = field(default_factory=list)
    keep_ids: bool = False
    states: dict[str, UserState] = field(default_factory=dict)
    collections: list[Collection] = field(default_factory=list)
    source_keys: list[str] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    skipped: int = 0
    exact_ids: bool = False
