"""CSL names read as display names and written back, by the convention of family_name.

A name reads ``given [particles] family[, suffix]``; a ``family`` of several
words keeps its words joined by no-break spaces (see
:func:`store.text.family_name`), so the surname survives display. Writing
splits a display name back into ``given``/``family`` (or keeps it whole as
``literal``) so that reading the file back restores every name exactly.
"""

from __future__ import annotations

import re
from typing import Any

from store.text import FAMILY_JOINER, clean_line

_ET_AL = frozenset({"et al", "et al.", "others", "and others"})
_PARTICLES = frozenset(
    {"da", "das", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du", "la", "le"}
    | {"ten", "ter", "van", "von", "zu"}
)
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
_ORGANISATION = re.compile(
    r"\b(?:Academy|Agency|Association|Authority|Board|Bureau|Cent(?:er|re)|Collaboration"
    r"|Commission|Committee|Company|Consortium|Corporation|Council|Department|Federation"
    r"|Foundation|Government|Group|Initiative|Institut\w*|Laborator\w*|Ministry|Network"
    r"|Office|Organi[sz]ation|Panel|Program(?:me)?|Project|Service|Society|Survey|Team"
    r"|Universit\w*|Inc\.?|Ltd\.?|GmbH|LLC)\b|&|[0-9]"
)


def read_names(value: Any) -> tuple[tuple[str, ...], bool]:
    """Display names of a CSL name list, and whether it ended in "others".

    Repeated names stay: two authors can share a name.
    """
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        return (), False
    names: list[str] = []
    truncated = False
    for entry in value:
        name = read_name(entry)
        if name.lower() in _ET_AL:
            truncated = True
        elif name:
            names.append(name)
    return tuple(names), truncated


def read_name(value: Any) -> str:
    """One CSL name as it reads: ``given [particles] family [suffix]``, or its literal."""
    if isinstance(value, str):
        return clean_line(value)
    if not isinstance(value, dict):
        return ""
    literal = clean_line(scalar(value.get("literal")))
    if literal:
        return literal
    parts = [
        clean_line(scalar(value.get(key)))
        for key in ("given", "dropping-particle", "non-dropping-particle")
    ]
    # A family name of several words stays one (store.text.family_name's convention).
    parts.append(clean_line(scalar(value.get("family"))).replace(" ", FAMILY_JOINER))
    name = " ".join(part for part in parts if part)
    suffix = clean_line(scalar(value.get("suffix")))
    return f"{name}, {suffix}" if name and suffix else name or suffix


def scalar(value: Any) -> str:
    """A string or number as text; anything else (lists, objects, null) as ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return ""


def split_name_list(text: str) -> list[str]:
    """Names from an extra field: ``; ``-separated (CSL, RIS) or BibTeX ``and``."""
    separator = "; " if "; " in text else " and "
    return [name.strip() for name in text.split(separator) if name.strip()]


def write_name(name: str) -> dict[str, str]:
    """A display name as a CSL name that reads back as the same name.

    Organisations and one-word names stay whole (``literal``); ``Family,
    Given`` (a form other tools store) is split at the comma; a family name
    the importers joined with no-break spaces (``Cristina Garduño\u00a0Freeman``)
    is the family; otherwise the last word is the family name, with
    lower-case particles before it (``van``, ``de``) and a generational
    suffix after a comma (``Martin Luther King, Jr.``). A bracketed
    transliteration stays with the word it follows (``Ադոնց [Adonc῾]``).
    Any split that :func:`read_name` would not read back as the name is written
    as a ``literal`` instead.
    """
    if _ORGANISATION.search(name):
        return {"literal": name}
    head, comma, suffix = name.partition(", ")
    if comma and suffix in _SUFFIXES and "," not in head and "," not in suffix:
        csl = {**_csl_words(head), "suffix": suffix}
    elif "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        if family and given:
            return {"family": family, "given": given}
        return {"literal": name}
    else:
        csl = _csl_words(name)
    if "literal" in csl or read_name(csl) != name:
        return {"literal": name}
    return csl


def _csl_words(name: str) -> dict[str, str]:
    """``family``, ``given`` and particles of a name without commas, else its ``literal``."""
    words = _name_words(name)
    if FAMILY_JOINER in words[-1]:
        csl = {"family": words[-1].replace(FAMILY_JOINER, " ")}
        if len(words) > 1:
            csl["given"] = " ".join(words[:-1])
        return csl
    if len(words) < 2:
        return {"literal": name}
    family = words.pop()
    particles: list[str] = []
    while len(words) > 1 and words[-1] in _PARTICLES:
        particles.insert(0, words.pop())
    csl = {"family": family, "given": " ".join(words)}
    if particles:
        csl["non-dropping-particle"] = " ".join(particles)
    return csl


def _name_words(name: str) -> list[str]:
    """The name's words, a ``[...]`` group joined to the word before it."""
    words: list[str] = []
    open_bracket = False
    for word in name.split(" "):
        if words and (open_bracket or word.startswith("[")):
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
        if "[" in word or open_bracket:
            open_bracket = "]" not in word
    return words
