"""LaTeX to readable Unicode: exact renderings, the bundled abstracts, and odd input.

The exact cases pin the pitfalls of pylatexenc's stock math mode (lost braces,
``nlog n``, ``%`` eating the rest of the line); the sample abstracts check that
real text comes out free of LaTeX with every prose word still there.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store.latex
from store.latex import latex_to_unicode
from tests.conftest import SAMPLE_PROFILE

EXACT = [
    # The examples from the product brief and the sample abstracts.
    (r"$d^2\asymp n\log n$", "d² ≍ n log n"),
    (r"$θ^\star \in S^{d-1}$", "θ⋆ ∈ Sᵈ⁻¹"),
    (r"$n\asymp d^p$", "n ≍ dᵖ"),
    (r"$f^\star(x) = g(Ux)$ where $U: \R^d \to \R^r$", "f⋆(x) = g(Ux) where U: ℝᵈ → ℝʳ"),
    (r"$\widetilde{O}\left(d\sqrt{kMT} + kM\sqrt{T}\right)$", "Õ(d√(kMT) + kM√T)"),
    (r"$n \gtrsim d^{\max(1, k^\star-1)}$", "n ≳ d^(max(1, k⋆−1))"),
    (r"$O(H\log K)$", "O(H log K)"),
    (r"$\mathcal{O}(r)$ and $\tilde{\mathcal{O}}(r)$", "O(r) and Õ(r)"),
    (r"over $\mathbb{R}^d$, with $O(1/ε^2)$ particles", "over ℝᵈ, with O(1/ε²) particles"),
    (r"$\frac{SAH^3}{\varepsilon^2}$", "SAH³/ε²"),
    (r"$\frac{a+b}{2}$ and $\frac{1}{\sqrt{T}}$", "(a+b)/2 and 1/√T"),
    (r"$\tilde{O}\left(\frac{H^7 A^2 d^4}{τ^2 ε^2}\right)$", "Õ((H⁷ A² d⁴)/(τ² ε²))"),
    (r"$h = g \circ p$ and $d\times d$", "h = g ∘ p and d × d"),
    (r"$\ell_\infty$ and $\ell_2$ and $x_{ij}$", "ℓ_∞ and ℓ₂ and xᵢⱼ"),
    (r"$d^{kq}$", "d^(kq)"),
    (r"$A^{-1}$ and $x^T$", "A⁻¹ and xᵀ"),
    (r"$\sqrt[3]{x}$", "∛x"),
    (r"$x \not\in S$", "x ∉ S"),
    (r"$\operatorname{softmax}(x)$", "softmax(x)"),
    (r"$\texttt{Homotopy-PO}$", "Homotopy-PO"),
    # pylatexenc reads "\toα" as one macro name; TeX would not.
    (r"$n/d^2\toα$", "n/d² → α"),
    (r"$\widetildeΘ(d^4)$", "Θ\u0303(d⁴)"),
    # Display math is kept inline within the paragraph.
    (
        r"factors) \begin{equation*} \min\big\{ \sqrt{SAH^3K}, \,HK \big\}, \end{equation*} where",
        "factors) min{√(SAH³K), HK}, where",
    ),
    # Text mode.
    (r"the \emph{in-context recall} task", "the in-context recall task"),
    (r"\textit{x} \textbf{y}", "x y"),
    (r"In-context learning \ -- performing tasks", "In-context learning – performing tasks"),
    (r"pages 1--2 of {\"u}ber", "pages 1–2 of über"),
    (r"work~\citep{nichani2023provable} requiring", "work [nichani2023provable] requiring"),
    (r"con\textbf{T}extualized \underline{D}ecentralized", "conTextualized Decentralized"),
    (r"R&D with $x$", "R&D with x"),
]


@pytest.mark.parametrize(("latex", "expected"), EXACT)
def test_renders_readable_unicode(latex: str, expected: str) -> None:
    assert latex_to_unicode(latex) == expected


@pytest.mark.parametrize(
    "plain",
    [
        "Attention Is All You Need",
        "A 2--3 times speed-up, ~40% of the cost, 50% of runs",
        "Erdős problems (#1051, #1196)",
        "",
    ],
)
def test_text_without_latex_comes_back_unchanged(plain: str) -> None:
    assert latex_to_unicode(plain) == plain


def test_a_bare_percent_is_not_a_comment() -> None:
    assert latex_to_unicode("50% of $x$ and more") == "50% of x and more"
    assert latex_to_unicode(r"50\% of $x$ and more") == "50% of x and more"


def test_a_lone_dollar_is_a_currency_sign() -> None:
    assert latex_to_unicode("costs $5 and more") == "costs $5 and more"


def test_paragraph_breaks_survive_and_spaces_collapse() -> None:
    assert latex_to_unicode("one $x$  \\emph{a}\n\ntwo $y$") == "one x a\n\ntwo y"


def test_malformed_macros_keep_their_words() -> None:
    # pylatexenc raises on \href without its second argument and returns its
    # own "%s/%s" template for \frac without arguments.
    assert latex_to_unicode(r"$x$, see \href{http://a}") == "x, see http://a"
    assert "%s" not in latex_to_unicode(r"\frac\frac and $x$")


def test_converter_failure_returns_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(store.latex, "_prepare", broken)
    assert latex_to_unicode("$x^2$") == "$x^2$"


def test_very_long_text_is_left_alone() -> None:
    huge = "$x$ " * 10_000
    assert latex_to_unicode(huge) == huge


def _abstracts_with_latex() -> list[str]:
    lines = SAMPLE_PROFILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if "$" in line or "\\" in line]


SEED_ABSTRACTS = _abstracts_with_latex()


def _prose_words(abstract: str) -> set[str]:
    """Words outside math and macro names: what a reader must still find."""
    prose = re.sub(r"\\begin\{(equation\*?)\}.*?\\end\{\1\}", " ", abstract)
    prose = re.sub(r"\$[^$]*\$", " ", prose)
    prose = re.sub(r"\\[A-Za-z]+", "", prose)
    prose = re.sub(r"[{}]", "", prose)
    return set(re.findall(r"[A-Za-z]{3,}", prose))


def test_the_sample_holds_latex_abstracts() -> None:
    assert len(SEED_ABSTRACTS) >= 20


@pytest.mark.parametrize("abstract", SEED_ABSTRACTS, ids=lambda text: text[:40])
def test_sample_abstracts_lose_their_latex_but_not_their_words(abstract: str) -> None:
    rendered = latex_to_unicode(abstract)
    assert "$" not in rendered
    assert re.search(r"\\[A-Za-z]", rendered) is None
    missing = _prose_words(abstract) - set(re.findall(r"[A-Za-z]{3,}", rendered))
    assert missing == set()


@pytest.mark.parametrize(
    ("source_piece", "rendered_piece"),
    [
        (r"d^2\asymp n\log n", "d² ≍ n log n"),
        (r"$U: \R^d \to \R^r$", "U: ℝᵈ → ℝʳ"),
        (r"kM\sqrt{T}", "Õ(d√(kMT) + kM√T)"),
        (r"$n \asymp d^p$", "n ≍ dᵖ"),
        (r"\emph{in-context factual recall (IC-recall)}", "in-context factual recall (IC-recall)"),
        (r"In-context learning \ -- performing", "In-context learning – performing"),
        (r"\texttt{Homotopy-PO}", "dubbed as Homotopy-PO, which"),
        (r"θ^\star \in S^{d-1}", "θ⋆ ∈ Sᵈ⁻¹"),
        (r"r\lesssim \sqrt{N}", "r ≲ √N"),
        (r"$\mathbb{R}^d$", "over ℝᵈ, we prove"),
    ],
)
def test_sample_abstracts_show_readable_math(source_piece: str, rendered_piece: str) -> None:
    abstract = next(text for text in SEED_ABSTRACTS if source_piece in text)
    assert rendered_piece in latex_to_unicode(abstract)


LATEX_TOKENS = st.sampled_from(
    [
        "$", "$$", "\\", "{", "}", "^", "_", "%", "&", "~", "#", "--", "``", "''", "\\\\",
        "\\[", "\\]", "\\(", "\\)", "\\frac", "\\sqrt", "\\sqrt[", "\\left", "\\right",
        "\\mathbb", "\\emph", "\\href", "\\cite", "\\not", "\\text", "\\operatorname*",
        "\\begin{equation}", "\\end{equation}", "\\begin{align}", "\\verb", "\\input",
        "\\widetilde", "\\log", "\\in", "\\toα", '\\"', "x", "α", " ", "\n\n", "a b", "[", "]",
    ]
)  # fmt: skip


@given(st.text())
def test_any_text_gives_a_string(text: str) -> None:
    assert isinstance(latex_to_unicode(text), str)


@settings(max_examples=300)
@given(st.lists(LATEX_TOKENS, max_size=16).map("".join))
def test_any_latex_soup_gives_a_string(text: str) -> None:
    assert isinstance(latex_to_unicode(text), str)
