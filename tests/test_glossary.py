"""The glossary: mining Korean <-> English glosses, expanding queries with them, the command."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from searchidx import IndexCorruptError
from searchidx.cli import cli
from searchidx.glossary import EXPANSION_WEIGHT, GLOSSARY_FILE, mine_glossary
from searchidx.index import current_generation
from searchidx.records import Paper, Section
from searchidx.search import SearchIndex, open_index
from searchidx.writer import build

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "search.schema.json"


def ids(result) -> list[str]:
    return [hit.arxiv_id for hit in result.hits]


def targets(glossary_index: SearchIndex, key: str) -> set[str]:
    return {entry.target for entry in glossary_index.snapshot.glossary.lookup(key)}


def paper(arxiv_id: str, *texts: str) -> Paper:
    return Paper(arxiv_id, f"https://arxiv.org/abs/{arxiv_id}", "A Title", sections=tuple(Section("summary", t) for t in texts))


def test_glosses_are_mined_in_both_directions_as_index_terms(glossary_index: SearchIndex) -> None:
    assert targets(glossary_index, "환각") == {"hallucin"}
    assert targets(glossary_index, "hallucin") == {"환각"}
    # "선호 최적화(preference optimization)" and "Preference Optimization(선호 최적화)" count together.
    [entry] = glossary_index.snapshot.glossary.lookup("prefer optim")
    assert (entry.target, entry.count, entry.form) == ("선호 최적화", 2, "선호 최적화")


def test_a_long_form_and_its_abbreviation_both_gloss_the_term(glossary_index: SearchIndex) -> None:
    assert targets(glossary_index, "대형 언어 모델") == {"larg languag model", "llm"}


def test_example_lists_and_words_before_particles_are_not_mined(glossary_index: SearchIndex) -> None:
    keys = glossary_index.snapshot.glossary.keys()
    assert not any("gpt" in key or "연구" in key for key in keys)  # "(예: GPT-4, Claude)", "본 연구에서는 환각(...)"


def test_competing_longer_terms_take_over_their_common_tail(analyzer) -> None:
    papers = [
        paper("2401.00001", "대형 언어 모델(LLM)을 쓴다.", "최근 대형 언어 모델(LLM)이 많다."),
        paper("2401.00002", "대규모 언어 모델(LLM)을 쓴다.", "그 대규모 언어 모델(LLM)은 크다."),
    ]
    glossary = mine_glossary(papers, analyzer)
    assert {e.target for e in glossary.lookup("llm")} == {"대형 언어 모델", "대규모 언어 모델"}
    assert glossary.lookup("언어 모델") == []


def test_pairs_seen_fewer_than_min_count_times_are_dropped(analyzer) -> None:
    papers = [paper("2401.00001", "양자화(quantization)를 적용한다.")]
    assert [e.target for e in mine_glossary(papers, analyzer).lookup("양자화")] == ["quantiz"]
    assert len(mine_glossary(papers, analyzer, min_count=2)) == 0


def test_english_query_finds_papers_that_only_say_it_in_korean(glossary_index: SearchIndex) -> None:
    expanded = glossary_index.search("hallucination", vote_weight=0.0)
    plain = glossary_index.search("hallucination", vote_weight=0.0, expand=False)
    assert "2408.00004" in ids(expanded)  # says only 환각
    assert "2408.00004" not in ids(plain)
    assert expanded.expansions == (("hallucin", "환각", EXPANSION_WEIGHT),)
    assert plain.expansions == ()


def test_korean_multi_word_query_finds_the_english_phrase(glossary_index: SearchIndex) -> None:
    expanded = glossary_index.search("선호 최적화")
    assert "2408.00007" in ids(expanded)  # says only "preference optimization"
    assert "2408.00007" not in ids(glossary_index.search("선호 최적화", expand=False, match="all"))
    assert expanded.expansions == (("선호 최적화", "prefer optim", EXPANSION_WEIGHT),)


def test_translations_weigh_less_than_direct_matches(glossary_index: SearchIndex) -> None:
    scores = {hit.arxiv_id: hit.score for hit in glossary_index.search("hallucination", vote_weight=0.0).hits}
    # 2408.00003 writes "hallucination" once; 2408.00004 writes "환각" twice.
    assert scores["2408.00004"] < scores["2408.00003"]


def test_translated_words_are_highlighted(glossary_index: SearchIndex) -> None:
    hit = next(h for h in glossary_index.search("hallucination").hits if h.arxiv_id == "2408.00004")
    marked = {s.text[a:b] for s in hit.snippets for a, b in s.highlights}
    assert "환각" in marked


def test_query_json_lists_expansions_and_no_expand_turns_them_off(glossary_index_dir: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["query", "hallucination", "--index", str(glossary_index_dir), "--json"], catch_exceptions=False)
    document = orjson.loads(out.output)
    Draft202012Validator(orjson.loads(SCHEMA.read_bytes())).validate(document)
    assert document["expansions"] == [{"word": "hallucin", "term": "환각", "weight": EXPANSION_WEIGHT}]
    args = ["query", "hallucination", "--index", str(glossary_index_dir), "--json", "--no-expand"]
    plain = orjson.loads(runner.invoke(cli, args, catch_exceptions=False).output)
    assert plain["expansions"] == []
    assert "2408.00004" not in [hit["arxiv_id"] for hit in plain["hits"]]


def test_glossary_command_shows_both_directions_with_counts(glossary_index_dir: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["glossary", "hallucination", "--index", str(glossary_index_dir)], catch_exceptions=False)
    assert out.exit_code == 0
    assert out.output == "hallucin:\n  환각  [환각]  3x\n"
    out = runner.invoke(cli, ["glossary", "선호 최적화", "--index", str(glossary_index_dir), "--json"], catch_exceptions=False)
    assert orjson.loads(out.output) == {
        "term": "선호 최적화",
        "matches": [
            {"words": "선호 최적화", "translations": [{"term": "prefer optim", "form": "Preference Optimization", "count": 2}]}
        ],
    }


def test_glossary_command_exits_1_for_an_unknown_term(glossary_index_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["glossary", "양자 컴퓨터", "--index", str(glossary_index_dir)], catch_exceptions=False)
    assert out.exit_code == 1
    assert "no glossary entry" in out.output


def test_an_index_without_a_glossary_searches_without_expansions(tmp_path: Path, fixtures_dir: Path, analyzer) -> None:
    build([fixtures_dir / "glossary"], tmp_path, analyzer=analyzer)
    (current_generation(tmp_path) / GLOSSARY_FILE).unlink()
    result = open_index(tmp_path, analyzer=analyzer).search("hallucination")
    assert result.expansions == ()
    assert "2408.00004" not in ids(result)


def test_a_damaged_glossary_is_reported_as_a_damaged_index(tmp_path: Path, fixtures_dir: Path, analyzer) -> None:
    build([fixtures_dir / "glossary"], tmp_path, analyzer=analyzer)
    (current_generation(tmp_path) / GLOSSARY_FILE).write_bytes(b'{"pairs": [{"ko": 1}]}')
    with pytest.raises(IndexCorruptError, match="glossary"):
        open_index(tmp_path, analyzer=analyzer)


def test_real_corpus_glossary_has_the_issue_examples(corpus_index: SearchIndex) -> None:
    assert "hallucin" in targets(corpus_index, "환각")
    assert "prefer optim" in targets(corpus_index, "선호 최적화")
    assert {"llm", "larg languag model"} <= targets(corpus_index, "대형 언어 모델")
    expanded = corpus_index.search("hallucination", limit=1000, snippets=0)
    plain = corpus_index.search("hallucination", limit=1000, snippets=0, expand=False)
    assert expanded.total > plain.total


def test_an_expanded_run_still_scores_the_words_a_paper_has(tmp_path: Path, analyzer) -> None:
    digest = tmp_path / "digests" / "2024-05-01.md"
    digest.parent.mkdir()
    digest.write_text(
        "## Daily Papers (2024-05-01)\n\n"
        "### [Cache Compression](https://arxiv.org/abs/2405.10001)\n\nVote: 1\n\nAuthors: Hana Kim\n\n"
        "- KV 캐시(KV cache)를 압축합니다.\n\n"
        "### [Shared Key-Value Memory](https://arxiv.org/abs/2405.10002)\n\nVote: 1\n\nAuthors: Yu Zhao\n\n"
        "- 여러 모델이 키-값 캐시를 공유합니다.\n\n"
        "### [Unrelated Robots](https://arxiv.org/abs/2405.10003)\n\nVote: 1\n\nAuthors: Minji Choi\n\n"
        "- 로봇이 물건을 집습니다.\n",
        encoding="utf-8",
    )
    build([digest.parent], tmp_path / "idx", analyzer=analyzer)
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    result = index.search("KV 캐시")
    assert ("kv 캐시", "kv cach", EXPANSION_WEIGHT) in result.expansions
    assert ids(result) == ["2405.10001", "2405.10002"]  # the second writes 캐시 without KV
    assert ids(index.search("KV 캐시", match="all")) == ["2405.10001"]
