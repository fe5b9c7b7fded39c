"""What a BibTeX split yields, as plain values two splits can be compared by."""

from __future__ import annotations

from store.formats import bibtex_blocks
from store.formats.bibtex_blocks import SplitFile


def split_shape(result: SplitFile) -> tuple[object, ...]:
    """Entries, data entries, strings, warnings (with their lines) and what was skipped."""

    def entries(raw: list[bibtex_blocks.RawEntry]) -> list[tuple[object, ...]]:
        return [(e.type, e.key, e.fields, e.line) for e in raw]

    return (
        entries(result.entries),
        entries(result.data_entries),
        [(s.name, s.value, s.line) for s in result.strings],
        [(w.message, w.line) for w in result.warnings],
        result.skipped,
    )
