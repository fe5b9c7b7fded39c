"""The standard streams, made safe whatever the locale and whatever is closed.

Under ``LC_ALL=POSIX`` (with UTF-8 mode off) Python's streams are ASCII: a
title with an accent would end a listing in a ``UnicodeEncodeError``, and
``echo Żurada | paper-reader note ID`` would save ``??urada``. Output is
therefore always UTF-8 and input is read as UTF-8 bytes. A standard stream
closed by the caller (``>&-``, ``<&-``) gets ``/dev/null`` on its descriptor
at once, so the store files opened later can never land on descriptor 0, 1
or 2, where a stray read or write would reach them.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from store.errors import PaperReaderError

_STDIN, _STDOUT, _STDERR = 0, 1, 2


def _is_closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _fill(fd: int) -> None:
    """Put ``/dev/null`` on a closed descriptor so that nothing else takes its number."""
    null = os.open(os.devnull, os.O_RDONLY if fd == _STDIN else os.O_WRONLY)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def _to_utf8(stream: object, errors: str) -> None:
    # A stream that cannot switch (already read from) keeps its own encoding.
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError):
            stream.reconfigure(encoding="utf-8", errors=errors)


def prepare_streams() -> str | None:
    """Make the standard streams safe; returns why the command cannot run, if it cannot.

    Output is UTF-8 (what a terminal cannot encode is replaced, never a
    traceback). A closed standard output is a reason to stop before doing
    anything: the user would not learn what was done. A closed standard input
    is fine until something needs it (see :func:`read_stdin_text`).
    """
    stdout_closed = sys.stdout is None or _is_closed(_STDOUT)
    for fd in (_STDIN, _STDOUT, _STDERR):
        if _is_closed(fd):
            _fill(fd)
    if sys.stderr is None:  # Python starts with None for a descriptor closed then
        sys.stderr = open(  # noqa: SIM115 - it lives as long as the process
            _STDERR, "w", encoding="utf-8", errors="backslashreplace", closefd=False
        )
    _to_utf8(sys.stdout, "replace")
    _to_utf8(sys.stderr, "backslashreplace")
    if stdout_closed:
        return "standard output is closed; nothing was done"
    return None


def read_stdin_text(what: str) -> str:
    """Everything on standard input, decoded as UTF-8 whatever the locale.

    Raises :class:`PaperReaderError` (one line) when standard input is
    closed, cannot be read, or is not UTF-8 text.
    """
    stream = sys.stdin
    if stream is None:
        raise PaperReaderError(f"standard input is closed: no {what} to read")
    buffer = getattr(stream, "buffer", None)
    try:
        if buffer is None:  # an in-memory text stream (tests): already text
            return str(stream.read())
        data = buffer.read()
    except OSError as err:
        raise PaperReaderError(f"cannot read standard input ({err.strerror or err})") from None
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PaperReaderError(
            f"standard input is not UTF-8 text (byte {err.start + 1}); nothing was saved"
        ) from None
