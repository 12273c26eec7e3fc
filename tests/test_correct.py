"""Forgiving queries: mistyped words and words typed with the keyboard in the other layout."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from searchidx.cli import cli
from searchidx.correct import CORRECTION_WEIGHT, SPELLING_FILE, allowed_edits, edit_distance
from searchidx.keyboard import from_keystrokes, keystrokes
from searchidx.search import SearchIndex, open_index

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "search.schema.json"
SCHEMA = Draft202012Validator(orjson.loads(SCHEMA_PATH.read_bytes()))


def first(index: SearchIndex, text: str) -> str:
    return index.search(text, limit=1).hits[0].arxiv_id


def test_hangul_is_typed_as_2_set_keys_and_composed_back() -> None:
    assert keystrokes("강화") == "rkdghk" and keystrokes("학습") == "gkrtmq"
    assert keystrokes("ㅣㅣㅡ") == "llm"
    assert keystrokes("없다") == "djqtek" and keystrokes("꽈") == "Rhk"  # a final cluster; a shifted key, a compound vowel
    assert keystrokes("LLM") == "llm" and keystrokes("GPT-4") is None
    assert from_keystrokes("rkdghk gkrtmq") == "강화 학습"
    assert from_keystrokes("dlTdj") == "있어" and from_keystrokes("rkqtdl") == "값이"
    assert from_keystrokes("llm") == "ㅣㅣㅡ"


@settings(deadline=None)
@given(st.lists(st.integers(0xAC00, 0xD7A3).map(chr), min_size=1, max_size=6))
def test_any_syllables_survive_the_keyboard(syllables: list[str]) -> None:
    word = "".join(syllables)
    assert from_keystrokes(keystrokes(word) or "") == word


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_at_the_limit() -> None:
    assert edit_distance("transformer", "transfomer", 2) == 1
    assert edit_distance("attention", "atetntion", 2) == 1
    assert edit_distance("abcdef", "badcfe", 2) == 3  # over the limit


def test_longer_words_allow_more_edits() -> None:
    assert [allowed_edits(w) for w in ("llm", "token", "attention", "압", "압축", "ㅇ축")] == [0, 1, 2, 0, 1, 1]


def test_the_build_counts_the_papers_of_every_word(search_index: SearchIndex) -> None:
    db = sqlite3.connect(search_index.snapshot.generation / SPELLING_FILE)
    papers = dict(db.execute("SELECT keys, papers FROM words WHERE keys IN ('xhzms', 'scaling', 'zhao')"))
    assert papers == {"xhzms": 1, "scaling": 1, "zhao": 3}  # 토큰 is stored as its keys


def test_a_mistyped_word_is_read_as_its_nearest_word(search_index: SearchIndex) -> None:
    result = search_index.search("Tokne Mergnig")
    assert result.hits[0].arxiv_id == "2406.20002"
    assert result.corrected_query == "Token Merging"
    assert [tuple(c) for c in result.corrections] == [("Mergnig", "Merging", "typo"), ("Tokne", "Token", "typo")]


def test_a_korean_typo_is_one_jamo_away(search_index: SearchIndex) -> None:
    typed = from_keystrokes("xhzmf")  # 토큰 with its last key wrong
    result = search_index.search(typed)
    assert result.corrected_query == "토큰"
    assert result.hits[0].arxiv_id == "2406.20002"


def test_keys_typed_in_the_other_layout_are_read_in_it(search_index: SearchIndex) -> None:
    result = search_index.search(keystrokes("토큰") or "")
    assert result.corrected_query == "토큰" and result.corrections[0].kind == "layout"
    assert result.hits[0].arxiv_id == "2406.20002"
    english = search_index.search(from_keystrokes("merging"))
    assert english.corrected_query == "merging"
    assert english.hits[0].arxiv_id == "2406.20002"


def test_words_the_collection_has_are_left_alone(search_index: SearchIndex) -> None:
    for text in ("KV cache 압축", "토큰 병합", "Zhao", '"Tokne"'):
        result = search_index.search(text)
        assert result.corrected_query is None and result.corrections == ()


def test_no_expand_searches_the_words_as_typed(search_index: SearchIndex) -> None:
    result = search_index.search("Tokne Mergnig", expand=False)
    assert result.total == 0 and result.corrected_query is None


def test_cli_says_what_it_searched_and_json_carries_the_corrections(search_index: SearchIndex) -> None:
    runner = CliRunner()
    args = ["query", "xhzms Mergnig", "--index", str(search_index.root)]
    out = runner.invoke(cli, args, catch_exceptions=False).output
    assert out.splitlines()[0] == "showing results for 토큰 Merging (typed as xhzms Mergnig)"
    document = orjson.loads(runner.invoke(cli, [*args, "--json"], catch_exceptions=False).output)
    SCHEMA.validate(document)
    assert document["corrected_query"] == "토큰 Merging"
    assert {"typed": "xhzms", "word": "토큰", "kind": "layout"} in document["corrections"]
    plain = orjson.loads(runner.invoke(cli, [*args, "--json", "--no-expand"], catch_exceptions=False).output)
    assert plain["corrected_query"] is None and plain["corrections"] == [] and plain["total"] == 0


def test_an_index_without_a_spelling_table_searches_as_typed(search_index: SearchIndex, tmp_path: Path, analyzer) -> None:
    copy = tmp_path / "index"
    shutil.copytree(search_index.root, copy)
    (open_index(copy, analyzer=analyzer).snapshot.generation / SPELLING_FILE).unlink()
    index = open_index(copy, analyzer=analyzer)
    assert index.search("Tokne Mergnig").total == 0
    assert first(index, "Token Merging") == "2406.20002"


@pytest.mark.parametrize(
    ("typed", "read"),
    [("rkdghk gkrtmq", "강화 학습"), ("transfomer atention", "transformer attention"), ("ㅣㅣㅡ", "llm"), ("암축", "압축")],
)
def test_real_corpus_queries_are_read_as_meant(corpus_index: SearchIndex, typed: str, read: str) -> None:
    assert corpus_index.search(typed).corrected_query == read


def test_a_rare_name_keeps_its_paper_first_and_its_common_neighbour_follows(corpus_index: SearchIndex) -> None:
    result = corpus_index.search("Aharon", limit=3)
    assert result.corrections == () and result.corrected_query is None
    assert ("aharon", "aaron", CORRECTION_WEIGHT) in result.expansions
    assert "Aharon" in " ".join(result.hits[0].authors)
    assert all("Aharon" not in " ".join(hit.authors) for hit in result.hits[1:])


def test_the_word_being_typed_is_left_to_complete(search_index: SearchIndex) -> None:
    result = search_index.search("Tokne Merg", prefix=True)
    assert result.corrected_query == "Token Merg"
    assert result.hits[0].arxiv_id == "2406.20002"
