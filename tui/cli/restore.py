"""``restore``: bring back damaged or missing store files from their backups."""

from __future__ import annotations

import argparse

from store.text import clean_line
from tui.cli.command import Command


def _cmd_restore(args: argparse.Namespace) -> int:
    """Put the store back from its ``.bak`` copies, keeping the damaged files aside."""
    from store.library import restore_from_backups

    for line in restore_from_backups(args.db):
        print(clean_line(line))
    return 0


def _configure_restore(p: argparse.ArgumentParser) -> None:
    del p  # no arguments of its own yet


COMMANDS = (
    Command(
        "restore",
        "bring back the last good store from its backups (the damaged files are kept)",
        _configure_restore,
        _cmd_restore,
    ),
)
