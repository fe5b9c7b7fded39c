"""BibLaTeX data inheritance: ``crossref`` and ``xdata``, across every file of one import.

A child takes the fields it lacks from its parent; its own fields always
win. The parent may sit in any file of the import (a bibliography split as
``literatur.bib`` and ``crossref.bib``), and may itself inherit (a paper in
proceedings that belong to a multi-volume set), so parents are resolved
first; a cycle is warned about and broken, never followed.

``crossref`` follows biblatex's default rules (manual, appendix "Default
Crossref Setup"). The parent's ``title``, ``subtitle`` and ``titleaddon``
become the child's ``booktitle``, ``booksubtitle`` and ``booktitleaddon``
for a paper in proceedings, a collection or a book; ``maintitle`` (and so
on) under a multi-volume work; ``journaltitle`` for an article in a
``@periodical``. ``shorttitle``, ``sorttitle`` and friends are not
inherited; a book's author is also the chapter's ``bookauthor``; every
other field (year, date, month, publisher, editor, location, address,
series, volume...) is copied as is, which is also what classic BibTeX's
crossref does. Classic files put an ``@incollection`` under a ``@book``
(BibTeX has no ``@collection``), so any child that lives inside a volume
takes the parent's title as ``booktitle``. When no rule maps the title (an
``@article`` under an ``@article``), the parent's title is not taken: the
child would claim to be its parent.

``xdata`` (a comma-separated list of ``@xdata`` keys) copies every field the
child lacks, in the order the keys are listed.

A parent that cannot be found is a warning on the child's line; the child
keeps its ``crossref``/``xdata`` field so that nothing is lost. A resolved
child drops it: the fields are now its own, and exported alone it must not
inherit twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from store.formats.bibtex_values import Entry
from store.model import ImportWarning

# Fields that describe an entry itself, never passed on (biblatex's "noinherit" for all).
_NOT_INHERITED = frozenset(
    {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label"}
    | {"options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype"}
    | {"shorthand", "shorthandintro", "sortkey", "key"}
)
_TITLE_FIELDS = ("title", "subtitle", "titleaddon")
_OTHER_TITLES = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})

# (parent types, child types, prefix the parent's title fields take in the child)
_TITLE_RULES: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (frozenset({"mvbook"}), frozenset({"book", "inbook", "bookinbook", "suppbook"}), "main"),
    (
        frozenset({"mvcollection", "mvreference"}),
        frozenset({"collection", "reference", "incollection", "inreference", "suppcollection"}),
        "main",
    ),
    (frozenset({"mvproceedings"}), frozenset({"proceedings", "inproceedings"}), "main"),
    (frozenset({"book"}), frozenset({"inbook", "bookinbook", "suppbook"}), "book"),
    (
        frozenset({"collection", "reference"}),
        frozenset({"incollection", "inreference", "suppcollection"}),
        "book",
    ),
    (frozenset({"proceedings"}), frozenset({"inproceedings"}), "book"),
    (frozenset({"periodical"}), frozenset({"article", "suppperiodical"}), "journal"),
)
# Children that live inside a volume, whatever their parent's type is called.
_CONTAINED = frozenset(
    {"inproceedings", "conference", "incollection", "inbook", "inreference", "bookinbook"}
    | {"suppbook", "suppcollection"}
)
_BOOK_AUTHOR_PARENTS = frozenset({"mvbook", "book"})
_BOOK_AUTHOR_CHILDREN = frozenset({"inbook", "bookinbook", "suppbook"})


def resolve_inheritance(
    files: Sequence[tuple[Sequence[Entry], list[ImportWarning]]],
    data_entries: Sequence[Entry] = (),
) -> None:
    """Fill every entry's missing fields from its ``xdata`` and ``crossref`` parents.

    Args:
        files: Each file's entries (changed in place) and its warning list,
            which receives a warning for each parent not found or cycle met.
        data_entries: The ``@xdata`` containers of every file, looked up by key.
    """
    warnings_of: dict[int, list[ImportWarning]] = {}
    everything: list[Entry] = []
    for entries, warnings in files:
        for entry in entries:
            warnings_of[id(entry)] = warnings
            everything.append(entry)
    resolver = _Resolver([*everything, *data_entries], warnings_of)
    for entry in everything:
        resolver.resolve(entry)


class _Resolver:
    """Depth-first resolution with a record of entries done and entries in progress."""

    def __init__(self, entries: Sequence[Entry], warnings_of: dict[int, list[ImportWarning]]):
        self._exact: dict[str, Entry] = {}
        self._folded: dict[str, Entry] = {}
        for entry in entries:
            self._exact.setdefault(entry.key, entry)
            self._folded.setdefault(entry.key.lower(), entry)
        self._warnings_of = warnings_of
        self._done: set[int] = set()
        self._in_progress: set[int] = set()

    def _find(self, key: str) -> Entry | None:
        return self._exact.get(key) or self._folded.get(key.lower())

    def _warn(self, entry: Entry, message: str) -> None:
        warnings = self._warnings_of.get(id(entry))
        if warnings is not None:  # an @xdata container's problems show on its users
            warnings.append(ImportWarning(f"entry {entry.key!r}: {message}", entry.line))

    def _parent(self, entry: Entry, key: str, relation: str) -> Entry | None:
        parent = self._find(key)
        if parent is None:
            self._warn(
                entry,
                f"{relation} {key!r} is not in the files of this import; "
                "only the entry's own fields are imported",
            )
            return None
        if parent is entry or id(parent) in self._in_progress:
            self._warn(entry, f"{relation} {key!r} leads back to this entry; not followed")
            return None
        self.resolve(parent)
        return parent

    def resolve(self, entry: Entry) -> None:
        """Resolve the entry's parents first, then fill the entry from them."""
        if id(entry) in self._done:
            return
        self._in_progress.add(id(entry))
        try:
            self._inherit_xdata(entry)
            self._inherit_crossref(entry)
        finally:
            self._in_progress.discard(id(entry))
            self._done.add(id(entry))

    def _inherit_xdata(self, entry: Entry) -> None:
        keys = [key.strip() for key in entry.fields.get("xdata", "").split(",") if key.strip()]
        found_all = True
        for key in keys:
            parent = self._parent(entry, key, "xdata")
            if parent is None:
                found_all = False
                continue
            for name, value in parent.fields.items():
                if name not in _NOT_INHERITED:
                    entry.fields.setdefault(name, value)
        if keys and found_all:
            del entry.fields["xdata"]

    def _inherit_crossref(self, entry: Entry) -> None:
        key = entry.fields.get("crossref", "").strip()
        if not key:
            return
        parent = self._parent(entry, key, "crossref")
        if parent is None:
            return
        fields = entry.fields
        prefix = _title_prefix(parent.type, entry.type)
        if prefix:
            for name in _TITLE_FIELDS:
                if name in parent.fields:
                    fields.setdefault(prefix + name, parent.fields[name])
        book_author = parent.type in _BOOK_AUTHOR_PARENTS and entry.type in _BOOK_AUTHOR_CHILDREN
        if book_author and "author" in parent.fields:
            fields.setdefault("bookauthor", parent.fields["author"])
        for name, value in parent.fields.items():
            if name in _NOT_INHERITED or name in _OTHER_TITLES or name in _TITLE_FIELDS:
                continue
            fields.setdefault(name, value)
        del fields["crossref"]


def _title_prefix(parent_type: str, child_type: str) -> str:
    """What the parent's title becomes in the child (``book`` → ``booktitle``), or ``""``."""
    for parents, children, prefix in _TITLE_RULES:
        if parent_type in parents and child_type in children:
            return prefix
    if child_type in _CONTAINED and parent_type != "periodical":
        return "book"
    return ""
