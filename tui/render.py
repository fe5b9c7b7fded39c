"""Paper → rich Text for the abstract pane and the triage screen (pure functions).

Every piece of paper text enters as a plain ``Text`` span: never parsed as
markup, with control characters stripped again here as defence in depth.
"""

from __future__ import annotations

from rich.text import Text

from store.latex import latex_to_unicode
from store.links import arxiv_title_search, code_link, paper_link
from store.model import Paper, UserState, category_name
from store.names import author_line
from store.rendered import title_text
from store.text import clean_line, clean_text


def paper_details(paper: Paper, state: UserState, *, abstract: str | None = None) -> Text:
    """The abstract pane: title, authors, affiliations, date, category, links, abstract.

    ``abstract`` is the already rendered abstract when the caller caches it.
    """
    text = Text()
    text.append(title_text(paper.title), style="bold")
    text.append("\n")
    text.append(clean_line(author_line(paper) or "unknown authors"), style="italic")
    text.append("\n")
    if paper.affiliations:
        text.append(clean_line(", ".join(paper.affiliations)), style="dim")
        text.append("\n")
    meta = [paper.display_date or "undated"]
    if paper.category:
        meta.append(f"{paper.category} · {category_name(paper.category)}")
    if paper.venue:
        meta.append(paper.venue)
    text.append(clean_line("  ·  ".join(meta)), style="dim")
    text.append("\n")
    status = state.status.label + ("  ★ starred" if state.starred else "")
    if state.tags:
        status += "  #" + " #".join(state.tags)
    text.append(clean_line(status), style="bold")
    text.append("\n\n")
    link = paper_link(paper)
    text.append("Link  ", style="dim")
    if link == arxiv_title_search(paper.title):
        text.append("none in the source; c copies an arXiv search for the title", style="dim")
    else:
        text.append(clean_line(link))
    text.append("\n")
    code = code_link(paper)
    if code:
        text.append("Code  ", style="dim")
        text.append(clean_line(code))
        text.append("\n")
    text.append("\n")
    body = abstract if abstract is not None else render_abstract(paper)
    text.append(body or "(no abstract)", style="" if body else "dim italic")
    return text


def render_abstract(paper: Paper) -> str:
    """The abstract with its LaTeX turned into readable Unicode."""
    return clean_text(latex_to_unicode(paper.abstract)) if paper.abstract else ""
