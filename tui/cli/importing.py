"""``import`` and ``add``: papers into the store, from files or from the arXiv API."""

from __future__ import annotations

import argparse
import sys

from store import formats
from store.importing import add_from_arxiv, import_files
from store.merging import ImportSummary
from store.text import clean_line
from tui.cli.command import Command, iso_date, open_library
from tui.cli.output import print_json
from tui.cli.progress import progress_bar


def _report(name: str, summary: ImportSummary, *, verbose: bool) -> None:
    """One summary line on stdout; its warnings (and with ``verbose`` its merges) on stderr."""
    for warning in summary.warnings:
        print(clean_line(f"paper-reader: {name}: warning: {warning}"), file=sys.stderr)
    print(clean_line(f"{name}: {summary}"))
    if verbose:
        for merge in summary.merges:
            print(clean_line(f"  merged {merge}"))


def _cmd_import(args: argparse.Namespace) -> int:
    library = open_library(args)
    with progress_bar("importing") as progress:
        done = import_files(
            library,
            args.files,
            fmt=args.format,
            collection=args.collection,
            as_of=args.as_of,
            strict=args.strict,
            dry_run=args.dry_run,
            progress=progress,
        )
    total = ImportSummary.total([item.summary for item in done])
    if args.json:
        files = [{"file": item.path, **item.summary.to_dict()} for item in done]
        print_json({"files": files, "total": total.to_dict(), "dry_run": args.dry_run})
        return 0
    for item in done:
        _report(item.path, item.summary, verbose=args.verbose)
    if len(done) > 1:
        print(f"total: {total}")
    if args.dry_run:
        print("dry run: nothing was written", file=sys.stderr)
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    """Fetch papers by arXiv id or link and import them into the "arXiv" collection."""
    summary = add_from_arxiv(lambda: open_library(args), args.ids)
    for warning in summary.warnings:
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
    p.add_argument("--verbose", action="store_true", help="list every merge of two entries")
    p.add_argument("--dry-run", action="store_true", help="print the summary, write nothing")
    p.add_argument("--json", action="store_true", help="the summaries as JSON")


def _configure_add(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ARXIV_ID_OR_URL")


COMMANDS = (
    Command("import", "import papers from files", _configure_import, _cmd_import),
    Command("add", "fetch papers from the arXiv API, then import them", _configure_add, _cmd_add),
)
