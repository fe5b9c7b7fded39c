"""Writes to the catalogue: an import merged in as one transaction, and revisions.

Both rewrite the catalogue and the abstracts together under the store's lock
(:meth:`~store.repository.Repository.save_library`), after picking up what
other processes wrote; a crash leaves the old library or the new, never a mix.
An import is merged by :func:`~store.merging.merge_import` (the identity rules
of :mod:`store.identity`); enrichment and its undo revise papers in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from store import clock
from store.bulk import paused_gc
from store.errors import FileFormatError
from store.library_data import LibraryData
from store.merging import ImportSummary, merge_import
from store.model import Collection, ImportResult, ImportWarning, Paper, UserState
from store.sanitize import sanitized


class CatalogueWrites(LibraryData):
    """The catalogue changes of :class:`~store.library.Library`: imports and revisions."""

    def import_result(
        self,
        result: ImportResult,
        *,
        source: str = "",
        collection: str | None = None,
        strict: bool = False,
        dry_run: bool = False,
        on_placed: Callable[[], None] | None = None,
    ) -> ImportSummary:
        """Merge an importer's records into the library as one transaction.

        Each record is decided by the rules of :mod:`store.identity` (see
        :func:`~store.merging.merge_import`): merged papers keep their id and
        the user's state; new ones get a citation key. With ``strict`` any
        warning (the importer's or an identity notice) refuses the whole
        input; with ``dry_run`` nothing is written. Nothing is written when
        nothing changed.
        """
        [summary] = self.import_results(
            [(source, result)],
            collection=collection,
            strict=strict,
            dry_run=dry_run,
            on_placed=on_placed,
        )
        return summary

    def import_results(
        self,
        inputs: Sequence[tuple[str, ImportResult]],
        *,
        collection: str | None = None,
        strict: bool = False,
        dry_run: bool = False,
        on_placed: Callable[[], None] | None = None,
    ) -> list[ImportSummary]:
        """Several ``(source, result)`` inputs of one command as one transaction.

        Each input meets the papers of those before it, as if imported one
        after another, but the store is written once: a refusal (``strict``)
        lands nothing, and a dry run counts what the import would. A refusal
        is a :class:`FileFormatError` whose ``path`` is the input's source.
        """
        for source, result in inputs:
            if strict and result.warnings:
                raise _refused(source, result.warnings)
        with paused_gc():
            clean = [(source, sanitized(result)) for source, result in inputs]
            with self._repo.locked():
                self.refresh()
                return self._merge_and_save(
                    clean,
                    collection=collection,
                    strict=strict,
                    dry_run=dry_run,
                    on_placed=on_placed,
                )

    def _merge_and_save(
        self,
        inputs: list[tuple[str, ImportResult]],
        *,
        collection: str | None,
        strict: bool,
        dry_run: bool,
        on_placed: Callable[[], None] | None = None,
    ) -> list[ImportSummary]:
        stamp = clock.now_iso()
        papers, abstracts, states = self._papers, self._abstract_map(), self._written
        collections = dict(self._collections)
        collection_changed = catalogue_changed = False
        state_changes: dict[str, UserState] = {}
        summaries: list[ImportSummary] = []
        for source, result in inputs:
            if collection:
                result = replace(
                    result,
                    papers=[
                        replace(p, collections={collection: min(p.collections.values(), default=0)})
                        for p in result.papers
                    ],
                )
            source_collection = result.collection
            name = collection or (source_collection.name if source_collection else None)
            outcome = merge_import(
                result,
                papers=papers,
                abstracts=abstracts,
                states=states,
                source=name,
                stamp=stamp,
                on_placed=on_placed,
            )
            if name is not None:
                previous = collections.get(name)
                fresh = Collection(
                    name=name,
                    source=source or (source_collection.source if source_collection else ""),
                    imported_at=stamp,
                    declared_count=source_collection.declared_count if source_collection else None,
                    metrics=dict(source_collection.metrics) if source_collection else {},
                )
                if previous is None or replace(previous, imported_at=stamp) != fresh:
                    collections[name] = fresh
                    collection_changed = True
            for extra in result.collections:
                if extra.name not in collections:
                    collections[extra.name] = extra
                    collection_changed = True
            summary = outcome.summary
            if strict and summary.warnings:
                raise _refused(source, summary.warnings)
            summaries.append(summary)
            papers, abstracts = outcome.papers, outcome.abstracts
            catalogue_changed = catalogue_changed or outcome.catalogue_changed
            if outcome.state_changes:
                state_changes.update(outcome.state_changes)
                states = {**states, **outcome.state_changes}
        # Aliases recorded on a re-import change the catalogue without changing a paper's fields.
        catalogue_changed = catalogue_changed or papers != self._papers
        if dry_run:
            return summaries
        if state_changes and not (catalogue_changed or collection_changed):
            # save_library keeps the state's .bak itself, with the catalogue's.
            self._repo.backup_state()
        if catalogue_changed or collection_changed:
            # Catalogue and abstracts land together or not at all.
            parts = self._repo.save_library(
                list(papers.values()), list(collections.values()), abstracts
            )
            self._abstract_parts = parts
            self._papers, self._collections = papers, collections
            self._abstracts, self._inline_abstracts = abstracts, {}
            self._catalogue_version += 1
            self.revision += 1
        if state_changes:
            self._repo.save_states(state_changes)
            self._set_written({**self._written, **state_changes})
        return summaries

    def revise_papers(
        self,
        ids: Iterable[str],
        revise: Callable[[Paper], Paper],
        *,
        before_write: Callable[[dict[str, tuple[Paper, Paper]]], None] | None = None,
    ) -> dict[str, tuple[Paper, Paper]]:
        """Change catalogue fields of some papers in one locked write (enrichment, its undo).

        ``revise`` is called under the lock with each paper as it is on disk
        now, abstract included, and returns the paper as it should be (same
        id; user state is not a paper field, so it cannot change here).
        ``before_write`` sees every (before, after) pair before the catalogue
        is written, for a log that must exist whenever the change does.
        Returns those pairs (papers ``revise`` left equal are not in it).
        """
        with paused_gc(), self._repo.locked():
            self.refresh()
            changes: dict[str, tuple[Paper, Paper]] = {}
            for paper_id in dict.fromkeys(ids):
                before = self.complete(self.get(paper_id))
                after = revise(before)
                if after.id != paper_id:
                    raise ValueError(f"revise changed the id of {paper_id!r}")
                if after != before:
                    changes[paper_id] = (before, after)
            if not changes:
                return changes
            if before_write is not None:
                before_write(changes)
            papers = dict(self._papers)
            abstracts = dict(self._abstract_map())
            for paper_id, (_before, after) in changes.items():
                abstracts[paper_id] = after.abstract
                papers[paper_id] = after.with_abstract("") if after.abstract else after
            # Catalogue and abstracts land together (save_library keeps the .bak set).
            parts = self._repo.save_library(
                list(papers.values()), list(self._collections.values()), abstracts
            )
            self._abstract_parts = parts
            self._papers, self._abstracts, self._inline_abstracts = papers, abstracts, {}
            self._catalogue_version += 1
            self.revision += 1
            return changes


def _refused(source: str, warnings: Sequence[ImportWarning]) -> FileFormatError:
    """Why ``--strict`` refuses an input: how many warnings, and the first of them."""
    first = warnings[0]
    return FileFormatError(
        source, f"{len(warnings)} warning(s) with --strict: {first.message}", first.line
    )
