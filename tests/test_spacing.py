"""Word spacing: a compound query word finds the spaced spelling, and spaced words the compound."""

from __future__ import annotations

import pytest

from searchidx.search import SearchIndex, open_index
from searchidx.spacing import SPACING_WEIGHT
from searchidx.writer import build

DIGEST = """## Daily Papers (2024-09-02)

### [Try-On Diffusion with Garment Warping](https://arxiv.org/abs/2409.10001)

Vote: 10

Authors: Hana Kim

- ***What's New***: 옷 이미지를 사람 사진에 입혀 보는 가상 시착 모델을 확산 방식으로 만듭니다.

### [Video Try-On in Real Time](https://arxiv.org/abs/2409.10002)

Vote: 3

Authors: Yu Zhao

- ***What's New***: 영상에서도 가상 시착 결과가 흔들리지 않도록 프레임 사이 일관성을 지킵니다.

### [Keeping Safety After Model Merging](https://arxiv.org/abs/2409.10003)

Vote: 7

Authors: Minji Choi

- ***What's New***: 모델을 합친 뒤에도 안전정렬이 유지되는지 점검하는 절차를 제시합니다.

### [Persistent Caches for Agents](https://arxiv.org/abs/2409.10004)

Vote: 5

Authors: Sora Han

- ***What's New***: 에이전트의 기억을 오래 지속하는 캐시 구조를 설계합니다.
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, analyzer) -> SearchIndex:
    digests = tmp_path_factory.mktemp("spacing-digests")
    (digests / "2024-09-02.md").write_text(DIGEST, encoding="utf-8")
    path = tmp_path_factory.mktemp("spacing-index")
    build([digests], path, analyzer=analyzer)
    return open_index(path, analyzer=analyzer)


def ids(index: SearchIndex, query: str, **options) -> set[str]:
    return {hit.arxiv_id for hit in index.search(query, **options).hits}


def test_a_compound_the_summaries_write_apart_finds_them(index: SearchIndex) -> None:
    assert ids(index, "가상시착", expand=False) == set()
    assert ids(index, "가상시착") == {"2409.10001", "2409.10002"}
    [(word, apart, weight)] = [e for e in index.plan("가상시착").expansions if e[2] == SPACING_WEIGHT]
    assert word == "가상시착" and len(apart.split()) == 2


def test_words_written_apart_find_the_compound(index: SearchIndex) -> None:
    assert "2409.10003" in ids(index, "안전 정렬")
    assert ("안전 정렬", "안전정렬", SPACING_WEIGHT) in index.plan("안전 정렬").expansions


def test_joining_words_is_not_reading_them_differently(index: SearchIndex) -> None:
    # 이미지속 reads as 이미 + 지속 ("already lasting"): not a spelling of 이미지 속.
    assert not [e for e in index.plan("이미지 속").expansions if e[2] == SPACING_WEIGHT]
    assert "2409.10004" not in ids(index, "이미지 속", match="all")


def test_real_corpus_compound_found_apart_and_common_words_not_cut(corpus_index: SearchIndex) -> None:
    top = [hit.arxiv_id for hit in corpus_index.search("가상시착", limit=5).hits]
    assert {"2411.00225", "2411.10499"} <= set(top)
    assert not [e for e in corpus_index.plan("트랜스포머").expansions if e[2] == SPACING_WEIGHT]
