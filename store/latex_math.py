r"""Math in titles and abstracts rendered as one line of Unicode, over pylatexenc's nodes.

pylatexenc's stock math mode loses meaning (``S^{d-1}`` becomes ``S^d-1``,
``n\log n`` becomes ``nlog n``), so :class:`UnicodeConverter` replaces it: a
formula becomes a list of atoms that know how they join their neighbours;
scripts become Unicode super/subscripts (or ``^(...)`` when no such characters
exist), operator names keep their spaces and relations breathe.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text

from store.latex_symbols import (
    ACCENTS,
    BINOMIALS,
    DOUBLE_STRUCK_EXCEPTIONS,
    FRACTIONS,
    MATH_CHARS,
    MATH_FONTS,
    OPERATOR_NAMES,
    ROOTS,
    SIMPLE_OPERAND_EXTRA,
    SIZING,
    SPACED_SYMBOLS,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    TEXT_IN_MATH,
)

SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_SPACE_AFTER_OPENER = re.compile(r"([(\[{⟨⌊⌈]) ")
_SPACE_BEFORE_CLOSER = re.compile(r" ([)\]}⟩⌋⌉,;])")


class _Kind(enum.Enum):
    """How a piece of rendered math joins its neighbours."""

    TEXT = enum.auto()  # glued to its neighbours as the source had it
    WORD = enum.auto()  # an operator name: kept apart from adjacent letters
    SPACED = enum.auto()  # a relation or binary operator: spaced on both sides
    SPACE = enum.auto()  # source whitespace or an explicit LaTeX space
    SCRIPT = enum.auto()  # "^" or "_", waiting for its argument


class _Atom(NamedTuple):
    """A piece of rendered math and how it joins its neighbours."""

    text: str
    kind: _Kind


_SPACE = _Atom(" ", _Kind.SPACE)


class UnicodeConverter(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc is untyped: Any
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
        """The text of a macro's arguments, the macro itself dropped."""
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
        """Render nodes as one line of math."""
        return _join(_attach_scripts(self._math_atoms(nodelist or ())))

    def _math_argument(self, node: Any, index: int) -> str:
        """A macro's argument at ``index``, rendered as math ("" when absent)."""
        arguments = _arguments(node, keep_missing=True)
        if index >= len(arguments) or arguments[index] is None:
            return ""
        return self._math([arguments[index]])

    def _math_atoms(self, nodelist: Iterable[Any]) -> list[_Atom]:
        """The atoms of a list of math nodes, scripts not yet attached."""
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
                node.isNodeType(latexwalker.LatexMacroNode) and node.macroname in SIZING
            )
        return atoms

    def _specials_atom(self, node: Any) -> _Atom:
        """A special character in math: ``~`` and ``&`` are spaces."""
        if node.specials_chars in ("~", "&"):
            return _SPACE
        return _Atom(str(self.specials_node_to_text(node)), _Kind.TEXT)

    def _macro_atoms(self, node: Any) -> list[_Atom]:
        """The atoms of one macro in math: operators, fractions, fonts, accents..."""
        name = node.macroname
        if name in SIZING:
            return []
        if name in OPERATOR_NAMES:
            return [_Atom(name, _Kind.WORD)]
        if name == "operatorname":
            return [_Atom(self._math_argument(node, 1), _Kind.WORD)]
        if name == "sqrt":
            return [_Atom(self._root(node), _Kind.TEXT)]
        if name in FRACTIONS:
            numerator = _operand(self._math_argument(node, 0))
            denominator = _operand(self._math_argument(node, 1))
            return [_Atom(f"{numerator}/{denominator}", _Kind.TEXT)]
        if name in BINOMIALS:
            top, bottom = self._math_argument(node, 0), self._math_argument(node, 1)
            return [_Atom(f"C({top}, {bottom})", _Kind.TEXT)]
        if name == "mathbb":
            return [_Atom(_double_struck(self._math_argument(node, 0)), _Kind.TEXT)]
        if name in MATH_FONTS:
            return [_Atom(self._math_argument(node, 0), _Kind.TEXT)]
        if name in TEXT_IN_MATH:
            return [_Atom(self._arguments_text(node), _Kind.TEXT)]
        if name in ACCENTS:
            return [_Atom(_accent(self._math_argument(node, 0), ACCENTS[name]), _Kind.TEXT)]
        if name == "not":
            return [_Atom(_accent(self._math_argument(node, 0).strip(), "\u0338"), _Kind.SPACED)]
        if name == "\\":
            return [_Atom(";", _Kind.TEXT), _SPACE]
        if _arguments(node):
            # Decorations such as \underbrace{...}: the content is what matters.
            return [_Atom(self._math([arg]), _Kind.TEXT) for arg in _arguments(node)]
        return self._symbol_atoms(node)

    def _symbol_atoms(self, node: Any) -> list[_Atom]:
        """A symbol macro (``\\alpha``, ``\\leq``), or the name of one pylatexenc lacks."""
        name = node.macroname
        if self.latex_context.get_macro_spec(name) is None:
            # An unknown macro in math is usually a preamble shorthand such as
            # \eps or \poly: its name says more than nothing.
            symbol = name
        else:
            symbol = str(LatexNodes2Text.macro_node_to_text(self, node))
        trailing = [_SPACE] if node.macro_post_space else []
        if name in SPACED_SYMBOLS:
            return [_Atom(symbol, _Kind.SPACED)]
        if not symbol.strip():
            return [_SPACE] if symbol else trailing
        return [_Atom(symbol, _Kind.TEXT), *trailing]

    def _root(self, node: Any) -> str:
        """``\\sqrt[n]{x}`` as ``√x``, ``∛x`` or a superscript degree."""
        radicand = self._math_argument(node, 1).strip()
        already_grouped = radicand.startswith("(") and radicand.endswith(")")
        if len(radicand) > 1 and not radicand.isdigit() and not already_grouped:
            # "d√kMT" would leave unclear how far the root reaches.
            radicand = f"({radicand})"
        degree = self._math_argument(node, 0).strip()
        if not degree:
            return f"√{radicand}"
        if degree in ROOTS:
            return f"{ROOTS[degree]}{radicand}"
        return f"{_script(degree, superscript=True)}√{radicand}"


def _arguments(node: Any, *, keep_missing: bool = False) -> list[Any]:
    """A macro's parsed arguments; optional ones absent in the source are None."""
    parsed = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    return list(parsed) if keep_missing else [arg for arg in parsed if arg is not None]


def _edge_space(nodelist: Sequence[Any] | None, index: int) -> bool:
    """Whether the node at ``index`` (0 or -1) is text starting or ending with a space."""
    if not nodelist:
        return False
    node = nodelist[index]
    if node is None or not node.isNodeType(latexwalker.LatexCharsNode) or not node.chars:
        return False
    return bool(node.chars[index].isspace())


def _char_atoms(chars: str) -> list[_Atom]:
    """Atoms of plain math characters: scripts marked, spaces merged, minus and prime."""
    atoms: list[_Atom] = []
    for char in chars:
        if char in "^_":
            atoms.append(_Atom(char, _Kind.SCRIPT))
        elif char.isspace():
            if not atoms or atoms[-1].kind is not _Kind.SPACE:
                atoms.append(_SPACE)
        else:
            atoms.append(_Atom(MATH_CHARS.get(char, char), _Kind.TEXT))
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
    table = SUPERSCRIPTS if superscript else SUBSCRIPTS
    if all(char in table for char in text):
        return "".join(table[char] for char in text)
    marker = "^" if superscript else "_"
    if len(text) == 1:
        return f"{marker}{text}"
    return f"{marker}({text})"


def _join(atoms: Sequence[_Atom]) -> str:
    """The atoms as one line, spaced as each kind asks."""
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
    text = "".join(pieces)
    if " " in text or "\t" in text or "\xa0" in text:
        text = SPACE_RUN.sub(" ", text)
        text = _SPACE_AFTER_OPENER.sub(r"\1", text)
        text = _SPACE_BEFORE_CLOSER.sub(r"\1", text)
    # A "\\" line break at either end separates nothing.
    return text.strip(" ;")


def _operand(text: str) -> str:
    """A fraction or root operand, parenthesised unless it is a single term."""
    text = text.strip()
    if all(char.isalnum() or char in SIMPLE_OPERAND_EXTRA for char in text):
        return text
    return f"({text})"


def _double_struck(text: str) -> str:
    """``\\mathbb``: letters and digits in their double-struck forms."""
    letters = []
    for char in text:
        if char in DOUBLE_STRUCK_EXCEPTIONS:
            letters.append(DOUBLE_STRUCK_EXCEPTIONS[char])
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
