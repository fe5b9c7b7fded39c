"""The import use-cases: files into the store, and papers fetched from the arXiv API.

The command line and the reader call these; they read and parse, then hand
each result to :meth:`~store.library.Library.import_result`. Every failure
is a :class:`~store.errors.PaperReaderError` naming the file (and line).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from store import formats, rendered
from store.bulk import paused_gc
from store.errors import FileFormatError, FormatError, PaperReaderError
from store.library import Library
from store.merging import ImportSummary
from store.model import Collection, ImportResult, ImportWarning, Paper
from store.progress import ImportProgress, Report

ARXIV_COLLECTION = "arXiv"


@dataclass(frozen=True, slots=True)
class FileImport:
    """One file of an import command and what importing it did."""

    path: str
    summary: ImportSummary


def _bug(path: str, err: Exception) -> PaperReaderError:
    return PaperReaderError(
        f"{path}: the importer failed ({type(err).__name__}: {err}); "
        "this is a bug in paper-reader, please report it"
    )


def read_files(
    paths: Sequence[str],
    fmt: str = "auto",
    as_of: dt.date | None = None,
    progress: ImportProgress | None = None,
) -> list[tuple[str, ImportResult]]:
    """Read and parse every file; the first unreadable one stops all (nothing lands).

    Errors name the file (and line).
    """
    raws: list[tuple[str, bytes]] = []
    for path in paths:
        try:
            raws.append((path, Path(path).read_bytes()))
        except OSError as err:
            raise PaperReaderError(f"{path}: cannot read ({err.strerror})") from None
    try:
        # One command reads its BibTeX files as one bibliography (@strings, crossref).
        parsed = formats.parse_files(formats.handed_over(raws), fmt, as_of=as_of, progress=progress)
    except FileFormatError as err:
        raise PaperReaderError(str(err)) from None
    except Exception as err:  # an importer's bug is still one line, never a traceback
        raise _bug(", ".join(paths), err) from None
    return parsed


def import_files(
    library: Library,
    paths: Sequence[str],
    *,
    fmt: str = "auto",
    collection: str | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: Report | None = None,
) -> list[FileImport]:
    """Parse every file first (nothing lands if one is unreadable), then import all as one.

    The files land in one transaction, each meeting the papers of those
    before it. With ``strict`` a file with warnings refuses the command and
    nothing lands; with ``dry_run`` the summaries are computed as the import
    would count them and nothing is written. ``progress(done, total)`` hears
    now and then how many entries are done (see :mod:`store.progress`).
    """
    with paused_gc():
        tracker = ImportProgress(progress) if progress is not None else None
        parsed = read_files(paths, fmt, as_of, tracker)
        # The store names each input by its full path; errors name it as the user typed it.
        typed = {str(Path(path).resolve()): path for path, _ in parsed}
        try:
            summaries = library.import_results(
                [(str(Path(path).resolve()), result) for path, result in parsed],
                collection=collection,
                strict=strict,
                dry_run=dry_run,
                on_placed=tracker.merged if tracker is not None else None,
            )
        except FileFormatError as err:
            where = FormatError(err.message, err.line)
            raise PaperReaderError(f"{typed.get(err.path, err.path)}: {where}") from None
        if tracker is not None:
            tracker.written(sum(len(result.papers) for _, result in parsed))
        if not dry_run:
            # Titles are rendered here, once, rather than by every later ``list``.
            rendered.prepare(library.path, (paper.title for paper in library.papers()))
        # What the import made is the library, kept, or is freed by reference
        # counting: the collector, re-enabled, would walk it all once for
        # nothing (0.2 s at 100,000 papers).
        gc.freeze()
    return [FileImport(path, summary) for (path, _), summary in zip(parsed, summaries, strict=True)]


def add_from_arxiv(open_store: Callable[[], Library], texts: Sequence[str]) -> ImportSummary:
    """Fetch papers by arXiv id or link and import them into the "arXiv" collection.

    Every reference is checked before anything is fetched, and the store is
    opened only once the API has answered, so a typo or a network failure
    leaves no trace. A paper keeps its rank in the collection when it is added
    again, and its arXiv id is its key there, so repeating an ``add`` changes
    nothing.
    """
    # Imported here: the network client is needed by this use-case only.
    from store import arxiv_api
    from store.formats import arxiv_atom
    from store.identity import normalize_arxiv_id

    refs = list(dict.fromkeys(arxiv_api.parse_arxiv_ref(text) for text in texts))
    base_url = arxiv_api.api_url()
    fetched: dict[str, Paper] = {}
    warnings: list[ImportWarning] = []
    for document in arxiv_api.fetch_atom(refs, base_url=base_url):
        try:
            result = arxiv_atom.parse(document, source=base_url)
        except FormatError as err:
            raise PaperReaderError(f"{base_url}: {err}") from None
        warnings += result.warnings
        for paper in result.papers:
            fetched.setdefault(normalize_arxiv_id(paper.arxiv_id), paper)
    wanted = {normalize_arxiv_id(ref): ref for ref in refs}
    missing = [ref for key, ref in wanted.items() if key not in fetched]
    if not fetched:
        raise PaperReaderError(f"arXiv has no paper with id {', '.join(missing)}")
    warnings += [ImportWarning(f"arXiv has no paper with id {ref}") for ref in missing]

    library = open_store()
    ranks = {
        normalize_arxiv_id(paper.arxiv_id): paper.collections[ARXIV_COLLECTION]
        for paper in library.papers()
        if paper.arxiv_id and ARXIV_COLLECTION in paper.collections
    }
    next_rank = max(ranks.values(), default=0) + 1
    papers: list[Paper] = []
    in_request_order = [key for key in wanted if key in fetched]
    in_request_order += [key for key in fetched if key not in wanted]
    for key in in_request_order:
        rank = ranks.get(key)
        if rank is None:
            rank, next_rank = next_rank, next_rank + 1
        papers.append(replace(fetched[key], collections={ARXIV_COLLECTION: rank}))
    result = ImportResult(
        papers=papers,
        collection=Collection(name=ARXIV_COLLECTION, source=base_url),
        warnings=warnings,
        source_keys=list(in_request_order),
    )
    return library.import_result(result, source=base_url)
