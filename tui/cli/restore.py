"""``restore``: bring back damaged or missing store files from their backups."""

from __future__ import annotations

import argparse

from store.text import clean_line
from tui.cli.command import Command


def _cmd_restore(args: argparse.Namespace) -> int:
    """Restore what is damaged or missing (or roll back, or start an empty state)."""
    from store.library import restore_from_backups

    done = restore_from_backups(args.db, force=args.force, empty_state=args.empty_state)
    for line in done:
        print(clean_line(line))
    return 0


def _configure_restore(p: argparse.ArgumentParser) -> None:
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--force",
        action="store_true",
        help="roll a healthy store back to before the last import (current files kept aside)",
    )
    how.add_argument(
        "--empty-state",
        action="store_true",
        help="start with no reading state on purpose (the old state file is kept aside)",
    )


COMMANDS = (
    Command(
        "restore",
        "bring back damaged or missing store files from their backups (a healthy store "
        "is left as it is)",
        _configure_restore,
        _cmd_restore,
    ),
)
