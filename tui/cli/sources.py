"""``follow``, ``fetch`` and ``enrich``: papers from the arXiv API beyond ``add``.

``follow`` keeps saved arXiv queries, ``fetch`` brings in what is new for
them, ``enrich`` looks up papers that came without an arXiv id. The network
work is in :mod:`store.fetching` and :mod:`store.enrich`; this module parses
arguments and prints.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import PaperReaderError
from store.follows import Follow, Follows, RefusedFollow
from store.library import default_store_path, now_iso
from store.text import clean_line
from tui.cli.command import Command, open_library, positive_int
from tui.cli.output import print_json
from tui.cli.progress import DelayedBar, terminal_bar

if TYPE_CHECKING:
    from store.enrich import Lookup


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else default_store_path()


# -- follow ----------------------------------------------------------------------------


def _cmd_follow(args: argparse.Namespace) -> int:
    follows = Follows(_store_path(args))
    if args.action == "add":
        collections = open_library(args).collections()
        try:
            follow = follows.add(
                args.name, " ".join(args.query), now=now_iso(), collections=collections
            )
        except RefusedFollow as err:
            # A name or query to change, as argparse's usage errors: exit 2.
            print(clean_line(f"paper-reader: follow add: {err}"), file=sys.stderr)
            return 2
        print(clean_line(f"following {follow.name}: {follow.query}"))
        fetch = f"paper-reader fetch {shlex.quote(follow.name)}"
        print(clean_line(f"`{fetch}` brings in its newest papers"))
        return 0
    if args.action == "remove":
        follow = follows.remove(args.name)
        print(clean_line(f"stopped following {follow.name} (its papers stay in the store)"))
        return 0
    return _list_follows(args, follows.all())


def _list_follows(args: argparse.Namespace, follows: list[Follow]) -> int:
    counts: dict[str, int] = {}
    if follows and _store_path(args).exists():
        for paper in open_library(args).papers():
            for name in paper.collections:
                counts[name] = counts.get(name, 0) + 1
    if args.json:
        print_json(
            [
                {
                    "name": f.name,
                    "query": f.query,
                    "added_at": f.added_at,
                    "fetched_at": f.fetched_at,
                    "last_added": f.last_added,
                    "papers": counts.get(f.name, 0),
                }
                for f in follows
            ]
        )
        return 0
    if not follows:
        print("no followed queries (add one: paper-reader follow add NAME QUERY)", file=sys.stderr)
    for f in follows:
        fetched = f"last fetch {f.fetched_at}" if f.fetched_at else "never fetched"
        papers = counts.get(f.name, 0)
        fields = (f.name, f.query, fetched, f"{papers} paper{'s'[: papers != 1]}")
        print("\t".join(clean_line(field) for field in fields))
    return 0


def _configure_follow(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="follow an arXiv API query under a name")
    add.add_argument("name", metavar="NAME", help="the follow's name, also its collection")
    add.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help="an arXiv API search_query, e.g. 'cat:cs.LG AND abs:\"in-context learning\"'",
    )
    listing = actions.add_parser("list", help="the followed queries")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="stop following a query (its papers stay)")
    remove.add_argument("name", metavar="NAME")
    for action in (add, listing, remove):  # ``--db`` after the action, as after a command
        action.add_argument(
            "--db", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )


# -- fetch -----------------------------------------------------------------------------


def _cmd_fetch(args: argparse.Namespace) -> int:
    from store import fetching

    follows = Follows(_store_path(args))
    if not args.names and not follows.all():
        print("no followed queries (add one: paper-reader follow add NAME QUERY)", file=sys.stderr)
        return 0
    for name in args.names:
        follows.get(name)  # every name is checked before anything is fetched
    library = open_library(args)
    bars: list[DelayedBar] = []

    def progress(follow: Follow) -> Callable[[int, int], None] | None:
        # Papers received of the most wanted, drawn once a fetch takes a second.
        bar = terminal_bar(f"fetch {clean_line(follow.name)}")
        if bar is None:
            return None
        bars.append(bar)
        return bar.report

    def wipe_bars() -> None:
        for bar in bars:
            bar.close()
        bars.clear()

    def report(done: fetching.FetchReport) -> None:
        wipe_bars()
        for warning in done.summary.warnings:
            print(clean_line(f"paper-reader: {done.follow}: warning: {warning}"), file=sys.stderr)
        print(clean_line(f"{done.follow}: {done.summary}"))

    try:
        fetching.fetch_all(
            library,
            follows,
            args.names or None,
            max_papers=args.max,
            progress=progress,
            on_report=report,
        )
    finally:
        wipe_bars()  # before the error line too
    return 0


def _configure_fetch(p: argparse.ArgumentParser) -> None:
    from store.fetching import DEFAULT_MAX

    p.add_argument("names", nargs="*", metavar="NAME", help="followed queries (default: all)")
    p.add_argument(
        "--max",
        type=positive_int,
        default=DEFAULT_MAX,
        metavar="N",
        help=f"at most N papers per query (default {DEFAULT_MAX})",
    )


# -- enrich ----------------------------------------------------------------------------


def _cmd_enrich(args: argparse.Namespace) -> int:
    from store.enrich import enrich
    from store.enrich_log import EnrichLog
    from store.query import parse as parse_query

    library = open_library(args)
    if args.undo:
        if args.query or args.dry_run:
            raise PaperReaderError("--undo takes no query and no --dry-run")
        undone = EnrichLog(library.path).undo_last(library)
        for paper_id, fields in undone.kept.items():
            kept = ", ".join(fields)
            print(clean_line(f"{paper_id}: kept {kept} (changed since)"), file=sys.stderr)
        print(clean_line(f"undid the enrichment of {undone.at}: {len(undone.restored)} restored"))
        return 0
    selected = library.search(parse_query(" ".join(args.query)))
    if not args.dry_run:
        EnrichLog(library.path).check()  # a damaged log refuses before arXiv is asked
    # Requests done of those needed: a rate would say "0/s" at one per 3 seconds.
    bar = terminal_bar("enrich: arXiv requests", unit=None)
    try:
        report = enrich(
            library, selected, dry_run=args.dry_run, progress=bar.report if bar else None
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(
            {
                "enriched": report.count("enriched"),
                "not_found": report.count("not found"),
                "ambiguous": report.count("ambiguous"),
                "duplicates": report.count("duplicate"),
                "requests": report.requests,
                "dry_run": args.dry_run,
                "papers": [
                    {
                        "id": lookup.paper_id,
                        "outcome": lookup.outcome,
                        "arxiv_ids": list(lookup.arxiv_ids),
                        "duplicate_of": lookup.duplicate_of or None,
                        "fields": list(lookup.fields),
                    }
                    for lookup in report.lookups
                ],
            }
        )
        return 0
    for lookup in report.lookups:
        if lookup.outcome == "duplicate":
            print(
                clean_line(
                    f"paper-reader: {lookup.paper_id}: arXiv:{lookup.arxiv_ids[0]} is already "
                    f"{lookup.duplicate_of}'s: likely the same paper, not applied"
                ),
                file=sys.stderr,
            )
        elif args.verbose:
            print(clean_line(_lookup_line(lookup, dry_run=args.dry_run)))
    print(report)
    if args.dry_run:
        print("paper-reader: dry run: nothing was changed", file=sys.stderr)
    return 0


def _lookup_line(lookup: Lookup, *, dry_run: bool) -> str:
    ids = ", ".join(f"arXiv:{arxiv_id}" for arxiv_id in lookup.arxiv_ids)
    if lookup.outcome == "enriched":
        verb = "would fill" if dry_run else "filled"
        return f"{lookup.paper_id}: {ids}: {verb} {', '.join(lookup.fields)}"
    if lookup.outcome == "ambiguous":
        return f"{lookup.paper_id}: ambiguous: {ids}"
    return f"{lookup.paper_id}: not found"


def _configure_enrich(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", metavar="QUERY", help="which papers (default: all)")
    p.add_argument("--verbose", action="store_true", help="one line per paper looked up")
    p.add_argument("--dry-run", action="store_true", help="look up, but change nothing")
    p.add_argument("--json", action="store_true")
    p.add_argument("--undo", action="store_true", help="take back the last enrichment")


COMMANDS = (
    Command(
        "enrich",
        "find arXiv ids, links and full author lists by exact title",
        _configure_enrich,
        _cmd_enrich,
    ),
    Command(
        "follow", "keep an arXiv query to fetch: add, list, remove", _configure_follow, _cmd_follow
    ),
    Command(
        "fetch", "bring in the new papers of followed arXiv queries", _configure_fetch, _cmd_fetch
    ),
)
