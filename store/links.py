"""The links and citation text a reader copies: one definition for the TUI and the CLI."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, urlsplit

from store.model import Paper

# Whitespace, controls, quotes and shell metacharacters never occur in a link
# worth opening; refusing them means a link handed to a browser launcher or a
# clipboard is exactly one URL and nothing else.
_NOT_IN_LINKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\"'`<>\\^{}|$;]")
_WHITESPACE = re.compile(r"\s")


def is_web_url(url: str, *, openable: bool = True) -> bool:
    """True only for an http(s) URL with a host: never ``file:``, ``javascript:`` or shell text.

    The one test of a link, at import and in the reader. By default the URL
    must also be safe to hand over as it is (what the reader copies and
    opens): no whitespace, controls, quotes or shell metacharacters. Importers
    pass ``openable=False``: a source's link that merely needs quoting is kept
    (no whitespace still), and the reader passes over it when it copies a link.
    """
    if not isinstance(url, str) or not url:
        return False
    if (_NOT_IN_LINKS if openable else _WHITESPACE).search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def paper_link(paper: Paper) -> str:
    """The best link to a paper: arXiv, then DOI, then its URL, else an arXiv title search.

    Identifiers come from imported files, so they are percent-quoted into the
    link and the result is checked like any URL: a hostile ``doi`` or
    ``arxiv_id`` can only ever produce a harmless link, or be passed over.
    """
    candidates = []
    if paper.arxiv_id:
        candidates.append(f"https://arxiv.org/abs/{quote(paper.arxiv_id.strip(), safe='/.:')}")
    if paper.doi:
        candidates.append(f"https://doi.org/{quote(paper.doi.strip(), safe='/.():')}")
    candidates.append(paper.url.strip())
    for link in candidates:
        if is_web_url(link):
            return link
    return arxiv_title_search(paper.title)


def arxiv_title_search(title: str) -> str:
    """An arXiv search for the exact title, for papers that came without a link."""
    return (
        f"https://arxiv.org/search/?query={quote_plus(chr(34) + title + chr(34))}&searchtype=title"
    )


def code_link(paper: Paper) -> str:
    """The paper's code repository link, or ``""`` when it has none."""
    code_url = paper.code_url.strip()
    return code_url if is_web_url(code_url) else ""


def bibtex_entry(paper: Paper) -> str:
    """A BibTeX entry for the paper, keyed by its id (what ``y`` copies)."""
    from store.formats.bibtex import entry_text

    return entry_text(paper)
