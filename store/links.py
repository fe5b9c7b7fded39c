"""The links and citation text a reader copies: one definition for the TUI and the CLI."""

from __future__ import annotations

import re
from urllib.parse import quote_plus, urlsplit

from store.model import Paper

_BIBTEX_SPECIALS = re.compile(r"([&%#_$])")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def is_web_url(url: str) -> bool:
    """True only for http(s) URLs: never ``file:``, ``javascript:`` or shell text."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url.strip()


def paper_link(paper: Paper) -> str:
    """The best link to a paper: arXiv, then DOI, then its URL, else an arXiv title search."""
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    if paper.doi:
        return f"https://doi.org/{paper.doi}"
    if paper.url and is_web_url(paper.url):
        return paper.url
    return arxiv_title_search(paper.title)


def arxiv_title_search(title: str) -> str:
    """An arXiv search for the exact title, for papers that came without a link."""
    return (
        f"https://arxiv.org/search/?query={quote_plus(chr(34) + title + chr(34))}&searchtype=title"
    )


def code_link(paper: Paper) -> str:
    """The paper's code repository link, or ``""`` when it has none."""
    return paper.code_url if is_web_url(paper.code_url) else ""


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
