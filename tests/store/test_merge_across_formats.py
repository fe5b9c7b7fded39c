"""The same paper from a profile dump and from BibTeX or arXiv is one paper."""

from __future__ import annotations

from store.formats import parse_text
from store.library import Library
from store.model import ReadingStatus

LEAN_BIB = r"""
@misc{zhang2026leanmarathon,
  title         = {{LeanMarathon}: Toward Reliable {AI} Co-Mathematicians through
                   Long-Horizon Lean Autoformalization},
  author        = {Zhang, Yuanhe and Sun, Yuekai and Suzuki, Taiji and Lee, Jason D.},
  year          = {2026},
  month         = jun,
  eprint        = {2606.01234},
  archiveprefix = {arXiv},
  primaryclass  = {cs.AI},
  doi           = {10.48550/arXiv.2606.01234},
}
"""


def test_profile_and_bibtex_merge_into_one_paper(sample_library: Library) -> None:
    lean = "Zhang2026LeanMarathon"
    sample_library.set_status([lean], ReadingStatus.READ)
    sample_library.change_tags([lean], add=["lean"])

    summary = sample_library.import_result(parse_text(LEAN_BIB, source="/tmp/thesis.bib"))

    assert (summary.added, summary.updated) == (0, 1)
    assert len(sample_library) == 50
    paper = sample_library.get(lean)  # the id stays the one the user knows
    assert paper.arxiv_id == "2606.01234"
    assert paper.doi.lower() == "10.48550/arxiv.2606.01234"
    # the complete author list replaces the page's truncated one
    assert paper.authors[-1] == "Jason D. Lee" and not paper.authors_truncated
    assert paper.collections == {"Jason D. Lee": 1, "thesis": 1}
    state = sample_library.state(lean)
    assert state.status is ReadingStatus.READ and state.tags == ("lean",)
    # kept from the page
    assert sample_library.abstract(lean).startswith("Long-horizon autoformalization")


def test_arxiv_feed_then_bibtex_merge_by_arxiv_id(db_path) -> None:
    from tests.conftest import REALDATA

    library = Library(db_path)
    feed = (REALDATA / "arxiv" / "arxiv-api-2026-id-astro-ph-0601001-affiliations.xml").read_text()
    library.import_result(parse_text(feed, source="feed.xml"))
    bib = (
        "@article{udalski2006, title={Something else entirely},"
        " eprint={astro-ph/0601001}, archiveprefix={arXiv}}"
    )
    summary = library.import_result(parse_text(bib, source="mine.bib"))
    assert summary.added == 0 and len(library) == 1
    paper = library.papers()[0]
    assert set(paper.collections) == {"feed", "mine"}
    assert paper.title != "Something else entirely"  # another source fills gaps only
