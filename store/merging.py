"""How an import's records join the catalogue: which are new, which are papers already there.

:func:`merge_import` walks an importer's records in file order and decides
each one by the rules of :mod:`store.identity`: a source key it has seen
before (the same file imported again), else the stored paper whose id is the
record's key (our own export read back), else a paper the rules call the
same, else a new paper. It changes nothing on disk; :class:`~store.library.Library`
writes what it returns as one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from store.identity import (
    Facts,
    IdentityIndex,
    base_key,
    contradicts,
    fingerprint,
    judge,
    same_by_own_id,
    unique_key,
)
from store.model import DatePrecision, ImportResult, ImportWarning, Paper, UserState

_PRECISION_RANK = {None: 0, DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}
_FILLED_FIELDS = (
    "title",
    "abstract",
    "category",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
    "venue",
    "affiliations",
    "categories",
    "kind",
)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, in the words the command line prints.

    ``added + merged + updated + unchanged + skipped`` is the number of
    entries in the input: ``merged`` counts entries folded into another entry
    of the same import, ``skipped`` entries that could not be read.
    ``warnings`` holds every warning line (the importer's and the identity
    notices); ``merges`` says which entries were folded into which.
    """

    added: int
    merged: int
    updated: int
    unchanged: int
    skipped: int
    warnings: tuple[ImportWarning, ...] = ()
    merges: tuple[str, ...] = ()
    collection: str | None = None

    @property
    def entries(self) -> int:
        """How many entries the input held."""
        return self.added + self.merged + self.updated + self.unchanged + self.skipped

    def __str__(self) -> str:
        return (
            f"added {self.added}, merged {self.merged}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}, warnings {len(self.warnings)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The counts, warnings and merges as JSON-ready values."""
        return {
            "added": self.added,
            "merged": self.merged,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": len(self.warnings),
            "warning_lines": [str(warning) for warning in self.warnings],
            "merges": list(self.merges),
            "collection": self.collection,
        }

    @classmethod
    def total(cls, summaries: list[ImportSummary]) -> ImportSummary:
        """The sum of several files' summaries."""
        return cls(
            added=sum(s.added for s in summaries),
            merged=sum(s.merged for s in summaries),
            updated=sum(s.updated for s in summaries),
            unchanged=sum(s.unchanged for s in summaries),
            skipped=sum(s.skipped for s in summaries),
            warnings=tuple(w for s in summaries for w in s.warnings),
            merges=tuple(m for s in summaries for m in s.merges),
        )


def merge_papers(existing: Paper, incoming: Paper) -> Paper:
    """The same paper seen again: richer fields fill gaps, nothing is erased.

    A re-import of the same reading list may correct fields of a paper only
    it holds (its values win); another source only fills what is missing, so
    a BibTeX file cannot rename a paper the arXiv feed titled, not even when
    imported twice. The stored id and ``added_at`` never change;
    collections and aliases are united. A truncated author list never replaces
    a complete one, and a date only gives way to one at least as precise.
    """
    # Only a paper no other source knows is corrected by its source: a paper two
    # sources share would otherwise change back and forth with every re-import.
    same_source = bool(incoming.collections) and set(incoming.collections) == set(
        existing.collections
    )
    changes: dict[str, Any] = {}
    for name in _FILLED_FIELDS:
        value = getattr(incoming, name)
        current = getattr(existing, name)
        if value and value != current and (same_source or not current):
            changes[name] = value
    authors_richer = bool(incoming.authors) and (
        not existing.authors
        or (existing.authors_truncated and not incoming.authors_truncated)
        or (existing.authors_truncated and len(incoming.authors) > len(existing.authors))
        or (same_source and (existing.authors_truncated or not incoming.authors_truncated))
    )
    if authors_richer and (incoming.authors, incoming.authors_truncated) != (
        existing.authors,
        existing.authors_truncated,
    ):
        changes["authors"] = incoming.authors
        changes["authors_truncated"] = incoming.authors_truncated
    incoming_rank = _PRECISION_RANK[incoming.date_precision]
    existing_rank = _PRECISION_RANK[existing.date_precision]
    date_as_precise = bool(incoming.date) and (
        not existing.date
        or incoming_rank > existing_rank
        or (same_source and incoming_rank == existing_rank)
    )
    if date_as_precise and (incoming.date, incoming.date_precision) != (
        existing.date,
        existing.date_precision,
    ):
        changes["date"] = incoming.date
        changes["date_precision"] = incoming.date_precision
    if incoming.has_code and not existing.has_code:
        changes["has_code"] = True
    if incoming.origin and not existing.origin:
        changes["origin"] = incoming.origin
    merged_extra = (
        {**existing.extra, **incoming.extra}
        if same_source
        else {**incoming.extra, **existing.extra}
    )
    if merged_extra != existing.extra:
        changes["extra"] = merged_extra
    merged_collections = {**existing.collections, **incoming.collections}
    if merged_collections != existing.collections:
        changes["collections"] = merged_collections
    aliases = united_aliases(existing.aliases, incoming.aliases)
    if aliases != existing.aliases:
        changes["aliases"] = aliases
    return replace(existing, **changes) if changes else existing


def united_aliases(
    first: Mapping[str, tuple[str, ...]], second: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Both alias maps in one, each source's keys in first-seen order."""
    united = dict(first)
    for source, keys in second.items():
        known = united.get(source, ())
        extra = tuple(key for key in keys if key not in known)
        if extra:
            united[source] = known + extra
    return united


def _with_alias(paper: Paper, source: str, key: str) -> Paper:
    keys = paper.aliases.get(source, ())
    if key in keys:
        return paper
    return paper.with_aliases({**paper.aliases, source: (*keys, key)})


@dataclass
class MergeOutcome:
    """The catalogue after an import, and what the import did to it."""

    papers: dict[str, Paper]
    abstracts: dict[str, str]
    state_changes: dict[str, UserState]
    summary: ImportSummary
    catalogue_changed: bool


@dataclass
class _Run:
    """The bookkeeping of one :func:`merge_import` call."""

    papers: dict[str, Paper]
    abstracts: dict[str, str]
    index: IdentityIndex
    original: Mapping[str, Paper]
    # paper id → the name and line of the first entry of this import that
    # reached it (formatted by _label only when printed: most never are)
    touched: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    changed_abstracts: set[str] = field(default_factory=set)
    warnings: list[ImportWarning] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    stamp: str = ""
    added: int = 0
    merged: int = 0
    next_suffix: dict[str, int] = field(default_factory=dict)


def _name(key: str, paper_id: str, title: str = "") -> str:
    # A record without a key or id of its own (RIS without ID) is named by its title.
    return key or paper_id or (f"“{title[:60]}…”" if len(title) > 60 else f"“{title}”")


def _label(name: str, line: int | None) -> str:
    return f"{name} (line {line})" if line else name


def _alias_names(key: str, print_: str) -> Iterator[str]:
    """The names a record may have in its source: its key, then its numbered fingerprints."""
    if key:
        yield key
    yield print_
    for n in range(2, 1 << 20):
        yield f"{print_}#{n}"


def _find_by_alias(
    run: _Run, source: str, key: str, incoming: Paper, facts: Facts
) -> tuple[str | None, str]:
    """The paper this source already calls by the record's name, or the name still free.

    Two keyless records of one file with one fingerprint (two "Untitled" items)
    are told apart by their order: the second is ``fingerprint#2``. A file
    exported again in another order still finds each record's own paper: a
    fingerprint's paper whose venue, DOI, arXiv id or volume contradicts the
    record is taken only when no paper under that fingerprint agrees.
    """
    # The record's first name is usually free (a first import): one lookup says so.
    first = key or fingerprint(incoming, facts)
    if run.index.by_alias(source, first) is None:
        return None, first
    fallback: str | None = None
    for name in _alias_names(key, fingerprint(incoming, facts)):
        hit = run.index.by_alias(source, name)
        if hit is None:
            return (fallback, "") if fallback else (None, name)
        # Two entries of one import under one name: the same paper only if the rules agree.
        if hit in run.touched and not judge(run.index.facts(hit), facts).same:
            continue
        if name == key or not contradicts(run.index.facts(hit), facts):
            return hit, ""
        fallback = fallback or hit
    return fallback, ""


def _find_by_rules(
    run: _Run, incoming: Paper, facts: Facts, key: str, line: int | None
) -> str | None:
    clashes: list[tuple[str, str]] = []
    for candidate in run.index.candidates(facts):
        verdict = judge(run.index.facts(candidate), facts)
        if verdict.same:
            return candidate
        if verdict.clash:
            clashes.append((candidate, verdict.clash))
    for candidate, identifier in clashes:
        named = run.touched.get(candidate)
        other = _label(*named) if named else f"{candidate} (already in the store)"
        run.warnings.append(
            ImportWarning(
                f"{_name(key, incoming.id, incoming.title)} and {other} "
                f"share the {identifier} "
                "but are different papers (titles, years or authors disagree): both kept",
                line,
            )
        )
    return None


def merge_import(
    result: ImportResult,
    *,
    papers: Mapping[str, Paper],
    abstracts: Mapping[str, str],
    states: Mapping[str, UserState],
    source: str | None,
    stamp: str,
    on_placed: Callable[[], None] | None = None,
) -> MergeOutcome:
    """Decide every record of ``result`` against the catalogue ``papers``.

    ``source`` is the collection the import fills: the source keys (and the
    fingerprints of keyless records) become aliases there. A paper-reader
    JSON export (``result.exact_ids``) is restored by id and never merged by
    the identity rules. Returns the new catalogue and abstracts, the state
    changes the input carries, and the summary. ``on_placed`` is called
    after each record is decided.
    """
    keys = result.source_keys
    # A format that keeps its own ids (BibTeX) names each entry by its key.
    entry_keys = [
        keys[position] if position < len(keys) else incoming.id if result.keep_ids else ""
        for position, incoming in enumerate(result.papers)
    ]
    all_facts = [Facts.of(incoming) for incoming in result.papers]
    first_store = not papers and not result.exact_ids
    new_names = _all_new(result, entry_keys, all_facts, source) if first_store else None
    if new_names is not None:
        all_facts.clear()  # only the rules read them
    run = _Run(
        papers=dict(papers),
        abstracts=dict(abstracts),
        # Every record of an import that _all_new vouches for is new: nothing to look up.
        index=IdentityIndex(() if result.exact_ids or new_names else papers.values()),
        original=papers,
        stamp=stamp,
    )
    state_changes: dict[str, UserState] = {}
    lines = result.lines
    for position, incoming in enumerate(result.papers):
        if new_names is not None:
            alias = new_names[position]
            paper_id = _add(run, incoming, result, source if alias else None, alias)
        else:
            key = entry_keys[position]
            line = lines[position] if position < len(lines) else None
            paper_id = _place(run, incoming, key, line, source, result, all_facts[position])
        if on_placed is not None:
            on_placed()
        incoming_state = result.states.get(incoming.id) if result.states else None
        if incoming_state is not None and incoming_state != states.get(paper_id, UserState()):
            state_changes[paper_id] = incoming_state

    seen_existing = [pid for pid in run.touched if pid in papers]
    updated = sum(
        1 for pid in seen_existing if run.papers[pid] != papers[pid] or pid in run.changed_abstracts
    )
    summary = ImportSummary(
        added=run.added,
        merged=run.merged,
        updated=updated,
        unchanged=len(seen_existing) - updated,
        skipped=result.skipped,
        warnings=(*result.warnings, *run.warnings),
        merges=tuple(run.merges),
        collection=source,
    )
    return MergeOutcome(
        papers=run.papers,
        abstracts=run.abstracts,
        state_changes=state_changes,
        summary=summary,
        catalogue_changed=bool(run.added or updated),
    )


def _all_new(
    result: ImportResult, keys: list[str], all_facts: list[Facts], source: str | None
) -> list[str] | None:
    """The alias of each record when every record is a new paper to an empty store; else None.

    In an empty store a record meets only the records before it: it is new
    unless it shares its source name (key or fingerprint), arXiv id, DOI or
    normalised title with one of them, or brings aliases of its own. When no
    record of the import does, :func:`_place` would add each as a new paper
    under its first name, and nothing needs looking up.
    """
    names: list[str] = []
    seen: tuple[set[str], set[str], set[str], set[str]] = (set(), set(), set(), set())
    for incoming, key, facts in zip(result.papers, keys, all_facts, strict=True):
        if incoming.aliases:
            return None
        name = (key or fingerprint(incoming, facts)) if source else ""
        names.append(name)
        for taken, value in zip(seen, (name, facts.arxiv, facts.doi, facts.title), strict=True):
            if value:
                if value in taken:
                    return None
                taken.add(value)
    return names


def _place(
    run: _Run,
    incoming: Paper,
    key: str,
    line: int | None,
    source: str | None,
    result: ImportResult,
    facts: Facts,
) -> str:
    """Merge or add one record (whose facts are ``facts``); returns the id of its paper."""
    match: str | None = None
    new_alias = ""
    if result.exact_ids:
        match = incoming.id if incoming.id in run.papers else None
    else:
        if source:
            match, new_alias = _find_by_alias(run, source, key, incoming, facts)
        if match is None and key in run.original and key not in run.touched:
            match = key if same_by_own_id(run.index.facts(key), facts) else None
        if match is None:
            match = _find_by_rules(run, incoming, facts, key, line)
    if match is None:
        paper_id = _add(run, incoming, result, source if new_alias else None, new_alias)
        run.touched[paper_id] = (key or paper_id, line)
        indexed = facts  # a new paper's fields are the record's
    else:
        paper_id = match
        _merge_into(run, match, incoming, exact=result.exact_ids)
        named = (_name(key, incoming.id, incoming.title), line)
        if match in run.touched:
            run.merged += 1
            run.merges.append(f"{_label(*run.touched[match])} = {_label(*named)}")
        else:
            run.touched[match] = named
        indexed = None  # a merge may have brought an arXiv id or a DOI
    if source and new_alias and match is not None:
        run.papers[paper_id] = _with_alias(run.papers[paper_id], source, new_alias)
    # The paper carries its new alias now, and adding it indexes its aliases too.
    run.index.add(run.papers[paper_id], indexed)
    return paper_id


def _add(run: _Run, incoming: Paper, result: ImportResult, source: str | None, alias: str) -> str:
    """Add a record as a new paper, named ``alias`` by ``source`` when one is given."""
    if result.exact_ids:
        paper_id = incoming.id
    else:
        wanted = incoming.id if result.keep_ids and incoming.id else base_key(incoming)
        start = run.next_suffix.get(wanted, 0)
        if start or wanted in run.papers:
            paper_id = unique_key(wanted, run.papers.__contains__, start)
        else:
            paper_id = wanted
        run.next_suffix[wanted] = start + 1
    aliases = None
    if source is not None:
        keys = incoming.aliases.get(source, ())
        if alias not in keys:
            aliases = {**incoming.aliases, source: (*keys, alias)}
    paper = incoming.catalogued(paper_id, incoming.added_at or run.stamp, aliases)
    run.papers[paper_id] = paper
    if incoming.abstract:
        run.abstracts[paper_id] = incoming.abstract
    run.added += 1
    return paper_id


def _merge_into(run: _Run, paper_id: str, incoming: Paper, *, exact: bool) -> None:
    text = run.abstracts.get(paper_id, "")
    existing = run.papers[paper_id]
    if exact:  # a restore: the export's record wins, nothing of the store is lost
        merged = replace(
            incoming,
            id=paper_id,
            added_at=incoming.added_at or existing.added_at,
            collections={**existing.collections, **incoming.collections},
            aliases=united_aliases(existing.aliases, incoming.aliases),
            abstract=incoming.abstract or text,
        )
    else:
        merged = merge_papers(existing.with_abstract(text) if text else existing, incoming)
    if merged.abstract != text:
        run.abstracts[paper_id] = merged.abstract
        run.changed_abstracts.add(paper_id)
    run.papers[paper_id] = merged.with_abstract("") if merged.abstract else merged
