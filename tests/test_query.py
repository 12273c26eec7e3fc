"""Query text -> clauses, analysed words and a plan (no index needed)."""

from __future__ import annotations

import pytest

from searchidx.arxiv import parse_arxiv_id
from searchidx.fields import build_schema
from searchidx.query import AnalysedQuery, Clause, analyse_query, build_query, parse_query_text


def test_plain_words_phrases_exclusions_and_fields() -> None:
    assert parse_query_text('KV cache "긴 문맥" -survey title:memory author:"Yu Zhao"') == [
        Clause("KV"),
        Clause("cache"),
        Clause("긴 문맥", phrase=True),
        Clause("survey", exclude=True),
        Clause("memory", field="title"),
        Clause("Yu Zhao", phrase=True, field="authors"),
    ]


def test_unbalanced_quote_runs_to_the_end() -> None:
    assert parse_query_text('KV "cache 압축') == [Clause("KV"), Clause("cache 압축", phrase=True)]


def test_unknown_prefix_and_empty_values_are_words_or_nothing() -> None:
    assert parse_query_text("모델: title: -") == [Clause("모델:")]
    assert parse_query_text("http://x.org") == [Clause("http://x.org")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2406.11430", "2406.11430"),
        (" 2406.11430v3 ", "2406.11430"),
        ("arXiv:2406.11430", "2406.11430"),
        ("http://arxiv.org/abs/2406.11430v2", "2406.11430"),
        ("https://arxiv.org/pdf/2406.11430.pdf", "2406.11430"),
        ("https://huggingface.co/papers/2406.11430", "2406.11430"),
        ("2406.11430 cache", None),
        ("KV cache", None),
    ],
)
def test_arxiv_ids_and_urls(text: str, expected: str | None) -> None:
    assert parse_arxiv_id(text) == expected


def test_expansion_keys_are_each_alternative_and_each_run_of_words() -> None:
    analysed = AnalysedQuery("a b c", words=(("a",), ("b", "b2"), ("c",)), shares=(1.0, 1.0, 1.0))
    assert analysed.expansion_keys() == ["a", "b", "b2", "c", "a b", "a b c", "b c"]


def test_the_plan_reads_expansions_and_idf_as_data(analyzer) -> None:
    analysed = analyse_query(analyzer, "KV cache -survey")
    assert len(analysed.words) == 2 and [clause.text for clause, _ in analysed.operators] == ["survey"]
    run = " ".join(alternatives[0] for alternatives in analysed.words)
    idf = {term: 1.0 for alternatives in analysed.words for term in alternatives}
    plan = build_query(build_schema(), analysed, expansions={run: [("키값 캐시", 0.5)]}, idf=idf)
    assert plan.expansions == ((run, "키값 캐시", 0.5),)
    assert {"키값", "캐시"} <= plan.terms
