"""Paper → rich Text for the abstract pane and the triage screen (pure functions).

Every piece of paper text enters as a plain ``Text`` span: never parsed as
markup, with control characters stripped again here as defence in depth.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

from store.latex import latex_to_unicode
from store.links import arxiv_title_search, code_link, paper_link
from store.model import Paper, UserState, category_name
from store.names import author_line
from store.rendered import title_text
from store.text import clean_line, clean_text

DIM = Style(dim=True)
MATCH = Style(bold=True, underline=True)
_TERM = re.compile(r'-?"[^"]*"?|\S+')


def highlight_terms(query: str) -> tuple[str, ...]:
    """The words and phrases of a query that text is searched for (to highlight).

    Field terms (``author:lee``) and negated ones (``-survey``) are left out.
    """
    terms = []
    for match in _TERM.finditer(query):
        term = match.group()
        if term.startswith("-") or (":" in term and not term.startswith('"')):
            continue
        term = term.strip('"').strip()
        if term:
            terms.append(term)
    return tuple(terms)


def emphasise(text: Text, terms: tuple[str, ...], style: Style) -> Text:
    """``text`` with every occurrence of the terms (any case) in ``style``."""
    if terms:
        text.highlight_words(terms, style, case_sensitive=False)
    return text


def paper_details(
    paper: Paper,
    state: UserState,
    *,
    abstract: str | None = None,
    muted: Style = DIM,
    terms: tuple[str, ...] = (),
    match: Style = MATCH,
) -> Text:
    """The abstract pane: title, authors, affiliations, date, category, links, abstract.

    ``abstract`` is the already rendered abstract when the caller caches it;
    ``muted`` the style of secondary lines (the theme's readable muted colour);
    ``terms`` are searched for, shown in ``match`` in the title and the abstract.
    """
    text = Text()
    text.append(emphasise(Text(title_text(paper.title), style="bold"), terms, match))
    text.append("\n")
    text.append(clean_line(author_line(paper) or "unknown authors"), style="italic")
    text.append("\n")
    if paper.affiliations:
        text.append(clean_line(", ".join(paper.affiliations)), style=muted)
        text.append("\n")
    status = state.status.label + ("  ★ starred" if state.starred else "")
    if state.tags:
        status += "  #" + " #".join(state.tags)
    text.append(clean_line(status), style="bold")
    meta = [paper.display_date or "undated"]
    if paper.category:
        meta.append(f"{paper.category} · {category_name(paper.category)}")
    if paper.venue:
        meta.append(paper.venue)
    text.append("  ·  " + clean_line("  ·  ".join(meta)), style=muted)
    # The abstract before the links: on a short pane its start is what counts.
    text.append("\n\n")
    body = abstract if abstract is not None else render_abstract(paper)
    if body:
        text.append(emphasise(Text(body), terms, match))
    else:
        text.append("(no abstract)", style=muted + Style(italic=True))
    text.append("\n\n")
    link = paper_link(paper)
    text.append("Link  ", style=muted)
    if link == arxiv_title_search(paper.title):
        text.append("none in the source; c copies an arXiv search for the title", style=muted)
    else:
        text.append(clean_line(link))
    code = code_link(paper)
    if code:
        text.append("\nCode  ", style=muted)
        text.append(clean_line(code))
    return text


def render_abstract(paper: Paper) -> str:
    """The abstract with its LaTeX turned into readable Unicode."""
    return clean_text(latex_to_unicode(paper.abstract)) if paper.abstract else ""
