"""BibTeX name lists (``author = {Lee, Jason D. and others}``) as display names.

Names are stored as they read, ``Given Family[, Suffix]``, following the
convention of :func:`store.text.family_name`: a family name of several words
given explicitly (``Garduño Freeman, Cristina``) has its words joined by
no-break spaces, so the surname stays recoverable from the display name.
``and others`` or a trailing ``et al.`` means the list was cut short: a fact
about the list, not a name.
"""

from __future__ import annotations

import functools
import re

from store.formats.bibtex_latex import decode
from store.text import FAMILY_JOINER, clean_line

_NAME_MARKS = re.compile(r"[{}]|\s+and(?=\s)", re.IGNORECASE)
_SPLIT_AND = re.compile(r"\s+and(?=\s)", re.IGNORECASE)
_COMMA_MARKS = re.compile(r"[{},]")
# Braces that close in order, two deep at most: "M{\\"u}ller", "{\\'{e}}", "{ACM}".
_BALANCED = re.compile(r"(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+")
# "Roth, Gregory A. et al." or "G. Roth et al": the list's last name, marked as cut short.
_TRAILING_ET_AL = re.compile(r"[\s,~]*\bet\.?[\s~]+al\b\.?\s*$", re.IGNORECASE)
_TRUNCATION_WORDS = frozenset({"others", "et al", "et al.", "et. al.", "et. al"})


def names(value: str) -> tuple[tuple[str, ...], bool]:
    """Display names of a name list, and whether the list was cut short.

    Args:
        value: The field's value with macros resolved, LaTeX not yet decoded.

    Returns:
        The names in order, and True when the list ends in ``and others``
        or its last name ends in ``et al.``.
    """
    value = value.strip()
    if not value:
        return (), False
    raw_names: list[str] = []
    truncated = False
    for raw in _split_names(value):
        raw = raw.strip().strip(",").strip()
        if raw.lower() in _TRUNCATION_WORDS:
            truncated = True
        elif raw:
            raw_names.append(raw)
    if raw_names:
        last = raw_names[-1]
        marker = _TRAILING_ET_AL.search(last)
        if marker is not None and not _inside_braces(last, marker.start()):
            raw_names[-1] = last[: marker.start()].strip().rstrip(",").strip()
            truncated = True
    display = (_display_name(raw) for raw in raw_names if raw)
    return tuple(name for name in display if name), truncated


def _split_names(value: str) -> list[str]:
    """Split at each ``and`` outside braces (``{Barnes and Noble}`` is one name)."""
    if "{" not in value:
        return _SPLIT_AND.split(value)
    if _BALANCED.fullmatch(value) is None:
        return _split_outside_braces(value, _NAME_MARKS)
    # Braces that close in order (accents, mostly): an "and" is outside them
    # where as many have opened as closed before it, which str.count tells.
    pieces: list[str] = []
    start = 0
    for separator in _SPLIT_AND.finditer(value):
        before = separator.start()
        if value.count("{", 0, before) == value.count("}", 0, before):
            pieces.append(value[start:before])
            start = separator.end()
    pieces.append(value[start:])
    return pieces


# Co-authors recur across a bibliography (and a lab's files list the same
# names in every entry): each distinct written name is decoded once.
@functools.lru_cache(maxsize=1 << 16)
def _display_name(raw_name: str) -> str:
    if raw_name.startswith("{") and raw_name.endswith("}") and _one_group(raw_name):
        # "{World Health Organization}": a corporate name, never reordered.
        return clean_line(decode(raw_name[1:-1], keep_math=False))
    if "," not in raw_name:
        return clean_line(decode(raw_name, keep_math=False))
    parts = (
        _split_outside_braces(raw_name, _COMMA_MARKS) if "{" in raw_name else raw_name.split(",")
    )
    decoded = [clean_line(decode(part, keep_math=False)) for part in parts]
    if len(decoded) == 1:
        return decoded[0]
    family, given = decoded[0].replace(" ", FAMILY_JOINER), decoded[-1]
    suffix = ", ".join(part for part in decoded[1:-1] if part)
    name = f"{given} {family}".strip()
    return f"{name}, {suffix}" if suffix else name


def _split_outside_braces(value: str, marks: re.Pattern[str]) -> list[str]:
    """Split at each separator ``marks`` finds outside braces (``marks`` also finds braces)."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for mark in marks.finditer(value):
        token = mark.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            pieces.append(value[start : mark.start()])
            start = mark.end()
    pieces.append(value[start:])
    return pieces


def _inside_braces(value: str, position: int) -> bool:
    """Whether ``position`` sits inside a brace group (``{Smith et al. Inc.}``)."""
    head = value[:position]
    return head.count("{") > head.count("}")


def _one_group(value: str) -> bool:
    """Whether the opening brace is closed by the very last character."""
    depth = 0
    for index, char in enumerate(value):
        if char == "{" and (index == 0 or value[index - 1] != "\\"):
            depth += 1
        elif char == "}" and (index == 0 or value[index - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return index == len(value) - 1
    return False
