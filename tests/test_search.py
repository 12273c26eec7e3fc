"""Ranked search over a small hand-written collection (tests/fixtures/search)."""

from __future__ import annotations

import datetime as dt

import pytest

from searchidx import PaperNotFoundError, QueryError
from searchidx.search import SearchIndex


def ids(result) -> list[str]:
    return [hit.arxiv_id for hit in result.hits]


def test_kv_cache_query_ranks_the_kv_cache_paper_first(search_index: SearchIndex) -> None:
    result = search_index.search("KV cache 압축")
    assert ids(result)[0] == "2406.11430"


def test_inflected_query_finds_other_inflections(search_index: SearchIndex) -> None:
    # 2406.20003 only says "압축하는"; 2406.11430 only says "압축을".
    assert {"2406.11430", "2406.20003"} <= set(ids(search_index.search("압축하여")))
    assert "2406.11430" in ids(search_index.search("압축하는"))


def test_author_query_returns_exactly_that_authors_papers(search_index: SearchIndex) -> None:
    result = search_index.search('author:"Yu Zhao"')
    assert sorted(ids(result)) == ["2406.11430", "2406.20003"]  # not Wei Zhao + Yu Li
    assert result.total == 2


def test_exact_title_comes_first(search_index: SearchIndex) -> None:
    result = search_index.search("Evaluating GPT-4o and Llama-3-8B on Korean Reasoning")
    assert ids(result)[0] == "2406.20004"


def test_model_names_are_found_as_typed(search_index: SearchIndex) -> None:
    assert ids(search_index.search("gpt-4o")) == ["2406.20004"]
    assert ids(search_index.search("Llama-3-8B")) == ["2406.20004"]


def test_vote_weight_zero_ranks_by_text_and_high_weight_lifts_popular(search_index: SearchIndex) -> None:
    by_text = search_index.search("추론", vote_weight=0.0)
    by_votes = search_index.search("추론", vote_weight=1.0)
    assert ids(by_text) == ["2406.20004", "2406.20001"]  # 0 votes, but "추론" twice and in the title
    assert ids(by_votes) == ["2406.20001", "2406.20004"]  # 260 votes
    assert by_text.hits[1].score < by_votes.hits[0].score


def test_phrase_requires_words_together(search_index: SearchIndex) -> None:
    assert ids(search_index.search('"토큰 병합"')) == ["2406.20002"]
    assert search_index.search('"병합 토큰"').total == 0


def test_exclusion_removes_papers(search_index: SearchIndex) -> None:
    with_scaling = set(ids(search_index.search("KV 캐시")))
    without = set(ids(search_index.search("KV 캐시 -스케일링")))
    assert "2406.20001" in with_scaling and "2406.20001" not in without
    assert "2406.11430" in without


def test_title_prefix_searches_titles_only(search_index: SearchIndex) -> None:
    assert ids(search_index.search("title:memory")) == ["2406.20003"]


def test_date_and_vote_filters(search_index: SearchIndex) -> None:
    july = search_index.search("모델", since="2024-07")
    assert set(ids(july)) == {"2406.20001", "2407.00001"}  # 2406.20001 was listed again in July
    june17 = search_index.search("모델", since="2024-06-17", until=dt.date(2024, 6, 17))
    assert "2407.00001" not in ids(june17)
    popular = search_index.search("모델", min_votes=30)
    assert all(h.votes is not None and h.votes >= 30 for h in popular.hits)


def test_sort_by_votes_and_date(search_index: SearchIndex) -> None:
    by_votes = search_index.search("모델", sort="votes")
    votes = [h.votes if h.votes is not None else -1 for h in by_votes.hits]
    assert votes == sorted(votes, reverse=True)
    assert all(h.score is None for h in by_votes.hits)
    by_date = search_index.search("모델", sort="date")
    latest = [h.dates[-1] for h in by_date.hits]
    assert latest == sorted(latest, reverse=True)


def test_paging_with_offset(search_index: SearchIndex) -> None:
    everything = ids(search_index.search("모델", limit=20))
    assert ids(search_index.search("모델", limit=2, offset=1)) == everything[1:3]


@pytest.mark.parametrize(
    "text",
    ["2406.11430", "arXiv:2406.11430v2", "https://arxiv.org/abs/2406.11430", "https://huggingface.co/papers/2406.11430"],
)
def test_arxiv_id_or_url_finds_the_paper(search_index: SearchIndex, text: str) -> None:
    assert ids(search_index.search(text)) == ["2406.11430"]


def test_paper_seen_twice_is_one_hit_with_both_dates(search_index: SearchIndex) -> None:
    paper = search_index.get("2406.20001")
    assert paper is not None
    assert paper.dates == (dt.date(2024, 6, 17), dt.date(2024, 7, 1)) and paper.votes == 260


def test_snippets_highlight_matched_korean_words(search_index: SearchIndex) -> None:
    hit = search_index.search("압축하는 캐시").hits[0]
    marked = {snippet.text[s:e] for snippet in hit.snippets for s, e in snippet.highlights}
    assert any(word.startswith("압축") for word in marked)
    assert any("캐시" in word for word in marked)


@pytest.mark.parametrize(
    "options",
    [{"limit": 0}, {"offset": -1}, {"sort": "random"}, {"vote_weight": 0.42}, {"since": "yesterday"}, {"min_votes": -3},
     {"since": "2024-07-02", "until": "2024-07-01"}],
)
def test_bad_options_raise_query_error(search_index: SearchIndex, options: dict) -> None:
    with pytest.raises(QueryError):
        search_index.search("모델", **options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"field_weights": {"titel": 1.0}}, "unknown field 'titel' in field_weights; fields: title, authors, body"),
        ({"field_weights": {"day": 1.0}}, "unknown field 'day' in field_weights"),
        ({"field_weights": {"title": float("nan")}}, r"field_weights\['title'\] must be a number, 0 or more"),
        ({"coverage": -1.0}, "coverage must be a number, 0 or more"),
        ({"expansion_weight": float("inf")}, "expansion_weight must be a number"),
        ({"min_votes": 2.5}, "min_votes must be a whole number"),
        ({"limit": "3"}, "limit must be a whole number"),
        ({"snippets": -1}, "snippets must be between 0"),
        ({"facets": "month"}, "facets must be a sequence of names"),
        ({"since": 2024}, "not a date: 2024"),
        ({"since": "2024-07-02", "until": "2024-07-01"}, r"^since \(2024-07-02\) is after until \(2024-07-01\)$"),
    ],
)
def test_option_errors_name_the_parameter_and_never_reach_tantivy(
    search_index: SearchIndex, options: dict, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        search_index.search("모델", **options)


def test_plan_checks_its_options_as_search_does(search_index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="unknown field 'titel' in field_weights"):
        search_index.plan("모델", field_weights={"titel": 1.0})


@pytest.mark.parametrize("text", ["2406.20001", "arXiv:2406.20001v3", "https://huggingface.co/papers/2406.20001"])
def test_get_takes_an_id_in_any_form_a_query_takes(search_index: SearchIndex, text: str) -> None:
    assert search_index.get(text).arxiv_id == "2406.20001"


def test_get_and_similar_raise_the_same_errors_for_an_unknown_or_malformed_id(search_index: SearchIndex) -> None:
    for call in (search_index.get, search_index.similar):
        with pytest.raises(PaperNotFoundError, match="^no paper with arXiv id 2499.99999 in the index$"):
            call("2499.99999")
        with pytest.raises(QueryError, match="not an arXiv id: 'nonsense'") as raised:
            call("nonsense")
        assert not isinstance(raised.value, PaperNotFoundError)


def test_empty_query_is_an_error(search_index: SearchIndex) -> None:
    with pytest.raises(QueryError):
        search_index.search("   ")


@pytest.mark.parametrize("options", [{"since": "99999999999"}, {"until": "2024-13"}, {"min_votes": 10**30}])
def test_out_of_range_options_raise_query_error(search_index: SearchIndex, options: dict) -> None:
    with pytest.raises(QueryError):
        search_index.search("모델", **options)


def test_a_search_keeps_its_generation_while_another_thread_refreshes(tmp_path, fixtures_dir, analyzer) -> None:
    import threading

    from searchidx.search import open_index
    from searchidx.writer import build

    build([fixtures_dir / "search"], tmp_path / "idx", analyzer=analyzer)
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    errors: list[BaseException] = []

    def search_many() -> None:
        try:
            for _ in range(30):
                index.search("KV 캐시 모델", limit=5)
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    thread = threading.Thread(target=search_many)
    thread.start()
    for _ in range(3):
        build([fixtures_dir / "search"], tmp_path / "idx", analyzer=analyzer)
        index.refresh()
    thread.join()
    assert errors == []


def test_a_huge_query_uses_its_first_words_and_says_so(search_index: SearchIndex) -> None:
    from searchidx.query import MAX_QUERY_WORDS

    result = search_index.search(" ".join(["캐시"] + [f"단어{i}" for i in range(10_000)]))
    assert "2406.11430" in ids(result)
    assert result.notes == (f"only the first {MAX_QUERY_WORDS} words of the query were used",)


def test_author_name_counts_the_same_however_long_the_author_list(tmp_path, analyzer) -> None:
    from searchidx.search import open_index
    from searchidx.writer import build

    crowd = ", ".join([f"Member Number{i}" for i in range(300)] + ["Jane Roe"])
    digest = tmp_path / "2024" / "05" / "01.md"
    digest.parent.mkdir(parents=True)
    digest.write_text(
        "## Daily Papers (2024-05-01)\n\n"
        "### [A Large Collaboration](https://arxiv.org/abs/2405.00001)\n\nVote: 50\n\n"
        f"Authors: {crowd}\n\n- 많은 저자가 참여한 벤치마크입니다.\n\n"
        "### [A Small Paper](https://arxiv.org/abs/2405.00002)\n\nVote: 1\n\n"
        "Authors: Jane Doe, Richard Roe\n\n- 작은 논문입니다.\n",
        encoding="utf-8",
    )
    build([tmp_path / "2024"], tmp_path / "idx", analyzer=analyzer)
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    assert ids(index.search("Jane Roe"))[0] == "2405.00001"  # the name, not its two halves
    assert ids(index.search('author:"Jane Roe"')) == ["2405.00001"]
