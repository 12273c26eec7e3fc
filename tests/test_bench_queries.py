"""The generated known-item queries of bench/make_queries.py (real corpus; skipped without it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from searchidx.parse import parse_paths

pytestmark = pytest.mark.corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from make_queries import generated_queries, summary_words  # noqa: E402


def test_generation_is_seeded_and_draws_from_summaries_not_titles(corpus_dir: Path) -> None:
    papers = list(parse_paths([corpus_dir]).papers)[::4]  # plenty for 70 queries; the size is not what is tested
    per_style = {"gen_ko": 30, "gen_en": 20, "gen_mixed": 20}
    first = generated_queries(papers, seed=7, per_style=per_style)
    assert first == generated_queries(papers, seed=7, per_style=per_style)
    assert first != generated_queries(papers, seed=8, per_style=per_style)
    assert [sum(q["kind"] == k for q in first) for k in per_style] == list(per_style.values())
    by_id = {p.arxiv_id: p for p in papers}
    targets = [next(iter(q["judgments"])) for q in first]
    assert len(set(targets)) == len(targets)  # each paper at most once
    for query, target in zip(first, targets):
        words = query["query"].split()
        assert 1 <= len(words) <= 9
        if query["kind"] == "gen_ko":
            stems = {w.stem for w in summary_words(by_id[target])}
            title = {w.lower() for w in by_id[target].title.split()}
            assert not any(w.lower() in title and w.lower() not in stems for w in words)
