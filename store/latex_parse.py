r"""A fast parser for the common LaTeX of titles, names and abstracts, or no answer.

pylatexenc's parser reads one character at a time through several layers of
Python calls: a 100-character title with ``$O(n \log n)$`` takes about half a
millisecond, nine tenths of its conversion. :class:`FastParser` builds the
*same* node tree with regular expressions for the LaTeX met in practice:
text, braces, math (``$...$``, ``$$...$$``, ``\(...\)``, ``\[...\]``), the
specials (``--``, ``~``, ``''``...) and macros whose arguments are braced
groups, single characters, bare macros, stars and bracketed options. The tree
then goes through the one converter, so the rendered text is the converter's.

Anything else (comments, environments, unbalanced braces or math, a
paragraph break before a macro's argument, arguments missing at the end, a
macro with its own argument parser such as ``\verb``) makes
:meth:`FastParser.parse` return None, and pylatexenc parses the text as
before. Tests compare the two trees field for field on every field of
``tests/data`` and on generated text.
"""

from __future__ import annotations

import re
from typing import Any

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
)
from pylatexenc.macrospec import MacroStandardArgsParser, ParsedMacroArgs

# A macro whose arguments cannot be read here.
_UNSUPPORTED = "?"
_MACRO_NAME = re.compile(r"[A-Za-z]+")
# pylatexenc's own pattern for the name after \begin and \end.
_ENVIRONMENT_NAME = re.compile(r"\s*\{([\w* ._-]+)\}")
_SPACES = re.compile(r"\s*")


class _Unsupported(Exception):
    """The text holds LaTeX this parser does not claim; pylatexenc must read it."""


class FastParser:
    """Parses text the way pylatexenc's walker would, for the constructs it knows.

    Args:
        context: The walker's latex context (macro argument shapes and specials).
    """

    def __init__(self, context: Any) -> None:
        self._context = context
        specials: set[str] = set()
        for category in context.category_list:
            for chars, spec in context.d[category]["specials"].items():
                if spec.args_parser is not None:
                    # A special taking arguments: leave such text to pylatexenc.
                    chars = chars[:1]
                specials.add(chars)
        # Longest first: the walker takes the longest special at a position.
        alternatives = "|".join(re.escape(s) for s in sorted(specials, key=len, reverse=True))
        self._token = re.compile(r"[\\{}$%]|" + alternatives)
        # Inside an optional argument, square brackets nest and close.
        self._bracket_token = re.compile(r"[\\{}$%\[\]]|" + alternatives)
        self._specials = re.compile(alternatives)
        self._plain_specials = {
            chars
            for category in context.category_list
            for chars, spec in context.d[category]["specials"].items()
            if spec.args_parser is None
        }
        # Macro name -> (the shape read here, the argspec pylatexenc records).
        self._shapes: dict[str, tuple[str, str]] = {}

    def parse(self, text: str) -> list[Any] | None:
        """The node list pylatexenc would give for ``text``, or None when unsure."""
        try:
            nodes, position = self._nodes(text, 0, closing=None, math=False)
        except _Unsupported:
            return None
        return nodes if position == len(text) else None

    def _shape(self, name: str) -> tuple[str, str]:
        """How to read a macro's arguments, and the argspec pylatexenc records for it.

        The shape is the argspec with ``]`` for an optional argument that no
        space may precede, or ``_UNSUPPORTED``; both are "" for a macro
        pylatexenc does not know (it takes no arguments).
        """
        shape = self._shapes.get(name)
        if shape is None:
            spec = self._context.get_macro_spec(name)
            if spec is None:
                shape = ("", "")
            else:
                parser = spec.args_parser
                standard = type(parser) is MacroStandardArgsParser
                if not standard or parser._like_pylatexenc1x_ignore_leading_star:
                    shape = (_UNSUPPORTED, "")
                elif parser.optional_arg_no_space:
                    shape = (parser.argspec.replace("[", "]"), parser.argspec)
                else:
                    shape = (parser.argspec, parser.argspec)
            self._shapes[name] = shape
        return shape

    def _nodes(
        self, text: str, position: int, *, closing: str | None, math: bool
    ) -> tuple[list[Any], int]:
        """Nodes from ``position`` up to ``closing`` or the end of the text.

        ``closing`` is ``}`` or ``]`` for a group, the closing delimiter of
        math (``$``, ``$$``, ``\\)``, ``\\]``), or None at the top.

        Returns the nodes and the position after the closing mark.
        """
        nodes: list[Any] = []
        token = self._bracket_token if closing == "]" else self._token
        end = len(text)
        while True:
            found = token.search(text, position)
            start = found.start() if found else end
            if start > position:
                # Characters between tokens, spaces included, are one chars node.
                nodes.append(LatexCharsNode(chars=text[position:start]))
            if found is None:
                if closing is not None:
                    raise _Unsupported  # unclosed: pylatexenc recovers its own way
                return nodes, end
            mark = found.group()
            position = found.end()
            if mark in ("}", "]"):
                if closing != mark:
                    raise _Unsupported  # a stray or mismatched closing brace
                return nodes, position
            if mark in ("{", "["):
                closer = "}" if mark == "{" else "]"
                group, position = self._nodes(text, position, closing=closer, math=math)
                nodes.append(LatexGroupNode(nodelist=group, delimiters=(mark, closer)))
            elif mark == "$":
                if math:
                    if closing == "$$" and text.startswith("$", position):
                        return nodes, position + 1
                    if closing != "$":
                        raise _Unsupported  # a "$" that opens math inside math
                    return nodes, position
                delimiter = "$$" if text.startswith("$", position) else "$"
                position += len(delimiter) - 1
                math_node, position = self._math(text, position, delimiter, delimiter)
                nodes.append(math_node)
            elif mark == "\\" and text.startswith(("(", "[", ")", "]"), position):
                delimiter = "\\" + text[position]
                position += 1
                if math:
                    if closing != delimiter:
                        raise _Unsupported
                    return nodes, position
                if delimiter in ("\\)", "\\]"):
                    raise _Unsupported  # closing math that was never opened
                closer = "\\)" if delimiter == "\\(" else "\\]"
                math_node, position = self._math(text, position, delimiter, closer)
                nodes.append(math_node)
            elif mark == "\\" and text.startswith(("begin", "end"), position):
                node, position = self._environment(text, position, closing=closing, math=math)
                if node is None:
                    return nodes, position
                nodes.append(node)
            elif mark == "\\":
                node, position = self._macro(text, position, math=math)
                nodes.append(node)
            elif mark in self._plain_specials:
                nodes.append(LatexSpecialsNode(specials_chars=mark, nodeargd=None))
            else:
                raise _Unsupported  # a comment, or a special with arguments

    def _math(self, text: str, position: int, opener: str, closer: str) -> tuple[Any, int]:
        """The math opened by ``opener`` just before ``position``, and the position after it."""
        inner, position = self._nodes(text, position, closing=closer, math=True)
        display = "inline" if opener in ("$", "\\(") else "display"
        node = LatexMathNode(displaytype=display, nodelist=inner, delimiters=(opener, closer))
        return node, position

    def _macro_name(self, text: str, position: int) -> tuple[str, str, int]:
        """The macro after a backslash at ``position - 1``: name, following space, end."""
        if position >= len(text):
            raise _Unsupported
        found = _MACRO_NAME.match(text, position)
        if found is None:
            name = text[position]
            if name.isalpha() or name in "()[]":
                raise _Unsupported  # a non-ASCII macro name, or a math delimiter
            return name, "", position + 1
        name = found.group()
        position = found.end()
        if position < len(text) and text[position].isalpha():
            raise _Unsupported  # pylatexenc reads Unicode letters into the name
        if name in ("begin", "end"):
            raise _Unsupported
        space = _SPACES.match(text, position).group()  # type: ignore[union-attr]
        # A paragraph break ends the macro's spacing and starts the next text.
        space = space.partition("\n\n")[0]
        return name, space, position + len(space)

    def _environment(
        self, text: str, position: int, *, closing: str | None, math: bool
    ) -> tuple[Any, int]:
        """``\\begin{name}...\\end{name}`` at ``position`` (after the backslash).

        Returns the environment node and the position after it, or None and
        the position after ``\\end{name}`` when that closes ``closing``.
        """
        found = _MACRO_NAME.match(text, position)
        assert found is not None
        word = found.group()
        if word not in ("begin", "end"):  # \beginning, \endgraf: plain macros
            return self._macro(text, position, math=math)
        name = _ENVIRONMENT_NAME.match(text, found.end())
        if name is None:
            raise _Unsupported
        position = name.end()
        if word == "end":
            if closing != "\\end{" + name.group(1) + "}":
                raise _Unsupported  # an \end that closes nothing open
            return None, position
        spec = self._context.get_environment_spec(name.group(1))
        parser = spec.args_parser if spec is not None else None
        if parser is None:
            shape = argspec = ""
        elif (
            type(parser) is not MacroStandardArgsParser
            or parser.optional_arg_no_space
            or parser._like_pylatexenc1x_ignore_leading_star
        ):
            raise _Unsupported
        else:
            shape = argspec = parser.argspec
        arguments, position = self._arguments(text, position, shape, math=math)
        inner_math = math or bool(spec is not None and spec.is_math_mode)
        end = "\\end{" + name.group(1) + "}"
        inner, position = self._nodes(text, position, closing=end, math=inner_math)
        parsed = ParsedMacroArgs(argspec=argspec, argnlist=arguments)
        legacy: tuple[Any, Any] = parsed.legacy_nodeoptarg_nodeargs or (None, [])
        node = LatexEnvironmentNode(
            environmentname=name.group(1),
            nodelist=inner,
            nodeargd=parsed,
            optargs=[legacy[0]],
            args=legacy[1],
        )
        return node, position

    def _macro(self, text: str, position: int, *, math: bool) -> tuple[Any, int]:
        """The macro whose backslash is at ``position - 1``, with its arguments."""
        name, space, position = self._macro_name(text, position)
        shape, argspec = self._shape(name)
        if shape == _UNSUPPORTED:
            raise _Unsupported
        arguments, position = self._arguments(text, position, shape, math=math)
        parsed = ParsedMacroArgs(argspec=argspec, argnlist=arguments)
        # pylatexenc's accents still read the arguments from the legacy fields.
        legacy: tuple[Any, Any] = parsed.legacy_nodeoptarg_nodeargs or (None, [])
        node = LatexMacroNode(
            macroname=name,
            nodeargd=parsed,
            macro_post_space=space,
            nodeoptarg=legacy[0],
            nodeargs=legacy[1],
        )
        return node, position

    def _arguments(
        self, text: str, position: int, shape: str, *, math: bool
    ) -> tuple[list[Any], int]:
        """The arguments of a macro or environment read in ``shape``, and where they end."""
        arguments: list[Any] = []
        for kind in shape:
            if kind == "{":
                argument, position = self._argument(text, position, math=math)
                arguments.append(argument)
                continue
            if kind == "]" and text[position : position + 1].isspace():
                arguments.append(None)  # no space allowed before the optional argument
                continue
            ahead = _SPACES.match(text, position).end()  # type: ignore[union-attr]
            if "\n\n" in text[position:ahead]:
                arguments.append(None)  # a paragraph break comes first: no star, no option
                continue
            if ahead == len(text):
                raise _Unsupported  # pylatexenc drops every argument at the end
            if kind == "*":
                if text[ahead] == "*":
                    arguments.append(LatexCharsNode(chars="*"))
                    position = ahead + 1
                else:
                    arguments.append(None)
            elif text[ahead] == "[":
                group, position = self._nodes(text, ahead + 1, closing="]", math=math)
                arguments.append(LatexGroupNode(nodelist=group, delimiters=("[", "]")))
            else:
                arguments.append(None)
        return arguments, position

    def _argument(self, text: str, position: int, *, math: bool) -> tuple[Any, int]:
        """A mandatory argument: a braced group, one character or one bare macro."""
        found = _SPACES.match(text, position)
        assert found is not None
        if "\n\n" in found.group():
            raise _Unsupported  # pylatexenc takes the paragraph break as the argument
        position = found.end()
        if position >= len(text):
            raise _Unsupported
        char = text[position]
        if char == "{":
            group, position = self._nodes(text, position + 1, closing="}", math=math)
            return LatexGroupNode(nodelist=group, delimiters=("{", "}")), position
        if char == "\\":
            name, space, after = self._macro_name(text, position + 1)
            bare = LatexMacroNode(
                macroname=name,
                nodeargd=None,
                macro_post_space=space,
                nodeoptarg=None,
                nodeargs=None,
            )
            return bare, after
        if char in "}$%" or self._specials.match(text, position):
            raise _Unsupported
        return LatexCharsNode(chars=char), position + 1
