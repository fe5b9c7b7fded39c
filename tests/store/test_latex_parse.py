r"""The fast LaTeX parser builds pylatexenc's node tree exactly, or declines.

Wherever :class:`store.latex_parse.FastParser` claims a text, its tree must
equal the tree of pylatexenc's walker field for field, and the converted text
must be the same; the inputs are every title, author and abstract of every
file in ``tests/data`` (and every value the BibTeX decoder hands to the
converter), a list of tricky inputs, and generated LaTeX soup.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc import latexwalker

import store.formats.bibtex_latex
import store.latex
from store import formats
from store.latex import _converter, _fast_parser, _prepare, _tidy, _walker_context
from tests.conftest import SAMPLE_PROFILE

DATA = Path(__file__).resolve().parents[1] / "data"


def _same(mine: Any, theirs: Any) -> bool:
    """Whether two pylatexenc values are equal in every field the converter reads."""
    if mine is None or theirs is None:
        return mine is None and theirs is None
    if isinstance(mine, list | tuple) or isinstance(theirs, list | tuple):
        return (
            isinstance(mine, list | tuple)
            and isinstance(theirs, list | tuple)
            and len(mine) == len(theirs)
            and all(_same(a, b) for a, b in zip(mine, theirs, strict=True))
        )
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, latexwalker.LatexCharsNode):
        return bool(mine.chars == theirs.chars)
    if isinstance(mine, latexwalker.LatexGroupNode):
        return mine.delimiters == theirs.delimiters and _same(mine.nodelist, theirs.nodelist)
    if isinstance(mine, latexwalker.LatexMathNode):
        return (
            mine.displaytype == theirs.displaytype
            and mine.delimiters == theirs.delimiters
            and _same(mine.nodelist, theirs.nodelist)
        )
    if isinstance(mine, latexwalker.LatexSpecialsNode):
        return mine.specials_chars == theirs.specials_chars and _same(
            mine.nodeargd, theirs.nodeargd
        )
    if isinstance(mine, latexwalker.LatexMacroNode):
        return (
            mine.macroname == theirs.macroname
            and mine.macro_post_space == theirs.macro_post_space
            and _same(mine.nodeargd, theirs.nodeargd)
            and _same(mine.nodeoptarg, theirs.nodeoptarg)
            and _same(mine.nodeargs, theirs.nodeargs)
        )
    if isinstance(mine, latexwalker.LatexEnvironmentNode):
        return (
            mine.environmentname == theirs.environmentname
            and _same(mine.nodelist, theirs.nodelist)
            and _same(mine.nodeargd, theirs.nodeargd)
            and _same(mine.optargs, theirs.optargs)
            and _same(mine.args, theirs.args)
        )
    if type(mine).__name__ == "ParsedMacroArgs":
        return mine.argspec == theirs.argspec and _same(mine.argnlist, theirs.argnlist)
    raise AssertionError(f"a node kind the fast parser never builds: {mine!r}")


def _convert(nodes: Any, text: str) -> str:
    converted = _converter().nodelist_to_text(nodes)
    return _tidy(converted, keep_outer_space=text != text.strip())


def _check(text: str) -> bool:
    """Assert the fast parser agrees with pylatexenc on ``text``; True when it claimed it."""
    prepared = _prepare(text)
    mine = _fast_parser().parse(prepared)
    if mine is None:
        return False
    theirs = latexwalker.LatexWalker(
        prepared, latex_context=_walker_context(), tolerant_parsing=True
    ).get_latex_nodes()[0]
    assert _same(mine, theirs), f"trees differ for {text!r}"
    assert _convert(mine, text) == _convert(theirs, text), f"text differs for {text!r}"
    return True


@functools.cache
def _texts_of_test_data() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every title, author and abstract of tests/data, and the LaTeX of its BibTeX files.

    Returns:
        The imported fields holding ``$`` or ``\\``, and the LaTeX as written:
        the values the BibTeX decoder handed to
        :func:`store.latex.latex_to_unicode` and every line of the BibTeX
        files holding ``$`` or ``\\`` (a line is text like any other).
    """
    handed: list[str] = []
    original = store.latex.latex_to_unicode

    def recording(text: str) -> str:
        handed.append(text)
        return original(text)

    fields: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.formats.bibtex_latex, "latex_to_unicode", recording)
        for path in sorted(DATA.glob("*/*")):
            if path.suffix not in {".bib", ".ris", ".json", ".xml"}:
                continue
            for _, result in formats.parse_files([(str(path), path.read_bytes())]):
                for paper in result.papers:
                    fields.extend((paper.title, paper.abstract, *paper.authors))
    latex = tuple(text for text in fields if "$" in text or "\\" in text)
    for path in sorted(DATA.glob("bibtex/*.bib")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        handed.extend(line for line in lines if "$" in line or "\\" in line)
    return latex, tuple(handed)


def test_the_test_data_holds_latex_to_parse() -> None:
    latex, handed = _texts_of_test_data()
    assert len(latex) >= 20
    assert len(handed) >= 1_000


def test_the_fast_parser_claims_every_latex_abstract_of_the_sample_profile() -> None:
    abstracts = [
        line
        for line in SAMPLE_PROFILE.read_text(encoding="utf-8").splitlines()
        if "$" in line or "\\" in line
    ]
    assert len(abstracts) >= 20
    assert [text for text in abstracts if not _check(text)] == []


def test_the_fast_parser_agrees_with_pylatexenc_on_every_field_of_the_test_data() -> None:
    latex, handed = _texts_of_test_data()
    claimed = [text for text in (*latex, *handed) if _check(text)]
    # Most of the real LaTeX is claimed, or the fast path would have stopped working.
    assert len(claimed) >= 0.6 * (len(latex) + len(handed))


TRICKY = [
    r"$O(n \log n)$ Sorting",
    r"$\alpha = .84$ and $\beta$",
    r"$O(\sqrt{T \log T})$ regret",
    r"$\ell_1$-regularised",
    r"$p {\textless} .05$",
    r"$d^2 \asymp n \log n$ scaling",
    r"$\mathcal{N}(0, I_d)$ noise",
    r"$\mathbb{R}^d$ and $\mathbb R$",
    r"$\frac12 + \frac{a}{b} + \frac {a} {b}$",
    r"$\hat x \tilde{O}(\sqrt{n})$",
    r"$\sqrt[3]{x}$ roots",
    r"$\operatorname{rank}(A)$ and $\operatorname*{arg\,max}$",
    r"$\left( x \right.$ and $\left. y \right)$",
    r"$\text{if } x$ and $\text{$x$}$",
    r"$a \\ b$ and $a \\[2pt] b$ and $a\\*b$",
    r"$x^{2}_{i}$ $x^ 2$ $x _ i$ $^2$ $x^$",
    r"$f''(x) -- g'$",
    r"{\em high-dimensional} regime",
    r"\emph{Graph} \textit{Neural} \textbf{Nets} \texttt{code}",
    r"\emph {spaced} \emph  x \emph\alpha",
    r"{\"u}ber {\'e}t{\'{e}} \^o \c{c} \v s \H{o} \u{a}",
    r"\'\i \`{\i} \~n",
    r"pages 1--2 --- and ``quoted'' text !` ?`",
    r"A~B \& C \% D \$ E \# F \_ G \{ H \}",
    r"\LaTeX{} and \TeX\ and \ldots and \dots",
    r"see \cite{lee2023} and \citep[p.~3]{a,b}",
    r"\url{http://a.b/c_d} and \href{http://a}{text}",
    r"\unknownmacro{kept words} here",
    r"$\unknownmacro x$ and $\eps$",
    r"a \alpha b \alpha{} c",
    r"Unbalanced { brace",
    r"Unbalanced } brace",
    r"$unclosed math",
    r"$$display$$ math",
    r"\[x\] and \(y\)",
    r"$$x$$ and $$ a $ b $$ and \[a\) and \(b\]",
    r"\sqrt [3] {x} and \sqrt[[a]]{b} and \sqrt[{]}]{x} and \sqrt[}]{x}",
    r"\item[x] y and [a] and \\[2pt] and \\ [2pt]",
    r"$\operatorname* {x}$ and \\*[3pt]",
    r"\begin{equation}x\end{equation}",
    r"\begin{itemize} \item one \item[b)] two \end{itemize} after",
    r"\begin{align*} a &= b \\ c &\leq d \end{align*} and \begin{equation*}x^2\end{equation*}",
    r"\begin{tabular}{ll} a & b \\ c & d \end{tabular}",
    r"\begin{itemize}\item $x$ and {\em y}\end{itemize}",
    r"\begin{x}\end{y} and \begin{a}{\end{a}} and \end{z} and \begin {a} b \end {a}",
    r"\begin{equation}$x$\end{equation} and \begin{quote}$y$\end{quote}",
    r"\beginning \endgraf \begin and \begin{} and \begin{a",
    r"\begin {a} b \end {a} and \beginning \endgraf",
    r"\begin{quote}$y$ \emph{z}\end{quote}",
    r"$\begin{pmatrix} a & b \end{pmatrix}$ and \begin{enumerate}[(i)] \item x \end{enumerate}",
    r"50% off and 40\% on",
    r"costs $5 or $6 and $7",
    r"\toα macro before a Unicode letter",
    "\\alpha\n\nparagraph",
    "line\nbreak \\emph\n{x}",
    "\\LaTeX\n  next and \\alpha \n\n x and \\alpha\n \n y",
    "\\sqrt\n[3]{x} and \\sqrt\n\n[3]{x} and \\\\\n\n* and \\\\ \n*",
    "$\\alpha\n\\beta$ and \\frac\n\n{a}{b} and \\emph \n {y}",
    "first paragraph\n\nsecond $x$ paragraph",
    r"trailing backslash \\",
    "trailing backslash \\",
    r"{}{}{{}} empty groups",
    r"$ x $ and $x $ and $ x$",
    r"$\alpha $ and $\alpha\beta$ and $\alpha  \beta$",
    r"\S 3 and \P and \dag",
    r"\i\j\o\O\l\L\ss\ae\AE\oe\OE\aa\AA",
    r"\textsuperscript{th} and \textsubscript{2}",
    r"$\{x\}$ and $\|x\|$ and $|x|$ and $\langle x \rangle$",
    r"$\mathrm{d}x \, \; \! \quad \qquad$",
    r"$\not= \not\in \neq$",
    r"$\bm{x} \boldsymbol{\theta} \pmb{y}$",
    r"$\binom{n}{k}$ and $\dbinom n k$",
    r"$\underbrace{a+b}_{c}$ and $\overline{AB}$",
    r"\input{/etc/passwd} \include{x}",
    r"$x$\footnote{note} and \ref{eq1} and \label{x}",
    r"A\\B and A\\ B and A \\* B",
    r"\& at the end \&",
    r"\noindent\textbf{Background:} text",
    r"Stra\ss e and \ss{} and Sk\l odowska",
    r"$a &= b$ and a & b",
    r"$\R^n \N \Z \E[X]$",
    r"\R and \E and \sqrt{x} out of math",
    r"\frac{1}{2} out of math and \mathcal{F}",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_fast_parser_agrees_with_pylatexenc_on_tricky_text(text: str) -> None:
    _check(text)


def test_the_fast_parser_claims_the_common_latex_of_titles() -> None:
    common = [
        r"$O(n \log n)$ Sorting",
        r"$\alpha = .84$ and $\beta$",
        r"$O(\sqrt{T \log T})$ regret",
        r"$\mathcal{N}(0, I_d)$ noise",
        r"$p {\textless} .05$",
        r"{\em high-dimensional} regime",
        r"{\"u}ber {\'e}t{\'{e}}",
        r"pages 1--2 ``quoted''",
        r"A~B \& C \% D",
        r"$\hat x \tilde{O}(\sqrt{n})$",
        r"$\sqrt[3]{x}$ and $\operatorname*{arg\,max}_x$",
        r"$$x^2$$ and \[y\] and \(z\)",
        r"\textsuperscript{th} \href{http://a}{b} \cite[p.~3]{key}",
        r"\begin{itemize} \item one \end{itemize} and \begin{equation}x^2\end{equation}",
    ]
    assert [text for text in common if not _check(text)] == []


def test_the_fast_parser_declines_what_it_does_not_know() -> None:
    declined = [
        r"\begin{x} and no end",
        r"\begin{x}\end{y}",
        r"Unbalanced { brace",
        r"Unbalanced } brace",
        r"\\% a comment",
        r"$$a $ b$$",
        r"a stray \) closing",
        r"\verb|x|",
        r"ends with a macro's arguments missing \frac",
    ]
    assert [text for text in declined if _check(text)] == []


# fmt: off
_MACROS = (
    "alpha", "log", "sqrt", "frac", "mathcal", "mathbb", "text", "emph", "em", "textit", "hat",
    "left", "right", "operatorname", "cite", "url", "href", "unknown", "R", "ell", "infty",
    "leq", "cdot", "\\", "&", "%", "$", "{", "}", "'", '"', "^", "~", "c", "v", ",", " ",
    "begin", "end", "(", ")", "[", "]", "i", "ss", "LaTeX", "not", "binom", "overline",
    "textsuperscript",
)
_ENVIRONMENTS = ("itemize", "equation", "align*", "tabular", "enumerate", "unknown")
# fmt: on
_PIECES = [
    *"abcxyzABC0129 .,;:()[]+-=<>/|*!?'`~&^_\n",
    *("  ", "\n\n", "{", "}", "$", "$$", "\\", "%", "--", "''", "``", "α", "é"),
    *("\\" + name for name in _MACROS),
    *(f"\\{which}{{{name}}}" for which in ("begin", "end") for name in _ENVIRONMENTS),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_the_fast_parser_agrees_with_pylatexenc_on_latex_soup(text: str) -> None:
    _check(text)


_TEXT = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.tuples(_TEXT, _TEXT, _TEXT, st.sampled_from(["$", "$$", "\\(", "\\["])))
def test_the_fast_parser_agrees_with_pylatexenc_on_math_in_prose(
    parts: tuple[str, str, str, str],
) -> None:
    before, inside, after, opener = parts
    closer = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}[opener]
    _check(f"{before}{opener}{inside}{closer}{after}")


@settings(max_examples=300, deadline=None)
@given(st.tuples(_TEXT, _TEXT, _TEXT, st.sampled_from(_ENVIRONMENTS), _TEXT))
def test_the_fast_parser_agrees_with_pylatexenc_on_environments(
    parts: tuple[str, str, str, str, str],
) -> None:
    before, arguments, inside, name, after = parts
    _check(f"{before}\\begin{{{name}}}{arguments}{inside}\\end{{{name}}}{after}")


def test_a_title_is_converted_once_and_an_abstract_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.latex.forget()
    parses: list[str] = []
    original = store.latex._prepare

    def counting(text: str) -> str:
        parses.append(text)
        return original(text)

    monkeypatch.setattr(store.latex, "_prepare", counting)
    title = r"Remembered: $O(n \log n)$ sorting"
    first = store.latex.title_to_unicode(title)
    assert store.latex.title_to_unicode(title) == first == "Remembered: O(n log n) sorting"
    assert parses == [title]
    abstract = r"An abstract with $x$ is converted again."
    store.latex.latex_to_unicode(abstract)
    store.latex.latex_to_unicode(abstract)
    assert parses.count(abstract) == 2
    store.latex.forget()


def test_remembered_titles_stay_within_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    store.latex.forget()
    monkeypatch.setattr(store.latex, "_MEMO_BUDGET", 1_000)
    for number in range(100):
        assert store.latex.title_to_unicode(f"Title {number} with $x^{{{number}}}$") == (
            f"Title {number} with x" + "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(number))
        )
    # Each entry costs its characters and 48 more: a budget of 1,000 holds about 15.
    assert 10 <= len(store.latex._memo) <= 16
    store.latex.forget()
