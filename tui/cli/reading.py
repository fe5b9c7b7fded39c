"""``list``, ``show``, ``export`` and ``stats``: reading the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store import formats, rendered
from store.errors import PaperReaderError
from store.library import SORT_KEYS
from store.model import category_name
from store.names import author_line
from store.query import parse as parse_query
from store.stats import library_stats
from store.text import clean_line, clean_text
from tui.cli.command import Command, open_library, positive_int
from tui.cli.output import (
    format_row,
    paper_record,
    prepare_titles,
    print_json,
    print_json_records,
    terminal_safe_json,
    terminal_safe_text,
)
from tui.cli.ranking import is_ranked, ranked, sort_choice


def _cmd_list(args: argparse.Namespace) -> int:
    library = open_library(args)
    query = parse_query(" ".join(args.query))
    if args.like is not None and args.sort is not None:
        raise PaperReaderError("--like orders by similarity; leave out --sort")
    extra = None
    if is_ranked(args.sort, args.like):
        papers, extra = ranked(library, query, args.sort, args.like, args.limit)
    else:
        papers = library.search(query, sort=args.sort or "date", limit=args.limit)
    prepare_titles(library, papers)
    if args.json:
        print_json_records(library, papers, extra)
    else:
        for paper in papers:
            print(format_row(paper, library.state(paper.id)))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    library = open_library(args)
    paper = library.complete(library.get(library.resolve(args.id)))
    state = library.state(paper.id)
    if args.json:
        print_json(paper_record(paper, state))
        return 0
    from store.links import code_link, paper_link

    authors = author_line(paper)
    lines = [
        paper.id,
        f"Title:        {rendered.title_text(paper.title)}",
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


def _cmd_export(args: argparse.Namespace) -> int:
    library = open_library(args)
    query = parse_query(" ".join(args.query))
    if is_ranked(args.sort, None):
        found = ranked(library, query, args.sort, None, explain=False)[0]
    elif args.sort:
        found = library.search(query, sort=args.sort)
    elif args.format == "json":
        # A backup keeps the store's own order, so a restored store lists ties alike.
        position = {paper.id: n for n, paper in enumerate(library.papers())}
        found = sorted(library.search(query, sort="rank"), key=lambda p: position[p.id])
    else:
        found = sorted(library.search(query, sort="rank"), key=lambda paper: paper.added_at)
    if args.format in ("markdown", "csv"):  # the formats that show titles to people
        prepare_titles(library, found)
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
    stats = library_stats(open_library(args))
    if args.json:
        print_json(stats)
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


_SORT_METAVAR = "|".join(SORT_KEYS) + "|interest[:TAG]"
_SORT_HELP = "default: %s; interest: learned from the papers you read, star and skip (or tag)"


def _configure_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="one JSON array of papers")
    p.add_argument("--sort", type=sort_choice, metavar=_SORT_METAVAR, help=_SORT_HELP % "date")
    p.add_argument("--like", metavar="ID", help="the papers nearest to this one")
    p.add_argument("--limit", type=positive_int, metavar="N")


def _configure_show(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")


def _configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--format", required=True, choices=formats.EXPORT_FORMATS)
    p.add_argument("--sort", type=sort_choice, metavar=_SORT_METAVAR, help=_SORT_HELP % "added")
    p.add_argument("-o", "--output", metavar="FILE")


def _configure_stats(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")


COMMANDS = (
    Command("list", "list papers matching a query", _configure_list, _cmd_list),
    Command("show", "show one paper", _configure_show, _cmd_show),
    Command("export", "export papers matching a query", _configure_export, _cmd_export),
    Command(
        "stats", "counts by status, category, year and collection", _configure_stats, _cmd_stats
    ),
)
