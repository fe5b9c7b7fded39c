"""paper-reader's own JSON: a lossless dump of papers, user state and collections.

Importing a dump restores everything it holds, so it doubles as a backup and
as the way to move a library between machines.
"""

from __future__ import annotations

from typing import Any

import orjson

from store.errors import FormatError
from store.model import Collection, ImportResult, ImportWarning, Paper, UserState
from store.text import clean_line, clean_text

FORMAT_TAG = "paper-reader"
_SINGLE_LINE = ("title", "category", "venue", "url", "code_url", "arxiv_id", "doi")


def looks_like(text: str) -> bool:
    """True for a JSON object tagged as a paper-reader export."""
    head = text.lstrip()[:200]
    return head.startswith("{") and f'"format":"{FORMAT_TAG}"' in head.replace(" ", "")


def dump(papers: list[Paper], states: dict[str, UserState], collections: list[Collection]) -> str:
    """Every field of every paper with its state, and the collections they came from."""
    records = []
    for paper in papers:
        record = paper.to_dict()
        record.update(states.get(paper.id, UserState()).to_dict())
        records.append(record)
    document = {
        "format": FORMAT_TAG,
        "version": 1,
        "collections": [c.to_dict() for c in collections],
        "papers": records,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(record)
    for key in _SINGLE_LINE:
        if isinstance(cleaned.get(key), str):
            cleaned[key] = clean_line(cleaned[key])
    if isinstance(cleaned.get("abstract"), str):
        cleaned["abstract"] = clean_text(cleaned["abstract"])
    for key in ("authors", "affiliations"):
        if isinstance(cleaned.get(key), list):
            cleaned[key] = [clean_line(str(v)) for v in cleaned[key]]
    if isinstance(cleaned.get("note"), str):
        cleaned["note"] = clean_text(cleaned["note"])
    return cleaned


def parse(text: str, *, source: str = "") -> ImportResult:
    """Read a dump back; a malformed paper is a warning, a malformed file an error."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as err:
        line = text[: err.pos].count("\n") + 1 if err.pos is not None else None
        raise FormatError(f"not valid JSON ({err.msg})", line) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_TAG:
        raise FormatError("not a paper-reader JSON export", 1)
    if not isinstance(document.get("papers"), list):
        raise FormatError("the export has no list of papers", 1)
    papers: list[Paper] = []
    states: dict[str, UserState] = {}
    warnings: list[ImportWarning] = []
    for number, record in enumerate(document["papers"], start=1):
        try:
            if not isinstance(record, dict) or not (
                isinstance(record.get("id"), str) and record["id"]
            ):
                raise ValueError("a paper needs an id")
            if not isinstance(record.get("title", ""), str):
                raise ValueError("a paper's title is text")
            record.setdefault("title", "")
            record = _clean(record)
            paper = Paper.from_dict(record)
            state = UserState.from_dict(record)
        except (TypeError, ValueError, KeyError, AttributeError) as err:
            warnings.append(ImportWarning(f"paper {number} skipped: {err}"))
            continue
        papers.append(paper)
        if not state.is_default:
            states[paper.id] = state
    collections = []
    records = document.get("collections") or []
    if not isinstance(records, list):
        warnings.append(ImportWarning("collections skipped: not a list"))
        records = []
    for record in records:
        try:
            collections.append(Collection.from_dict(record))
        except (TypeError, ValueError, KeyError, AttributeError) as err:
            warnings.append(ImportWarning(f"collection skipped: {err}"))
    return ImportResult(
        papers=papers,
        collection=None,
        warnings=warnings,
        keep_ids=True,
        states=states,
        collections=collections,
        skipped=sum(1 for warning in warnings if warning.message.startswith("paper ")),
        exact_ids=True,
    )
