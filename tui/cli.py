"""The ``paper-reader`` command: argument parsing and the subcommands.

Subcommands talk to the store only; the reader (Textual) is imported when it
is opened, so ``paper-reader list`` starts without loading a UI framework.
Exit codes: 0 done, 1 bad input or unknown id (one line on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from store import formats
from store.errors import FormatError, PaperReaderError
from store.latex import latex_to_unicode
from store.library import SORT_KEYS, ImportSummary, Library
from store.model import ImportResult, Paper, ReadingStatus, UserState, category_name
from store.query import parse as parse_query
from store.stats import library_stats
from store.text import clean_line, clean_text, strip_escape_sequences
from tui.memory import keep_out_of_gc

COMMANDS = ("import", "add", "list", "show", "mark", "star", "unstar", "tag", "note")
COMMANDS += ("export", "stats", "restore")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paper-reader")
    except PackageNotFoundError:
        return "0+unknown"


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The full command line of PRODUCT.md §4."""
    parser = argparse.ArgumentParser(
        prog="paper-reader",
        description="A keyboard-driven terminal reader for collections of research papers.",
        epilog="With no command, opens the reader (importing FILEs first).",
    )
    parser.add_argument("--version", action="version", version=f"paper-reader {_version()}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the store file (default: PAPER_READER_DB, else the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # ``--db`` is accepted after the command too, as users type it either way.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    p = sub.add_parser("import", parents=[common], help="import papers from files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="auto", choices=formats.FORMAT_CHOICES)
    p.add_argument("--collection", metavar="NAME", help="the reading list to put them in")
    p.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="date that year-less dates are resolved against (default: today)",
    )
    p.add_argument("--strict", action="store_true", help="any warning is an error")

    p = sub.add_parser(
        "add", parents=[common], help="fetch papers from the arXiv API, then import them"
    )
    p.add_argument("ids", nargs="+", metavar="ARXIV_ID_OR_URL")

    p = sub.add_parser("list", parents=[common], help="list papers matching a query")
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="one JSON array of papers")
    p.add_argument("--sort", default="date", choices=SORT_KEYS)
    p.add_argument("--limit", type=_positive_int, metavar="N")

    p = sub.add_parser("show", parents=[common], help="show one paper")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("mark", parents=[common], help="set the reading status")
    p.add_argument("status", choices=[s.value for s in ReadingStatus], metavar="STATUS")
    p.add_argument("ids", nargs="+", metavar="ID")

    for name, text in (("star", "star papers"), ("unstar", "unstar papers")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("ids", nargs="+", metavar="ID")

    p = sub.add_parser("tag", help="add (+TAG or TAG) and remove (-TAG) tags", prefix_chars="\0")
    p.add_argument("id", metavar="ID")
    p.add_argument("tags", nargs="+", metavar="+TAG/-TAG")

    p = sub.add_parser(
        "note", parents=[common], help="set a paper's note (no TEXT: read it from stdin)"
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="?", metavar="TEXT")

    p = sub.add_parser("export", parents=[common], help="export papers matching a query")
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--format", required=True, choices=formats.EXPORT_FORMATS)
    p.add_argument("-o", "--output", metavar="FILE")

    p = sub.add_parser(
        "stats", parents=[common], help="counts by status, category, year and collection"
    )
    p.add_argument("--json", action="store_true")

    sub.add_parser(
        "restore",
        parents=[common],
        help="bring back the last good store from its backups (the damaged files are kept)",
    )
    return parser


def _split_reader_args(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """For ``paper-reader [--db PATH] [FILE ...]``: (options, files); None for a command."""
    options: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--db" and i + 1 < len(argv):
            options += argv[i : i + 2]
            i += 2
        elif arg.startswith("--db="):
            options.append(arg)
            i += 1
        else:
            break
    rest = argv[i:]
    if rest and (rest[0] in COMMANDS or rest[0].startswith("-")):
        return None
    return options, rest


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paper-reader`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    reader_args = _split_reader_args(args_list)
    try:
        if reader_args is not None:
            options, files = reader_args
            args = parser.parse_args(options)
            return _open_reader(args, files)
        args, extras = parser.parse_known_args(args_list)
        if extras:
            # A query may start with "-" (``list -status:read``): argparse takes such
            # words for unknown options, so hand them back to the query.
            if args.command not in ("list", "export") or any(
                e.startswith("--") or not e.startswith("-") for e in extras
            ):
                parser.error(f"unrecognized arguments: {' '.join(extras)}")
            args.query += extras
        if args.command is None:
            return _open_reader(args, [])
        handler = globals()[f"_cmd_{args.command}"]
        return int(handler(args))
    except PaperReaderError as err:
        # Messages quote input (a bad line, a tag): never let it drive the terminal.
        print(f"paper-reader: {clean_line(str(err))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `paper-reader list | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a file system failure no command anticipated
        where = f"{err.filename}: " if err.filename else ""
        print(f"paper-reader: {clean_line(where + (err.strerror or str(err)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _library(args: argparse.Namespace) -> Library:
    library = Library(args.db)
    keep_out_of_gc()  # the loaded papers live as long as the command
    return library


# -- importing -----------------------------------------------------------------


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
    library = _library(args)
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

    library = _library(args)
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


# -- reading -------------------------------------------------------------------


def paper_record(paper: Paper, state: UserState) -> dict[str, Any]:
    """The section-3 fields of a paper plus its user state, as ``list --json`` prints."""
    record = paper.to_dict()
    record.update(state.to_dict())
    return record


# orjson escapes C0 controls but writes C1 controls (U+009B is a CSI on many
# terminals), DEL and bidi overrides as they are. In JSON they can only sit
# inside strings, so writing them as \\u escapes keeps the document equal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe_json(text: str) -> str:
    """JSON text with every character a terminal could act on written as a \\u escape."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# Text exports keep tabs, newlines and CRLF row ends (CSV); every other control
# goes, with the rest of any escape sequence it starts.
_TEXT_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)


def terminal_safe_text(text: str) -> str:
    """Export text with nothing left in it that a terminal would act on."""
    return _TEXT_UNSAFE.sub("", strip_escape_sequences(text))


def _print_json(value: Any) -> None:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    sys.stdout.write(terminal_safe_json(text) + "\n")


def _print_json_records(library: Library, papers: list[Paper]) -> None:
    """The papers as one JSON array (as ``_print_json`` would write it), in pieces.

    A query can match most of a 100,000-paper library: one document of every
    record, abstract and all, would hold the whole output in memory twice.
    """
    if not papers:
        _print_json([])
        return
    out = sys.stdout
    out.write("[\n")
    for start in range(0, len(papers), _JSON_CHUNK):
        chunk = library.complete_all(papers[start : start + _JSON_CHUNK])
        pieces = [
            "  "
            + orjson.dumps(paper_record(paper, library.state(paper.id)), option=orjson.OPT_INDENT_2)
            .decode("utf-8")
            .replace("\n", "\n  ")
            for paper in chunk
        ]
        out.write((",\n" if start else "") + terminal_safe_json(",\n".join(pieces)))
    out.write("\n]\n")


_JSON_CHUNK = 1000

_STATUS_MARKS = {"unread": "●", "reading": "◐", "read": "✓", "skipped": "✗"}


def format_row(paper: Paper, state: UserState) -> str:
    """One line of ``list``: id, status, star, date, category, title, first author."""
    author = paper.first_author
    if len(paper.authors) > 1 or paper.authors_truncated:
        author += " et al."
    star = "★" if state.starred else " "
    return (
        f"{clean_line(paper.id)}  {_STATUS_MARKS[state.status]} {star} "
        f"{clean_line(paper.display_date) or '-':10}  {clean_line(paper.category) or '-':5} "
        f"{clean_line(latex_to_unicode(paper.title))} — {clean_line(author) or 'unknown author'}"
    )


def _cmd_list(args: argparse.Namespace) -> int:
    library = _library(args)
    query = parse_query(" ".join(args.query))
    papers = library.search(query, sort=args.sort, limit=args.limit)
    if args.json:
        _print_json_records(library, papers)
    else:
        for paper in papers:
            print(format_row(paper, library.state(paper.id)))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    library = _library(args)
    paper = library.complete(library.get(args.id))
    state = library.state(paper.id)
    if args.json:
        _print_json(paper_record(paper, state))
        return 0
    from store.links import code_link, paper_link

    authors = ", ".join(paper.authors) + (" et al." if paper.authors_truncated else "")
    lines = [
        paper.id,
        f"Title:        {paper.title}",
        f"Authors:      {authors or '-'}",
    ]
    if paper.affiliations:
        lines.append(f"Affiliations: {', '.join(paper.affiliations)}")
    lines += [
        f"Date:         {paper.display_date or '-'}",
        f"Category:     {paper.category} ({category_name(paper.category)})"
        if paper.category
        else "Category:     -",
        f"Link:         {paper_link(paper)}",
    ]
    if code_link(paper):
        lines.append(f"Code:         {code_link(paper)}")
    if paper.venue:
        lines.append(f"Venue:        {paper.venue}")
    lines.append(
        f"Status:       {state.status}{'  ★ starred' if state.starred else ''}"
        f"{'  tags: ' + ', '.join(state.tags) if state.tags else ''}"
    )
    if paper.collections:
        where = ", ".join(f"{name} (#{rank})" for name, rank in paper.collections.items())
        lines.append(f"Collections:  {where}")
    out = [clean_line(line) for line in lines]
    if paper.abstract:
        out += ["", clean_text(paper.abstract)]
    if state.note:
        out += ["", "Note:", clean_text(state.note)]
    print("\n".join(out))
    return 0


# -- changing state ------------------------------------------------------------


def _cmd_mark(args: argparse.Namespace) -> int:
    library = _library(args)
    library.set_status(args.ids, ReadingStatus(args.status))
    print(f"marked {len(args.ids)} {args.status}")
    return 0


def _cmd_star(args: argparse.Namespace) -> int:
    _library(args).set_starred(args.ids, True)
    print(f"starred {len(args.ids)}")
    return 0


def _cmd_unstar(args: argparse.Namespace) -> int:
    _library(args).set_starred(args.ids, False)
    print(f"unstarred {len(args.ids)}")
    return 0


def _cmd_tag(args: argparse.Namespace) -> int:
    add = [t[1:] if t.startswith("+") else t for t in args.tags if not t.startswith("-")]
    remove = [t[1:] for t in args.tags if t.startswith("-")]
    if any(not t for t in add + remove):
        raise PaperReaderError("empty tag name")
    library = _library(args)
    library.change_tags([args.id], add=add, remove=remove)
    print(clean_line(f"{args.id}: tags {', '.join(library.state(args.id).tags) or '(none)'}"))
    return 0


def _cmd_note(args: argparse.Namespace) -> int:
    library = _library(args)
    library.get(args.id)
    text = args.text if args.text is not None else sys.stdin.read()
    if args.text is None and not text.strip():
        raise PaperReaderError("no note text on stdin (to clear a note: paper-reader note ID '')")
    note = clean_text(text)
    library.set_note(args.id, note)
    print(f"{args.id}: note saved ({len(note)} characters)")
    return 0


# -- export and statistics -----------------------------------------------------


def _cmd_export(args: argparse.Namespace) -> int:
    library = _library(args)
    query = parse_query(" ".join(args.query))
    found = sorted(library.search(query, sort="rank"), key=lambda paper: paper.added_at)
    papers = library.complete_all(found)
    states = {p.id: library.state(p.id) for p in papers}
    names = {name for p in papers for name in p.collections}
    collections = [c for c in library.collections() if c.name in names]
    text = formats.export_text(args.format, papers, states, collections)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as err:
            raise PaperReaderError(f"{args.output}: cannot write ({err.strerror})") from None
        print(f"exported {len(papers)} papers to {args.output}", file=sys.stderr)
    elif args.format in ("json", "csljson"):
        sys.stdout.write(terminal_safe_json(text))
    else:  # text formats: drop what a terminal could act on (imports already did)
        sys.stdout.write(terminal_safe_text(text))
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    stats = library_stats(_library(args))
    if args.json:
        _print_json(stats)
        return 0
    total = stats["total"]
    print(f"{total} papers")
    for name, count in stats["status"].items():
        print(f"  {name:10} {count:6}")
    print(f"  {'starred':10} {stats['starred']:6}")
    print(f"  {'with notes':10} {stats['with_notes']:6}")
    print(f"  {'with code':10} {stats['with_code']:6}")
    print("categories:")
    for code, count in stats["categories"].items():
        name = category_name(code) if code != "?" else "(none)"
        label = clean_line(code if code != "?" else "-")
        print(f"  {label:8} {count:6}  {clean_line(name) if name != code else ''}".rstrip())
    print("years:")
    for year, count in stats["years"].items():
        print(f"  {year if year != '?' else '(none)':8} {count:6}")
    if stats["collections"]:
        print("collections:")
        for name, count in stats["collections"].items():
            print(f"  {count:6}  {clean_line(name)}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    """Put the store back from its ``.bak`` copies, keeping the damaged files aside."""
    from store.library import restore_from_backups

    for line in restore_from_backups(args.db):
        print(clean_line(line))
    return 0


# -- the reader ----------------------------------------------------------------


def _open_reader(args: argparse.Namespace, files: list[str]) -> int:
    library = _library(args)
    if files:
        for path, result, summary in import_files(library, files):
            for warning in result.warnings:
                print(clean_line(f"paper-reader: {path}: warning: {warning}"), file=sys.stderr)
            print(f"{path}: {summary}", file=sys.stderr)
    from tui.app import run_reader

    return run_reader(library)


if __name__ == "__main__":
    sys.exit(main())
