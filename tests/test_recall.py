"""Complete recall on the real corpus: a word alone finds every paper that writes it.

For frequent Korean words of several kinds, chosen by :func:`choose_words` (not by hand),
the query of the word alone must return every paper whose title or summary holds the word
as a word of its own, or followed by one of :data:`TAILS` (particles and endings). Kiwi
used to read such a word differently inside some sentences (양자화 as 양자 + 화), so a
tenth of its papers went missing.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from searchidx.analysis import Analyzer, load_user_dictionary
from searchidx.parse import parse_paths
from searchidx.records import Paper
from searchidx.search import SearchIndex
from searchidx.terms import word_terms
from searchidx.words import normalize, split_words

pytestmark = pytest.mark.corpus

#: What may follow the word: particles, the copula and common verb endings of a noun.
TAILS = (
    "", "은", "는", "이", "가", "을", "를", "의", "에", "에서", "에는", "에도", "으로", "로", "으로서", "로서",
    "과", "와", "도", "만", "까지", "보다", "부터", "처럼", "이나", "나", "이다", "입니다", "이며", "이고",
    "하는", "한", "하여", "하고", "하며", "하기", "된", "되는", "되어", "합니다", "했습니다", "함",
)
#: The kinds of words, in the order a word is given one, and how many of each: a kind
#: tells from a word and Kiwi's morphemes of it alone whether the word is one.
KINDS = (
    ("noun + derivational suffix (최적 + 화)", 12, lambda w, m: len(m) == 2 and m[1].tag == "XSN"),
    ("noun ending in -화 that Kiwi keeps whole (양자화)", 5, lambda w, m: len(m) == 1 and len(w) > 2 and w.endswith("화")),
    ("noun Kiwi tags as a unit (NNB) alone or before a particle (바이트를)", 2, lambda w, m: m[0].tag == "NNB"),
    ("user dictionary word (벤치마크)", 6, lambda w, m: w in _USER_WORDS),
    ("two-syllable noun (환각)", 12, lambda w, m: len(w) == 2),
    ("three-syllable noun (이미지)", 6, lambda w, m: len(w) == 3),
    ("noun of four syllables or more (트랜스포머)", 6, lambda w, m: len(w) >= 4),
)
_USER_WORDS = {word for word, _ in load_user_dictionary()}
_HANGUL = re.compile(r"[\uac00-\ud7a3]{2,8}")
PAGE = 1000


def paper_words(paper: Paper) -> list[str]:
    """The words of the paper's title and summary sections."""
    texts = [paper.title, *(s.text for s in paper.sections)]
    return [word for text in texts for _, word in split_words(normalize(text)[0])]


def written_forms(word: str) -> set[str]:
    """``word`` alone and followed by each of :data:`TAILS`: the words that write it."""
    return {word + tail for tail in TAILS}


def choose_words(papers: list[Paper], analyzer: Analyzer) -> list[tuple[str, str]]:
    """(word, kind) pairs: per kind of :data:`KINDS`, the nouns written bare in most papers.

    A candidate is a Hangul word written bare (followed by a space or punctuation) in at
    least three papers, which Kiwi reads alone as one noun, or a noun and a derivational
    suffix, and whose one term is the word itself. Ties go to the word that sorts first, so
    the choice is deterministic.
    """
    bare: Counter[str] = Counter()
    for paper in papers:
        bare.update({w for w in paper_words(paper) if _HANGUL.fullmatch(w)})
    candidates = sorted((w for w, n in bare.items() if n >= 3), key=lambda w: (-bare[w], w))
    morphs = dict(analyzer.lookup(candidates))
    # A noun Kiwi tags NNB only before a particle (바이트를) counts as a unit noun.
    known = set(candidates)
    inflected = sorted(w for w in bare if any(w[:k] in known and w[k:] in TAILS for k in range(1, len(w))))
    for word, word_morphs in analyzer.lookup(inflected).items():
        head = word_morphs[0]
        if head.tag == "NNB" and head.form in morphs and word[head.end :] in TAILS:
            morphs[head.form] = (head,)
    nouns = [
        (w, morphs[w]) for w in candidates
        if morphs[w][0].tag in ("NNG", "NNP", "NNB") and [t.text for t in word_terms(morphs[w], w, "query")] == [w]
    ]
    chosen: list[tuple[str, str]] = []
    taken: set[str] = set()
    for kind, count, fits in KINDS:
        picked = [w for w, m in nouns if w not in taken and fits(w, m)][:count]
        taken.update(picked)
        chosen.extend((w, kind) for w in picked)
    return chosen


@pytest.fixture(scope="module")
def corpus_papers(corpus_dir: Path) -> list[Paper]:
    return parse_paths([corpus_dir]).papers


@pytest.fixture(scope="module")
def chosen(corpus_papers: list[Paper], analyzer: Analyzer) -> list[tuple[str, str]]:
    return choose_words(corpus_papers, analyzer)


def found_ids(index: SearchIndex, query: str) -> set[str]:
    found: set[str] = set()
    offset = 0
    while True:
        result = index.search(query, limit=PAGE, offset=offset, snippets=0)
        found.update(hit.arxiv_id for hit in result.hits)
        offset += PAGE
        if offset >= result.total:
            return found


def test_words_are_chosen_by_kind_and_include_the_troubled_ones(chosen: list[tuple[str, str]]) -> None:
    assert len(chosen) == sum(count for _, count, _ in KINDS) >= 40
    assert len({kind for _, kind in chosen}) == len(KINDS)
    assert {"양자화", "정규화", "최적화", "바이트"} <= {w for w, _ in chosen}


def test_a_word_alone_finds_every_paper_that_writes_it(
    corpus_papers: list[Paper], corpus_index: SearchIndex, chosen: list[tuple[str, str]]
) -> None:
    words = {paper.arxiv_id: set(paper_words(paper)) for paper in corpus_papers}
    missed = []
    for word, kind in chosen:
        forms = written_forms(word)
        expected = {arxiv_id for arxiv_id, paper in words.items() if not forms.isdisjoint(paper)}
        assert expected, word
        lost = sorted(expected - found_ids(corpus_index, word))
        if lost:
            missed.append(f"{word} ({kind}): {len(lost)} of {len(expected)} papers missed, e.g. {lost[:3]}")
    assert not missed, "\n".join(missed)
