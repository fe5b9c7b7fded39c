"""Deterministic synthetic libraries in the author-profile format.

The same seed and size always give the same bytes, so runs compare. Papers
look like the real dump: 2–8 authors (some with accents), affiliations now
and then, abstracts of about 1.1 KB with LaTeX, some code links, dates with
and without the year.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FIRST = [
    "Jason",
    "Yuanhe",
    "Zoë",
    "Paul",
    "Ana",
    "Jikai",
    "Søren",
    "Mária",
    "Kaifeng",
    "Eshaan",
    "Noam",
    "Chloé",
    "Ruomin",
    "Wen",
    "Dmitrii",
    "Ayşe",
    "José",
    "Lukas",
]
LAST = [
    "Lee",
    "Zhang",
    "Erdős",
    "Sun",
    "Suzuki",
    "Jin",
    "Lyu",
    "Nichani",
    "Razin",
    "Müller",
    "García",
    "Kowalczyk",
    "Østergaard",
    "Nguyễn",
    "Ivanov",
    "Yılmaz",
    "Huang",
    "Damian",
]
WORDS = [
    "gradient",
    "descent",
    "transformer",
    "attention",
    "kernel",
    "regime",
    "sample",
    "complexity",
    "bandit",
    "reinforcement",
    "learning",
    "representation",
    "diffusion",
    "scaling",
    "law",
    "convex",
    "optimization",
    "benchmark",
    "retrieval",
    "language",
    "model",
    "theory",
    "provable",
    "implicit",
    "bias",
    "matrix",
    "sensing",
    "spectral",
    "estimator",
    "grokking",
    "autoformalization",
    "lean",
    "proof",
    "agent",
    "memory",
]
CATS = ["LG", "LG", "LG", "CL", "AI", "ML", "CV", "GT", "IT", "DS"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
AFFILIATIONS = ["stanford", "tsinghua", "princeton", "harvard", "mit", "eth zürich"]
LATEX = [
    r"$d^2\asymp n\log n$",
    r"$\theta^\star \in S^{d-1}$",
    r"$\widetilde{O}(\sqrt{T})$",
    r"$n \asymp d^p$",
    r"\emph{in-context}",
]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(10, 22))
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(LATEX))
    return " ".join(words).capitalize() + "."


def profile_entry(rng: random.Random, index: int) -> str:
    """One entry: header, title, authors, abstract."""
    cat = rng.choice(CATS)
    month = rng.choice(MONTHS)
    day = rng.randint(1, 28)
    year = rng.randint(2012, 2025)
    code = rng.random() < 0.2
    header = f"{cat}{month} {day}, {year}" + ("Code" if code else "")
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 12))).title() + f" {index}"
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(2, 8))]
    authors = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
    if rng.random() < 0.3:
        authors += " · " + ", ".join(rng.sample(AFFILIATIONS, rng.randint(1, 2)))
    abstract = " ".join(_sentence(rng) for _ in range(rng.randint(7, 10)))
    if code:
        abstract += f" The code is at https://github.com/lab{index % 97}/project{index}."
    return f"{header}\n{title}\n\n{authors}\n\n{abstract}\n"


def profile_dump(n: int, seed: int = 7) -> str:
    """A whole author-profile dump with ``n`` entries."""
    rng = random.Random(seed)
    header = f"Synthetic Author\n\nLG\nh-index50\n{n}papers\n1,000citations\n\n{n} Papers\n\n"
    return header + "\n".join(profile_entry(rng, i) for i in range(n))


def bibtex_entry(rng: random.Random, index: int) -> str:
    """One BibTeX entry: LaTeX accents, an arXiv eprint or a DOI, math in the abstract."""
    names = [f"{rng.choice(LAST)}, {rng.choice(FIRST)}" for _ in range(rng.randint(2, 8))]
    names = [n.replace("ő", "{\\H{o}}").replace("ü", '{\\"u}') for n in names]
    year = rng.randint(2012, 2025)
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 12))).title() + f" {index}"
    abstract = " ".join(_sentence(rng) for _ in range(rng.randint(7, 10)))
    fields = [
        f"  title = {{{{{title}}}}}",
        f"  author = {{{' and '.join(names)}}}",
        f"  year = {{{year}}}",
        f"  month = {rng.choice(MONTHS).lower()}",
        f"  abstract = {{{abstract}}}",
    ]
    if rng.random() < 0.5:
        fields.append(
            f"  eprint = {{{year % 100:02d}{rng.randint(1, 12):02d}.{index % 100000:05d}}}"
        )
        fields.append("  archiveprefix = {arXiv}")
        fields.append(f"  primaryclass = {{cs.{rng.choice(CATS)}}}")
    else:
        fields.append(f"  journal = {{Journal of {rng.choice(WORDS).title()}}}")
        fields.append(f"  doi = {{10.{1000 + index % 9000}/bench.{index}}}")
    return f"@article{{key{index},\n" + ",\n".join(fields) + "\n}\n"


def bibtex_dump(n: int, seed: int = 11) -> str:
    """A BibTeX file with ``n`` entries."""
    rng = random.Random(seed)
    return "\n".join(bibtex_entry(rng, i) for i in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--format", choices=("profile", "bibtex"), default="profile")
    args = parser.parse_args()
    dump = bibtex_dump if args.format == "bibtex" else profile_dump
    args.output.write_text(dump(args.n), encoding="utf-8")


if __name__ == "__main__":
    main()
