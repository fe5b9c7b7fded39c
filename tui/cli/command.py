"""One subcommand of ``paper-reader``: its arguments and what it runs."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from store.library import Library
from tui.memory import keep_out_of_gc


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: ``configure`` adds its arguments, ``run`` does it and returns the exit code.

    ``prefix_chars`` other than ``-`` lets arguments start with ``-`` (``tag ID -todo``);
    such a command takes no options, ``--db`` included, after its name.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    prefix_chars: str = "-"


def open_library(args: argparse.Namespace) -> Library:
    """The store named by ``--db`` (or the default), kept out of the GC for the command."""
    library = Library(args.db)
    keep_out_of_gc()  # the loaded papers live as long as the command
    return library


def iso_date(text: str) -> dt.date:
    """An argparse type: a ``YYYY-MM-DD`` date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value
