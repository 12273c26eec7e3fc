"""The lexicon gives every word the terms Kiwi gives it alone; queries avoid Kiwi."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from searchidx.analysis import Analyzer, ruled
from searchidx.fields import texts_to_analyze
from searchidx.highlight import make_snippets
from searchidx.index import current_generation
from searchidx.lexicon import LEXICON_FILE, Lexicon, LexiconAnalyzer, LexiconWriter, stem_splits, words_of
from searchidx.parse import parse_paths
from searchidx.terms import Morph, word_terms


def sample_queries(texts: list[str], count: int, seed: int = 7) -> list[str]:
    """Queries made of the texts' own words: runs of 1-4 chunks as written or lowercased."""
    rng = random.Random(seed)
    chunked = [text.split() for text in texts if text.split()]
    queries: list[str] = []
    while len(queries) < count:
        chunks = rng.choice(chunked)
        n = rng.choice((1, 1, 2, 3, 4))
        start = rng.randrange(max(1, len(chunks) - n + 1))
        run = chunks[start : start + n]
        queries.append(" ".join(c.lower() for c in run) if rng.random() < 0.3 else " ".join(run))
    return queries


def lexicon_for(texts: list[str], path: Path, analyzer: Analyzer) -> Lexicon:
    writer = LexiconWriter(path)
    words = sorted(words_of(texts))
    morphs = analyzer.lookup(words)
    writer.add((word, morphs[word]) for word in words)
    writer.close()
    return Lexicon(path)


@pytest.fixture(scope="module")
def corpus_texts(corpus_dir: Path) -> list[str]:
    files = sorted(corpus_dir.rglob("*.md"))[::12]
    return [text for paper in parse_paths(files).papers for text in texts_to_analyze(paper)]


def kiwi_alone(analyzer: Analyzer, words: list[str]) -> list[tuple[Morph, ...]]:
    return list(analyzer.morphs(words))


def test_a_word_has_the_same_terms_alone_and_between_any_neighbours(analyzer: Analyzer) -> None:
    alone = [t.text for t in analyzer.analyze("양자화", "query")]
    for text in ("양자화(quantization), 정규화", "모델 양자화를 통해", "양자화된 가중치", "4비트 양자화."):
        assert alone[0] in [t.text for t in analyzer.analyze(text)], text
    assert [t.text for t in analyzer.analyze("원시 바이트를 읽는다")] == ["원시", "바이트", "읽"]
    assert [t.text for t in analyzer.analyze("바이트", "query")] == ["바이트"]


def test_queries_from_the_lexicon_equal_kiwi(fixtures_dir: Path, tmp_path: Path, analyzer: Analyzer) -> None:
    texts = [t for p in parse_paths([fixtures_dir / "search"]).papers for t in texts_to_analyze(p)]
    lexicon = lexicon_for(texts, tmp_path / "lexicon.sqlite", analyzer)
    for query in sample_queries(texts, 300):
        assert lexicon.analyze(query, "query") == analyzer.analyze(query, "query"), query


@pytest.mark.corpus
def test_real_corpus_queries_from_the_lexicon_equal_kiwi(
    corpus_texts: list[str], tmp_path: Path, analyzer: Analyzer
) -> None:
    lexicon = lexicon_for(corpus_texts, tmp_path / "lexicon.sqlite", analyzer)
    for query in sample_queries(corpus_texts, 1500):
        assert lexicon.analyze(query, "query") == analyzer.analyze(query, "query"), query


def test_ascii_words_are_known_by_rule_as_kiwi_reads_them(analyzer: Analyzer) -> None:
    words = ["cache", "KV", "x", "URL", "iPhone", "http", "www", "a" * 300, "2024", "0" * 80, "3.5", "1,000",
             "GPT-4o", "Llama-3-8B", "Transformer-XL", "state-of-the-art", "foo_bar", "v1.5", "Zdeněk"]
    assert [ruled(w) for w in words] == kiwi_alone(analyzer, words)
    assert ruled("캐시") is None and ruled("LLM's") is None and ruled("e.g") is None


@pytest.mark.corpus
def test_every_ruled_word_of_the_corpus_is_read_so_by_kiwi(corpus_texts: list[str], analyzer: Analyzer) -> None:
    words = sorted(w for w in words_of(corpus_texts) if ruled(w) is not None)
    assert len(words) > 1000
    assert [ruled(w) for w in words] == kiwi_alone(analyzer, words)


def test_unseen_inflections_of_known_stems_need_no_kiwi(tmp_path: Path, analyzer: Analyzer) -> None:
    texts = ["압축하는 방법과 양자화를 거친 모델을 정렬하고서 학습하고서 학습했던 결과를 추론했던"]
    lexicon = lexicon_for(texts, tmp_path / "lexicon.sqlite", analyzer)
    for word in ("압축하고서", "양자화했던", "정렬했던"):
        assert lexicon.analyze(word, "query") == analyzer.analyze(word, "query"), word
    assert lexicon.analyze("전혀없는낱말", "query") is None
    assert Lexicon(tmp_path / "absent.sqlite").analyze("캐시") is None
    assert Lexicon(tmp_path / "absent.sqlite").analyze("Unseen words") == analyzer.analyze("Unseen words")


def test_stems_end_where_only_particles_and_endings_follow(analyzer: Analyzer) -> None:
    [morphs] = kiwi_alone(analyzer, ["압축하는"])
    splits = [(stem, ending) for stem, _, ending in stem_splits("압축하는", morphs)]
    assert splits == [("압축하", "는"), ("압축", "하는"), ("압축", "")]
    [morphs] = kiwi_alone(analyzer, ["했던"])
    assert stem_splits("했던", morphs) == []  # 했 is 하 + 었: no cut inside it, and no stem term


def test_query_analyzer_sends_only_unexplained_words_to_kiwi(tmp_path: Path, analyzer: Analyzer) -> None:
    class Asked:
        """The session's analyzer, noting the words handed to it."""

        def __init__(self) -> None:
            self.words: list[str] = []

        def lookup(self, words):
            self.words.extend(words)
            return analyzer.lookup(words)

    lexicon = lexicon_for(["KV 캐시를 압축하는 방법과 프롬프트를 학습하는 방법"], tmp_path / "lexicon.sqlite", analyzer)
    kiwi = Asked()
    query = LexiconAnalyzer(lexicon, kiwi)  # type: ignore[arg-type]
    assert [t.text for t in query.analyze("KV 캐시 압축 방법", "query")] == ["kv", "캐시", "압축", "방법"]
    assert query.known.analyze("캐시 전혀없는낱말", "query") == []
    assert kiwi.words == []
    assert [t.text for t in query.analyze("캐시 확산모델", "query")][0] == "캐시"
    assert kiwi.words == ["확산모델"]


def test_vocabulary_lists_every_word_of_the_collection_with_its_terms(
    fixtures_dir: Path, search_index_dir: Path, analyzer
) -> None:
    lexicon = Lexicon(current_generation(search_index_dir) / LEXICON_FILE)
    vocabulary = dict(lexicon.vocabulary())
    texts = [t for p in parse_paths([fixtures_dir / "search"]).papers for t in texts_to_analyze(p)]
    assert set(vocabulary) == words_of(texts) and len(lexicon) == len(vocabulary)
    for word in ("캐시의", "GPT-4o와", "KV"):
        morphs = analyzer.lookup([word])[word]
        assert vocabulary[word] == word_terms(morphs, word, "index")


def test_snippets_from_stored_terms_equal_snippets_from_kiwi(search_index, analyzer) -> None:
    for query in ("KV 캐시", "토큰 병합", "diffusion", "벤치마크"):
        result = search_index.search(query, snippets=3)
        plan = search_index.plan(query)
        for hit in result.hits:
            paper = search_index.get(hit.arxiv_id)
            assert paper is not None
            assert list(hit.snippets) == make_snippets(paper, plan.terms, analyzer, limit=3)


def test_a_query_process_loads_no_kiwi_for_known_words(search_index_dir: Path) -> None:
    # One process runs the queries in turn and says after each whether Kiwi is loaded. Once
    # loaded it stays, and a query that did not load it leaves nothing that could spare a later
    # one (the analyzer remembers only Kiwi's answers), so this tells what a process per query would.
    script = (
        "import sys\n"
        "from searchidx.cli import cli\n"
        "for query in sys.argv[2:]:\n"
        "    try:\n        cli(['query', query, '--index', sys.argv[1], '--json'])\n"
        "    except SystemExit:\n        pass\n"
        "    print(f'\\nkiwi loaded: {\"kiwipiepy\" in sys.modules}')\n"
    )
    queries = ["캐시", "KV cache", "KV 캐시 압축", "토큰 병합 방법", "전혀없는낱말"]
    run = subprocess.run(
        [sys.executable, "-c", script, str(search_index_dir), *queries], capture_output=True, text=True, check=True
    )
    parts = re.split(r"\nkiwi loaded: (True|False)\n", run.stdout)
    answers, loaded = parts[:-1:2], parts[1::2]
    assert len(answers) == len(queries) and all('"hits"' in answer for answer in answers)
    assert loaded == ["False", "False", "False", "False", "True"]
