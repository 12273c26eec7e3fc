"""Translations and loanword spellings mined from the collection, and their use in queries."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import orjson
import pytest

from searchidx import IndexCorruptError
from searchidx.index import current_generation
from searchidx.search import SearchIndex, open_index
from searchidx.translations import (
    SPELLING,
    TRANSLATIONS_FILE,
    WEIGHTS,
    LogLikelihood,
    TranslationCounts,
    Translations,
    glossary_pairs,
    load_counts,
    save_counts,
)
from searchidx.transliterate import LetterModel, held_out_check
from searchidx.writer import build


def counts_of(papers: list[tuple[list[str], list[str]]], fillers: int = 400) -> TranslationCounts:
    """Counts of papers given as (English words, Korean terms), among unrelated fillers."""
    records = {f"p{i}": [sorted(english), sorted(korean), {}] for i, (english, korean) in enumerate(papers)}
    records |= {f"f{i}": [[f"filler{i}"], [f"채움{i}"], {}] for i in range(fillers)}
    return TranslationCounts(records)


def test_llr_is_zero_for_independent_words_and_large_for_words_seen_together() -> None:
    llr = LogLikelihood(1000)
    assert llr(10, 100, 100) == pytest.approx(0.0, abs=1e-9)
    assert llr(10, 10, 10) > 100
    # the textbook form, sum over cells of k log(k / expected k)
    k = (10, 90, 30, 870)
    expected = (100 * 40 / 1000, 100 * 960 / 1000, 900 * 40 / 1000, 900 * 960 / 1000)
    assert llr(10, 100, 40) == pytest.approx(2 * sum(a * math.log(a / b) for a, b in zip(k, expected)))


def test_a_topic_word_does_not_take_every_term_of_its_papers() -> None:
    # "expert" is in every title, 라우팅 only where "rout" is: competitive linking pairs
    # expert with 전문가 first, and 라우팅 with rout.
    papers = [(["expert", "rout"], ["전문가", "라우팅"])] * 6 + [(["expert"], ["전문가"])] * 10
    pairs = counts_of(papers).translations()
    assert ("expert", "전문가") in pairs and ("rout", "라우팅") in pairs
    assert ("expert", "라우팅") not in pairs


def test_words_seen_together_once_are_not_translations() -> None:
    assert counts_of([(["graviti"], ["중력"])]).translations() == []


def test_counts_survive_their_stored_form(tmp_path: Path) -> None:
    counts = counts_of([(["expert"], ["전문가"])] * 3, fillers=2)
    save_counts(tmp_path, counts)
    assert load_counts(tmp_path).to_dict() == counts.to_dict()


def test_expansions_merge_with_the_glossary_keeping_the_higher_weight() -> None:
    translations = Translations({"프루닝": [["prune", SPELLING]]})
    merged = translations.expansions({"프루닝": [("prune", 0.05), ("가지치기", 0.05)]})
    assert dict(merged["프루닝"]) == {"prune": WEIGHTS[SPELLING], "가지치기": 0.05}
    assert "프루닝" in merged and "없는말" not in merged


def test_real_corpus_loanwords_and_translations(corpus_index: SearchIndex) -> None:
    table = corpus_index.snapshot.translations
    assert ("prune", SPELLING) in table.lookup("프루닝")
    assert ("프루닝", SPELLING) in table.lookup("prune")
    assert "protein" in dict(table.lookup("단백질"))
    assert "지연" in dict(table.lookup("latenc"))


def test_real_corpus_spelling_precision_on_held_out_glosses(corpus_index: SearchIndex) -> None:
    counts = load_counts(corpus_index.snapshot.generation)
    assert counts is not None
    _, words = counts.vocabulary()
    pairs = glossary_pairs(corpus_index.snapshot.glossary)
    check = held_out_check(pairs, LetterModel(words), words, words, select=counts.spellings)
    assert check.predicted >= 15 and check.precision >= 0.75


def test_a_korean_loanword_finds_papers_that_write_it_in_english(corpus_index: SearchIndex) -> None:
    result = corpus_index.search("프루닝", limit=20, snippets=0)
    assert ("프루닝", "prune", WEIGHTS[SPELLING]) in result.expansions
    plain = corpus_index.search("프루닝", limit=20, snippets=0, expand=False)
    assert plain.expansions == () and result.total > plain.total


def test_an_index_without_translations_searches_without_them(search_index_copy: Path, analyzer) -> None:
    (current_generation(search_index_copy) / TRANSLATIONS_FILE).unlink()
    index = open_index(search_index_copy, analyzer=analyzer)
    assert len(index.snapshot.translations) == 0 and index.search("cache").total > 0


def test_damaged_translations_are_reported_as_a_damaged_index(search_index_copy: Path, analyzer) -> None:
    (current_generation(search_index_copy) / TRANSLATIONS_FILE).write_bytes(orjson.dumps({"version": 9}))
    with pytest.raises(IndexCorruptError, match="translation table"):
        open_index(search_index_copy, analyzer=analyzer).search("cache")


def test_an_index_without_translation_counts_is_rebuilt_in_full(tmp_path: Path, fixtures_dir: Path, analyzer) -> None:
    digests = tmp_path / "digests"
    shutil.copytree(fixtures_dir / "search", digests)
    build([digests], tmp_path / "idx", analyzer=analyzer)
    (current_generation(tmp_path / "idx") / "translation-counts.json").unlink()
    assert build([digests], tmp_path / "idx", analyzer=analyzer).mode == "full"
