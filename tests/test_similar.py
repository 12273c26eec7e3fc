"""Related papers: ``SearchIndex.similar`` and ``searchidx similar``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from searchidx import QueryError
from searchidx.cli import cli
from searchidx.search import SearchIndex

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "search.schema.json"
HALLUCINATION = {"2408.00001", "2408.00002", "2408.00003", "2408.00004"}
PREFERENCE = {"2408.00005", "2408.00006", "2408.00007", "2408.00008"}


def ids(result) -> list[str]:
    return [hit.arxiv_id for hit in result.hits]


@pytest.mark.parametrize("seed", sorted(HALLUCINATION | PREFERENCE))
def test_papers_of_the_same_topic_come_first_and_the_seed_never(glossary_index: SearchIndex, seed: str) -> None:
    topic = HALLUCINATION if seed in HALLUCINATION else PREFERENCE
    ranked = ids(glossary_index.similar(seed))
    assert seed not in ranked
    assert set(ranked[:3]) == topic - {seed}


def test_limit_and_url_forms(glossary_index: SearchIndex) -> None:
    assert (
        ids(glossary_index.similar("https://arxiv.org/abs/2408.00005v2", limit=2))
        == ids(glossary_index.similar("2408.00005"))[:2]
    )


def test_snippets_show_the_shared_terms(glossary_index: SearchIndex) -> None:
    hit = glossary_index.similar("2408.00001").hits[0]
    assert any(s.highlights for s in hit.snippets)


@pytest.mark.parametrize(("arxiv_id", "message"), [("2499.99999", "no paper"), ("not-an-id", "not an arXiv id")])
def test_unknown_or_malformed_ids_are_query_errors(glossary_index: SearchIndex, arxiv_id: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        glossary_index.similar(arxiv_id)


def test_similar_command_prints_the_search_json(glossary_index_dir: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(
        cli, ["similar", "2408.00006", "--index", str(glossary_index_dir), "--json", "-n", "3"], catch_exceptions=False
    )
    document = orjson.loads(out.output)
    Draft202012Validator(orjson.loads(SCHEMA.read_bytes())).validate(document)
    assert document["query"] == "2408.00006"
    assert {hit["arxiv_id"] for hit in document["hits"]} == PREFERENCE - {"2408.00006"}
    plain = runner.invoke(cli, ["similar", "2408.00006", "--index", str(glossary_index_dir)], catch_exceptions=False)
    assert plain.exit_code == 0 and "2408.00005" in plain.output
    missing = runner.invoke(cli, ["similar", "2499.99999", "--index", str(glossary_index_dir)])
    assert missing.exit_code == 2 and missing.output.startswith("Error: no paper")


def test_real_corpus_related_papers_share_the_topic(corpus_index: SearchIndex) -> None:
    # 2405.21060 is Mamba-2 (state space duality): its neighbours are state space model papers.
    titles = [hit.title for hit in corpus_index.similar("2405.21060", snippets=0).hits]
    assert len(titles) == 10
    assert sum("Mamba" in t or "State Space" in t or "SSM" in t for t in titles) >= 3
