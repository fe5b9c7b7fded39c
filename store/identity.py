"""Who a paper is: citation keys for new papers, and the rules that say two records are one.

A paper arrives from many sources (a profile page, a BibTeX file, the arXiv
API) with different subsets of identifiers, and real files get identifiers
wrong (two theses sharing a DOI by mistake). So two records are the same paper
only on strong evidence, and never by guessing:

* **Normalised title**: one definition for the whole store,
  :func:`normalized_title` — LaTeX decoded, accents removed, case folded,
  punctuation and spacing dropped. Titles *agree* when these are equal.
* **Same arXiv id**: the same paper when either record came from the arXiv
  API (``origin == "arxiv"``: ``add``, ``fetch``, ``enrich`` — arXiv revises
  titles between versions); between records of user files, only when their
  titles agree.
* **Same DOI** (compared case-insensitively): only when the titles agree and
  the years are within one (a record without a year does not block it).
* **Same normalised title**: only when both have a year and the years are
  within one, both have authors and the first authors' surnames agree (last
  word of the surname, folded, so "Garduño Freeman, Cristina" and "Cristina
  Garduño Freeman" agree), and not when both have a venue and the venues
  differ unless one of them is a preprint (arXiv, CoRR, bioRxiv, ...): a
  workshop paper and its conference version stay two papers. Two different
  DOIs (an arXiv DOI aside), two different arXiv ids or two different volumes
  (of a multi-volume work: "Works", vol. 3 and vol. 4) also keep them apart.

* **A key that is a stored paper's id** (paper-reader's own BibTeX or
  CSL-JSON export read back, where records without authors would otherwise
  come back as copies): the same paper when the titles agree, the years are
  within one (or both absent) and no first author, venue, DOI, arXiv id or
  volume of one contradicts the other's (:func:`same_by_own_id`).

A shared DOI or arXiv id that fails these rules is a *clash*: both records are
kept and the import prints a notice naming both (see :class:`Verdict`).
A source's own key (BibTeX key, CSL ``citation-key``, RIS ``ID``) is an alias
of the paper it became, per source; a record without one gets a
:func:`fingerprint` alias instead, so re-importing a file finds every entry
by its key first, whatever the rules above would say.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from store.model import Paper
from store.text import family_name, fold

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
        from store.latex import title_to_unicode

        text = title_to_unicode(text)
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
    # The importers' convention (store.text.family_name): "Given Family[, Suffix]",
    # a family of several words joined by no-break spaces, or "Family, Given".
    return family_name(author)


# Authors and title words recur across a library: each is folded to a key part once.
@functools.lru_cache(maxsize=1 << 14)
def _key_surname(author: str) -> str:
    surname = _ascii_word(_surname(author))
    return (surname[:1].upper() + surname[1:]) if surname else "Anon"


@functools.lru_cache(maxsize=1 << 14)
def _key_word(token: str) -> str:
    """A title word as a key part; empty for a stopword or a word with no ASCII letter or digit."""
    candidate = _ascii_word(token)
    if candidate and candidate.lower() not in _STOPWORDS:
        return candidate[:1].upper() + candidate[1:]
    return ""


def base_key(paper: Paper) -> str:
    """The citation key before de-duplication: ``Surname`` + year + first title word.

    ``Zhang2026LeanMarathon`` for "LeanMarathon: Toward ..." by Yuanhe Zhang, 2026.
    Names and words are folded to ASCII so keys stay valid BibTeX keys.
    """
    surname = _key_surname(paper.authors[0]) if paper.authors else "Anon"
    # The first word is nearly always the one: looked for alone before the rest.
    first = _TITLE_WORD.search(paper.title)
    word = _key_word(first.group()) if first else ""
    if first and not word:
        for token in _TITLE_WORD.finditer(paper.title, first.end()):
            word = _key_word(token.group())
            if word:
                break
    year = paper.year
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
    key = base + key_suffix(n)
    while taken(key):
        n += 1
        key = base + key_suffix(n)
    return key


def normalize_arxiv_id(value: str) -> str:
    """The bare arXiv id (no version, no URL, no ``arXiv:`` prefix), or ``""``."""
    match = _ARXIV_NEW.search(value) or _ARXIV_OLD.search(value)
    return match.group(1).lower() if match else ""


def normalize_doi(value: str) -> str:
    """A DOI stripped of resolver prefixes, in the source's case, or ``""``.

    DOIs are case-insensitive: compare them through :func:`doi_key`.
    """
    doi = value.strip()
    doi = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", doi, flags=re.IGNORECASE)
    doi = re.sub(r"^doi:\s*", "", doi, flags=re.IGNORECASE)
    return doi if doi.startswith("10.") else ""


def doi_key(value: str) -> str:
    """The form of a DOI that two records must share to have the same DOI."""
    return normalize_doi(value).lower()


_PREPRINT_VENUE = re.compile(r"arxiv|biorxiv|medrxiv|chemrxiv|ssrn|preprint|\bcorr\b")
_ARXIV_DOI = "10.48550/"


def surname(author: str) -> str:
    """The surname of an author: before the comma of ``Last, First``, else the last word."""
    return _surname(author)


# First authors recur (a profile is one author's papers): each name is read once.
@functools.lru_cache(maxsize=1 << 14)
def surname_key(author: str) -> str:
    """What two first authors must share: the last word of the surname, folded."""
    words = _NOT_WORD.split(fold(_surname(author)))
    words = [word for word in words if word]
    return words[-1] if words else ""


def _plain_title(title: str) -> str:
    # Braces alone ({B}ayesian) need no LaTeX decoding: the decoder runs only
    # for commands and math, which few titles have.
    if "\\" not in title and "$" not in title:
        return normalized_title(title.replace("{", "").replace("}", ""))
    return normalized_title(title)


class Facts(NamedTuple):
    """What the identity rules read of one record, computed once.

    A named tuple: an import makes one per record, and a tuple is built at a
    fraction of a frozen dataclass's cost.
    """

    title: str
    year: int | None
    surname: str
    venue: str
    preprint: bool
    arxiv: str
    doi: str
    from_arxiv_api: bool
    volume: str

    @classmethod
    def of(cls, paper: Paper) -> Facts:
        """The facts of a paper."""
        venue = fold(paper.venue).strip() if paper.venue else ""
        doi = doi_key(paper.doi) if paper.doi else ""
        from_arxiv_api = paper.origin == "arxiv"
        preprint = (
            from_arxiv_api
            or paper.kind == "preprint"
            or bool(venue and _PREPRINT_VENUE.search(venue))
            or doi.startswith(_ARXIV_DOI)
        )
        volume = paper.extra.get("volume", "") if paper.extra else ""
        return _new_facts(
            cls,
            (
                _plain_title(paper.title) if paper.title else "",
                paper.year,
                # Surnames and venues recur across a library: one string each.
                _intern(surname_key(paper.authors[0])) if paper.authors else "",
                _intern(_NOT_WORD.sub("", venue)) if venue else "",
                preprint,
                normalize_arxiv_id(paper.arxiv_id) if paper.arxiv_id else "",
                doi,
                from_arxiv_api,
                _NOT_WORD.sub("", fold(volume)) if volume else "",
            ),
        )


# The tuple's own constructor, without NamedTuple's keyword-taking __new__ in between.
_new_facts = tuple.__new__
_intern = sys.intern


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether two records are one paper; ``clash`` names a shared identifier that fell short."""

    same: bool
    clash: str = ""


_SAME = Verdict(True)
_APART = Verdict(False)


def _years_within_one(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1


def _same_by_title(a: Facts, b: Facts) -> bool:
    if not (a.title and a.title == b.title):
        return False
    if not _years_within_one(a.year, b.year) or not (a.surname and a.surname == b.surname):
        return False
    if a.venue and b.venue and a.venue != b.venue and not (a.preprint or b.preprint):
        return False  # a workshop paper and its conference version
    if a.arxiv and b.arxiv and a.arxiv != b.arxiv:
        return False
    if a.volume and b.volume and a.volume != b.volume:
        return False  # the volumes of a multi-volume work share its title
    return not (
        a.doi
        and b.doi
        and a.doi != b.doi
        and not (a.doi.startswith(_ARXIV_DOI) or b.doi.startswith(_ARXIV_DOI))
    )


def same_by_own_id(stored: Facts, record: Facts) -> bool:
    """Whether a record keyed by a stored paper's id is that paper (see the module docstring)."""
    if not (stored.title and stored.title == record.title):
        return False
    if (stored.year, record.year) != (None, None) and not _years_within_one(
        stored.year, record.year
    ):
        return False
    return not (
        stored.surname and record.surname and stored.surname != record.surname
    ) and not contradicts(stored, record)


def contradicts(stored: Facts, record: Facts) -> bool:
    """Whether two records differ in what tells namesakes apart: venue, DOI, arXiv id, volume.

    Only fields both records have count: a missing value contradicts nothing.
    """
    return any(
        mine and theirs and mine != theirs
        for mine, theirs in (
            (stored.venue, record.venue),
            (stored.doi, record.doi),
            (stored.arxiv, record.arxiv),
            (stored.volume, record.volume),
        )
    )


def judge(a: Facts, b: Facts) -> Verdict:
    """The identity rules of this module's docstring, applied to two records."""
    titles_agree = bool(a.title) and a.title == b.title
    clash = ""
    if a.arxiv and a.arxiv == b.arxiv:
        if a.from_arxiv_api or b.from_arxiv_api or titles_agree:
            return _SAME
        clash = f"arXiv id {a.arxiv}"
    if a.doi and a.doi == b.doi:
        years_fit = a.year is None or b.year is None or abs(a.year - b.year) <= 1
        if titles_agree and years_fit:
            return _SAME
        clash = clash or f"DOI {a.doi}"
    if _same_by_title(a, b):
        return _SAME
    return Verdict(False, clash) if clash else _APART


def fingerprint(paper: Paper, facts: Facts | None = None) -> str:
    """The alias of a record that has no key of its own: title, first author and year.

    A record without a title is fingerprinted by all its bibliographic fields.
    ``facts``, when the caller has them, are the paper's own (saves recomputing).
    """
    facts = facts or Facts.of(paper)
    if facts.title:
        return f"~{facts.title}|{facts.surname}|{facts.year or ''}"
    record = paper.to_record()
    for name in ("id", "collections", "added_at", "aliases"):
        record.pop(name, None)
    digest = hashlib.sha1(repr(sorted(record.items())).encode("utf-8", "replace"))
    return f"#{digest.hexdigest()[:16]}"


class IdentityIndex:
    """The papers of a store looked up by arXiv id, DOI, normalised title and source key.

    Built once per import over the stored papers, then grown as the import
    adds and merges records, so entries of one file meet each other too.
    """

    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self._facts: dict[str, Facts] = {}
        # A key's one paper id, or its ids when several papers share it (rare:
        # a list for each of 100,000 keys would cost ~20 MB).
        self._arxiv: dict[str, str | list[str]] = {}
        self._doi: dict[str, str | list[str]] = {}
        self._title: dict[str, str | list[str]] = {}
        self._alias: dict[tuple[str, str], str] = {}
        for paper in papers:
            self.add(paper)

    def facts(self, paper_id: str) -> Facts:
        """The facts of a paper in the index."""
        return self._facts[paper_id]

    def add(self, paper: Paper, facts: Facts | None = None) -> None:
        """Index a paper (again, after a merge gave it an arXiv id or DOI).

        ``facts``, when the caller has them, are the paper's own.
        """
        paper_id = paper.id
        facts = self._facts[paper_id] = facts or Facts.of(paper)
        if facts.arxiv:
            _append_new(self._arxiv, facts.arxiv, paper_id)
        if facts.doi:
            _append_new(self._doi, facts.doi, paper_id)
        if facts.title:
            _append_new(self._title, facts.title, paper_id)
        for source, keys in paper.aliases.items():
            for key in keys:
                self._alias.setdefault((source, key), paper_id)

    def by_alias(self, source: str, key: str) -> str | None:
        """The paper that ``source`` called ``key``, if any."""
        return self._alias.get((source, key))

    def candidates(self, facts: Facts) -> list[str]:
        """Papers sharing an arXiv id, a DOI or a normalised title with ``facts``."""
        found: list[str] = []
        for table, key in (
            (self._arxiv, facts.arxiv),
            (self._doi, facts.doi),
            (self._title, facts.title),
        ):
            ids = table.get(key) if key else None
            if ids is not None:
                found += (pid for pid in _listed(ids) if pid not in found)
        return found


def _listed(ids: str | list[str]) -> list[str]:
    return [ids] if isinstance(ids, str) else ids


def _append_new(table: dict[str, str | list[str]], key: str, paper_id: str) -> None:
    ids = table.get(key)
    if ids is None:
        table[key] = paper_id
    elif isinstance(ids, str):
        if ids != paper_id:
            table[key] = [ids, paper_id]
    elif paper_id not in ids:
        ids.append(paper_id)
