r"""LaTeX in titles and abstracts, turned into readable Unicode for display.

arXiv titles and abstracts are written in LaTeX: ``$d^2\asymp n\log n$``,
``\emph{...}``, ``{\"u}``. Shown raw they are hard to read; shown through
pylatexenc's stock math mode they lose meaning (``S^{d-1}`` becomes ``S^d-1``,
``n\log n`` becomes ``nlog n``). pylatexenc parses here, and math is rendered
by our own small renderer over its node tree, so that scripts become Unicode
super/subscripts (or ``^(...)`` when no such characters exist), operator names
keep their spaces and relations breathe.

The conversion is for display only: the stored text is never rewritten, and
any input that trips the parser comes back unchanged rather than raising.
"""

from __future__ import annotations

import enum
import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec

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
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_SPACE_AT_NEWLINE = re.compile(r" *\n *")
_SPACE_AFTER_OPENER = re.compile(r"([(\[{⟨⌊⌈]) ")
_SPACE_BEFORE_CLOSER = re.compile(r" ([)\]}⟩⌋⌉,;])")

# Lookup tables, laid out by hand so that a row reads as a row.
# fmt: off
_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()"
        "abcdefghijklmnoprstuvwxyz"
        "ABDEGHIJKLMNOPRTUW"
        "αβγδεθιφχ"
        "⋆*∗′†‡⊤⊺",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾"
        "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
        "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁᵂ"
        "ᵅᵝᵞᵟᵋᶿᶥᵠᵡ"
        "⋆*∗′†‡ᵀᵀ",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_DOUBLE_STRUCK_EXCEPTIONS = {
    "C": "ℂ",
    "H": "ℍ",
    "N": "ℕ",
    "P": "ℙ",
    "Q": "ℚ",
    "R": "ℝ",
    "Z": "ℤ",
}
# Characters whose math reading differs from the text one: a hyphen in math is
# a minus sign and an apostrophe a prime.
_MATH_CHARS = {"-": "−", "'": "′"}

# Operator names typeset upright with space around them, whatever the source spacing.
_OPERATOR_NAMES = frozenset({
    "arg", "argmax", "argmin", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "diag", "dim",
    "exp", "gcd", "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min",
    "poly", "polylog", "Pr", "rank", "sec", "sgn", "sign", "sin", "sinh", "softmax", "sup", "tan",
    "tanh", "tr", "Tr", "Var", "Cov"
})
# Relations and binary operators: LaTeX spaces these, so we do too.
_SPACED_SYMBOLS = frozenset({
    "approx", "asymp", "cap", "cdot", "circ", "cong", "coloneqq", "cup", "equiv", "ge", "geq",
    "geqslant", "gets", "gg", "gtrsim", "iff", "implies", "in", "le", "leftarrow", "Leftarrow",
    "leftrightarrow", "Leftrightarrow", "leq", "leqslant", "lesssim", "ll", "longrightarrow",
    "Longrightarrow", "mapsto", "mid", "mp", "ne", "neq", "ni", "notin", "oplus", "otimes",
    "perp", "pm", "propto", "rightarrow", "Rightarrow", "setminus", "sim", "simeq", "subset",
    "subseteq", "supset", "supseteq", "times", "to", "triangleq", "vee", "wedge"
})
# Delimiter sizing carries no meaning in plain text.
_SIZING = frozenset({
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm"
})
_FRACTIONS = frozenset(("frac", "dfrac", "tfrac", "cfrac"))
_BINOMIALS = frozenset(("binom", "dbinom", "tbinom"))
# Font switches whose argument is still math: keep the content, drop the font
# (terminal fonts rarely cover the Unicode math alphabets well, and a plain O
# reads better than 𝒪).
_MATH_FONTS = frozenset({
    "mathcal", "mathscr", "mathfrak", "mathrm", "mathbf", "mathit", "mathsf", "mathtt",
    "mathnormal", "bm", "boldsymbol", "pmb"
})
# Macros whose argument is text even inside math.
_TEXT_IN_MATH = frozenset({
    "text", "textrm", "texttt", "textit", "textbf", "textsf", "textsc", "textup", "textmd",
    "textnormal", "textsl", "emph", "mbox", "hbox"
})
# fmt: on
_ACCENTS = {
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "check": "\u030c",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
    "mathring": "\u030a",
}
# Macros that often stand for number sets or expectations in paper preambles.
_SET_MACROS = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼"}
_CITE_MACROS = ("cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear")
_ROOTS = {"2": "√", "3": "∛", "4": "∜"}
_SIMPLE_OPERAND_EXTRA = frozenset("′⋆∗.√")
# Macros pylatexenc's parser does not know to take one braced argument.
_ONE_ARGUMENT_MACROS = ("bm", "boldsymbol", "pmb", "hbox", "mathnormal", "textnormal", "mathring")
_MATH_MACROS_IN_TEXT = (
    "sqrt",
    "operatorname",
    "mathbb",
    *_FRACTIONS,
    *_BINOMIALS,
    *_MATH_FONTS,
)


def latex_to_unicode(text: str) -> str:
    r"""Render the LaTeX in a title or abstract as readable Unicode.

    ``$d^2\asymp n\log n$`` becomes ``d² ≍ n log n``, ``$θ^\star \in
    S^{d-1}$`` becomes ``θ⋆ ∈ Sᵈ⁻¹``, ``\emph{x}`` becomes ``x`` and ``{\"u}``
    becomes ``ü``. Paragraph breaks survive; runs of spaces collapse.

    The function is pure and uncached: abstracts can be long and many, so
    callers cache per paper rather than this module holding every abstract.

    Args:
        text: A title or abstract, possibly holding LaTeX.

    Returns:
        The text for display. Plain text (no ``$`` or ``\``) comes back
        unchanged, and so does any text the converter cannot handle: display
        must never fail because an abstract is odd.
    """
    try:
        if len(text) > _MAX_CONVERTED_CHARS or not any(m in text for m in _NEEDS_LATEX):
            return text
        nodes = latexwalker.LatexWalker(
            _prepare(text), latex_context=_walker_context(), tolerant_parsing=True
        ).get_latex_nodes()[0]
        converted = _converter().nodelist_to_text(nodes)
        return _tidy(converted, keep_outer_space=text != text.strip())
    except Exception:
        return text


def _prepare(text: str) -> str:
    # A bare % starts a LaTeX comment and would swallow the rest of the line,
    # but in abstracts it nearly always means "per cent".
    text = _BARE_PERCENT.sub(r"\\%", text)
    # Pasted abstracts mix macros with Unicode symbols ("n/d^2\toα"); a
    # space ends the macro name where TeX would.
    text = _MACRO_BEFORE_UNICODE_LETTER.sub(r"\1 ", text)
    # An odd number of $ means one is a currency sign; treat the last as literal
    # so that the prose after it is not read as math.
    dollars = [match.start() for match in _UNESCAPED_DOLLAR.finditer(text)]
    if len(dollars) % 2:
        last = dollars[-1]
        text = text[:last] + "\\" + text[last:]
    return text


def _tidy(text: str, *, keep_outer_space: bool) -> str:
    text = _SPACE_RUN.sub(" ", text)
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
            *(MacroSpec(name, "{") for name in _ONE_ARGUMENT_MACROS),
            *(MacroSpec(name, "{{") for name in (*_FRACTIONS, *_BINOMIALS)),
        ],
    )
    return context


@functools.cache
def _converter() -> _UnicodeConverter:
    """The single converter; it keeps no per-call state, so sharing it is safe."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "paper-reader",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=symbol) for name, symbol in _SET_MACROS.items()),
            *(MacroTextSpec(name, simplify_repl=_format_citation) for name in _CITE_MACROS),
            # Math-only macros met outside $...$ still get the math rendering.
            *(MacroTextSpec(name, simplify_repl=_as_math) for name in _MATH_MACROS_IN_TEXT),
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
    return _UnicodeConverter(latex_context=context)


def _as_math(node: Any, l2tobj: Any) -> str:
    return str(l2tobj.render_math([node]))


def _format_citation(node: Any, l2tobj: Any) -> str:
    # The key is the only thing an abstract's reader can use: "[lee2023]".
    arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    key = l2tobj.nodelist_to_text([arguments[-1]]).strip() if arguments else ""
    return f"[{key}]" if key else ""


class _Kind(enum.Enum):
    """How a piece of rendered math joins its neighbours."""

    TEXT = enum.auto()  # glued to its neighbours as the source had it
    WORD = enum.auto()  # an operator name: kept apart from adjacent letters
    SPACED = enum.auto()  # a relation or binary operator: spaced on both sides
    SPACE = enum.auto()  # source whitespace or an explicit LaTeX space
    SCRIPT = enum.auto()  # "^" or "_", waiting for its argument


class _Atom(NamedTuple):
    text: str
    kind: _Kind


_SPACE = _Atom(" ", _Kind.SPACE)


class _UnicodeConverter(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc is untyped: Any
    r"""pylatexenc's text converter with our own math rendering.

    Text mode is pylatexenc's (accents, dashes, quotes, ``\emph``); math mode
    is replaced because its stock rendering drops the braces that carry
    meaning. Every method here is reentrant: state lives in locals only.
    """

    def macro_node_to_text(self, node: Any) -> str:
        """Keep the arguments of unknown macros instead of dropping the words in them."""
        if self.latex_context.get_macro_spec(node.macroname) is None:
            return self._arguments_text(node)
        return str(super().macro_node_to_text(node))

    def _arguments_text(self, node: Any) -> str:
        return "".join(self._groupnodecontents_to_text(arg) for arg in _arguments(node))

    def apply_simplify_repl(self, node: Any, simplify_repl: Any, what: str) -> str:
        r"""Apply a macro's replacement, keeping its arguments' text when that fails.

        Abstracts hold truncated or malformed LaTeX (``\href{a}``, ``\frac``
        with no arguments). pylatexenc then raises or returns its ``%s``
        template; either way one bad macro would spoil the whole abstract.
        """
        try:
            result = super().apply_simplify_repl(node, simplify_repl, what)
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            return self._arguments_text(node)
        template_unfilled = (
            isinstance(simplify_repl, str)
            and len(simplify_repl) > 1
            and "%" in simplify_repl
            and result == simplify_repl
        )
        return self._arguments_text(node) if template_unfilled else str(result)

    def render_math(self, nodelist: Iterable[Any]) -> str:
        """Render a list of nodes as math, for math macros met in text mode."""
        return self._math(nodelist)

    def math_node_to_text(self, node: Any) -> str:
        """Render inline or display math as one line of Unicode."""
        rendered = self._math(node.nodelist)
        if _edge_space(node.nodelist, 0) or _edge_space(node.nodelist, -1):
            # LaTeX ignores space inside math, but "costs $5 or $6" pairs the
            # wrong dollars: keeping the edge space keeps the prose words apart.
            rendered = f" {rendered} "
        is_display = node.isNodeType(latexwalker.LatexEnvironmentNode) or (
            getattr(node, "displaytype", "inline") == "display"
        )
        # Display math sits on its own line in LaTeX; in a wrapped abstract it
        # reads best inline, kept apart from the prose around it.
        return f" {rendered} " if is_display else rendered

    def _math(self, nodelist: Iterable[Any] | None) -> str:
        return _join(_attach_scripts(self._math_atoms(nodelist or ())))

    def _math_argument(self, node: Any, index: int) -> str:
        arguments = _arguments(node, keep_missing=True)
        if index >= len(arguments) or arguments[index] is None:
            return ""
        return self._math([arguments[index]])

    def _math_atoms(self, nodelist: Iterable[Any]) -> list[_Atom]:
        atoms: list[_Atom] = []
        after_delimiter_size = False
        for node in nodelist:
            if node is None:
                continue
            if node.isNodeType(latexwalker.LatexCharsNode):
                chars = node.chars
                if after_delimiter_size and chars.lstrip().startswith("."):
                    # "\left." / "\right." is an invisible delimiter.
                    chars = chars.lstrip()[1:]
                atoms.extend(_char_atoms(chars))
            elif node.isNodeType(latexwalker.LatexGroupNode):
                atoms.append(_Atom(self._math(node.nodelist), _Kind.TEXT))
            elif node.isNodeType(latexwalker.LatexMacroNode):
                atoms.extend(self._macro_atoms(node))
            elif node.isNodeType(latexwalker.LatexSpecialsNode):
                atoms.append(self._specials_atom(node))
            elif node.isNodeType(latexwalker.LatexMathNode) or node.isNodeType(
                latexwalker.LatexEnvironmentNode
            ):
                atoms.append(_Atom(self._math(node.nodelist), _Kind.TEXT))
            after_delimiter_size = (
                node.isNodeType(latexwalker.LatexMacroNode) and node.macroname in _SIZING
            )
        return atoms

    def _specials_atom(self, node: Any) -> _Atom:
        if node.specials_chars in ("~", "&"):
            return _SPACE
        return _Atom(str(self.specials_node_to_text(node)), _Kind.TEXT)

    def _macro_atoms(self, node: Any) -> list[_Atom]:
        name = node.macroname
        if name in _SIZING:
            return []
        if name in _OPERATOR_NAMES:
            return [_Atom(name, _Kind.WORD)]
        if name == "operatorname":
            return [_Atom(self._math_argument(node, 1), _Kind.WORD)]
        if name == "sqrt":
            return [_Atom(self._root(node), _Kind.TEXT)]
        if name in _FRACTIONS:
            numerator = _operand(self._math_argument(node, 0))
            denominator = _operand(self._math_argument(node, 1))
            return [_Atom(f"{numerator}/{denominator}", _Kind.TEXT)]
        if name in _BINOMIALS:
            top, bottom = self._math_argument(node, 0), self._math_argument(node, 1)
            return [_Atom(f"C({top}, {bottom})", _Kind.TEXT)]
        if name == "mathbb":
            return [_Atom(_double_struck(self._math_argument(node, 0)), _Kind.TEXT)]
        if name in _MATH_FONTS:
            return [_Atom(self._math_argument(node, 0), _Kind.TEXT)]
        if name in _TEXT_IN_MATH:
            return [_Atom(self._arguments_text(node), _Kind.TEXT)]
        if name in _ACCENTS:
            return [_Atom(_accent(self._math_argument(node, 0), _ACCENTS[name]), _Kind.TEXT)]
        if name == "not":
            return [_Atom(_accent(self._math_argument(node, 0).strip(), "\u0338"), _Kind.SPACED)]
        if name == "\\":
            return [_Atom(";", _Kind.TEXT), _SPACE]
        if _arguments(node):
            # Decorations such as \underbrace{...}: the content is what matters.
            return [_Atom(self._math([arg]), _Kind.TEXT) for arg in _arguments(node)]
        return self._symbol_atoms(node)

    def _symbol_atoms(self, node: Any) -> list[_Atom]:
        name = node.macroname
        if self.latex_context.get_macro_spec(name) is None:
            # An unknown macro in math is usually a preamble shorthand such as
            # \eps or \poly: its name says more than nothing.
            symbol = name
        else:
            symbol = str(LatexNodes2Text.macro_node_to_text(self, node))
        trailing = [_SPACE] if node.macro_post_space else []
        if name in _SPACED_SYMBOLS:
            return [_Atom(symbol, _Kind.SPACED)]
        if not symbol.strip():
            return [_SPACE] if symbol else trailing
        return [_Atom(symbol, _Kind.TEXT), *trailing]

    def _root(self, node: Any) -> str:
        radicand = self._math_argument(node, 1).strip()
        already_grouped = radicand.startswith("(") and radicand.endswith(")")
        if len(radicand) > 1 and not radicand.isdigit() and not already_grouped:
            # "d√kMT" would leave unclear how far the root reaches.
            radicand = f"({radicand})"
        degree = self._math_argument(node, 0).strip()
        if not degree:
            return f"√{radicand}"
        if degree in _ROOTS:
            return f"{_ROOTS[degree]}{radicand}"
        return f"{_script(degree, superscript=True)}√{radicand}"


def _arguments(node: Any, *, keep_missing: bool = False) -> list[Any]:
    """A macro's parsed arguments; optional ones absent in the source are None."""
    parsed = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    return list(parsed) if keep_missing else [arg for arg in parsed if arg is not None]


def _edge_space(nodelist: Sequence[Any] | None, index: int) -> bool:
    if not nodelist:
        return False
    node = nodelist[index]
    if node is None or not node.isNodeType(latexwalker.LatexCharsNode) or not node.chars:
        return False
    return bool(node.chars[index].isspace())


def _char_atoms(chars: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for char in chars:
        if char in "^_":
            atoms.append(_Atom(char, _Kind.SCRIPT))
        elif char.isspace():
            if not atoms or atoms[-1].kind is not _Kind.SPACE:
                atoms.append(_SPACE)
        else:
            atoms.append(_Atom(_MATH_CHARS.get(char, char), _Kind.TEXT))
    return atoms


def _attach_scripts(atoms: Sequence[_Atom]) -> list[_Atom]:
    """Fold each ``^``/``_`` and its argument into the atom before it."""
    joined: list[_Atom] = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        index += 1
        if atom.kind is not _Kind.SCRIPT:
            joined.append(atom)
            continue
        while index < len(atoms) and atoms[index].kind is _Kind.SPACE:
            index += 1
        if index == len(atoms) or atoms[index].kind is _Kind.SCRIPT:
            joined.append(_Atom(atom.text, _Kind.TEXT))
            continue
        script = _script(atoms[index].text, superscript=atom.text == "^")
        index += 1
        while joined and joined[-1].kind is _Kind.SPACE:
            joined.pop()
        if joined:
            base = joined.pop()
            joined.append(_Atom(base.text + script, base.kind))
        else:
            joined.append(_Atom(script, _Kind.TEXT))
    return joined


def _script(text: str, *, superscript: bool) -> str:
    """``²`` when every character has a script form, else ``^x`` or ``^(…)``."""
    text = text.strip()
    if not text:
        return ""
    table = _SUPERSCRIPTS if superscript else _SUBSCRIPTS
    if all(char in table for char in text):
        return "".join(table[char] for char in text)
    marker = "^" if superscript else "_"
    if len(text) == 1:
        return f"{marker}{text}"
    return f"{marker}({text})"


def _join(atoms: Sequence[_Atom]) -> str:
    pieces: list[str] = []
    last_char = ""
    for index, atom in enumerate(atoms):
        if atom.kind is _Kind.SPACED:
            piece = f" {atom.text} "
        elif atom.kind is _Kind.WORD:
            before = " " if last_char.isalnum() or last_char in ")]}|" else ""
            following = next((later.text[:1] for later in atoms[index + 1 :] if later.text), "")
            after = " " if following.isalnum() else ""
            piece = f"{before}{atom.text}{after}"
        else:
            piece = atom.text
        if piece:
            pieces.append(piece)
            last_char = piece[-1]
    text = _SPACE_RUN.sub(" ", "".join(pieces))
    text = _SPACE_AFTER_OPENER.sub(r"\1", text)
    text = _SPACE_BEFORE_CLOSER.sub(r"\1", text)
    # A "\\" line break at either end separates nothing.
    return text.strip(" ;")


def _operand(text: str) -> str:
    """A fraction or root operand, parenthesised unless it is a single term."""
    text = text.strip()
    if all(char.isalnum() or char in _SIMPLE_OPERAND_EXTRA for char in text):
        return text
    return f"({text})"


def _double_struck(text: str) -> str:
    letters = []
    for char in text:
        if char in _DOUBLE_STRUCK_EXCEPTIONS:
            letters.append(_DOUBLE_STRUCK_EXCEPTIONS[char])
        elif "A" <= char <= "Z":
            letters.append(chr(0x1D538 + ord(char) - ord("A")))
        elif "a" <= char <= "z":
            letters.append(chr(0x1D552 + ord(char) - ord("a")))
        elif "0" <= char <= "9":
            letters.append(chr(0x1D7D8 + ord(char) - ord("0")))
        else:
            letters.append(char)
    return "".join(letters)


def _accent(base: str, mark: str) -> str:
    """Put a combining accent on a single character, precomposed where Unicode has it.

    A wide accent over several characters has no plain-text form; the
    characters alone read better than a mark stranded on the last one.
    """
    if len(base) != 1:
        return base
    return unicodedata.normalize("NFC", base + mark)
