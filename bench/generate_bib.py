r"""A BibTeX file that reads like real bibliographies, not like one exporter's output.

:func:`bench.generate.bibtex_dump` writes one clean entry shape. Real files
(``tests/data/bibtex``) mix what this one mixes, so an import measured on it
pays for every path the importer has:

- Beebe-style ``@string`` tables for journals and publishers (with
  ``:adr`` addresses), used bare and in ``#`` concatenations, and month macros;
- ``@inproceedings`` children inheriting from ``@proceedings`` parents by
  ``crossref`` (parents after their children, as BibTeX wants);
- names with LaTeX accents (``{\"u}``, ``\'{e}``, ``{\l}``) and in UTF-8,
  ``von`` particles, braced corporate authors, ``and others``;
- Zotero exports' long multi-paragraph abstracts with ``\%``, ``{\textless}``,
  math and typographic quotes, ``file`` fields with Windows paths, ``urldate``,
  ``keywords``, ``issn``;
- values in braces and in quotes, tab and space indentation, comments,
  ``@comment`` and ``@preamble`` blocks, and about 1 % of entries that repeat
  an earlier work under another key (a DOI or an arXiv id shared).

The same seed and size always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from bench.generate import CATS, WORDS

# (LaTeX, as written in UTF-8 by an exporter that writes UTF-8)
_ACCENTED_LAST = [
    (r"M{\"u}ller", "Müller"),
    (r"Erd{\H{o}}s", "Erdős"),
    (r"Garc{\'\i}a", "García"),
    (r"{\L}ukasiewicz", "Łukasiewicz"),
    (r"Fran{\c{c}}ois", "François"),
    (r"Ho{\v{s}}ek", "Hošek"),
    (r"{\O}stergaard", "Østergaard"),
    (r"Nguy{\~{e}}n", "Nguyễn"),
    (r"Y{\i}lmaz", "Yılmaz"),
    (r"{\AA}str{\"o}m", "Åström"),
]
_PLAIN_LAST = [
    "Lee",
    "Zhang",
    "Sun",
    "Suzuki",
    "Jin",
    "Nichani",
    "Smith",
    "Johnson",
    "Huang",
    "Ivanov",
    "Kowalczyk",
    "Patel",
    "Kim",
    "Rossi",
    "Dubois",
    "Tanaka",
]
_FIRST = [
    "J.",
    "Jason D.",
    "Yuanhe",
    r"Zo{\"e}",
    "Paul",
    "Ana",
    "Søren",
    r"M{\'a}ria",
    "Kaifeng",
    "Noam",
    r"Chlo{\'e}",
    "Wen",
    "A. B.",
    "Dmitrii",
    "José",
    "Lukas",
]
_PARTICLES = ["van der", "von", "de", "de la", "di"]
_CORPORATE = [
    "{ATLAS Collaboration}",
    "{World Health Organization}",
    "{The Open Science Collaboration}",
]
_JOURNALS = [
    ("CACM", "Communications of the Association for Computing Machinery"),
    ("JMLR", "Journal of Machine Learning Research"),
    ("TPAMI", "{IEEE} Transactions on Pattern Analysis and Machine Intelligence"),
    ("NATURE", "Nature"),
    ("SIAM-J-COMP", "{SIAM} Journal on Computing"),
    ("ANN-STAT", "The Annals of Statistics"),
    ("JACM", "Journal of the {ACM}"),
    ("PSYCH-REV", "Psychological Review"),
    ("TOGS", "{ACM} Transactions on Graphics"),
    ("NEURAL-COMP", "Neural Computation"),
]
_PUBLISHERS = [
    ("AW", "Ad{\\-d}i{\\-s}on-Wes{\\-l}ey", "Reading, MA, USA"),
    ("SV", "Spring{\\-}er-Ver{\\-}lag", "Berlin, Germany~/ Heidelberg, Germany"),
    ("CUP", "Cambridge University Press", "Cambridge, UK"),
    ("MIT", "{MIT} Press", "Cambridge, MA, USA"),
    ("ACM", "{ACM} Press", "New York, NY 10036, USA"),
]
_CONFERENCES = ["NeurIPS", "ICML", "ICLR", "COLT", "STOC", "CHI", "ACL", "CVPR"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MATH = [
    r"$O(\sqrt{T \log T})$",
    r"$\ell_1$",
    r"$p {\textless} .05$",
    r"$\alpha = .84$",
    r"$d^2 \asymp n \log n$",
    r"$\mathcal{N}(0, I_d)$",
]
_PHRASES = [
    "40\\% of the participants",
    "the right to say ‘‘no’’",
    "a “ground truth” label",
    "results – though preliminary –",
    "N = 388",
    "{\\textless}0.001",
    "in the {\\em high-dimensional} regime",
    "(see also \\cite{other})",
]


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(_CORPORATE)
    if roll < 0.25:
        latex, utf8 = rng.choice(_ACCENTED_LAST)
        last = utf8 if rng.random() < 0.4 else latex
    else:
        last = rng.choice(_PLAIN_LAST)
    first = rng.choice(_FIRST)
    if roll > 0.96:
        return f"{rng.choice(_PARTICLES)} {last}, {first}"
    return f"{last}, {first}" if rng.random() < 0.8 else f"{first} {last}"


def _authors(rng: random.Random) -> str:
    names = [_name(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 8, 12)))]
    if rng.random() < 0.05:
        names.append("others")
    return " and ".join(names)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title(rng: random.Random, index: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 14))
    if rng.random() < 0.2:
        words.insert(rng.randint(0, len(words)), rng.choice(("{DNA}", "{BERT}", "{GPU}s")))
    if rng.random() < 0.1:
        words.insert(rng.randint(0, len(words)), rng.choice(_MATH))
    title = _capitalized(" ".join(words))
    if rng.random() < 0.3:
        title += ": " + " ".join(rng.choices(WORDS, k=rng.randint(2, 6)))
    return f"{title} {index}"


def _abstract(rng: random.Random, heavy: bool = False) -> str:
    paragraphs = []
    counts = (1, 2, 2, 3, 3, 4, 5) if heavy else (1, 1, 1, 1, 1, 2, 2, 3, 4)
    for _ in range(rng.choice(counts)):
        sentences = []
        for _ in range(rng.randint(2, 8)):
            words = rng.choices(WORDS, k=rng.randint(8, 24))
            if rng.random() < 0.3:
                words.insert(rng.randint(0, len(words)), rng.choice(_PHRASES))
            if rng.random() < 0.2:
                words.insert(rng.randint(0, len(words)), rng.choice(_MATH))
            sentences.append(_capitalized(" ".join(words)) + ".")
        paragraphs.append(" ".join(sentences))
    if len(paragraphs) > 1 and rng.random() < 0.5:
        labels = ("Background: ", "Methods: ", "Results: ", "Conclusions: ")
        paragraphs = [label + text for label, text in zip(labels, paragraphs, strict=False)]
    return "\n".join(paragraphs)


def _field(rng: random.Random, name: str, value: str, style: str) -> str:
    if style == "beebe":
        return f"  {name:<13}= {value}"
    return f"\t{name} = {value}"


def _braced(value: str, quoted: bool) -> str:
    return f'"{value}"' if quoted and '"' not in value else f"{{{value}}}"


def _strings() -> list[str]:
    blocks = ['@Preamble{"\\input bibnames.sty " # "\\def \\TUB {TUGboat}"}', ""]
    blocks.append('@String{ack-nhfb = "Nelson H. F. Beebe,\n    University of Utah"}')
    for code, name in _JOURNALS:
        blocks.append(f'@String{{j-{code:<14}= "{name}"}}')
    blocks.append("")
    for code, name, address in _PUBLISHERS:
        blocks.append(f'@String{{pub-{code:<12}= "{name}"}}')
        blocks.append(f'@String{{pub-{code}:adr = "{address}"}}')
    return blocks


def _entry(
    rng: random.Random,
    index: int,
    parents: list[str],
    earlier: list[tuple[str, str]],
    heavy: bool = False,
) -> str:
    style = "beebe" if rng.random() < 0.3 else "zotero"
    quoted = style == "beebe"
    key = f"{rng.choice(_PLAIN_LAST)}:{index}" if style == "beebe" else f"ref{index}"
    year = rng.randint(1975, 2025)
    roll = rng.random()
    fields: list[tuple[str, str]] = []
    if roll < 0.45:
        kind = "article"
        code = rng.choice(_JOURNALS)[0]
        journal = f"j-{code}" if rng.random() < 0.6 else _braced(dict(_JOURNALS)[code], quoted)
        fields.append(("journal", journal))
        fields.append(
            ("volume", f'"{rng.randint(1, 120)}"' if quoted else f"{{{rng.randint(1, 120)}}}")
        )
        fields.append(("number", f"{{{rng.randint(1, 12)}}}"))
        fields.append(("pages", f"{{{(p := rng.randint(1, 900))}--{p + rng.randint(3, 40)}}}"))
    elif roll < 0.65:
        kind = "inproceedings"
        parent = f"conf:{rng.choice(_CONFERENCES)}:{rng.randint(1990, 2025)}"
        parents.append(parent)
        fields.append(("crossref", f"{{{parent}}}"))
        fields.append(("pages", f"{{{(p := rng.randint(1, 900))}--{p + rng.randint(3, 12)}}}"))
    elif roll < 0.82:
        kind = "misc"
        arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{index % 100000:05d}"
        fields.append(("eprint", f"{{{arxiv}}}"))
        fields.append(("archiveprefix", "{arXiv}"))
        fields.append(("primaryclass", f"{{cs.{rng.choice(CATS)}}}"))
        fields.append(("howpublished", f"{{arXiv:{arxiv}}}"))
    elif roll < 0.9:
        kind = "book"
        code = rng.choice(_PUBLISHERS)[0]
        fields.append(("publisher", f"pub-{code}"))
        fields.append(("address", f"pub-{code}:adr"))
        fields.append(("isbn", f"{{0-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-X}}"))
    elif roll < 0.95:
        kind = "phdthesis"
        fields.append(("school", '{Universit{\\"a}t T{\\"u}bingen}'))
    else:
        kind = "techreport"
        fields.append(("institution", '"Stanford University" # ", " # "Department of Statistics"'))
        fields.append(("number", f"{{TR-{index}}}"))
    fields.insert(0, ("author", _braced(_authors(rng), quoted)))
    fields.insert(0, ("title", _braced(_title(rng, index), quoted)))
    fields.append(("year", f'"{year}"' if quoted else f"{{{year}}}"))
    if rng.random() < 0.6:
        fields.append(("month", rng.choice(_MONTHS)))
    if kind in ("article", "book") or rng.random() < 0.3:
        fields.append(("doi", f"{{10.{1000 + index % 9000}/real.{index}}}"))
    if rng.random() < (0.8 if heavy else 0.65):
        fields.append(("abstract", f"{{{_abstract(rng, heavy)}}}"))
    if style == "zotero":
        fields.append(("url", f"{{https://example.org/paper/{index}?origin=crossref}}"))
        fields.append(
            ("urldate", f"{{20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}}}")
        )
        fields.append(("keywords", "{" + ", ".join(rng.sample(WORDS, rng.randint(1, 6))) + "}"))
        if rng.random() < 0.5:
            fields.append(
                (
                    "file",
                    f"{{Full Text:C\\:\\\\Users\\\\me\\\\Zotero\\\\storage\\\\{index:08X}"
                    "\\\\paper.pdf:application/pdf}",
                )
            )
        fields.append(("language", "{en}"))
    else:
        fields.append(("bibdate", '"Tue Mar 2 10:12:37 1994"'))
        fields.append(("acknowledgement", "ack-nhfb"))
    if earlier and rng.random() < 0.01:
        # The same work exported again under another key (two merged files).
        old_key, old_text = earlier[rng.randrange(len(earlier))]
        return old_text.replace(f"{{{old_key},", f"{{again{index},", 1)
    body = ",\n".join(_field(rng, name, value, style) for name, value in fields)
    text = f"@{kind}{{{key},\n{body}\n}}\n"
    if rng.random() < 0.01:
        earlier.append((key, text))
        del earlier[:-50]
    return text


def _parent(name: str) -> str:
    _, conference, year = name.split(":")
    return (
        f"@proceedings{{{name},\n"
        f'  title        = "Proceedings of the {year} Conference on {conference}",\n'
        f'  booktitle    = "Proceedings of {conference} {year}",\n'
        f'  editor       = "Smith, Jane and M{{\\"u}}ller, Hans",\n'
        f"  publisher    = pub-ACM,\n"
        f"  address      = pub-ACM:adr,\n"
        f'  year         = "{year}",\n'
        f"}}\n"
    )


def real_bibtex_dump(n: int, seed: int = 13, *, heavy: bool = False) -> str:
    """``n`` entries, then the ``@proceedings`` parents they cross-reference.

    ``heavy`` gives abstracts to more entries (80 %) and longer ones (more
    paragraphs): the memory an import needs grows with the abstracts it holds.
    """
    rng = random.Random(seed)
    head = ["% Encoding: UTF-8", "%% A synthetic bibliography for paper-reader's bench.", ""]
    head += _strings()
    head.append("")
    parents: list[str] = []
    earlier: list[tuple[str, str]] = []
    entries = []
    for index in range(n):
        if rng.random() < 0.002:
            entries.append(f"@comment{{jabref-meta: groups{index}:}}\n")
        entries.append(_entry(rng, index, parents, earlier, heavy))
    tail = [_parent(name) for name in dict.fromkeys(parents)]
    return "\n".join(head) + "\n" + "\n".join(entries) + "\n" + "\n".join(tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--heavy", action="store_true", help="longer abstracts, on more entries")
    args = parser.parse_args()
    args.output.write_text(real_bibtex_dump(args.n, heavy=args.heavy), encoding="utf-8")


if __name__ == "__main__":
    main()
