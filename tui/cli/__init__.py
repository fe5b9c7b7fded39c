"""The ``paper-reader`` command line (see :mod:`tui.cli.main`)."""

from tui.cli.main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
