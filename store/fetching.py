"""``fetch``: bring in what is new for a followed arXiv query.

The API is asked for the query's newest submissions
(``sortBy=submittedDate&sortOrder=descending``) page by page, and the pages
stop at the first paper this follow has already seen (an arXiv id already in
its collection), at ``max_papers``, or when the API has nothing more (or
answers a page with nothing the fetch does not hold already). So the
first fetch takes the newest ``max_papers`` and every later one only what
arrived since. The server may return fewer entries than a page asks for;
the next page starts after the entries actually received.

Every page is fetched before anything is imported, and the import is one
transaction: a fetch lands whole or not at all. Papers go into the
collection named after the follow and are merged with papers already in the
store by arXiv id (:meth:`Library.import_result`); the ones the store did
not hold get the "new" flag (``is:new``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from store import arxiv_api, clock
from store.errors import FormatError, PaperReaderError
from store.follows import Follow, Follows
from store.formats import arxiv_atom
from store.identity import normalize_arxiv_id
from store.library import Library
from store.merging import ImportSummary
from store.model import Collection, ImportResult, ImportWarning, Paper

DEFAULT_MAX = 200
PAGE_SIZE = 100

Progress = Callable[[int, int], None]
"""Called after each page with (papers received so far, papers wanted at most)."""


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What one follow's fetch did: its import summary and the papers it flagged new."""

    follow: str
    summary: ImportSummary
    new_ids: list[str] = field(default_factory=list)
    requests: int = 0
    warnings: list[ImportWarning] = field(default_factory=list)


def query_source(follow: Follow, base_url: str) -> str:
    """The collection's source: the endpoint and the query, as a user could re-run it."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}search_query={follow.query}"


def fetch_follow(
    library: Library,
    follow: Follow,
    *,
    max_papers: int = DEFAULT_MAX,
    page_size: int = PAGE_SIZE,
    base_url: str | None = None,
    pacer: arxiv_api.Pacer | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch what is new for ``follow`` and import it into its collection.

    Args:
        library: The store to import into.
        follow: The followed query.
        max_papers: At most this many papers per fetch (the first fetch takes this many).
        page_size: Papers asked for per request.
        base_url: The API endpoint (see :func:`arxiv_api.api_url`).
        pacer: Spaces the requests (default: :meth:`arxiv_api.Pacer.shared`).
        progress: Told after each page how far the fetch has got.

    Returns:
        The import summary (all zeros when nothing was new) and the new papers' ids.

    Raises:
        PaperReaderError: The API could not be reached or refused the query;
            nothing was imported then.
    """
    if max_papers < 1 or page_size < 1:
        raise ValueError("max_papers and page_size must be at least 1")
    base = arxiv_api.api_url(base_url)
    pacer = pacer if pacer is not None else arxiv_api.Pacer.shared()
    seen = {
        normalize_arxiv_id(paper.arxiv_id)
        for paper in library.papers()
        if follow.name in paper.collections and paper.arxiv_id
    }
    fetched, warnings, requests = _newest_unseen(
        follow, seen, max_papers, page_size, base, pacer, progress
    )
    if not fetched:
        empty = ImportSummary(0, 0, 0, 0, 0, tuple(warnings), collection=follow.name)
        return FetchReport(follow.name, empty, [], requests, warnings)

    ranks = {
        normalize_arxiv_id(paper.arxiv_id): paper.collections[follow.name]
        for paper in library.papers()
        if paper.arxiv_id and follow.name in paper.collections
    }
    next_rank = max(ranks.values(), default=0) + 1
    papers: list[Paper] = []
    for paper in fetched:
        rank = ranks.get(normalize_arxiv_id(paper.arxiv_id))
        if rank is None:
            rank, next_rank = next_rank, next_rank + 1
        papers.append(replace(paper, collections={follow.name: rank}))
    source = query_source(follow, base)
    result = ImportResult(
        papers=papers,
        collection=Collection(name=follow.name, source=source),
        warnings=warnings,
        source_keys=[normalize_arxiv_id(paper.arxiv_id) for paper in papers],
    )
    held_before = {paper.id for paper in library.papers()}
    summary = library.import_result(result, source=source, collection=follow.name)
    arrived = {normalize_arxiv_id(paper.arxiv_id) for paper in fetched}
    new_ids = [
        paper.id
        for paper in library.papers()
        if paper.id not in held_before
        and follow.name in paper.collections
        and normalize_arxiv_id(paper.arxiv_id) in arrived
    ]
    library.mark_new(new_ids)
    return FetchReport(follow.name, summary, new_ids, requests, warnings)


def fetch_all(
    library: Library,
    follows: Follows,
    names: list[str] | None = None,
    *,
    max_papers: int = DEFAULT_MAX,
    base_url: str | None = None,
    pacer: arxiv_api.Pacer | None = None,
    progress: Callable[[Follow], Progress | None] | None = None,
    on_report: Callable[[FetchReport], None] | None = None,
) -> list[FetchReport]:
    """Fetch several follows (all by default), in the order they were added.

    Each follow lands on its own, and its fetch time is recorded once it has;
    the first failure stops the rest (a network that is down is down for all)
    and is raised after ``on_report`` has seen the ones that landed.
    ``progress`` gives the progress callback of each follow.
    """
    chosen = [follows.get(name) for name in names] if names else follows.all()
    pacer = pacer if pacer is not None else arxiv_api.Pacer.shared()
    reports: list[FetchReport] = []
    for follow in chosen:
        report = fetch_follow(
            library,
            follow,
            max_papers=max_papers,
            base_url=base_url,
            pacer=pacer,
            progress=progress(follow) if progress is not None else None,
        )
        follows.record_fetch(follow.name, at=clock.now_iso(), added=len(report.new_ids))
        reports.append(report)
        if on_report is not None:
            on_report(report)
    return reports


def _newest_unseen(
    follow: Follow,
    seen: set[str],
    max_papers: int,
    page_size: int,
    base: str,
    pacer: arxiv_api.Pacer,
    progress: Progress | None,
) -> tuple[list[Paper], list[ImportWarning], int]:
    """The query's newest papers down to the first one already seen, and the requests made."""
    fetched: dict[str, Paper] = {}
    warnings: list[ImportWarning] = []
    start = requests = 0
    while len(fetched) < max_papers:
        params = [
            ("search_query", follow.query),
            ("sortBy", "submittedDate"),
            ("sortOrder", "descending"),
            ("start", str(start)),
            ("max_results", str(min(page_size, max_papers - len(fetched)))),
        ]
        document = arxiv_api.query(params, base_url=base, pacer=pacer)
        requests += 1
        try:
            page = arxiv_atom.parse(document, source=base)
        except FormatError as err:
            raise PaperReaderError(f"{base}: {err}") from None
        entries = len(page.papers) + len(page.warnings)
        warnings += page.warnings
        reached_seen = False
        before = len(fetched)
        for paper in page.papers:
            key = normalize_arxiv_id(paper.arxiv_id)
            if key in seen:
                reached_seen = True
                break
            # New submissions arriving while we page shift older ones onto the
            # next page: a paper seen twice is kept once.
            fetched.setdefault(key, paper)
            if len(fetched) >= max_papers:
                break
        if progress is not None:
            progress(len(fetched), max_papers)
        start += entries
        total = page.collection.metrics.get("total_results") if page.collection else None
        # A page with nothing new (a server that ignores ``start``) would repeat forever.
        stalled = len(fetched) == before
        if reached_seen or stalled or (total is not None and start >= int(total)):
            break
    return list(fetched.values()), warnings, requests
