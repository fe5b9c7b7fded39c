"""The ``paper-reader`` command: argument parsing and dispatch to the subcommands.

Subcommands talk to the store only; the reader (Textual) is imported when it
is opened, so ``paper-reader list`` starts without loading a UI framework.
Exit codes: 0 done, 1 bad input or unknown id (one line on stderr), 2 usage.
Each subcommand lives in the module of its job (importing, reading, state,
restore) as a :class:`~tui.cli.command.Command`; :data:`COMMANDS` is the table.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from store.errors import PaperReaderError
from store.importing import FileImport, import_files
from store.text import clean_line
from tui.cli import importing, reading, restore, sources, state
from tui.cli.command import Command, open_library
from tui.cli.progress import progress_bar
from tui.cli.streams import prepare_streams

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        *importing.COMMANDS,
        *reading.COMMANDS,
        *state.COMMANDS,
        *restore.COMMANDS,
        *sources.COMMANDS,
    )
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paper-reader")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The full command line of PRODUCT.md §4."""
    parser = argparse.ArgumentParser(
        prog="paper-reader",
        usage=(
            "paper-reader [--db PATH] [FILE ...]\n"
            "       paper-reader [--db PATH] COMMAND [ARGS ...]\n"
            "       paper-reader --version | --help"
        ),
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

    for command in COMMANDS.values():
        if command.prefix_chars == "-":
            p = sub.add_parser(command.name, parents=[common], help=command.help)
        else:
            p = sub.add_parser(command.name, help=command.help, prefix_chars=command.prefix_chars)
        command.configure(p)
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
    problem = prepare_streams()
    if problem is not None:
        print(f"paper-reader: {problem}", file=sys.stderr)
        return 1
    code = _run(list(sys.argv[1:] if argv is None else argv))
    try:
        sys.stdout.flush()  # a write error surfaces here, not as a traceback at exit
    except OSError as err:
        _drop_output()
        if code == 0 and not isinstance(err, BrokenPipeError):
            print(f"paper-reader: cannot write the output ({err.strerror})", file=sys.stderr)
            return 1
    return code


def _drop_output() -> None:
    """Send what is left of the output nowhere, so that exiting does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(args_list: list[str]) -> int:
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
            if args.command not in ("list", "export", "enrich") or any(
                e.startswith("--") or not e.startswith("-") for e in extras
            ):
                parser.error(f"unrecognized arguments: {' '.join(extras)}")
            args.query += extras
        if args.command is None:
            return _open_reader(args, [])
        return COMMANDS[args.command].run(args)
    except PaperReaderError as err:
        # Messages quote input (a bad line, a tag): never let it drive the terminal.
        print(f"paper-reader: {clean_line(str(err))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `paper-reader list | head`: the reader left, not an error
        _drop_output()
        return 0
    except OSError as err:  # a file system failure no command anticipated
        where = f"{err.filename}: " if err.filename else ""
        print(f"paper-reader: {clean_line(where + (err.strerror or str(err)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open_reader(args: argparse.Namespace, files: list[str]) -> int:
    from tui.app import require_terminal, run_reader

    require_terminal()  # before importing FILEs: a refused start does nothing
    library = open_library(args)
    if not files:
        return run_reader(library)
    with progress_bar("importing") as progress:
        imported = import_files(library, files, progress=progress)
    for item in imported:
        for warning in item.summary.warnings:
            print(clean_line(f"paper-reader: {item.path}: warning: {warning}"), file=sys.stderr)
        print(clean_line(f"{item.path}: {item.summary}"), file=sys.stderr)
    collections = [item.summary.collection for item in imported if item.summary.collection]
    return run_reader(library, collections=collections, notice=import_notice(imported))


def import_notice(imported: Sequence[FileImport]) -> str:
    """What the reader says on opening after ``paper-reader FILE``: one line per file.

    Warnings are not listed there (they can be many): the line says how to see them.
    """
    lines = []
    for item in imported:
        summary = item.summary
        line = f"{os.path.basename(item.path)}: {summary}"
        if summary.warnings:
            count = len(summary.warnings)
            line += (
                f" — {count} warning{'s' if count != 1 else ''}: "
                f"run paper-reader import {item.path} to see them"
            )
        lines.append(clean_line(line))
    return "\n".join(lines)
