"""The analysis stage with the real Kiwi: term rules, query/document symmetry, offsets."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchidx.analysis import Analyzer, default_analyzer, load_user_dictionary
from searchidx.terms import Term, surface_form


def texts(terms: list[Term]) -> list[str]:
    return [t.text for t in terms]


def by_position(terms: list[Term]) -> list[set[str]]:
    """Terms grouped into one set of alternatives per position, in position order."""
    groups: dict[int, set[str]] = defaultdict(set)
    for term in terms:
        groups[term.position].add(term.text)
    return [groups[p] for p in sorted(groups)]


def phrase_matches(analyzer: Analyzer, query: str, document: str) -> bool:
    """True if the query's terms occur at consecutive positions of the document, as a
    phrase query on the index would find them."""
    wanted = by_position(analyzer.analyze(query, "query"))
    have = by_position(analyzer.analyze(document, "index"))
    return any(
        all(words <= have[i + k] for k, words in enumerate(wanted))
        for i in range(len(have) - len(wanted) + 1)
    )


# --- Korean morphology ---------------------------------------------------------------


@pytest.mark.parametrize("word", ["압축을", "압축하는", "압축하여", "압축", "압축된다"])
def test_particles_and_endings_fold_to_the_noun(analyzer: Analyzer, word: str) -> None:
    assert texts(analyzer.analyze(word)) == ["압축"]
    assert texts(analyzer.analyze(word, "query")) == ["압축"]


def test_function_words_leave_no_terms_and_no_position_gaps(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("이 방법을 통해 성능이 크게 향상되었다.")
    assert texts(terms) == ["방법", "성능", "크", "향상"]
    assert [t.position for t in terms] == [0, 1, 2, 3]


def test_verb_and_adjective_stems_are_kept(analyzer: Analyzer) -> None:
    assert texts(analyzer.analyze("비용을 줄인다")) == ["비용", "줄이"]
    assert texts(analyzer.analyze("비용을 줄이는 빠른 방법")) == ["비용", "줄이", "빠르", "방법"]


def test_multi_word_dictionary_is_off(analyzer: Analyzer) -> None:
    """Kiwi's multi-word dictionary would make "머신 언러닝" one token with a space inside."""
    assert by_position(analyzer.analyze("머신 언러닝")) == [{"머신"}, {"언러닝"}]


@pytest.mark.parametrize(
    ("joined", "spaced"),
    [("멀티모달", "멀티 모달"), ("다중이미지", "다중 이미지"), ("언어모델", "언어 모델")],
)
def test_compounds_match_with_or_without_space(analyzer: Analyzer, joined: str, spaced: str) -> None:
    assert texts(analyzer.analyze(joined)) == texts(analyzer.analyze(spaced))
    assert len(analyzer.analyze(joined)) == 2
    for query, doc in [(joined, f"{spaced} 데이터를"), (spaced, f"새로운 {joined}의 벤치마크")]:
        assert phrase_matches(analyzer, query, doc)


def test_prefixed_noun_stays_whole_and_its_noun_is_stacked(analyzer: Analyzer) -> None:
    index = analyzer.analyze("대규모 언어 모델")
    assert by_position(index) == [{"대규모", "규모"}, {"언어"}, {"모델"}]
    assert texts(analyzer.analyze("대규모", "query")) == ["대규모"]
    assert phrase_matches(analyzer, "규모", "대규모 모델")
    assert phrase_matches(analyzer, "대규모 언어", "대규모 언어 모델")


def test_negating_prefix_is_never_stripped(analyzer: Analyzer) -> None:
    """Nori's stop tags turn 비급여 into 급여; here 비- words stay whole and 지도 ≠ 비지도."""
    assert texts(analyzer.analyze("비급여")) == ["비급여"]
    assert by_position(analyzer.analyze("비지도 학습")) == [{"비지도"}, {"학습"}]
    assert not phrase_matches(analyzer, "지도 학습", "비지도 학습을 사용한다")


def test_long_hangul_word_is_not_dropped(analyzer: Analyzer) -> None:
    """tantivy's default analyzer drops tokens over 40 bytes, i.e. 14+ Hangul syllables."""
    word = "슈퍼칼리프래질리스틱익스피알리도셔스"
    assert len(word.encode()) > 40
    assert texts(analyzer.analyze(f"{word}를 분석했다")) == [word, "분석"]


# --- English and identifiers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("caches", "cache"), ("compressing", "compression"), ("LLMs", "LLM"), ("llms", "LLM"),
     ("GPUs", "GPU"), ("gpus", "GPU"), ("Models", "model")],
)
def test_english_is_lowercased_and_stemmed(analyzer: Analyzer, a: str, b: str) -> None:
    assert texts(analyzer.analyze(a, "query")) == texts(analyzer.analyze(b))


@pytest.mark.parametrize(
    ("name", "whole", "parts"),
    [
        ("GPT-4o", "gpt4o", {"gpt", "4o"}),
        ("Llama-3-8B", "llama38b", {"llama3", "llama", "3", "8b"}),
        ("InternLM-XC2", "internlmxc2", {"internlm", "xc2", "xc"}),
        ("L2", "l2", set()),
        ("1.x-Bit", "1.xbit", {"1.x", "bit"}),
        ("MMDU-45k", "mmdu45k", {"mmdu", "45k"}),
        ("Qwen2.5-VL-7B", "qwen2.5vl7b", {"qwen2.5vl", "qwen2.5", "qwen", "vl", "7b"}),
        ("o1-preview", "o1preview", {"o1", "preview"}),
    ],
)
def test_identifiers_stay_findable_as_typed(
    analyzer: Analyzer, name: str, whole: str, parts: set[str]
) -> None:
    assert texts(analyzer.analyze(f"{name}는 강력하다", "query")) == [whole, "강력"]
    index = analyzer.analyze(f"{name}는 강력하다")
    assert by_position(index) == [{whole} | parts, {"강력"}]
    assert {(t.start, t.end) for t in index if t.position == 0} == {(0, len(name))}
    for typed in (name, name.upper(), name.lower()):
        assert phrase_matches(analyzer, typed, f"우리는 {name}을 평가했다")


@pytest.mark.parametrize(
    ("query", "document"),
    [("GPT4o", "GPT-4o를 사용"), ("GPT-4o", "GPT4o를 사용"), ("Llama3", "Llama-3-8B 모델"),
     ("Llama-3", "Llama3-8B 모델"), ("Llama-3-8B", "Llama3-8B 모델"), ("3DGS", "3D-GS 기반")],
)
def test_identifiers_match_with_or_without_hyphens(analyzer: Analyzer, query: str, document: str) -> None:
    assert phrase_matches(analyzer, query, document)


def test_serial_numbers_are_not_formed(analyzer: Analyzer) -> None:
    assert "3-8" not in texts(analyzer.analyze("Llama-3-8B 모델과 3-8배"))


def test_query_for_a_model_prefers_the_exact_name(analyzer: Analyzer) -> None:
    """"GPT-4" finds GPT-4 and GPT-4-Turbo, not GPT-4o; "GPT" finds them all."""
    assert phrase_matches(analyzer, "GPT-4", "GPT-4와 비교")
    assert phrase_matches(analyzer, "GPT-4", "GPT-4-Turbo와 비교")
    assert not phrase_matches(analyzer, "GPT-4", "GPT-4o와 비교")
    assert phrase_matches(analyzer, "GPT", "GPT-4o와 비교")


def test_hangul_glued_to_latin_is_split(analyzer: Analyzer) -> None:
    assert texts(analyzer.analyze("KV캐시를")) == ["kv", "캐시"]
    assert phrase_matches(analyzer, "KV 캐시 압축", "KV캐시를 압축하는 방법")
    assert texts(analyzer.analyze("KV cache 압축", "query")) == ["kv", "cach", "압축"]


def test_particle_after_identifier_is_dropped(analyzer: Analyzer) -> None:
    assert texts(analyzer.analyze("DeepSeek-R1은", "query")) == ["deepseekr1"]
    assert texts(analyzer.analyze("BERT과 GPT-2를")) == ["bert", "gpt2", "gpt", "2"]


def test_urls_are_whole_terms_with_their_parts_in_index_mode(analyzer: Analyzer) -> None:
    url = "https://github.com/example/fast-kv"
    assert texts(analyzer.analyze(f"코드: {url}", "query")) == ["코드", url]
    assert set(texts(analyzer.analyze(f"코드: {url}"))) == {"코드", url, "github", "com", "example", "fast", "kv"}


# --- Query/document symmetry ----------------------------------------------------------


def test_user_dictionary_words_analyse_alike_alone_and_in_sentences(analyzer: Analyzer) -> None:
    """Each dictionary word gives the same terms typed alone and inside a sentence."""
    entries = load_user_dictionary()
    assert len(entries) > 50
    for word, analysis in entries:
        parts = [p.rsplit("/", 1) for p in analysis.split("+")] if "/" in analysis else [[word, analysis]]
        expected = [form for form, tag in parts if tag[0] not in "JE"]
        assert texts(analyzer.analyze(word, "query")) == expected, word
        if analysis == "XR":  # a root is written with 하다, never with a particle
            sentences: tuple[str, ...] = (f"본 논문은 {word}한 방법을 제안한다.", f"매우 {word}하게 설계된 모델")
        else:
            sentences = (f"본 논문은 {word} 기반의 방법을 제안한다.", f"새로운 {word}에 대한 실험", f"{word}의 성능을 높였다.")
        for sentence in sentences:
            assert phrase_matches(analyzer, word, sentence), sentence


@pytest.mark.parametrize(
    ("word", "sentence"),
    [("고해상도", "고해상도 이미지를 생성한다"), ("고유한", "각 모델의 고유한 특성"),
     ("사용자가", "사용자가 원하는 결과"), ("발전이", "최근 발전이 빠르다")],
)
def test_user_dictionary_does_not_hijack_neighbouring_words(
    analyzer: Analyzer, word: str, sentence: str
) -> None:
    """A dictionary word must not capture part of another word (해상도 took 고해상도's 해상도,
    유한 took 고유한's 유한, 자가 took 사용자가's 자가)."""
    assert phrase_matches(analyzer, word, sentence)
    assert texts(analyzer.analyze(word, "query"))[0][0] == word[0]


def test_diffusion_loanword_is_symmetric(analyzer: Analyzer) -> None:
    """Without the user dictionary Kiwi reads 디퓨전 alone as 디퓨저+ㄴ, in a sentence as 디+퓨전."""
    assert phrase_matches(analyzer, "디퓨전", "본 논문은 디퓨전 기반 모델을 제안한다.")
    assert phrase_matches(analyzer, "디퓨전 모델", "디퓨전 모델의 속도를 높인다.")


def test_mixed_query_matches_document(analyzer: Analyzer) -> None:
    doc = "KV 캐시(KV cache)를 압축하여 메모리를 줄인다."
    assert phrase_matches(analyzer, "KV cache", doc)
    assert phrase_matches(analyzer, "KV 캐시 압축", doc) is False  # "(KV cache)를" sits between
    assert {"kv", "cach", "압축"} <= set(texts(analyzer.analyze(doc)))


# --- Offsets, positions, API -----------------------------------------------------------


def test_offsets_refer_to_the_callers_string_after_nfc(analyzer: Analyzer) -> None:
    composed = "확산 모델을 압축하는 GPT-4o 방법"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    nfc_terms = analyzer.analyze(composed)
    nfd_terms = analyzer.analyze(decomposed)
    assert texts(nfd_terms) == texts(nfc_terms)
    for a, b in zip(nfc_terms, nfd_terms):
        assert unicodedata.normalize("NFC", decomposed[b.start : b.end]) == composed[a.start : a.end]
    long_word = unicodedata.normalize("NFD", "압축" * 3000)
    spans = [(t.start, t.end) for t in analyzer.analyze(long_word)]
    assert spans[0] == (0, 6) and spans[-1][1] == len(long_word)


def test_lone_surrogates_and_odd_input_do_not_fail(analyzer: Analyzer) -> None:
    assert analyzer.analyze("") == []
    assert texts(analyzer.analyze("모델\ud800압축")) == ["모델", "압축"]
    assert analyzer.analyze("   \n\t\x00") == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_well_formed_terms(analyzer: Analyzer, text: str) -> None:
    for mode in ("index", "query"):
        terms = analyzer.analyze(text, mode)  # type: ignore[arg-type]
        positions = [t.position for t in terms]
        assert positions == sorted(positions)
        assert all(0 <= t.start < t.end <= len(text) and t.text for t in terms)


def test_analyze_many_equals_analyze(analyzer: Analyzer) -> None:
    batch = ["KV캐시를 압축하는 방법", "", "GPT-4o와 Llama-3-8B", "대규모 멀티모달 모델"]
    assert analyzer.analyze_many(batch) == [analyzer.analyze(t) for t in batch]
    assert analyzer.analyze_many(batch, "query") == [analyzer.analyze(t, "query") for t in batch]


def test_default_analyzer_is_shared() -> None:
    assert default_analyzer() is default_analyzer()


def test_fingerprint_changes_with_the_dictionary_and_needs_no_kiwi(analyzer: Analyzer) -> None:
    assert Analyzer().fingerprint == analyzer.fingerprint
    assert Analyzer(user_words=[]).fingerprint != analyzer.fingerprint
    assert Analyzer(user_words=[])._kiwi is None


def _choseong(ch: str) -> str:
    return unicodedata.normalize("NFD", ch)[0]


def test_term_offsets_slice_their_surface_in_corpus_text(analyzer: Analyzer, corpus_dir: Path) -> None:
    """Snippets and highlights slice the original text with term offsets: check on real text.

    Stacked alternatives share the span of the first (whole) term, which is checked here."""
    files = sorted(corpus_dir.rglob("*.md"))[::40]
    lines = [
        line[2:]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("- ")
    ]
    assert lines
    for text, terms in zip(lines, analyzer.analyze_many(lines)):
        positions = [t.position for t in terms]
        assert positions == sorted(positions)
        firsts = [t for i, t in enumerate(terms) if i == 0 or terms[i - 1].position != t.position]
        for term in firsts:
            surface = text[term.start : term.end]
            assert surface and surface == surface.strip(), (text, term)
            first = term.text[0]
            if "가" <= first <= "힣":
                assert _choseong(surface[0]) == _choseong(first), (text, term)
            elif first.isascii() and first.isalnum():
                assert surface.lower().startswith(first), (text, term)


def test_accents_fold_so_names_match_as_typed(analyzer) -> None:
    for typed, written in [("Christopher Re", "Christopher Ré"), ("Defossez", "Défossez"), ("Xing Han Lu", "Xing Han Lù")]:
        assert [t.text for t in analyzer.analyze(typed, "query")] == [t.text for t in analyzer.analyze(written)]


def test_signs_without_letters_or_digits_are_no_terms(analyzer) -> None:
    assert [t.text for t in analyzer.analyze("a ¯ b ´ \u200b c")] == ["a", "b", "c"]


def test_full_width_and_compatibility_forms_are_nfkc_normalised(analyzer: Analyzer) -> None:
    """ＫＶ 캐시 is KV 캐시 (NFKC), with offsets into the caller's string; ㅋ stays a letter."""
    text = "ＫＶ 캐시를 １０배 압축한 ＧＰＴ－４ｏ와 ㎏ 단위"
    terms = analyzer.analyze(text)
    assert texts(terms) == texts(analyzer.analyze("KV 캐시를 10배 압축한 GPT-4o와 kg 단위"))
    assert [text[t.start : t.end] for t in terms[:2]] == ["ＫＶ", "캐시"]
    assert text[terms[-2].start : terms[-2].end] == "㎏"
    assert texts(analyzer.analyze("ㅋㅋ 모델")) == texts(analyzer.analyze("ㅋㅋ 모델", "query"))
    assert "모델" in texts(analyzer.analyze("ㅋㅋ 모델"))


def test_a_word_gets_the_same_terms_whatever_stands_next_to_it(analyzer: Analyzer) -> None:
    for word in ("양자화", "정규화", "바이트", "KV캐시", "GPT-4o", "압축하는"):
        alone = analyzer.analyze(word)
        for text in (f"{word} ", f"원시 {word}", f"({word}),", f"모델의 {word} 성능"):
            placed = [t for t in analyzer.analyze(text) if text[t.start : t.end] in word]
            assert texts(placed) == texts(alone), (word, text)


def test_surface_form_is_a_latin_word_as_written_lowercased() -> None:
    assert surface_form("Embeddings") == "embeddings"
    assert surface_form("Ré") == "re"
    assert [surface_form(word) for word in ("GPT-4o", "임베딩", "3.5", "")] == [None, None, None, None]
