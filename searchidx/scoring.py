"""The vote prior: how popularity scales a paper's text score.

The final relevance score of a hit is::

    score = text_score * prior(votes)
    prior(votes) = 1 + w * ln(1 + max(votes, 0))        (unknown votes count as 0)

``text_score`` is Tantivy's BM25 over the weighted fields (see :mod:`searchidx.query`)
and ``w`` is the vote weight: 0 ranks by text alone; larger values lift popular papers.
A paper with no votes keeps its text score (prior 1), so an exact match is never zeroed.

Tantivy applies the prior inside its top-k collector (``weight_by_field``), multiplying a
match's score by ``log2(2 + value)`` of a fast field. Storing ``2 ** prior - 2`` in that
field makes the multiplier exactly ``prior``, so the top k are exact under the formula over
*all* matches, never a re-rank of a truncated list. Each weight in :data:`VOTE_WEIGHTS` has
its own fast field; other weights are rejected rather than approximated.
"""

from __future__ import annotations

import math

__all__ = ["VOTE_WEIGHTS", "DEFAULT_VOTE_WEIGHT", "vote_prior", "encode_prior", "prior_field"]

#: Vote weights an index supports exactly (one fast field each).
VOTE_WEIGHTS: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)

#: The weight used when a search does not name one (chosen on bench/queries.jsonl).
DEFAULT_VOTE_WEIGHT = 0.1


def vote_prior(votes: int | None, weight: float) -> float:
    """``1 + weight * ln(1 + votes)``; ``None`` and negative votes count as 0."""
    return 1.0 + weight * math.log1p(max(votes or 0, 0))


def encode_prior(prior: float) -> float:
    """The fast-field value that Tantivy's ``log2(2 + value)`` turns back into ``prior``."""
    return 2.0**prior - 2.0


def prior_field(weight: float) -> str:
    """Name of the fast field holding the encoded prior for ``weight``."""
    return "prior_" + f"{weight:g}".replace(".", "_")
