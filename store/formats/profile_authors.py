"""The author line of a profile entry: telling it from an abstract, and reading it.

The line after an entry's title lists its authors (``A, B, C et al.``),
optionally followed by `` · `` and affiliations, unless the entry has no
author line and the abstract starts there. Each entry of a dump passes
through here once, so the usual line (a few capitalised names) is read from
one regex match, and only other lines go through the rules one by one.
"""

from __future__ import annotations

import re

from store.text import clean_line

# The lookbehind starts a match only at the head of a whitespace run: linear, not quadratic.
_AFFILIATION_MARK = re.compile(r"(?<!\s)\s+·(?=\s|$)")
_AFFILIATION_SEPARATOR = re.compile(r",\s|\s·\s")
# Things names do not contain but prose does: sentence punctuation, digits,
# markup, and a period after a whole word ("Done.", unlike the initial in "D. Lee").
_PROSE_CHARACTER = re.compile(r"[;:!?()\[\]{}\"\\$=<>|/@#%*+^~_\d]")
_PROSE_WORD_END = re.compile(r"(?<![^\W\d_])(?!(?:Jr|Sr|St)\.)[^\W\d_]{2,}\.(?=\s|$)")
# A word (a run of neither whitespace nor commas) that starts with no ASCII
# capital: only a line with one needs its words looked at.
_UNCAPITALISED_WORD = re.compile(r"[\s,][^\sA-Z,]")
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# More words than a name has, between two commas.
_TOO_MANY_WORDS = re.compile(r"[^\s,]+(?:\s+[^\s,]+){8}")
_NAME_PARTICLES = frozenset(
    {"al", "bin", "ben", "da", "das", "de", "degli", "del", "della", "der", "di", "do", "dos"}
    | {"du", "el", "ibn", "la", "le", "van", "von", "y", "zu"}
)
_MAX_AUTHOR_LINE = 300
_MAX_NAME_WORDS = 8

# The capitals of the Latin, Greek and Cyrillic scripts: a word starting with
# one is never a lowercase word, whatever follows.
_CAPITAL = "[{}]".format(
    "".join(re.escape(char) for char in map(chr, range(0x41, 0x530)) if char.isupper())
)
# A capitalised word of letters, hyphens and apostrophes, or an initial ("D.").
_NAME_WORD = rf"{_CAPITAL}(?:\.|[^\W\d_]*(?:['’-][^\W\d_]*)*)"
_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{0,{_MAX_NAME_WORDS - 1}}}"
# The usual author line, which the rules of is_author_line always accept: up
# to eight such words a name, names joined by ", ", then maybe "et al.", then
# maybe " ·" and affiliations. It ends in a non-space, so it is its own
# stripped line.
USUAL_AUTHOR_LINE = (
    rf"(?P<names>{_NAME}(?:, {_NAME})*)(?P<et_al>,? et al\.)?"
    r"(?: ·(?P<affiliations>\s.*\S)?)?"
)
_USUAL_AUTHOR_LINE = re.compile(USUAL_AUTHOR_LINE)

AuthorLine = tuple[tuple[str, ...], bool, tuple[str, ...]]


def read_author_line(line: str) -> AuthorLine | None:
    """The authors, "et al." flag and affiliations of an author line; None for another line.

    The same as :func:`is_author_line`, then :func:`parse_author_line` on
    the cleaned line.

    Args:
        line: The line after an entry's title, stripped.
    """
    usual = _USUAL_AUTHOR_LINE.fullmatch(line)
    if usual is not None:
        names, et_al, affiliations = usual.group("names", "et_al", "affiliations")
        read = read_usual_author_line(line, names, et_al, affiliations)
        if read is not None:
            return read
    if not is_author_line(line):
        return None
    return parse_author_line(clean_line(line))


def read_usual_author_line(
    line: str, names: str, et_al: str | None, affiliations: str | None
) -> AuthorLine | None:
    """What :func:`read_author_line` says of a line that is :data:`USUAL_AUTHOR_LINE`.

    Args:
        line: The whole line.
        names: Its ``names`` group, and the ``et_al`` and ``affiliations``
            groups (None when absent).

    Returns:
        The authors, "et al." flag and affiliations; None when the line needs
        the rules after all (too long, or affiliations that need cleaning).
    """
    if affiliations is None:
        if len(line) > _MAX_AUTHOR_LINE:
            return None
        # Names joined by ", " and no "and" (every word is capitalised): the split is the list.
        return tuple(names.split(", ")), et_al is not None, ()
    if clean_line(line) is not line:
        return None
    return tuple(names.split(", ")), et_al is not None, _affiliations(affiliations)


def is_author_line(line: str) -> bool:
    """Whether the line after a title lists authors rather than starting the abstract.

    An affiliation mark settles it; otherwise (ignoring a closing "et al.") a
    short line of capitalised, comma-separated names without sentence
    punctuation, so that an abstract citing "Smith et al." stays an abstract.
    A name word may start in lowercase only as a particle ("van", "de") or
    when it has a capital further on ("d'Alembert", "al-Hassan").

    Args:
        line: The line, stripped of surrounding whitespace.

    Returns:
        True when the line reads as an author line.
    """
    if "·" in line and _AFFILIATION_MARK.search(line):
        return True
    if line.endswith("al."):
        line = line[: et_al_start(line)]
    if len(line) > _MAX_AUTHOR_LINE or _PROSE_CHARACTER.search(line):
        return False
    if "." in line and _PROSE_WORD_END.search(line):
        return False
    # The whitespace-separated tokens plus the commas bound the words of any one name.
    if (
        len(line.split()) + line.count(",") > _MAX_NAME_WORDS
        and _TOO_MANY_WORDS.search(line) is not None
    ):
        return False
    if (line and line[0] not in _CAPITALS) or _UNCAPITALISED_WORD.search(line):
        return _names_capitalised(line)
    return True


def _names_capitalised(line: str) -> bool:
    for part in line.split(","):
        for word in part.split():
            if (
                word[0].islower()
                and word not in _NAME_PARTICLES
                and not any(char.isupper() for char in word)
            ):
                return False
    return True


def et_al_start(line: str) -> int:
    """Where a closing "et al." (with the comma before it, if any) starts; the length if none.

    What ``(?:,\\s*)?\\bet\\s+al\\.$`` would find, without trying it at every
    position of the line.
    """
    body = line[:-3] if line.endswith("al.") else ""
    head = body.rstrip()
    if len(head) == len(body) or not head.endswith("et"):
        return len(line)
    start = len(head) - 2
    if start and (head[start - 1].isalnum() or head[start - 1] == "_"):
        return len(line)  # "Bennet al.": no word boundary before "et"
    before = head[:start].rstrip()
    return len(before) - 1 if before.endswith(",") else start


def parse_author_line(line: str) -> AuthorLine:
    """Authors, whether the list was cut short with "et al.", and affiliations.

    Args:
        line: An author line (see :func:`is_author_line`), already cleaned
            as a whole: cleaning is per character, so the pieces come out the
            same as if each were cleaned.

    Returns:
        The names in order, the "et al." flag, and the affiliations.
    """
    affiliations: tuple[str, ...] = ()
    if "·" in line:
        parts = _AFFILIATION_MARK.split(line, maxsplit=1)
        names_part = parts[0]
        if len(parts) == 2:
            affiliations = _affiliations(parts[1])
    else:
        names_part = line
    cut = et_al_start(names_part)
    truncated = cut < len(names_part)
    names_part = names_part[:cut]
    names = [name for name in map(str.strip, names_part.split(",")) if name]
    if "and " in names_part or "& " in names_part:
        names = [_without_conjunction(name) for name in names]
        names = [name for name in names if name]
    return tuple(names), truncated, affiliations


def _affiliations(text: str) -> tuple[str, ...]:
    pieces = (piece.strip() for piece in _AFFILIATION_SEPARATOR.split(text))
    return tuple(piece for piece in pieces if piece)


def _without_conjunction(name: str) -> str:
    """ "and B. Lee" (the last name of a list written as prose) without its "and"."""
    if name.startswith(("and ", "& ")):
        return name.split(" ", 1)[1].lstrip()
    return name
