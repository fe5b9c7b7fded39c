"""``mark``, ``star``, ``unstar``, ``tag`` and ``note``: the user's state of papers."""

from __future__ import annotations

import argparse

from store.errors import PaperReaderError
from store.model import ReadingStatus
from store.text import clean_line, clean_text
from tui.cli.command import Command, open_library
from tui.cli.streams import read_stdin_text


def _cmd_mark(args: argparse.Namespace) -> int:
    library = open_library(args)
    library.set_status([library.resolve(ref) for ref in args.ids], ReadingStatus(args.status))
    print(f"marked {len(args.ids)} {args.status}")
    return 0


def _cmd_star(args: argparse.Namespace) -> int:
    library = open_library(args)
    library.set_starred([library.resolve(ref) for ref in args.ids], True)
    print(f"starred {len(args.ids)}")
    return 0


def _cmd_unstar(args: argparse.Namespace) -> int:
    library = open_library(args)
    library.set_starred([library.resolve(ref) for ref in args.ids], False)
    print(f"unstarred {len(args.ids)}")
    return 0


def _cmd_tag(args: argparse.Namespace) -> int:
    add = [t[1:] if t.startswith("+") else t for t in args.tags if not t.startswith("-")]
    remove = [t[1:] for t in args.tags if t.startswith("-")]
    if any(not t for t in add + remove):
        raise PaperReaderError("empty tag name")
    library = open_library(args)
    paper_id = library.resolve(args.id)
    library.change_tags([paper_id], add=add, remove=remove)
    print(clean_line(f"{paper_id}: tags {', '.join(library.state(paper_id).tags) or '(none)'}"))
    return 0


def _cmd_note(args: argparse.Namespace) -> int:
    library = open_library(args)
    paper_id = library.resolve(args.id)
    if args.text is not None:
        text = args.text
    else:
        # The newline that ends `echo`'s or a heredoc's last line is not part of the note.
        text = read_stdin_text("note text").rstrip("\r\n")
        if not text.strip():
            raise PaperReaderError(
                "no note text on stdin (to clear a note: paper-reader note ID '')"
            )
    note = clean_text(text)
    library.set_note(paper_id, note)
    print(clean_line(f"{paper_id}: note saved ({len(note)} characters)"))
    return 0


def _configure_mark(p: argparse.ArgumentParser) -> None:
    p.add_argument("status", choices=[s.value for s in ReadingStatus], metavar="STATUS")
    p.add_argument("ids", nargs="+", metavar="ID")


def _configure_ids(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ID")


def _configure_tag(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID")
    p.add_argument("tags", nargs="+", metavar="+TAG/-TAG")


def _configure_note(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="?", metavar="TEXT")


COMMANDS = (
    Command("mark", "set the reading status", _configure_mark, _cmd_mark),
    Command("star", "star papers", _configure_ids, _cmd_star),
    Command("unstar", "unstar papers", _configure_ids, _cmd_unstar),
    Command(
        "tag",
        "add (+TAG or TAG) and remove (-TAG) tags",
        _configure_tag,
        _cmd_tag,
        prefix_chars="\0",
    ),
    Command("note", "set a paper's note (no TEXT: read it from stdin)", _configure_note, _cmd_note),
)
