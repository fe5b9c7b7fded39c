"""The one gate every import passes: no control or escape character enters the store.

Importers clean what they read, but a field one forgets (a tag, a date, a
collection name) must still never bring a terminal escape into the store,
where the reader and the command line would show it.
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter
from typing import Any

from store.model import Collection, ImportResult, Paper, UserState
from store.text import clean_line, clean_text, is_printable

_LINE_FIELDS = (
    "id",
    "title",
    "category",
    "date",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
    "venue",
    "added_at",
    "kind",
)
_line_fields = attrgetter(*_LINE_FIELDS)


def _line(value: object) -> str:
    """A single-line text field, whatever an importer put there."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    # isprintable() is False for every control, escape, bidi and surrogate
    # character, and costs far less than cleaning a string that is clean.
    return text if is_printable(text) else clean_line(text)


def _text(value: object) -> str:
    """A multi-line text field (abstract, note), whatever an importer put there."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if is_printable(text.replace("\n", " ").replace("\t", " ")):
        return text
    return clean_text(text)


def _is_clean(paper: Paper) -> bool:
    """Whether every short field is printable text and the flags are booleans."""
    # One check over all the short fields; the abstract is left out because
    # scanning it would cost more than the rest of an import's per-paper work,
    # and every place that shows it cleans it (render.py, ``show``).
    try:
        fields = " ".join(
            (
                *_line_fields(paper),
                *paper.authors,
                *paper.affiliations,
                *paper.categories,
                *paper.collections,
                *paper.extra,
                *paper.extra.values(),
            )
        )
    except TypeError:  # a value that is not text: let the slow path look
        return False
    flags_are_bool = type(paper.has_code) is bool and type(paper.authors_truncated) is bool
    # The abstract's text is not scanned, but its type is: a number there would
    # reach the abstracts file as a number and read back as damage.
    return flags_are_bool and type(paper.abstract) is str and is_printable(fields)


def _sanitized_paper(paper: Paper) -> Paper:
    """The paper with every text field cleaned and its flags made booleans."""
    if _is_clean(paper):
        return paper
    # Field name -> new value; the value's type depends on the field (replace() checks names).
    changes: dict[str, Any] = {}
    for name in ("has_code", "authors_truncated"):
        if type(getattr(paper, name)) is not bool:
            changes[name] = bool(getattr(paper, name))
    for name in _LINE_FIELDS:
        value = getattr(paper, name)
        if _line(value) != value:
            changes[name] = _line(value)
    for name in ("authors", "affiliations", "categories"):
        values = getattr(paper, name)
        cleaned = tuple(_line(value) for value in values)
        if cleaned != values:
            changes[name] = cleaned
    if _text(paper.abstract) != paper.abstract:
        changes["abstract"] = _text(paper.abstract)
    collections = {_line(name): rank for name, rank in paper.collections.items()}
    if collections != paper.collections:
        changes["collections"] = collections
    extra = {_line(key): _text(value) for key, value in paper.extra.items()}
    if extra != paper.extra:
        changes["extra"] = extra
    return replace(paper, **changes) if changes else paper


def _sanitized_state(state: UserState) -> UserState:
    """An imported reading state with its tags, note and stamp cleaned."""
    return replace(
        state,
        tags=tuple(_line(tag) for tag in state.tags),
        note=_text(state.note),
        status_changed_at=_line(state.status_changed_at),
    )


def _sanitized_collection(collection: Collection) -> Collection:
    """A collection with its name, source and metrics cleaned."""
    return replace(
        collection,
        name=_line(collection.name),
        source=_line(collection.source),
        metrics={_line(key): _line(value) for key, value in collection.metrics.items()},
    )


def sanitized(result: ImportResult) -> ImportResult:
    """The result with control and escape characters removed from every text field.

    Importers clean what they read; this is the one gate every format passes,
    so a field an importer forgot (a tag, a date, a collection name) still
    never brings a terminal escape into the store, where the reader and the
    command line would show it; a value of the wrong type (a number for a
    title) is stored as text, so nothing downstream trips on it. Clean input
    is only checked, which is cheap.
    """
    return replace(
        result,
        papers=[_sanitized_paper(paper) for paper in result.papers],
        collection=_sanitized_collection(result.collection) if result.collection else None,
        states={_line(key): _sanitized_state(state) for key, state in result.states.items()},
        collections=[_sanitized_collection(c) for c in result.collections],
    )
