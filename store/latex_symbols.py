"""The tables behind LaTeX rendering: scripts, operator names, relations, accents, macros.

Laid out by hand so that a row reads as a row; :mod:`store.latex` sets up the
converter from them and :mod:`store.latex_math` renders math with them.
"""

from __future__ import annotations

# fmt: off
SUPERSCRIPTS = dict(
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
SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
DOUBLE_STRUCK_EXCEPTIONS = {
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
MATH_CHARS = {"-": "−", "'": "′"}

# Operator names typeset upright with space around them, whatever the source spacing.
OPERATOR_NAMES = frozenset({
    "arg", "argmax", "argmin", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "diag", "dim",
    "exp", "gcd", "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min",
    "poly", "polylog", "Pr", "rank", "sec", "sgn", "sign", "sin", "sinh", "softmax", "sup", "tan",
    "tanh", "tr", "Tr", "Var", "Cov"
})
# Relations and binary operators: LaTeX spaces these, so we do too.
SPACED_SYMBOLS = frozenset({
    "approx", "asymp", "cap", "cdot", "circ", "cong", "coloneqq", "cup", "equiv", "ge", "geq",
    "geqslant", "gets", "gg", "gtrsim", "iff", "implies", "in", "le", "leftarrow", "Leftarrow",
    "leftrightarrow", "Leftrightarrow", "leq", "leqslant", "lesssim", "ll", "longrightarrow",
    "Longrightarrow", "mapsto", "mid", "mp", "ne", "neq", "ni", "notin", "oplus", "otimes",
    "perp", "pm", "propto", "rightarrow", "Rightarrow", "setminus", "sim", "simeq", "subset",
    "subseteq", "supset", "supseteq", "times", "to", "triangleq", "vee", "wedge"
})
# Delimiter sizing carries no meaning in plain text.
SIZING = frozenset({
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm"
})
FRACTIONS = frozenset(("frac", "dfrac", "tfrac", "cfrac"))
BINOMIALS = frozenset(("binom", "dbinom", "tbinom"))
# Font switches whose argument is still math: keep the content, drop the font
# (terminal fonts rarely cover the Unicode math alphabets well, and a plain O
# reads better than 𝒪).
MATH_FONTS = frozenset({
    "mathcal", "mathscr", "mathfrak", "mathrm", "mathbf", "mathit", "mathsf", "mathtt",
    "mathnormal", "bm", "boldsymbol", "pmb"
})
# Macros whose argument is text even inside math.
TEXT_IN_MATH = frozenset({
    "text", "textrm", "texttt", "textit", "textbf", "textsf", "textsc", "textup", "textmd",
    "textnormal", "textsl", "emph", "mbox", "hbox"
})
# fmt: on
ACCENTS = {
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
SET_MACROS = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼"}
CITE_MACROS = ("cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear")
ROOTS = {"2": "√", "3": "∛", "4": "∜"}
SIMPLE_OPERAND_EXTRA = frozenset("′⋆∗.√")
# Macros pylatexenc's parser does not know to take one braced argument.
ONE_ARGUMENT_MACROS = ("bm", "boldsymbol", "pmb", "hbox", "mathnormal", "textnormal", "mathring")
MATH_MACROS_IN_TEXT = (
    "sqrt",
    "operatorname",
    "mathbb",
    *FRACTIONS,
    *BINOMIALS,
    *MATH_FONTS,
)
