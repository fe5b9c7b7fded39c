"""Who a paper is: citation keys for new papers, and the keys that spot duplicates.

A paper arrives from many sources (a profile page, a BibTeX file, the arXiv
API) with different subsets of identifiers. Two records are the same paper
when they share an arXiv id, a DOI, or a normalised title and year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from store.model import Paper
from store.text import fold

_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "via",
        "toward",
        "towards",
        "into",
        "over",
        "under",
        "about",
        "its",
        "it",
        "this",
        "that",
        "these",
        "we",
        "our",
        "how",
        "what",
        "why",
        "when",
        "do",
        "does",
        "can",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TITLE_WORD = re.compile(r"[^\s\-–—:/]+")
# Deleting every byte but [0-9a-z] is _NON_ALNUM.sub for ASCII text, 5× faster.
_NOT_ASCII_ALNUM = bytes(b for b in range(128) if not (48 <= b <= 57 or 97 <= b <= 122))


def _alnum_only(folded: str) -> str:
    """``folded`` without anything but ASCII letters and digits."""
    if folded.isascii():
        return folded.encode("ascii").translate(None, _NOT_ASCII_ALNUM).decode("ascii")
    return _NON_ALNUM.sub("", folded)


_NOT_WORD = re.compile(r"[\W_]+")
_LATEX_MARKS = frozenset("\\{}$")


def normalized_title(title: str) -> str:
    """The one normalised title of the whole store: what two titles must share to agree.

    LaTeX decoded (``{\\"o}`` is ``ö``), accents removed, case folded, and
    everything but letters and digits dropped, so "On  {AI}:" and "On AI" agree.
    Letters of every script are kept: a title in Armenian or Greek is not empty.
    """
    text = title
    if not _LATEX_MARKS.isdisjoint(text):
        from store.latex import latex_to_unicode

        text = latex_to_unicode(text)
    folded = fold(text)
    if folded.isascii():
        return _alnum_only(folded)
    return _NOT_WORD.sub("", folded)


_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"([a-z][a-z.\-]+/\d{7})(?:v\d+)?", re.IGNORECASE)


def _ascii_word(text: str) -> str:
    if text.isascii():
        return "".join(filter(str.isalnum, text))
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in ascii_only if ch.isalnum())


def _surname(author: str) -> str:
    name = author.strip()
    if "," in name:  # "Lee, Jason D." lists the surname first
        return name.split(",", 1)[0]
    parts = name.split()
    return parts[-1] if parts else ""


def base_key(paper: Paper) -> str:
    """The citation key before de-duplication: ``Surname`` + year + first title word.

    ``Zhang2026LeanMarathon`` for "LeanMarathon: Toward ..." by Yuanhe Zhang, 2026.
    Names and words are folded to ASCII so keys stay valid BibTeX keys.
    """
    surname = _ascii_word(_surname(paper.authors[0])) if paper.authors else ""
    surname = (surname[:1].upper() + surname[1:]) if surname else "Anon"
    year = paper.year
    word = ""
    for token in _TITLE_WORD.finditer(paper.title):
        candidate = _ascii_word(token.group())
        if candidate and candidate.lower() not in _STOPWORDS:
            word = candidate[:1].upper() + candidate[1:]
            break
    return f"{surname}{year or ''}{word}"


def key_suffix(n: int) -> str:
    """The n-th suffix: a, b, ..., z, aa, ab, ..."""
    suffix = ""
    while True:
        suffix = chr(ord("a") + n % 26) + suffix
        n = n // 26 - 1
        if n < 0:
            return suffix


def unique_key(base: str, taken: Callable[[str], bool], start: int = 0) -> str:
    """``base`` itself when free, else ``base`` + a, b, ..., z, aa, ab, ...

    ``start`` skips suffixes already known to be taken (an import of many
    papers by one author in one year would otherwise probe quadratically).
    """
    if start == 0 and not taken(base):
        return base
    n = max(start - 1, 0)
    while taken(base + key_suffix(n)):
        n += 1
    return base + key_suffix(n)


def normalize_arxiv_id(value: str) -> str:
    """The bare arXiv id (no version, no URL, no ``arXiv:`` prefix), or ``""``."""
    match = _ARXIV_NEW.search(value) or _ARXIV_OLD.search(value)
    return match.group(1).lower() if match else ""


def normalize_doi(value: str) -> str:
    """A DOI lower-cased and stripped of resolver prefixes, or ``""``."""
    doi = value.strip()
    doi = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", doi, flags=re.IGNORECASE)
    doi = re.sub(r"^doi:\s*", "", doi, flags=re.IGNORECASE)
    return doi.lower() if doi.startswith("10.") else ""


def title_key(paper: Paper) -> str:
    """Normalised title + year + first author's surname; empty when too weak to trust.

    The surname keeps two editions or namesakes ("Introduction", 2006) apart
    while still matching "Yuanhe Zhang" in a profile with "Zhang, Yuanhe" in BibTeX.
    """
    title = _alnum_only(fold(paper.title))
    surname = _alnum_only(fold(_surname(paper.authors[0]))) if paper.authors else ""
    year = paper.year
    # A short title ("Spite") identifies a paper only together with its year and author.
    if not title or (len(title) < 8 and not (year and surname)):
        return ""
    return f"{title}|{year or ''}|{surname}"


def identity_keys(paper: Paper) -> list[str]:
    """Every key under which this paper could be found again, strongest first."""
    keys = []
    arxiv = normalize_arxiv_id(paper.arxiv_id) if paper.arxiv_id else ""
    if arxiv:
        keys.append(f"arxiv:{arxiv}")
    doi = normalize_doi(paper.doi) if paper.doi else ""
    if doi:
        keys.append(f"doi:{doi}")
    title = title_key(paper)
    if title:
        keys.append(f"title:{title}")
    return keys
