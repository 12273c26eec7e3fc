"""Running a planned query on one opened generation: filters, order, paging, facets, hits.

The last steps of the query path. :mod:`searchidx.search` plans a query (correction,
analysis, expansion, :mod:`searchidx.query`) and hands the Tantivy query here; these
functions add the date and vote filters, let Tantivy rank every match under the vote
prior or sort by a fast field, count facets over all matches, and read stored records and
make snippets for the returned page only. They read the :class:`~searchidx.snapshot.Snapshot`
and never plan or expand a query.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import tantivy

from searchidx.analysis import TermAnalyzer
from searchidx.arxiv import parse_arxiv_id
from searchidx.errors import PaperNotFoundError, QueryError
from searchidx.fields import ANALYSIS_FIELD, day_number, stored_paper, texts_to_analyze
from searchidx.highlight import Snippet, make_snippets
from searchidx.options import VOTE_STEPS, day_range
from searchidx.query import QueryPlan
from searchidx.results import Hit
from searchidx.scoring import prior_field
from searchidx.snapshot import Snapshot
from searchidx.termstore import StoredAnalysis

__all__ = ["Page", "filters", "run", "facet_counts", "find", "make_hit"]

#: How many papers matched, and the requested page of them as (score, address).
Page = tuple[int, list[tuple[Any, tantivy.DocAddress]]]


def filters(
    schema: tantivy.Schema, since: str | _dt.date | None, until: str | _dt.date | None, min_votes: int | None
) -> list[tantivy.Query]:
    """The Tantivy queries every hit must also match: its dates and its votes."""
    found = []
    if since is not None or until is not None:
        first, last = day_range(since, until)
        lower, upper = (None if day is None else day_number(day) for day in (first, last))
        found.append(tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, lower, upper))
    if min_votes is not None:
        found.append(tantivy.Query.range_query(schema, "votes", tantivy.FieldType.Integer, min_votes, None))
    return found


def _filtered(query: tantivy.Query, required: Sequence[tantivy.Query]) -> tantivy.Query:
    if not required:
        return query
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (query, *required)])


def run(
    now: Snapshot,
    query: tantivy.Query,
    required: Sequence[tantivy.Query],
    limit: int,
    offset: int,
    sort: str,
    weight: float,
) -> Page:
    """Every paper ``query`` and ``required`` match, counted, and one page of them: ranked
    by score under the vote prior of ``weight``, or ordered by votes or date."""
    options: dict[str, Any] = {"count": True, "offset": offset}
    if sort == "votes":
        options["order_by_field"] = "by_votes"
    elif sort == "date":
        options["order_by_field"] = "by_date"
    elif weight > 0:
        options["weight_by_field"] = prior_field(weight)
    result = now.searcher.search(_filtered(query, required), limit, **options)
    # tantivy.pyi omits SearchResult.count, which search(count=True) fills in.
    return int(result.count or 0), list(result.hits)  # type: ignore[attr-defined]


def facet_counts(
    now: Snapshot, query: tantivy.Query, required: Sequence[tantivy.Query], names: Sequence[str]
) -> dict[str, tuple[tuple[str | int, int], ...]]:
    """Counts over every paper ``query`` and ``required`` match (see :attr:`SearchResult.facets`)."""
    steps = [{"from": step, "to": above} for step, above in zip(VOTE_STEPS, (*VOTE_STEPS[1:], None))]
    spec = {
        "month": {"histogram": {"field": "day", "interval": 100, "min_doc_count": 1}},
        "votes": {"range": {"field": "votes", "ranges": [{k: v for k, v in r.items() if v is not None} for r in steps]}},
    }
    found = now.searcher.aggregate(_filtered(query, required), {name: spec[name] for name in names})
    counts: dict[str, tuple[tuple[str | int, int], ...]] = {}
    if "month" in names:
        months = ((int(b["key"]) // 100, int(b["doc_count"])) for b in found["month"]["buckets"])
        counts["month"] = tuple((f"{m // 100:04d}-{m % 100:02d}", n) for m, n in months if n)
    if "votes" in names:
        # Tantivy adds buckets for the gaps (below the first step); each has its "from".
        per_range = [(b.get("from", float("-inf")), int(b["doc_count"])) for b in found["votes"]["buckets"]]
        counts["votes"] = tuple((step, sum(n for low, n in per_range if low >= step)) for step in VOTE_STEPS)
    return counts


def find(now: Snapshot, text: str) -> tantivy.Document:
    """The document of the paper ``text`` names, in any form a query takes (``2406.11430v2``,
    an arXiv or Hugging Face URL); :class:`QueryError` if it names none,
    :class:`PaperNotFoundError` if the index does not hold it."""
    arxiv_id = parse_arxiv_id(text)
    if arxiv_id is None:
        raise QueryError(f"not an arXiv id: {text[:100]!r} (expected like 2406.11430)")
    found = now.searcher.search(tantivy.Query.term_query(now.schema, "arxiv_id", arxiv_id), 1).hits
    if not found:
        raise PaperNotFoundError(arxiv_id)
    return now.searcher.doc(found[0][1])


def make_hit(
    now: Snapshot,
    fallback: TermAnalyzer,
    score: Any,
    address: tantivy.DocAddress,
    plan: QueryPlan,
    sort: str,
    snippets: int,
) -> Hit:
    """The hit at ``address``: its stored paper, its score when ranked by relevance, and up
    to ``snippets`` snippets highlighting ``plan``'s terms.

    Snippets come from the terms stored at build time, so hits need no Kiwi; ``fallback``
    analyses a paper stored without them.
    """
    doc = now.searcher.doc(address)
    paper = stored_paper(doc)
    found: tuple[Snippet, ...] = ()
    if snippets:
        stored = doc[ANALYSIS_FIELD]
        analyzer = StoredAnalysis(texts_to_analyze(paper), stored[0], fallback) if stored else fallback
        found = tuple(make_snippets(paper, plan.terms, analyzer, limit=snippets))  # type: ignore[arg-type]
    return Hit(paper=paper, score=float(score) if sort == "relevance" else None, snippets=found)
