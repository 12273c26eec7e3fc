"""Pseudo-relevance feedback: the best matches of a query re-order the papers below them.

A query of a few words says little about a topic: papers that write it in other words
(글자 for 텍스트, 방사선 for 엑스레이) or hold one query word less score below papers sharing
a word by chance. The first :data:`FEEDBACK_PAPERS` hits of a relevance-ranked search are
most likely on the topic, so each one's related-papers query (:mod:`searchidx.similar`)
scores the first :data:`FEEDBACK_DEPTH` hits, and a hit's score becomes its own share of
the best score plus :data:`FEEDBACK_WEIGHT` times its mean share of the best related score
over the seeds (a seed counts fully for itself). Only those hits are re-ordered, so filters,
exclusions and the papers matched stay the query's own; the first hit stays first (the paper
a query names best is what a known-item search wants). The parameters were chosen on the
``dev`` and generated query sets of bench/ (see bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tantivy

from searchidx import execution
from searchidx.analysis import Analyzer
from searchidx.similar import stored_related_query
from searchidx.snapshot import Snapshot

__all__ = ["FEEDBACK_PAPERS", "FEEDBACK_WEIGHT", "FEEDBACK_DEPTH", "ranked_page", "rerank"]

#: Hits of the query whose related papers re-order the rest.
FEEDBACK_PAPERS = 3
#: Weight of the related papers' mean score next to the query's own (both as shares of the best).
FEEDBACK_WEIGHT = 0.3
#: Hits that feedback re-orders; papers below keep the query's order.
FEEDBACK_DEPTH = 100

Ranked = list[tuple[Any, tantivy.DocAddress]]


def ranked_page(
    now: Snapshot, fallback: Analyzer, run: Callable[[int, int], execution.Page], limit: int, offset: int
) -> execution.Page:
    """The page ``run(limit, offset)`` gives (a query ranked by relevance, see
    :func:`searchidx.execution.run`) with the query's first :data:`FEEDBACK_DEPTH` hits
    re-ordered by :func:`rerank` (``fallback`` analyses a paper stored without its terms)."""
    if offset >= FEEDBACK_DEPTH:
        return run(limit, offset)
    total, top = run(FEEDBACK_DEPTH, 0)

    def related(address: tantivy.DocAddress) -> Ranked:
        seed_query = stored_related_query(now, fallback, now.searcher.doc(address))[1].query
        return execution.run(now, seed_query, [], FEEDBACK_DEPTH, 0, "relevance", 0.0)[1]

    page = rerank(top, related)[offset : offset + limit]
    if offset + limit > FEEDBACK_DEPTH:
        page += run(offset + limit - FEEDBACK_DEPTH, FEEDBACK_DEPTH)[1]
    return total, page


def rerank(hits: Ranked, related: Callable[[tantivy.DocAddress], Sequence[tuple[Any, tantivy.DocAddress]]]) -> Ranked:
    """``hits`` (score, address), best first, re-ordered by feedback from the first ones.

    ``related(address)`` ranks the papers related to the paper at ``address`` (itself left
    out). The returned scores are in the units of the query's own (the first hit's score
    times the combined share), so they stay comparable to a page without feedback.
    """
    if len(hits) < 2 or not hits[0][0]:
        return hits
    best = float(hits[0][0])
    seeds = hits[:FEEDBACK_PAPERS]
    support: dict[tuple[int, int], float] = {}
    for _, seed in seeds:
        support[_key(seed)] = support.get(_key(seed), 0.0) + 1.0
        found = related(seed)
        if found and found[0][0]:
            top = float(found[0][0])
            for score, address in found:
                support[_key(address)] = support.get(_key(address), 0.0) + float(score) / top
    combined = [
        (best * (float(score) / best + FEEDBACK_WEIGHT * support.get(_key(address), 0.0) / len(seeds)), address)
        for score, address in hits
    ]
    first, rest = combined[0], sorted(combined[1:], key=lambda hit: -hit[0])
    return [(max(first[0], rest[0][0]), first[1]), *rest]


def _key(address: tantivy.DocAddress) -> tuple[int, int]:
    return address.segment_ord, address.doc
