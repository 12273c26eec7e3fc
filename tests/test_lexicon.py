"""The lexicon answers queries exactly as Kiwi would, or not at all; queries avoid Kiwi."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from searchidx.fields import texts_to_analyze
from searchidx.highlight import make_snippets
from searchidx.lexicon import Lexicon, LexiconWriter, LexToken, chunks_of, ruled
from searchidx.parse import parse_paths
from searchidx.search import open_index
from searchidx.writer import build

_EDGE = re.compile(r"^\W+|\W+$")


def sample_queries(texts: list[str], count: int, seed: int = 7) -> list[str]:
    """Queries made of the texts' own words: chunks as written, stripped, lowercased, and runs of 2-3."""
    rng = random.Random(seed)
    words = [text.split() for text in texts if text.split()]
    queries: list[str] = []
    while len(queries) < count:
        chunks = rng.choice(words)
        n = rng.choice((1, 1, 1, 2, 3))
        start = rng.randrange(max(1, len(chunks) - n + 1))
        run = chunks[start : start + n]
        style = rng.randrange(3)
        if style == 1:
            run = [_EDGE.sub("", c) or c for c in run]
        elif style == 2:
            run = [c.lower() for c in run]
        queries.append(" ".join(run))
    return queries


def lexicon_for(texts: list[str], path: Path, analyzer) -> Lexicon:
    writer = LexiconWriter(path)
    writer.add(analyzer, writer.missing(chunks_of(texts)))
    writer.close()
    return Lexicon(path)


@pytest.fixture(scope="module")
def corpus_texts(corpus_dir: Path) -> list[str]:
    files = sorted(corpus_dir.rglob("*.md"))[::12]
    return [text for paper in parse_paths(files).papers for text in texts_to_analyze(paper)]


def check_exact(texts: list[str], lexicon: Lexicon, analyzer, count: int) -> tuple[int, int]:
    answered = 0
    queries = sample_queries(texts, count)
    for query in queries:
        terms = lexicon.analyze(query, "query")
        if terms is not None:
            answered += 1
            assert terms == analyzer.analyze(query, "query"), query
    return answered, len(queries)


def test_fixture_queries_from_the_lexicon_equal_kiwi(fixtures_dir: Path, tmp_path: Path, analyzer) -> None:
    texts = [t for p in parse_paths([fixtures_dir / "search"]).papers for t in texts_to_analyze(p)]
    lexicon = lexicon_for(texts, tmp_path / "lexicon.sqlite", analyzer)
    answered, total = check_exact(texts, lexicon, analyzer, 300)
    assert answered > total // 2


def test_real_corpus_queries_from_the_lexicon_equal_kiwi(corpus_texts: list[str], tmp_path: Path, analyzer) -> None:
    lexicon = lexicon_for(corpus_texts, tmp_path / "lexicon.sqlite", analyzer)
    answered, total = check_exact(corpus_texts, lexicon, analyzer, 1500)
    assert answered > total // 2


def kiwi_alone(analyzer, words: list[str]) -> list[list[LexToken]]:
    return [[LexToken(t.form, t.tag, t.start, t.end) for t in tokens] for tokens in analyzer.tokenize_raw(words)]


def test_letter_and_digit_words_are_known_by_rule_as_kiwi_reads_them(analyzer) -> None:
    words = ["cache", "KV", "x", "URL", "iPhone", "http", "www", "a" * 300, "2024", "0" * 80]
    assert [ruled(w) for w in words] == kiwi_alone(analyzer, words)
    assert ruled("GPT-4o") is None and ruled("캐시") is None and ruled("3.5") is None


def test_every_letter_and_digit_word_of_the_corpus_follows_the_rule(corpus_texts: list[str], analyzer) -> None:
    words = sorted(w for w in chunks_of(corpus_texts) if ruled(w) is not None)
    assert len(words) > 1000
    assert [ruled(w) for w in words] == kiwi_alone(analyzer, words)


def test_korean_phrases_and_unknown_words_fall_back_to_kiwi(tmp_path: Path, analyzer) -> None:
    lexicon = lexicon_for(["KV 캐시 압축 방법", "Diffusion Model"], tmp_path / "lexicon.sqlite", analyzer)
    assert lexicon.analyze("캐시", "query") == analyzer.analyze("캐시", "query")
    assert lexicon.analyze("diffusion model", "query") == analyzer.analyze("diffusion model", "query")
    assert lexicon.analyze("캐시 압축", "query") is None  # Kiwi reads Korean words in context
    assert lexicon.analyze("양자화", "query") is None
    assert Lexicon(tmp_path / "absent.sqlite").analyze("캐시") is None
    assert Lexicon(tmp_path / "absent.sqlite").analyze("Unseen words") == analyzer.analyze("Unseen words")


def test_snippets_from_stored_terms_equal_snippets_from_kiwi(fixtures_dir: Path, tmp_path: Path, analyzer) -> None:
    build([fixtures_dir / "search"], tmp_path / "idx", analyzer=analyzer)
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    for query in ("KV 캐시", "토큰 병합", "diffusion", "벤치마크"):
        result = index.search(query, snippets=3)
        plan = index.plan(query)
        for hit in result.hits:
            paper = index.get(hit.arxiv_id)
            assert paper is not None
            assert list(hit.snippets) == make_snippets(paper, plan.terms, analyzer, limit=3)


def test_a_query_process_loads_no_kiwi_for_known_words(fixtures_dir: Path, tmp_path: Path, analyzer) -> None:
    build([fixtures_dir / "search"], tmp_path / "idx", analyzer=analyzer)
    script = (
        "import sys\n"
        "from searchidx.cli import cli\n"
        "sys.argv = ['searchidx', 'query', sys.argv[1], '--index', sys.argv[2], '--json']\n"
        "try:\n    cli()\n"
        "except SystemExit:\n    pass\n"
        "print('KIWI' if 'kiwipiepy' in sys.modules else 'NOKIWI', file=sys.stderr)\n"
    )

    def kiwi_loaded(query: str) -> bool:
        run = subprocess.run(
            [sys.executable, "-c", script, query, str(tmp_path / "idx")], capture_output=True, text=True, check=True
        )
        assert '"hits"' in run.stdout
        return run.stderr.strip().endswith("KIWI") and not run.stderr.strip().endswith("NOKIWI")

    assert not kiwi_loaded("캐시")
    assert not kiwi_loaded("KV cache")
    assert kiwi_loaded("전혀없는낱말")
