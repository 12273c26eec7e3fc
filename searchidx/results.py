"""What a search returns: ranked hits over whole paper records, a page of them with notes,
expansions, corrections and facet counts, and their JSON shapes (``schema/search.schema.json``)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from searchidx.correct import Change
from searchidx.highlight import Snippet
from searchidx.records import Paper

__all__ = ["Hit", "SearchResult", "HIT_PAPER_FIELDS"]

#: The paper fields a hit shows (the rest of the record stays in ``Hit.paper``).
HIT_PAPER_FIELDS = ("arxiv_id", "url", "title", "authors", "votes", "dates")


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked paper: the whole :class:`Paper`, its score and snippets.

    ``score`` is the relevance score (``None`` when sorted by votes or date). The paper's
    display fields are also reachable directly (``hit.title``, ``hit.votes``, ...).
    """

    paper: Paper
    score: float | None
    snippets: tuple[Snippet, ...] = ()

    @property
    def arxiv_id(self) -> str:
        """The paper's arXiv id."""
        return self.paper.arxiv_id

    @property
    def url(self) -> str:
        """The paper's arXiv link."""
        return self.paper.url

    @property
    def title(self) -> str:
        """The paper's English title."""
        return self.paper.title

    @property
    def authors(self) -> tuple[str, ...]:
        """The paper's authors, in order."""
        return self.paper.authors

    @property
    def votes(self) -> int | None:
        """The paper's votes (``None`` when its digest gave none)."""
        return self.paper.votes

    @property
    def dates(self) -> tuple[_dt.date, ...]:
        """The days the paper was listed, oldest first."""
        return self.paper.dates

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one hit in ``schema/search.schema.json``."""
        record = self.paper.to_dict()
        return {
            **{name: record[name] for name in HIT_PAPER_FIELDS},
            "score": self.score,
            "snippets": [s.to_dict() for s in self.snippets],
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits; ``total`` counts every matching paper, not just this page.

    ``notes`` say how the query was read when that differs from what was typed.
    ``expansions`` are the translations (glossary and mined, see
    :mod:`searchidx.translations`), loanword spellings, other spellings (see
    :mod:`searchidx.spacing`) and likely spellings of rare words the query was widened
    with, as (word, added term, weight), in index terms. ``corrections`` are the query words
    that matched nothing and were read as other words of the collection, mistyped or typed
    in the other keyboard layout (see :mod:`searchidx.correct`); ``corrected_query`` is the
    query searched in their place (``None`` when there are none).

    ``facets`` holds the counts asked for with ``search(facets=...)``: for ``month``
    (``YYYY-MM``, papers listed that month) pairs, for ``votes`` (N, papers with at least
    N votes) pairs. A paper listed in two months counts in both.
    """

    query: str
    total: int
    hits: tuple[Hit, ...]
    notes: tuple[str, ...] = field(default=())
    expansions: tuple[tuple[str, str, float], ...] = ()
    facets: Mapping[str, tuple[tuple[str | int, int], ...]] = field(default_factory=dict)
    corrected_query: str | None = None
    corrections: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document printed by ``searchidx query --json``."""
        document: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "notes": list(self.notes),
            "expansions": [{"word": w, "term": t, "weight": x} for w, t, x in self.expansions],
            "corrected_query": self.corrected_query,
            "corrections": [c._asdict() for c in self.corrections],  # {"typed", "word", "kind"}
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facets:
            document["facets"] = {
                name: [{"value": value, "count": count} for value, count in counts] for name, counts in self.facets.items()
            }
        return document
