"""CSL-JSON export: an array of CSL items for ``pandoc --citeproc`` and other citeproc tools.

Record types from every format (RIS ``JOUR``, BibTeX ``inproceedings``, CSL
itself) map to CSL types; extra fields go out under their CSL variable names.
"""

from __future__ import annotations

from typing import Any

import orjson

from store.formats.csl_names import split_name_list, write_name
from store.model import DatePrecision, Paper

# The item types of CSL 1.0.2.
CSL_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    }
)
# Record types of the other formats (RIS upper case, BibTeX lower case) as CSL types.
_RIS_TYPES = {
    "ABST": "article-journal",
    "ART": "graphic",
    "BILL": "bill",
    "BLOG": "post-weblog",
    "BOOK": "book",
    "CASE": "legal_case",
    "CHAP": "chapter",
    "COMP": "software",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "DATA": "dataset",
    "DBASE": "dataset",
    "DICT": "entry-dictionary",
    "EBOOK": "book",
    "ECHAP": "chapter",
    "EDBOOK": "book",
    "EJOUR": "article-journal",
    "ELEC": "webpage",
    "ENCYC": "entry-encyclopedia",
    "FIGURE": "figure",
    "GEN": "article",
    "GOVDOC": "report",
    "HEAR": "hearing",
    "ICOMM": "webpage",
    "INPR": "article-journal",
    "JFULL": "article-journal",
    "JOUR": "article-journal",
    "MANSCPT": "manuscript",
    "MAP": "map",
    "MGZN": "article-magazine",
    "MPCT": "motion_picture",
    "MUSIC": "musical_score",
    "NEWS": "article-newspaper",
    "PAMP": "pamphlet",
    "PAT": "patent",
    "PCOMM": "personal_communication",
    "RPRT": "report",
    "SLIDE": "speech",
    "SOUND": "song",
    "STAND": "standard",
    "STAT": "legislation",
    "THES": "thesis",
    "UNPB": "manuscript",
    "VIDEO": "motion_picture",
    "WEB": "webpage",
}
_BIBTEX_TYPES = {
    "booklet": "pamphlet",
    "conference": "paper-conference",
    "electronic": "webpage",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "manual": "report",
    "mastersthesis": "thesis",
    "misc": "article",
    "mvbook": "book",
    "online": "webpage",
    "phdthesis": "thesis",
    "proceedings": "book",
    "techreport": "report",
    "unpublished": "manuscript",
    "www": "webpage",
}
# Kinds under which a paper with an arXiv id and no venue is a preprint.
# (lower-cased: RIS GEN, UNPB, ELEC and MANSCPT are here too).
_PREPRINT_KINDS = frozenset(
    {"", "article", "misc", "unpublished", "online", "preprint", "gen", "unpb", "elec", "manscpt"}
)

# Extra fields (CSL variable names in lower case, shared with the RIS importer)
# as CSL variables, and the BibTeX names that mean the same.
_EXTRA_VARIABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("volume", ("volume",)),
    ("issue", ("issue",)),
    ("page", ("page", "pages")),
    ("number", ("number",)),
    ("edition", ("edition",)),
    ("publisher", ("publisher",)),
    ("publisher-place", ("publisher-place", "address", "location")),
    ("collection-title", ("collection-title", "series")),
    ("ISSN", ("issn",)),
    ("ISBN", ("isbn",)),
    ("language", ("language",)),
    ("keyword", ("keywords",)),
    ("archive_location", ("archive_location",)),
    ("note", ("note",)),
)
_NAME_VARIABLES = ("editor", "translator")


def dump(papers: list[Paper]) -> str:
    """The papers as a CSL-JSON array, for pandoc and other citeproc tools.

    Args:
        papers: The papers to write, in order; each one's id becomes its
            item ``id`` (the key a document cites it by).

    Returns:
        The JSON text, indented, ending in a newline.
    """
    items = [_item(paper) for paper in papers]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _item(paper: Paper) -> dict[str, Any]:
    """One paper as a CSL item."""
    csl_type = _csl_type(paper)
    item: dict[str, Any] = {"id": paper.id, "type": csl_type, "title": paper.title}
    if paper.authors:
        item["author"] = [write_name(name) for name in paper.authors]
    if date_parts := _date_parts(paper):
        item["issued"] = {"date-parts": [date_parts]}
    if paper.venue:
        item["container-title"] = paper.venue
    for variable, keys in _EXTRA_VARIABLES:
        value = next((paper.extra[key] for key in keys if paper.extra.get(key)), "")
        if value:
            item[variable] = value.replace("--", "-") if variable == "page" else value
    for variable in _NAME_VARIABLES:
        if names := split_name_list(paper.extra.get(variable, "")):
            item[variable] = [write_name(name) for name in names]
    if paper.arxiv_id and csl_type == "article":
        item.setdefault("publisher", "arXiv")
        item.setdefault("number", f"arXiv:{paper.arxiv_id}")
    if paper.doi:
        item["DOI"] = paper.doi
    if paper.url:
        item["URL"] = paper.url
    if paper.abstract:
        item["abstract"] = paper.abstract
    return item


def _csl_type(paper: Paper) -> str:
    """The CSL type for a paper's kind, whichever format that kind came from.

    ``article`` is both a CSL type (a generic or preprint article) and the
    BibTeX type of a journal article: with a venue it is the journal article.
    A paper without a known kind is a preprint when it has an arXiv id and no
    venue, a journal article when it has a venue, else a generic article.
    """
    kind = paper.kind.lower()  # BibTeX types are case-insensitive: @Article
    if paper.arxiv_id and not paper.venue and kind in _PREPRINT_KINDS:
        return "article"
    if kind == "article":
        return "article-journal" if paper.venue else "article"
    if paper.kind in _RIS_TYPES:
        return _RIS_TYPES[paper.kind]
    if kind in CSL_TYPES:  # CSL itself, and BibTeX @book, @report, @thesis, ...
        return kind
    if kind in _BIBTEX_TYPES:
        return _BIBTEX_TYPES[kind]
    return "article-journal" if paper.venue else "article"


def _date_parts(paper: Paper) -> list[int]:
    """``[y]``, ``[y, m]`` or ``[y, m, d]`` as the date's precision allows."""
    pieces = paper.date.split("-")
    if not all(piece.isascii() and piece.isdigit() for piece in pieces) or not paper.date:
        return []
    numbers = [int(piece) for piece in pieces[:3]]
    if not 1 <= numbers[0] <= 9999:
        return []
    if paper.date_precision is DatePrecision.YEAR:
        return numbers[:1]
    if paper.date_precision is DatePrecision.MONTH:
        return numbers[:2]
    return numbers
