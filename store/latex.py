r"""LaTeX in titles and abstracts, turned into readable Unicode for display.

arXiv titles and abstracts are written in LaTeX: ``$d^2\asymp n\log n$``,
``\emph{...}``, ``{\"u}``. Shown raw they are hard to read; shown through
pylatexenc's stock math mode they lose meaning (``S^{d-1}`` becomes ``S^d-1``,
``n\log n`` becomes ``nlog n``). Here the text is prepared, parsed and
converted, and the converter set up; math is rendered by our own small
renderer over pylatexenc's node tree (:mod:`store.latex_math`, with the tables
of :mod:`store.latex_symbols`).

The common LaTeX of titles and abstracts is parsed by :mod:`store.latex_parse`
into the very node tree pylatexenc's parser would build, about ten times
faster; pylatexenc parses the rest. Titles are remembered
(:func:`title_to_unicode`), so an import that normalises a title for
identity and renders it for display converts it once.

The conversion is for display only: the stored text is never rewritten, and
any input that trips the parser comes back unchanged rather than raising.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
from typing import Any

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec

from store.latex_math import SPACE_RUN, UnicodeConverter
from store.latex_parse import FastParser
from store.latex_symbols import (
    BINOMIALS,
    CITE_MACROS,
    FRACTIONS,
    MATH_MACROS_IN_TEXT,
    ONE_ARGUMENT_MACROS,
    SET_MACROS,
)

# pylatexenc reports tolerated parse errors through `logging`. With no handler
# configured, Python's last-resort handler would print warnings to stderr,
# straight across a running terminal UI; a NullHandler keeps them quiet while
# still letting them reach any handler the application installs.
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())

# Bare braces alone are text (a title may hold "{"); BibTeX braces are decoded at import.
_NEEDS_LATEX = ("$", "\\")
# pylatexenc tokenizes one character at a time in Python, and its cost grows
# faster than linearly: 200k characters take seconds. arXiv caps abstracts at
# 1,920 characters, so anything this long is not an abstract and is shown as is.
_MAX_CONVERTED_CHARS = 20_000
_BARE_PERCENT = re.compile(r"(?<!\\)%")
# "\toα": pylatexenc reads Unicode letters as part of a macro name; TeX does not.
_MACRO_BEFORE_UNICODE_LETTER = re.compile(r"(?<!\\)(\\[A-Za-z]+)(?=[^\x00-\x7f])")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_SPACE_AT_NEWLINE = re.compile(r" *\n *")
# Titles' conversions, keyed by the title: an import normalises each title
# for identity and renders it for display minutes later, after writing. The
# keys are the papers' own strings; the converted ones are what the rendered
# titles keep anyway. Bounded by their characters plus a cost per entry (about
# 10 MB at most); once full it takes no more, since evicting in order would miss
# every title of a second pass over a long list.
_MEMO_MAX_TEXT = 1_000
_MEMO_BUDGET = 4_000_000
_MEMO_ENTRY_COST = 48
_memo: dict[str, str] = {}
_memo_spent = 0
# pylatexenc's walker leaves reference cycles (~6 KB a text), and an import
# runs with the collector paused (store.bulk): they are collected every so
# many parses, or 10,000 titles would keep 60 MB of garbage.
_PARSES_BETWEEN_COLLECTIONS = 256
_parses_since_collection = 0


def latex_to_unicode(text: str) -> str:
    r"""Render the LaTeX in a title or abstract as readable Unicode.

    ``$d^2\asymp n\log n$`` becomes ``d² ≍ n log n``, ``$θ^\star \in
    S^{d-1}$`` becomes ``θ⋆ ∈ Sᵈ⁻¹``, ``\emph{x}`` becomes ``x`` and ``{\"u}``
    becomes ``ü``. Paragraph breaks survive; runs of spaces collapse.

    The function is pure and uncached: abstracts can be long and many, so
    callers cache per paper rather than this module holding every abstract
    (titles: :func:`title_to_unicode`).

    Args:
        text: A title or abstract, possibly holding LaTeX.

    Returns:
        The text for display. Plain text (no ``$`` or ``\``) comes back
        unchanged, and so does any text the converter cannot handle: display
        must never fail because an abstract is odd.
    """
    if len(text) > _MAX_CONVERTED_CHARS or not any(m in text for m in _NEEDS_LATEX):
        return text
    try:
        prepared = _prepare(text)
        nodes = _fast_parser().parse(prepared)
        if nodes is None:
            nodes = _parse_slowly(prepared)
        converted = _converter().nodelist_to_text(nodes)
        return _tidy(converted, keep_outer_space=text != text.strip())
    except Exception:
        return text


def title_to_unicode(title: str) -> str:
    """:func:`latex_to_unicode` of a title (or any short text), remembered.

    Identity's normalised title and the displayed title both start from this
    conversion, so an import converts each title once.
    """
    global _memo_spent
    converted = _memo.get(title)
    if converted is None:
        converted = latex_to_unicode(title)
        if len(title) <= _MEMO_MAX_TEXT and _memo_spent < _MEMO_BUDGET and converted is not title:
            _memo[title] = converted
            _memo_spent += len(converted) + _MEMO_ENTRY_COST
    return converted


def _parse_slowly(prepared: str) -> Any:
    """pylatexenc's node tree for text the fast parser declined."""
    global _parses_since_collection
    _parses_since_collection += 1
    if _parses_since_collection >= _PARSES_BETWEEN_COLLECTIONS and not gc.isenabled():
        _parses_since_collection = 0
        gc.collect(0)
    walker = latexwalker.LatexWalker(
        prepared, latex_context=_walker_context(), tolerant_parsing=True
    )
    return walker.get_latex_nodes()[0]


def forget() -> None:
    """Drop every remembered title (tests use it to start afresh)."""
    global _memo_spent
    _memo.clear()
    _memo_spent = 0


def _prepare(text: str) -> str:
    """Ready prose for the parser: ``%`` escaped, an odd ``$`` literal, macros ended."""
    # A bare % starts a LaTeX comment and would swallow the rest of the line,
    # but in abstracts it nearly always means "per cent".
    # (Each pass is skipped when the text lacks what it looks for: titles are many.)
    if "%" in text:
        text = _BARE_PERCENT.sub(r"\\%", text)
    # Pasted abstracts mix macros with Unicode symbols ("n/d^2\toα"); a
    # space ends the macro name where TeX would.
    if not text.isascii():
        text = _MACRO_BEFORE_UNICODE_LETTER.sub(r"\1 ", text)
    # An odd number of $ means one is a currency sign; treat the last as literal
    # so that the prose after it is not read as math.
    dollars = [match.start() for match in _UNESCAPED_DOLLAR.finditer(text)] if "$" in text else []
    if len(dollars) % 2:
        last = dollars[-1]
        text = text[:last] + "\\" + text[last:]
    return text


def _tidy(text: str, *, keep_outer_space: bool) -> str:
    """Collapse space runs and the spaces around line breaks."""
    if "  " in text or "\t" in text or "\xa0" in text:
        text = SPACE_RUN.sub(" ", text)
    if "\n" in text:
        text = _SPACE_AT_NEWLINE.sub("\n", text)
    return text if keep_outer_space else text.strip()


@functools.cache
def _walker_context() -> Any:
    """pylatexenc's parser context plus the argument shapes of macros it lacks."""
    context = latexwalker.get_default_latex_context_db()
    context.add_context_category(
        "paper-reader",
        prepend=True,
        macros=[
            MacroSpec("operatorname", "*{"),
            MacroSpec("href", "{{"),
            *(MacroSpec(name, "{") for name in ONE_ARGUMENT_MACROS),
            *(MacroSpec(name, "{{") for name in (*FRACTIONS, *BINOMIALS)),
        ],
    )
    return context


@functools.cache
def _fast_parser() -> FastParser:
    """The fast parser, over the same macro shapes as pylatexenc's walker."""
    return FastParser(_walker_context())


@functools.cache
def _converter() -> UnicodeConverter:
    """The single converter; it keeps no per-call state, so sharing it is safe."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "paper-reader",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=symbol) for name, symbol in SET_MACROS.items()),
            *(MacroTextSpec(name, simplify_repl=_format_citation) for name in CITE_MACROS),
            # Math-only macros met outside $...$ still get the math rendering.
            *(MacroTextSpec(name, simplify_repl=_as_math) for name in MATH_MACROS_IN_TEXT),
            MacroTextSpec("prime", simplify_repl="′"),
            MacroTextSpec("|", simplify_repl="‖"),
            MacroTextSpec("url", discard=False),
            # Reading files named by untrusted text is never wanted.
            MacroTextSpec("input", discard=True),
            MacroTextSpec("include", discard=True),
        ],
        specials=[
            # A tie is a space to a reader; "&" outside a table is an ampersand.
            SpecialsTextSpec("~", simplify_repl=" "),
            SpecialsTextSpec("&", simplify_repl="&"),
        ],
    )
    return UnicodeConverter(latex_context=context)


def _as_math(node: Any, l2tobj: Any) -> str:
    """Render a math-only macro met in text mode as math."""
    return str(l2tobj.render_math([node]))


def _format_citation(node: Any, l2tobj: Any) -> str:
    """A citation as its key in brackets."""
    # The key is the only thing an abstract's reader can use: "[lee2023]".
    arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    key = l2tobj.nodelist_to_text([arguments[-1]]).strip() if arguments else ""
    return f"[{key}]" if key else ""
