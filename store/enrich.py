"""``enrich``: arXiv ids, links and full author lists for papers that came without them.

Papers without an arXiv id are looked up on the arXiv API by title:
``ti:"..."`` phrases, several titles OR-ed into one request. arXiv's phrase
search also returns near misses (a longer title holding ours, by other
authors), so a result is accepted only under the rules of :func:`match`:

1. its normalised title equals the paper's (:func:`store.identity.normalized_title`:
   case, accents, LaTeX, punctuation and spacing folded);
2. its first author's surname is the paper's first author's (when the paper has authors);
3. the paper's year is within one of the entry's (when both are known); an
   entry counts from its first version's year to its last one's, since a
   listing may date a paper by either;
4. exactly one arXiv paper remains (several: ``ambiguous``, nothing applied);
5. no other paper in the store holds that arXiv id (else a ``duplicate`` is
   reported, nothing applied).

An accepted entry fills only what is missing (:func:`filled`) and replaces
a truncated author list by the full one when it starts with the same
authors. The paper's id, the user's state and every field already set are
never changed. What each enrichment changed is kept in a log beside the
store (:mod:`store.enrich_log`) so the last one can be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from store import arxiv_api, clock
from store.enrich_log import EnrichLog, field_changes
from store.errors import FormatError, PaperReaderError
from store.formats import arxiv_atom
from store.identity import normalize_arxiv_id, normalized_title
from store.library import Library
from store.model import Paper
from store.text import fold

TITLES_PER_REQUEST = 10
RESULTS_PER_REQUEST = 100
ENRICHED, NOT_FOUND, AMBIGUOUS, DUPLICATE = "enriched", "not found", "ambiguous", "duplicate"

_NOT_WORD = re.compile(r"[\W_]+")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_VERSION = re.compile(r"v[0-9]+$")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the lookup of one paper found.

    ``outcome`` is one of ``enriched``, ``not found``, ``ambiguous`` or
    ``duplicate``; ``arxiv_ids`` the accepted id (or the competing ones when
    ambiguous); ``duplicate_of`` the paper already holding the id; ``fields``
    what was (or, on a dry run, would be) filled.
    """

    paper_id: str
    outcome: str
    arxiv_ids: tuple[str, ...] = ()
    duplicate_of: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnrichReport:
    """Every lookup of one ``enrich``, and how many requests it took."""

    lookups: list[Lookup] = field(default_factory=list)
    requests: int = 0

    def count(self, outcome: str) -> int:
        """How many lookups had this outcome."""
        return sum(1 for lookup in self.lookups if lookup.outcome == outcome)

    def __str__(self) -> str:
        line = (
            f"enriched {self.count(ENRICHED)}, not found {self.count(NOT_FOUND)}, "
            f"ambiguous {self.count(AMBIGUOUS)}"
        )
        duplicates = self.count(DUPLICATE)
        return line + (f", likely duplicates {duplicates}" if duplicates else "")


# -- the matching rules ----------------------------------------------------------------


def surname(author: str) -> str:
    """The folded last word of a surname: ``Lee, Jason D.`` and ``Jason D. Lee`` give ``lee``."""
    name = _decoded(author.strip())
    family = name.split(",", 1)[0] if "," in name else name
    words = [w for w in _NOT_WORD.split(fold(family)) if w]
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def _entry_years(entry: Paper) -> tuple[int, int] | None:
    first = entry.year
    last_text = entry.extra.get("updated", "")[:4]
    last = int(last_text) if last_text.isdigit() else first
    if first is None or last is None:
        return None
    return min(first, last), max(first, last)


def agrees(paper: Paper, entry: Paper) -> bool:
    """Rules 1–3: the same normalised title, first-author surname and year (±1)."""
    title = normalized_title(paper.title)
    if not title or title != normalized_title(entry.title):
        return False
    if paper.authors and (
        not entry.authors or surname(paper.authors[0]) != surname(entry.authors[0])
    ):
        return False
    years = _entry_years(entry)
    return paper.year is None or years is None or years[0] - 1 <= paper.year <= years[1] + 1


def match(paper: Paper, entries: Sequence[Paper]) -> tuple[str, list[Paper]]:
    """Rules 1–4: (``enriched``, [entry]), (``ambiguous``, entries) or (``not found``, [])."""
    found: dict[str, Paper] = {}
    for entry in entries:
        if agrees(paper, entry):
            found.setdefault(normalize_arxiv_id(entry.arxiv_id), entry)
    if not found:
        return NOT_FOUND, []
    return (ENRICHED if len(found) == 1 else AMBIGUOUS), list(found.values())


def starts_with_same_authors(short: Sequence[str], full: Sequence[str]) -> bool:
    """True when ``full`` begins with the authors of ``short`` (compared by surname)."""
    return len(full) >= len(short) and all(
        surname(a) == surname(b) for a, b in zip(short, full, strict=False)
    )


def filled(paper: Paper, entry: Paper) -> Paper:
    """The paper with what ``entry`` has and it lacks; nothing set is ever replaced.

    Filled when empty: arXiv id (no version), abstract page and PDF links,
    categories, DOI, journal reference (venue), abstract, date, affiliations
    and code link. A truncated author list gives way to the full one when it
    starts with the same authors; a complete list is left alone.
    """
    arxiv_id = _VERSION.sub("", entry.arxiv_id)  # the feed's id is canonical: keep its case
    changes: dict[str, object] = {}
    wanted = {
        "arxiv_id": arxiv_id,
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "categories": entry.categories,
        "category": entry.category,
        "doi": entry.doi,
        "venue": entry.venue,
        "abstract": entry.abstract,
        "code_url": entry.code_url,
    }
    for name, value in wanted.items():
        if value and not getattr(paper, name):
            changes[name] = value
    if entry.code_url and not paper.has_code:
        changes["has_code"] = True
    if entry.date and not paper.date:
        changes["date"], changes["date_precision"] = entry.date, entry.date_precision
    richer = bool(entry.authors) and (
        not paper.authors
        or (paper.authors_truncated and starts_with_same_authors(paper.authors, entry.authors))
    )
    if richer and (entry.authors, False) != (paper.authors, paper.authors_truncated):
        changes["authors"], changes["authors_truncated"] = entry.authors, False
    if richer and entry.affiliations and not paper.affiliations:
        changes["affiliations"] = entry.affiliations
    if "pdf_url" not in paper.extra:
        changes["extra"] = {**paper.extra, "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}"}
    return paper.with_changes(**changes) if changes else paper


def changed_fields(before: Paper, after: Paper) -> tuple[str, ...]:
    """The names of the fields that differ (``extra.KEY`` for extra fields)."""
    return tuple(field_changes(before, after))


# -- the lookups -----------------------------------------------------------------------


def search_phrase(title: str) -> str:
    """The words of a title for a ``ti:"..."`` phrase: LaTeX decoded, folded, no punctuation.

    arXiv's search reads punctuation as syntax even inside quotes (a hyphen
    as NOT, a colon as a field), while its tokens are the words: the words
    alone find the same papers without those traps. Matching is then done
    here, on the full titles, so nothing is lost by it.
    """
    return " ".join(w for w in _NOT_WORD.split(fold(_decoded(title))) if w)


def _decoded(text: str) -> str:
    """LaTeX decoded (``Dami\\'{a}n`` is ``Damián``), without the braces that only protect case."""
    if not any(mark in text for mark in "\\{}$"):
        return text
    from store.latex import latex_to_unicode

    return latex_to_unicode(text).replace("{", "").replace("}", "")


def title_query(phrases: Sequence[str]) -> str:
    """One ``search_query`` asking for several titles at once."""
    return " OR ".join(f'ti:"{phrase}"' for phrase in phrases)


Progress = Callable[[int, int], None]


def look_up(
    papers: Sequence[Paper],
    *,
    base_url: str | None = None,
    pacer: arxiv_api.Pacer | None = None,
    per_request: int = TITLES_PER_REQUEST,
    progress: Progress | None = None,
) -> tuple[dict[str, list[Paper]], int]:
    """The arXiv entries each paper's title search returned, and the requests made.

    Titles go ``per_request`` to a request. When a request's answer is full
    (its near misses may have crowded out an exact match), the papers of it
    still unmatched are asked for again one by one.
    """
    base = arxiv_api.api_url(base_url)
    pacer = pacer if pacer is not None else arxiv_api.Pacer.shared()
    by_phrase: dict[str, list[Paper]] = {}
    for paper in papers:
        phrase = search_phrase(paper.title)
        if phrase:
            by_phrase.setdefault(phrase, []).append(paper)
    phrases = list(by_phrase)
    batches = [phrases[i : i + per_request] for i in range(0, len(phrases), per_request)]
    found: dict[str, list[Paper]] = {paper.id: [] for paper in papers}
    requests = 0
    retry: list[str] = []
    for number, batch in enumerate(batches, start=1):
        entries = _search(batch, RESULTS_PER_REQUEST, base, pacer)
        requests += 1
        for phrase in batch:
            for paper in by_phrase[phrase]:
                found[paper.id] = entries
                if len(entries) >= RESULTS_PER_REQUEST and match(paper, entries)[0] == NOT_FOUND:
                    retry.append(phrase)
        if progress is not None:
            progress(number, len(batches) + len(retry))
    for phrase in dict.fromkeys(retry):
        entries = _search([phrase], RESULTS_PER_REQUEST, base, pacer)
        requests += 1
        for paper in by_phrase[phrase]:
            found[paper.id] = entries
    return found, requests


def _search(phrases: list[str], max_results: int, base: str, pacer: arxiv_api.Pacer) -> list[Paper]:
    params = [("search_query", title_query(phrases)), ("max_results", str(max_results))]
    document = arxiv_api.query(params, base_url=base, pacer=pacer)
    try:
        return arxiv_atom.parse(document, source=base).papers
    except FormatError as err:
        raise PaperReaderError(f"{base}: {err}") from None


def enrich(
    library: Library,
    papers: Sequence[Paper],
    *,
    dry_run: bool = False,
    base_url: str | None = None,
    pacer: arxiv_api.Pacer | None = None,
    progress: Progress | None = None,
) -> EnrichReport:
    """Look up the papers without an arXiv id and fill what the matches have.

    All lookups run before anything is written, so a network failure leaves
    the store as it was; the changes then land in one write, logged first
    (see :class:`EnrichLog`). With ``dry_run`` nothing is written.

    Raises:
        PaperReaderError: The API could not be reached or refused a request.
    """
    wanted = library.complete_all(p for p in papers if not p.arxiv_id)
    found, requests = look_up(wanted, base_url=base_url, pacer=pacer, progress=progress)
    held = {normalize_arxiv_id(p.arxiv_id): p.id for p in library.papers() if p.arxiv_id}
    lookups: list[Lookup] = []
    accepted: dict[str, Paper] = {}
    for paper in wanted:
        outcome, entries = match(paper, found[paper.id])
        ids = tuple(normalize_arxiv_id(entry.arxiv_id) for entry in entries)
        if outcome == ENRICHED and ids[0] in held:
            lookups.append(Lookup(paper.id, DUPLICATE, ids, duplicate_of=held[ids[0]]))
            continue
        if outcome == ENRICHED:
            held[ids[0]] = paper.id  # a second paper matching it is a duplicate of this one
            accepted[paper.id] = entries[0]
            fields = changed_fields(paper, filled(paper, entries[0]))
            lookups.append(Lookup(paper.id, outcome, ids, fields=fields))
        else:
            lookups.append(Lookup(paper.id, outcome, ids))
    if accepted and not dry_run:
        log = EnrichLog(library.path)
        at = clock.now_iso()
        library.revise_papers(
            accepted,
            lambda paper: filled(paper, accepted[paper.id]) if not paper.arxiv_id else paper,
            before_write=lambda changes: log.record(at, changes),
        )
    return EnrichReport(lookups, requests)
