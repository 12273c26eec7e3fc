"""Pseudo-relevance feedback: the best hits re-order the ones below them."""

from __future__ import annotations

import tantivy

from searchidx.feedback import FEEDBACK_WEIGHT, rerank
from searchidx.search import SearchIndex


def at(doc: int) -> tantivy.DocAddress:
    return tantivy.DocAddress(0, doc)


def order(hits) -> list[int]:
    return [address.doc for _, address in hits]


def test_a_paper_related_to_the_best_hits_rises_and_the_first_stays() -> None:
    hits = [(10.0, at(1)), (9.0, at(2)), (8.0, at(3)), (7.9, at(4)), (7.8, at(5))]
    # Papers 1-3 (the seeds) are all related to 5, not to 4.
    related = {1: [(4.0, at(5)), (1.0, at(2))], 2: [(3.0, at(5))], 3: [(2.0, at(5)), (1.0, at(1))]}
    ranked = rerank(hits, lambda address: related[address.doc])
    assert order(ranked)[0] == 1
    assert order(ranked).index(5) < order(ranked).index(4)
    assert sorted(order(ranked)) == [1, 2, 3, 4, 5]
    assert [score for score, _ in ranked] == sorted((score for score, _ in ranked), reverse=True)
    assert ranked[-1] == (7.9, at(4))  # no support: its own score


def test_without_related_papers_the_order_stays_and_seeds_count_for_themselves() -> None:
    hits = [(10.0, at(1)), (5.0, at(2)), (4.0, at(3)), (3.0, at(4))]
    ranked = rerank(hits, lambda address: [])
    assert order(ranked) == [1, 2, 3, 4]
    assert ranked[1][0] == 10.0 * (0.5 + FEEDBACK_WEIGHT / 3)


def test_feedback_keeps_the_matches_first_hit_and_pages(search_index: SearchIndex) -> None:
    plain = search_index.search("모델 압축", feedback=False, limit=50)
    fed = search_index.search("모델 압축", limit=50)
    assert fed.total == plain.total
    assert fed.hits[0].arxiv_id == plain.hits[0].arxiv_id
    assert {h.arxiv_id for h in fed.hits} == {h.arxiv_id for h in plain.hits}
    pages = [h.arxiv_id for offset in range(0, 6, 2) for h in search_index.search("모델 압축", limit=2, offset=offset).hits]
    assert pages == [h.arxiv_id for h in fed.hits[:6]]
