"""The links and citation text a reader copies: one definition for the TUI and the CLI."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, urlsplit

from store.model import Paper

_BIBTEX_SPECIALS = re.compile(r"([&%#_$])")
# Whitespace, controls, quotes and shell metacharacters never occur in a link
# worth opening; refusing them means a link handed to a browser launcher or a
# clipboard is exactly one URL and nothing else.
_NOT_IN_LINKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\"'`<>\\^{}|$;]")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def is_web_url(url: str) -> bool:
    """True only for a plain http(s) URL: never ``file:``, ``javascript:`` or shell text."""
    if not isinstance(url, str) or not url or _NOT_IN_LINKS.search(url):
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


def _bibtex_value(text: str) -> str:
    text = text.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")
    return _BIBTEX_SPECIALS.sub(r"\\\1", text).replace("\\textbackslash\\{\\}", "\\textbackslash{}")


def bibtex_entry(paper: Paper) -> str:
    """A BibTeX entry for the paper, keyed by its id, written by bibtexparser."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    fields = [Field("title", _bibtex_value(paper.title))]
    if paper.authors:
        names = " and ".join(_bibtex_value(name) for name in paper.authors)
        fields.append(Field("author", names + (" and others" if paper.authors_truncated else "")))
    if paper.year:
        fields.append(Field("year", str(paper.year)))
    if paper.date_precision in ("day", "month") and len(paper.date) >= 7:
        fields.append(Field("month", _MONTHS[int(paper.date[5:7]) - 1]))
    if paper.venue:
        fields.append(Field("journal", _bibtex_value(paper.venue)))
    if paper.arxiv_id:
        fields += [Field("eprint", paper.arxiv_id), Field("archiveprefix", "arXiv")]
        if paper.category:
            fields.append(Field("primaryclass", paper.category))
    if paper.doi:
        fields.append(Field("doi", paper.doi))
    link = paper_link(paper)
    if not link.startswith("https://arxiv.org/search/"):
        fields.append(Field("url", link))
    entry_type = "article" if paper.venue else "misc"
    library = bibtexparser.Library([Entry(entry_type, paper.id, fields)])
    return bibtexparser.write_string(library).strip() + "\n"
