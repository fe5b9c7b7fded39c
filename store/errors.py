"""The store's error types: each carries a message fit to show a user as is."""

from __future__ import annotations


class PaperReaderError(Exception):
    """Base of every error the command line turns into one line and exit 1."""


class FormatError(PaperReaderError):
    """Input that is not a paper collection in the expected format.

    ``line`` is 1-based when the importer knows where the input went wrong.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class FileFormatError(FormatError):
    """A :class:`FormatError` in one file of several: the message names the file.

    ``str()`` reads ``PATH: line N: message``, ready to show as is.
    """

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(message, line)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {super().__str__()}" if self.path else super().__str__()


class UnknownPaperError(PaperReaderError):
    """An id that names no paper in the library."""

    def __init__(self, paper_id: str) -> None:
        super().__init__(f"no paper with id {paper_id!r}")
        self.paper_id = paper_id


class StoreError(PaperReaderError):
    """The store file cannot be read or written; the message names the path."""


class SearchCancelled(Exception):
    """A search stopped because its caller no longer wants the answer (typing went on)."""
