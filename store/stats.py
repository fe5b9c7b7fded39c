"""Counts for the ``stats`` command and the reader's statistics screen."""

from __future__ import annotations

from collections import Counter
from typing import Any

from store.facets import bare_category
from store.library import Library
from store.model import ReadingStatus


def library_stats(library: Library) -> dict[str, Any]:
    """Counts the ``stats`` command and the statistics screen show."""
    papers = library.papers()
    states = [library.state(p.id) for p in papers]
    status = Counter(str(s.status) for s in states)
    return {
        "total": len(papers),
        "status": {s.value: status.get(s.value, 0) for s in ReadingStatus},
        "starred": sum(s.starred for s in states),
        "with_notes": sum(bool(s.note.strip()) for s in states),
        "with_code": sum(p.has_code for p in papers),
        # cs.LG and LG are one category, as in the reader's filters and `cat:`
        "categories": dict(Counter(bare_category(p.category) for p in papers).most_common()),
        "years": dict(sorted(Counter(str(p.year or "?") for p in papers).items())),
        "collections": {
            c.name: sum(c.name in p.collections for p in papers) for c in library.collections()
        },
        "tags": dict(Counter(t for s in states for t in s.tags).most_common()),
    }
