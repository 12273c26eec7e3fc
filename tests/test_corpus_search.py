"""Search quality checks on the real corpus (skipped when ../shared/corpus is absent)."""

from __future__ import annotations

from searchidx.search import SearchIndex


def ids(result) -> list[str]:
    return [hit.arxiv_id for hit in result.hits]


def test_kv_cache_compression_paper_in_top_3(corpus_index: SearchIndex) -> None:
    assert "2406.11430" in ids(corpus_index.search("KV cache 압축", limit=3))


def test_inflected_query_finds_text_with_another_ending(corpus_index: SearchIndex) -> None:
    # Papers saying only "압축을" (never "압축하는") are found by "압축하는".
    found = set(ids(corpus_index.search("압축하는", limit=1000)))
    only_eul = set(ids(corpus_index.search('"압축을"', limit=1000)))
    assert found and only_eul <= found


def test_author_query_returns_exactly_that_authors_papers(corpus_index: SearchIndex) -> None:
    result = corpus_index.search('author:"Yu Zhao"', limit=1000)
    assert result.total == len(result.hits) > 1
    assert all("Yu Zhao" in hit.authors for hit in result.hits)


def test_exact_title_returns_its_paper_first(corpus_index: SearchIndex) -> None:
    title = "A Simple and Effective $L_2$ Norm-Based Strategy for KV Cache Compression"
    assert ids(corpus_index.search(title, limit=1)) == ["2406.11430"]


def test_high_vote_weight_lifts_the_most_voted_match(corpus_index: SearchIndex) -> None:
    plain = corpus_index.search("hallucination", vote_weight=0.0, limit=1000)
    most_voted = max(plain.hits, key=lambda h: h.votes or 0)
    boosted = corpus_index.search("hallucination", vote_weight=1.0, limit=1000)
    assert ids(boosted).index(most_voted.arxiv_id) < ids(plain).index(most_voted.arxiv_id)


def test_filters_on_the_real_corpus(corpus_index: SearchIndex) -> None:
    result = corpus_index.search("GPT-4o", since="2025-01", min_votes=20, limit=50)
    assert result.total > 0
    for hit in result.hits:
        assert hit.votes is not None and hit.votes >= 20
        assert max(hit.dates).isoformat() >= "2025-01-01"


def test_full_width_letters_find_what_ascii_finds(corpus_index: SearchIndex) -> None:
    assert corpus_index.search("ＫＶ", limit=1000).total == corpus_index.search("KV", limit=1000).total > 50
