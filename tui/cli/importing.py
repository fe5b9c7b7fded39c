"""``import`` and ``add``: papers into the store, from files or from the arXiv API."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from store import formats
from store.errors import FormatError, PaperReaderError
from store.library import ImportSummary, Library
from store.model import ImportResult, Paper
from store.text import clean_line
from tui.cli.command import Command, iso_date, open_library


def read_import_file(path: str, fmt: str = "auto", as_of: dt.date | None = None) -> ImportResult:
    """Read and parse one file; every failure names the file (and line)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise PaperReaderError(f"{path}: cannot read ({err.strerror})") from None
    try:
        text = formats.decode_input(raw)
        return formats.parse_text(text, fmt, as_of=as_of, source=str(path))
    except FormatError as err:
        raise PaperReaderError(f"{path}: {err}") from None
    except Exception as err:  # an importer's bug is still one line, never a traceback
        raise PaperReaderError(
            f"{path}: the importer failed ({type(err).__name__}: {err}); "
            "this is a bug in paper-reader, please report it"
        ) from None


def import_files(
    library: Library,
    paths: Sequence[str],
    *,
    fmt: str = "auto",
    collection: str | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
) -> list[tuple[str, ImportResult, ImportSummary]]:
    """Parse every file first (nothing lands if one is unreadable), then import each."""
    parsed = [(path, read_import_file(path, fmt, as_of)) for path in paths]
    done = []
    for path, result in parsed:
        try:
            summary = library.import_result(
                result, source=str(Path(path).resolve()), collection=collection, strict=strict
            )
        except FormatError as err:
            raise PaperReaderError(f"{path}: {err}") from None
        done.append((path, result, summary))
    return done


def _cmd_import(args: argparse.Namespace) -> int:
    library = open_library(args)
    results = import_files(
        library,
        args.files,
        fmt=args.format,
        collection=args.collection,
        as_of=args.as_of,
        strict=args.strict,
    )
    for path, result, summary in results:
        for warning in result.warnings:
            print(clean_line(f"paper-reader: {path}: warning: {warning}"), file=sys.stderr)
        print(f"{path}: {summary}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    """Fetch papers by arXiv id or link and import them into the "arXiv" collection.

    Every reference is checked before anything is fetched, and the store is
    opened only once the API has answered, so a typo or a network failure
    leaves no trace. A paper keeps its rank in the collection when it is added
    again, so repeating an ``add`` changes nothing.
    """
    # Imported here: the network client is needed by this command only.
    from dataclasses import replace

    from store import arxiv_api
    from store.formats import arxiv_atom
    from store.identity import normalize_arxiv_id
    from store.model import Collection, ImportWarning

    collection_name = "arXiv"
    refs = list(dict.fromkeys(arxiv_api.parse_arxiv_ref(text) for text in args.ids))
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

    library = open_library(args)
    ranks = {
        normalize_arxiv_id(paper.arxiv_id): paper.collections[collection_name]
        for paper in library.papers()
        if paper.arxiv_id and collection_name in paper.collections
    }
    next_rank = max(ranks.values(), default=0) + 1
    papers: list[Paper] = []
    in_request_order = [key for key in wanted if key in fetched]
    in_request_order += [key for key in fetched if key not in wanted]
    for key in in_request_order:
        rank = ranks.get(key)
        if rank is None:
            rank, next_rank = next_rank, next_rank + 1
        papers.append(replace(fetched[key], collections={collection_name: rank}))
    result = ImportResult(
        papers=papers,
        collection=Collection(name=collection_name, source=base_url),
        warnings=warnings,
    )
    summary = library.import_result(result, source=base_url)
    for warning in warnings:
        print(clean_line(f"paper-reader: arXiv: warning: {warning}"), file=sys.stderr)
    print(summary)
    return 0


def _configure_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="auto", choices=formats.FORMAT_CHOICES)
    p.add_argument("--collection", metavar="NAME", help="the reading list to put them in")
    p.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date that year-less dates are resolved against (default: today)",
    )
    p.add_argument("--strict", action="store_true", help="any warning is an error")


def _configure_add(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ARXIV_ID_OR_URL")


COMMANDS = (
    Command("import", "import papers from files", _configure_import, _cmd_import),
    Command("add", "fetch papers from the arXiv API, then import them", _configure_add, _cmd_add),
)
