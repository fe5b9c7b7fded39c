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

Entries are resolved one at a time, in file order (:class:`Inheritance`),
so that an import holds its entries raw or as papers, never both at once.

A parent that cannot be found is a warning on the child's line; the child
keeps its ``crossref``/``xdata`` field so that nothing is lost. A resolved
child drops it: the fields are now its own, and exported alone it must not
inherit twice.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence

from store.formats.bibtex_scan import RawEntry
from store.formats.bibtex_values import Entry, resolve_entry, resolved_fields
from store.model import ImportWarning

_FRESH, _IN_PROGRESS, _DONE = 0, 1, 2

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


class Inheritance:
    """The entries of every file, resolved one at a time in file order, each with its parents.

    Only what is still to come and the parents someone names are held: an
    entry's raw form is let go of when its turn has come, and the papers are
    made as the entries come, so a large file never holds its entries in
    two forms at once. Parents are found as BibTeX finds them (the key as
    written, else in any case) and resolved before their children; a parent
    named anywhere is kept, resolved, for every child that names it.
    """

    def __init__(
        self,
        files: Sequence[Sequence[RawEntry]],
        data_entries: Sequence[RawEntry],
        macros: Mapping[str, str],
    ) -> None:
        self._macros = macros
        self._raw: list[RawEntry | None] = [raw for entries in files for raw in entries]
        sizes = (len(entries) for entries in files)
        self._first_of_file = list(itertools.accumulate(sizes, initial=0))
        self._entry_count = len(self._raw)
        self._raw.extend(data_entries)
        self._kept: dict[int, Entry] = {}
        self._state = bytearray(len(self._raw))  # _FRESH, _IN_PROGRESS or _DONE
        self.warnings: list[list[ImportWarning]] = [[] for _ in files]
        self._exact, self._folded = self._parents_named()
        self._kept_for_children = {*self._exact.values(), *self._folded.values()}

    def take(self, file_index: int, position: int) -> Entry:
        """The entry at ``position`` of file ``file_index``, resolved (each once, in order)."""
        index = self._first_of_file[file_index] + position
        entry = self._entry(index)
        self._resolve(index, entry)
        if index not in self._kept_for_children:
            self._kept.pop(index, None)
        return entry

    def _parents_named(self) -> tuple[dict[str, int], dict[str, int]]:
        """Where each key some entry names as a parent is, exactly and in any case."""
        named: set[str] = set()
        naming: dict[tuple[str, ...], bool] = {}  # entries share their names tuples
        for raw in self._raw:
            assert raw is not None
            names = raw.names
            names_parent = naming.get(names)
            if names_parent is None:
                names_parent = naming[names] = any(
                    name.lower() in ("crossref", "xdata") for name in names
                )
            if not names_parent:
                continue
            fields = resolved_fields(raw, self._macros, ("crossref", "xdata"))
            named.update(key.strip() for key in fields.get("xdata", "").split(","))
            named.add(fields.get("crossref", "").strip())
        named.discard("")
        folded_named = {key.lower() for key in named}
        exact: dict[str, int] = {}
        folded: dict[str, int] = {}
        for index, raw in enumerate(self._raw):
            assert raw is not None
            if raw.key in named:
                exact.setdefault(raw.key, index)
            if named and raw.key.lower() in folded_named:
                folded.setdefault(raw.key.lower(), index)
        return exact, folded

    def _entry(self, index: int) -> Entry:
        entry = self._kept.get(index)
        if entry is None:
            raw = self._raw[index]
            if raw is None:
                raise RuntimeError(f"BibTeX entry {index} was let go of before a child named it")
            entry = resolve_entry(raw, self._macros)
            self._raw[index] = None
            self._kept[index] = entry
        return entry

    def _find(self, key: str) -> int | None:
        found = self._exact.get(key)
        return found if found is not None else self._folded.get(key.lower())

    def _warn(self, index: int, entry: Entry, message: str) -> None:
        if index < self._entry_count:  # an @xdata container's problems show on its users
            file_index = bisect.bisect_right(self._first_of_file, index) - 1
            warning = ImportWarning(f"entry {entry.key!r}: {message}", entry.line)
            self.warnings[file_index].append(warning)

    def _parent(self, index: int, entry: Entry, key: str, relation: str) -> Entry | None:
        parent_index = self._find(key)
        if parent_index is None:
            self._warn(
                index,
                entry,
                f"{relation} {key!r} is not in the files of this import; "
                "only the entry's own fields are imported",
            )
            return None
        if parent_index == index or self._state[parent_index] == _IN_PROGRESS:
            self._warn(index, entry, f"{relation} {key!r} leads back to this entry; not followed")
            return None
        parent = self._entry(parent_index)
        self._resolve(parent_index, parent)
        return parent

    def _resolve(self, index: int, entry: Entry) -> None:
        """Resolve the entry's parents first, then fill the entry from them."""
        if self._state[index] == _DONE:
            return
        self._state[index] = _IN_PROGRESS
        try:
            self._inherit_xdata(index, entry)
            self._inherit_crossref(index, entry)
        finally:
            self._state[index] = _DONE

    def _inherit_xdata(self, index: int, entry: Entry) -> None:
        keys = [key.strip() for key in entry.fields.get("xdata", "").split(",") if key.strip()]
        found_all = True
        for key in keys:
            parent = self._parent(index, entry, key, "xdata")
            if parent is None:
                found_all = False
                continue
            for name, value in parent.fields.items():
                if name not in _NOT_INHERITED:
                    entry.fields.setdefault(name, value)
        if keys and found_all:
            del entry.fields["xdata"]

    def _inherit_crossref(self, index: int, entry: Entry) -> None:
        key = entry.fields.get("crossref", "").strip()
        if not key:
            return
        parent = self._parent(index, entry, key, "crossref")
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
