r"""BibTeX and BibLaTeX: import through bibtexparser v2, export that reads back the same.

One import reads its ``.bib`` files as one bibliography, as
``\bibliography{abbrv,literatur,crossref}`` does, in four steps, one module each:

1. **Split** (:mod:`.bibtex_blocks`, :mod:`.bibtex_scan`): the blocks of each
   file, as bibtexparser's splitter finds them; broken blocks become warnings
   with their line, or are salvaged.
2. **Resolve** (:mod:`.bibtex_values`): ``@string`` macros (those of every
   file), ``#`` concatenation and month macros, as BibTeX reads them.
3. **Inherit** (:mod:`.bibtex_inherit`): ``crossref`` and ``xdata`` parents
   from any file of the import fill the fields a child lacks.
4. **Map** (:mod:`.bibtex_fields`, :mod:`.bibtex_names`, LaTeX decoded by
   :mod:`.bibtex_latex`): each entry becomes a :class:`Paper`.

Steps 2-4 run entry by entry once every file is split (a macro or a parent
may come from any file), so each entry is held raw or as a paper, not both.

Export (:mod:`.bibtex_export`) writes what import reads back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from store.errors import FileFormatError, FormatError
from store.formats.bibtex_blocks import BibtexBytes, SplitFile, split
from store.formats.bibtex_export import dump, entry_text
from store.formats.bibtex_fields import to_paper
from store.formats.bibtex_inherit import Inheritance
from store.formats.bibtex_values import build_macros
from store.model import Collection, ImportResult, ImportWarning, Paper
from store.progress import ImportProgress
from store.text import clean_line

__all__ = ["dump", "entry_text", "looks_like", "parse", "parse_bibliography"]

_FALLBACK_COLLECTION = "BibTeX import"
_NO_ENTRIES = "no BibTeX entries found"

# --- sniffing ------------------------------------------------------------------------

_SNIFF_CHARS = 1 << 20
_BLOCK_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)


def looks_like(text: str) -> bool:
    """Whether a text is BibTeX, judged from its content.

    BibTeX has no magic header: files open with ``%`` comments, JabRef's
    ``% Encoding: UTF-8``, free text or ``@preamble``. A line starting a block
    (``@type{`` or ``@type(``) is the mark, and JSON and XML, which may quote
    BibTeX inside a string, are refused by their first character.

    Args:
        text: The whole input.

    Returns:
        True when some line in the first megabyte starts a BibTeX block (a
        file that is not BibTeX, 150 MB of profile dump, is not read whole).
    """
    head = text[:_SNIFF_CHARS].removeprefix("\ufeff").lstrip()
    if not head or head[0] in "[{<":
        return False
    return _BLOCK_START.search(head) is not None


# --- import --------------------------------------------------------------------------


def parse(text: str, *, source: str = "") -> ImportResult:
    """Parse one BibTeX or BibLaTeX file into papers in file order.

    Args:
        text: The whole ``.bib`` file.
        source: Where the text came from; its file stem names the collection.

    Returns:
        The papers (ids are the entry keys, kept by the library), a collection
        ranking them in file order, the entries' keys and lines, and a
        warning for each broken block, with its 1-based line. Salvaged
        entries are imported and still warned about.

    Raises:
        FormatError: The text holds no readable entry (only ``@string`` or
            ``@comment`` blocks, or nothing BibTeX at all).
    """
    split_file = split(text, source)
    _require_entries(split_file)
    return _results([split_file])[0]


def parse_bibliography(
    files: Iterable[tuple[str, str | bytes | BibtexBytes]],
    progress: ImportProgress | None = None,
) -> list[ImportResult]:
    """Parse several files as one bibliography: shared ``@string`` blocks and crossref parents.

    Each paper belongs to the file that defines it, and each warning to the
    file (and line) it is about. A file holding only ``@string`` blocks (or
    nothing but comments) gives no papers and no error, as long as some
    file of the bibliography has entries.

    Args:
        files: ``(source, text)`` pairs in the order given on the command line;
            a text may be UTF-8 bytes (see :func:`.bibtex_blocks.split`).
            Each text is split as it is taken and not kept: a caller that
            lets go of it too (an iterator over a list it empties) frees it.
        progress: Told how far reading and making papers has got.

    Returns:
        One result per file, in the same order.

    Raises:
        FileFormatError: A file cannot be split, has entries none of which
            is readable, or no file has any entry at all; the error names the file.
    """
    split_files = [_split_file(source, text, progress) for source, text in files]
    nothing_anywhere = not any(split_file.entries for split_file in split_files)
    for split_file in split_files:
        if nothing_anywhere or (split_file.skipped and not split_file.entries):
            try:
                _require_entries(split_file)
            except FormatError as err:
                raise FileFormatError(split_file.source, err.message, err.line) from None
    return _results(split_files, progress)


def _split_file(
    source: str, text: str | bytes | BibtexBytes, progress: ImportProgress | None = None
) -> SplitFile:
    on_read = progress.reading(len(text)) if progress is not None else None
    try:
        return split(text, source, on_read=on_read)
    except FormatError as err:
        raise FileFormatError(source, err.message, err.line) from None


def _require_entries(split_file: SplitFile) -> None:
    """Raise the error for a file with no readable entry; nothing when it has one."""
    if split_file.entries:
        return
    failures = [w for w in split_file.warnings if not w.message.startswith("@string")]
    if failures:
        first = min(failures, key=lambda warning: warning.line or 0)
        raise FormatError(f"no readable BibTeX entries: {first.message}", first.line)
    raise FormatError(_NO_ENTRIES)


def _results(
    split_files: list[SplitFile], progress: ImportProgress | None = None
) -> list[ImportResult]:
    macros = build_macros(split_files)
    inheritance = Inheritance(
        [split_file.entries for split_file in split_files],
        [entry for split_file in split_files for entry in split_file.data_entries],
        macros,
    )
    results: list[ImportResult] = []
    for file_index, split_file in enumerate(split_files):
        source = split_file.source
        name = (Path(source).stem if source else "") or _FALLBACK_COLLECTION
        # The raw entries are now held by the inheritance alone, which lets
        # each go once its paper is made.
        raw_entries, split_file.entries, split_file.data_entries = split_file.entries, [], []
        source_keys = [clean_line(entry.key) for entry in raw_entries]
        lines = [entry.line for entry in raw_entries]
        count = len(raw_entries)
        del raw_entries
        papers: list[Paper] = []
        for position in range(count):
            entry = inheritance.take(file_index, position)
            split_file.warnings.extend(
                ImportWarning(
                    f"entry {entry.key!r}: @string {undefined!r} is not defined in the files "
                    "of this import; its name is used",
                    entry.line,
                )
                for undefined in entry.undefined
            )
            papers.append(to_paper(entry, {name: len(papers) + 1}))
            if progress is not None:
                progress.made()
        split_file.warnings.extend(inheritance.warnings[file_index])
        split_file.warnings.sort(key=lambda warning: warning.line or 0)
        results.append(
            ImportResult(
                papers=papers,
                collection=Collection(name=name, source=source),
                warnings=split_file.warnings,
                keep_ids=True,
                source_keys=source_keys,
                lines=lines,
                skipped=split_file.skipped,
            )
        )
    return results
