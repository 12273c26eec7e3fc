"""The vote prior formula, and Tantivy applying it through its fast-field encoding."""

from __future__ import annotations

import math

import pytest

from searchidx.scoring import VOTE_WEIGHTS, prior_field, vote_prior
from searchidx.search import SearchIndex


def test_vote_prior_by_hand() -> None:
    assert vote_prior(0, 0.5) == 1.0
    assert vote_prior(None, 0.5) == 1.0
    assert vote_prior(-4, 0.5) == 1.0
    assert vote_prior(3, 0.5) == pytest.approx(1 + 0.5 * math.log(4))
    assert vote_prior(300, 0.0) == 1.0


@pytest.mark.parametrize("weight", VOTE_WEIGHTS)
def test_tantivy_multiplies_the_text_score_by_exactly_the_prior(search_index: SearchIndex, weight: float) -> None:
    # Feedback re-orders after Tantivy has ranked; the prior is Tantivy's part.
    plain = {hit.arxiv_id: hit.score for hit in search_index.search("모델", vote_weight=0.0, limit=20, feedback=False).hits}
    weighted = search_index.search("모델", vote_weight=weight, limit=20, feedback=False).hits
    assert {hit.arxiv_id for hit in weighted} == set(plain) and len(plain) > 3
    assert {hit.votes for hit in weighted} >= {0, 12, 260}  # none, a few and many
    for hit in weighted:
        assert hit.score == pytest.approx(plain[hit.arxiv_id] * vote_prior(hit.votes, weight), rel=1e-4)


def test_prior_fields_are_distinct_names() -> None:
    names = {prior_field(w) for w in VOTE_WEIGHTS}
    assert len(names) == len(VOTE_WEIGHTS)
    assert all(name.replace("_", "").isalnum() for name in names)
