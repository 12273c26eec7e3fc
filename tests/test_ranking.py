"""How plain words are scored: coverage of the query, expansions that stay in their place,
and sorting that lists matches only (tests/fixtures/coverage and the real corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchidx.search import SearchIndex


def ids(result) -> list[str]:
    return [hit.arxiv_id for hit in result.hits]


@pytest.fixture(scope="module")
def coverage_index(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path, analyzer) -> SearchIndex:
    from searchidx.search import open_index
    from searchidx.writer import build

    path = tmp_path_factory.mktemp("coverage-index")
    build([fixtures_dir / "coverage"], path, analyzer=analyzer)
    return open_index(path, analyzer=analyzer)


def test_a_summary_holding_every_word_beats_a_title_holding_some(coverage_index: SearchIndex) -> None:
    # 2409.10001 has "sparse attention" in its title and 300 votes; 2409.10002 has all five
    # words, glossed in its summary.
    result = coverage_index.search("sparse attention token pruning memory")
    assert ids(result)[0] == "2409.10002"


def test_more_coverage_never_loses_to_fewer_words(coverage_index: SearchIndex) -> None:
    result = coverage_index.search("token pruning memory", vote_weight=0.0)
    assert ids(result)[:2] == ["2409.10002", "2409.10003"]


def test_english_words_as_typed_beat_the_same_stems_in_a_title(coverage_index: SearchIndex) -> None:
    # 2409.10004 has "Rotary Position Embedding" in its title, three times in its summary and
    # 250 votes; 2409.10005 glosses "rotary positional embeddings" once, as the query types them.
    assert ids(coverage_index.search("rotary embeddings positional"))[0] == "2409.10005"
    assert ids(coverage_index.search("rotary position embedding"))[0] == "2409.10004"


def test_a_hyphenated_word_is_looked_for_as_typed_as_one_phrase(coverage_index: SearchIndex) -> None:
    # Only 2409.10005 writes "positional embeddings"; "positional-embeddings" asks for the two together.
    assert ids(coverage_index.search("rotary positional-embeddings"))[0] == "2409.10005"


def test_english_words_near_each_other_beat_the_same_words_apart(coverage_index: SearchIndex) -> None:
    # 2409.10007 glosses "state space models, SSMs" once; 2409.10006 holds the four words apart,
    # one of them in its title, and has 60 votes.
    assert ids(coverage_index.search("ssms models space state"))[0] == "2409.10007"


def test_sorting_by_votes_lists_papers_with_every_word(coverage_index: SearchIndex) -> None:
    # 2409.10001 (300 votes) has "sparse attention" but no video.
    assert ids(coverage_index.search("희소 어텐션 비디오", sort="votes")) == ["2409.10002"]
    by_votes = coverage_index.search("pruning", sort="votes")
    assert ids(by_votes) == ["2409.10003", "2409.10002"]


def test_sorting_with_no_paper_holding_every_word_says_so(coverage_index: SearchIndex) -> None:
    result = coverage_index.search("비디오 가중치", sort="date")
    assert result.total > 0 and result.notes


@pytest.mark.corpus
def test_common_words_are_not_expanded(corpus_index: SearchIndex) -> None:
    for word in ("방법", "모델", "결과", "사용"):
        assert corpus_index.search(word, limit=1).expansions == ()


@pytest.mark.corpus
def test_imprecise_glosses_are_not_used_and_precise_ones_are(corpus_index: SearchIndex) -> None:
    assert all(term != "train" for _, term, _ in corpus_index.search("가속", limit=1).expansions)
    assert ("환각", "hallucin") in {(w, t) for w, t, _ in corpus_index.search("환각", limit=1).expansions}


@pytest.mark.corpus
def test_sorting_by_votes_leaves_out_papers_with_only_a_common_word(corpus_index: SearchIndex) -> None:
    result = corpus_index.search("환각 줄이는 방법", sort="votes", limit=20)
    assert result.hits
    for hit in result.hits:
        text = " ".join(s.text for s in hit.paper.sections) + hit.title.lower()
        assert "환각" in text or "hallucinat" in text
