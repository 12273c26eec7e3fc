"""The vote prior formula and its fast-field encoding."""

from __future__ import annotations

import math

import pytest

from searchidx.scoring import VOTE_WEIGHTS, encode_prior, prior_field, vote_prior


def test_vote_prior_by_hand() -> None:
    assert vote_prior(0, 0.5) == 1.0
    assert vote_prior(None, 0.5) == 1.0
    assert vote_prior(-4, 0.5) == 1.0
    assert vote_prior(3, 0.5) == pytest.approx(1 + 0.5 * math.log(4))
    assert vote_prior(300, 0.0) == 1.0


@pytest.mark.parametrize("votes", [0, 3, 40, 291])
@pytest.mark.parametrize("weight", VOTE_WEIGHTS)
def test_encoding_round_trips_through_tantivys_log2(votes: int, weight: float) -> None:
    prior = vote_prior(votes, weight)
    assert math.log2(2 + encode_prior(prior)) == pytest.approx(prior)


def test_prior_fields_are_distinct_names() -> None:
    names = {prior_field(w) for w in VOTE_WEIGHTS}
    assert len(names) == len(VOTE_WEIGHTS)
    assert all(name.replace("_", "").isalnum() for name in names)
