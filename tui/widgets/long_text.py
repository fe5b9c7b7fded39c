"""Long abstracts in pieces: where to cut LaTeX source, and each piece rendered.

pylatexenc renders about 130 characters a millisecond: a 10 MB abstract would
take over a minute. The pane renders a long abstract piece by piece in a
worker, only as far as the reader has scrolled.
"""

from __future__ import annotations

from store.latex import latex_to_unicode
from store.text import clean_text

# Characters of LaTeX source rendered per piece (tens of ms in pylatexenc).
PIECE = 8_000


def safe_cut(raw: str, start: int, size: int = PIECE) -> int:
    """Where the piece of ``raw`` starting at ``start`` ends: at most ``size`` on.

    The cut follows whitespace outside any brace group and any ``$…$`` math,
    so that each piece is LaTeX on its own; without such a place it is hard.
    """
    end = min(len(raw), start + size)
    if end == len(raw):
        return end
    depth = 0
    math = False
    best = -1
    escaped = False
    for i in range(start, end):
        char = raw[i]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "$":
            math = not math
        elif char.isspace() and depth == 0 and not math:
            best = i + 1
    return best if best > start else end


def render_piece(raw: str, start: int, end: int) -> str:
    """``raw[start:end]`` with its LaTeX turned into readable Unicode."""
    return clean_text(latex_to_unicode(raw[start:end]))


def preview(raw: str, start: int, end: int) -> str:
    """``raw[start:end]`` as plain text, shown while its LaTeX is rendered."""
    return clean_text(raw[start:end])
