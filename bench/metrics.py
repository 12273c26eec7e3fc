"""Ranking metrics over graded judgments (2 = what the query is about, 1 = partly relevant).

nDCG uses linear gains (the grade itself) and the ideal ranking of all judged papers; MRR,
Success and Recall count any judged paper (grade >= 1) as relevant.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

METRICS = ("nDCG@10", "MRR@10", "S@1", "R@10", "R@100")


def ndcg(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results."""
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """1/rank of the first relevant result within ``k``, else 0."""
    for rank, doc in enumerate(ranked[:k]):
        if judged.get(doc, 0) > 0:
            return 1.0 / (rank + 1)
    return 0.0


def recall(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """Share of the relevant papers found within the first ``k`` results."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def score_query(ranked: Sequence[str], judged: Mapping[str, int]) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one ranked list."""
    return {
        "nDCG@10": ndcg(ranked, judged),
        "MRR@10": reciprocal_rank(ranked, judged),
        "S@1": reciprocal_rank(ranked, judged, k=1),
        "R@10": recall(ranked, judged, 10),
        "R@100": recall(ranked, judged, 100),
    }


def mean(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per-metric mean over queries (0 for an empty list)."""
    return {m: sum(r[m] for r in rows) / len(rows) if rows else 0.0 for m in METRICS}


def bootstrap_interval(differences: Sequence[float], rounds: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean of paired per-query ``differences``.

    An interval that excludes 0 is a margin that resampling the queries does not remove; one
    that includes it is within the noise of this many queries.
    """
    if not differences:
        return 0.0, 0.0
    rng = random.Random(seed)
    n = len(differences)
    means = sorted(sum(rng.choices(differences, k=n)) / n for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]
