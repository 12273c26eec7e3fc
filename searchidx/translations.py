"""Cross-lingual expansions learned from the collection: translations and transliterations.

The glossary (:mod:`searchidx.glossary`) knows only the terms a digest glossed in
parentheses. Two more sources are mined at build time, so a query in one language also
finds papers that state its words in the other:

- **Translations.** Every paper pairs an English title with a Korean summary, and the
  summaries keep English terms beside Korean ones, so an English word and its Korean
  translation occur in the same papers far more often than chance (latency -> 지연,
  protein -> 단백질). For every English word (title and summaries) and Korean summary
  term, the log-likelihood ratio (Dunning's G²) of their co-occurrence over papers is
  computed; pairs seen in at least :data:`MIN_PAPERS` papers and significant
  (G² >= :data:`MIN_LLR`) are linked strongest first, each Korean term to one English word
  and each English word to at most :data:`MAX_TRANSLATIONS` terms (competitive linking).
- **Transliterations.** A Hangul term that spells an English word of the collection
  (프루닝 -> prune, 캘리브레이션 -> calibration), found by the spelling model of
  :mod:`searchidx.transliterate`, trained on the glossary's one-word pairs, and kept when
  the two share papers at least :data:`MIN_LIFT` times as often as chance. Hangul terms
  spelling the same English term are also each other's other spellings (프롬프팅, 프롬프트).

Only words in at most :data:`MAX_EXPANDED_SHARE` of the papers are expanded.

Both are kept as one lookup table with the index generation (``translations.json``):
``key -> [[term, kind], ...]``, keys and terms as index terms, kind ``"spelling"`` or
``"translation"``. :meth:`Translations.expansions` turns it into the ``expansions`` of
:func:`searchidx.query.build_query`, each kind weighted by :data:`WEIGHTS`, less than a
direct match.

What the mining reads is kept per paper (``translation-counts.json``: title words,
summary terms and the English words with their index terms), so an incremental build adds
the new papers' records and mines again from all of them: the result is the same as a full
build's.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from searchidx.durable import write_durably
from searchidx.fields import paper_terms
from searchidx.glossary import Glossary
from searchidx.index import read_counts, read_generation_file, write_counts
from searchidx.records import Paper
from searchidx.terms import Term
from searchidx.transliterate import LetterModel, mine_transliterations, train, training_pairs

__all__ = [
    "TRANSLATIONS_FILE",
    "COUNTS_FILE",
    "SPELLING",
    "TRANSLATION",
    "WEIGHTS",
    "TranslationCounts",
    "LogLikelihood",
    "glossary_pairs",
    "Translations",
    "save_translations",
    "load_translations",
    "save_counts",
    "load_counts",
]

TRANSLATIONS_FILE = "translations.json"
COUNTS_FILE = "translation-counts.json"
SPELLING = "spelling"
TRANSLATION = "translation"
#: Weight of each kind of expansion relative to the query word itself (chosen on
#: bench/queries.jsonl and bench/queries_crosslingual.jsonl; see bench/RESULTS.md).
WEIGHTS: Mapping[str, float] = {SPELLING: 0.3, TRANSLATION: 0.2}
#: Significance of a kept translation: G² >= 20 is p < 1e-5 (one degree of freedom), strict
#: because millions of pairs are tested.
MIN_LLR = 20.0
#: Fewest papers a kept translation pair occurs in together.
MIN_PAPERS = 2
#: Korean terms an English word is linked to (a Korean term is linked to one English word).
MAX_TRANSLATIONS = 2
#: Words in more than this share of the papers are too common to translate (they are
#: matched directly in most papers anyway).
MAX_SHARE = 0.05
#: Only words in at most this share of the papers are expanded: a more common word finds
#: plenty of papers as written, and its translations, even its other spellings, would
#: only push them down (chosen on bench/queries.jsonl and bench/queries_crosslingual.jsonl).
MAX_EXPANDED_SHARE = 0.01
#: How much more often than chance a loanword and the English word it spells must share papers.
MIN_LIFT = 3.0

_HANGUL = re.compile(r"[\uac00-\ud7a3]{2,}")
_LETTERS = re.compile(r"[a-z]{2,}")


class TranslationCounts:
    """What mining reads, per paper: title words, summary Hangul terms, English words.

    Held as plain JSON data, ``{arxiv_id: [title terms, Hangul terms, {word: term}]}``.
    """

    def __init__(self, papers: dict[str, list[Any]] | None = None) -> None:
        self._papers: dict[str, list[Any]] = papers if papers is not None else {}

    def add(self, paper: Paper, terms: Sequence[Sequence[Term]]) -> None:
        """Record ``paper`` given the analysis of its texts (title, authors, sections)."""
        parts = paper_terms(paper, terms)
        summary = {t.text for part in parts.sections for t in part}
        title_terms = {t.text for t in parts.title}
        latin = {text for text in summary | title_terms if _LETTERS.fullmatch(text)}  # each distinct term tested once
        title = sorted(title_terms & latin)
        hangul = sorted(text for text in summary if _HANGUL.fullmatch(text))
        words: dict[str, str] = {}
        for text, part in zip([paper.title, *(s.text for s in paper.sections)], [parts.title, *parts.sections]):
            for t in part:
                if t.text in latin:
                    word = text[t.start : t.end].lower()
                    if _LETTERS.fullmatch(word):
                        words[word] = t.text
        self._papers[paper.arxiv_id] = [title, hangul, words]

    def __len__(self) -> int:
        return len(self._papers)

    def translations(self) -> list[tuple[str, str]]:
        """English word -> Korean term pairs linked by their co-occurrence (see the module docstring).

        Competitive linking: pairs are taken strongest first, and a word already linked to
        a stronger partner takes no other, so a topic word (expert) does not become the
        translation of every term of its papers (라우팅) once its own (전문가) is linked.
        """
        n = len(self._papers)
        papers = [({*title, *words.values()}, hangul) for title, hangul, words in self._papers.values()]
        english_df: Counter[str] = Counter()
        korean_df: Counter[str] = Counter()
        for english, hangul in papers:
            english_df.update(english)
            korean_df.update(hangul)
        limit = max(MIN_PAPERS, MAX_SHARE * n)
        english_ok = {w for w, c in english_df.items() if MIN_PAPERS <= c <= limit}
        korean_ok = {w for w, c in korean_df.items() if MIN_PAPERS <= c <= limit}
        # Pairs are counted per English word over the Korean terms of its papers: many small
        # counters are faster than one of every pair.
        korean_of_papers: dict[str, list[list[str]]] = defaultdict(list)
        for english, hangul in papers:
            korean = [w for w in hangul if w in korean_ok]
            for word in english:
                if word in english_ok:
                    korean_of_papers[word].append(korean)
        llr = LogLikelihood(n)
        scored = []
        for e, lists in korean_of_papers.items():
            if len(lists) < MIN_PAPERS:
                continue
            row = english_df[e]
            for k, c in Counter(chain.from_iterable(lists)).items():
                if c >= MIN_PAPERS and (score := llr(c, row, korean_df[k])) >= MIN_LLR:
                    scored.append((score, e, k))
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        linked: Counter[str] = Counter()
        pairs = []
        for _, e, k in scored:
            if linked[e] < MAX_TRANSLATIONS and linked[k] < 1:
                pairs.append((e, k))
                linked[e] += 1
                linked[k] += 1
        return pairs

    def frequencies(self) -> Counter[str]:
        """In how many papers each English word and Korean summary term occurs."""
        df: Counter[str] = Counter()
        for title, hangul, words in self._papers.values():
            df.update({*title, *words.values(), *hangul})
        return df

    def vocabulary(self) -> tuple[set[str], dict[str, str]]:
        """Every Hangul summary term, and every English word with its index term."""
        hangul: set[str] = set()
        words: dict[str, str] = {}
        for _, terms, paper_words in self._papers.values():
            hangul.update(terms)
            words.update(paper_words)
        return hangul, words

    def associated(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Those (Hangul term, English term) ``pairs`` found in the same papers at least
        :data:`MIN_LIFT` times as often as chance."""
        wanted = list(pairs)
        korean = {k for k, _ in wanted}
        english = {e for _, e in wanted}
        papers_of: dict[str, set[int]] = defaultdict(set)
        for i, (title, hangul, words) in enumerate(self._papers.values()):
            for term in hangul:
                if term in korean:
                    papers_of[term].add(i)
            for term in {*title, *words.values()}:
                if term in english:
                    papers_of[" " + term].add(i)
        n = len(self._papers)
        out = []
        for k, e in wanted:
            with_k, with_e = papers_of[k], papers_of[" " + e]
            both = len(with_k & with_e)
            if both and both * n >= MIN_LIFT * len(with_k) * len(with_e):
                out.append((k, e))
        return out

    def spellings(self, candidates: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, str]:
        """For each Hangul term, the first of its candidate English terms (best first) that
        :meth:`associated` keeps."""
        kept = set(self.associated((korean, english) for korean, found in candidates.items() for english, _ in found))
        chosen = {}
        for korean, found in candidates.items():
            english = next((english for english, _ in found if (korean, english) in kept), None)
            if english is not None:
                chosen[korean] = english
        return chosen

    def to_dict(self) -> dict[str, list[Any]]:
        """The counts as the JSON object :func:`save_counts` keeps."""
        return self._papers


def glossary_pairs(glossary: Glossary) -> list[tuple[str, str]]:
    """The glossary's one-word (Hangul, English word) pairs: the spelling model's training data."""
    return training_pairs(
        (key, entry.form) for key in glossary.keys() if _HANGUL.fullmatch(key) for entry in glossary.lookup(key)
    )


class LogLikelihood:
    """Dunning's G² of 2x2 tables over ``n`` papers, from a table of ``x log x``."""

    def __init__(self, n: int) -> None:
        self._n = n
        self._xlogx = [0.0, *(i * math.log(i) for i in range(1, n + 1))]

    def __call__(self, k11: int, row: int, column: int) -> float:
        """G² of ``k11`` papers with both words, ``row`` and ``column`` with each."""
        n, xlogx = self._n, self._xlogx
        k12, k21 = row - k11, column - k11
        cells = xlogx[k11] + xlogx[k12] + xlogx[k21] + xlogx[n - row - k21]
        margins = xlogx[row] + xlogx[n - row] + xlogx[column] + xlogx[n - column]
        return max(0.0, 2 * (cells - margins + xlogx[n]))


class Translations:
    """The mined expansions of one index generation, as a lookup table (see the module docstring)."""

    def __init__(self, table: Mapping[str, Sequence[Sequence[Any]]] | None = None) -> None:
        self._table = table or {}

    @classmethod
    def mine(cls, counts: TranslationCounts, glossary: Glossary) -> Translations:
        """Translations and transliterations of the papers recorded in ``counts``."""
        table: dict[str, dict[str, str]] = defaultdict(dict)
        for english, korean in counts.translations():
            table[english][korean] = TRANSLATION
            table[korean][english] = TRANSLATION
        hangul, words = counts.vocabulary()
        spelled = mine_transliterations(train(glossary_pairs(glossary), LetterModel(words)), sorted(hangul), words)
        spellings: dict[str, list[str]] = defaultdict(list)
        for korean, english in counts.spellings(spelled).items():
            spellings[english].append(korean)
        for english, koreans in spellings.items():
            for korean in koreans:
                table[english][korean] = SPELLING
                table[korean][english] = SPELLING
                for other in koreans:
                    if other != korean:
                        table[korean][other] = SPELLING
        df = counts.frequencies()
        rare = MAX_EXPANDED_SHARE * len(counts)
        entries = {
            key: sorted([t, kind] for t, kind in terms.items()) for key, terms in table.items() if df[key] <= rare
        }
        return cls({key: terms for key, terms in entries.items() if terms})

    def __len__(self) -> int:
        return len(self._table)

    def lookup(self, key: str) -> list[tuple[str, str]]:
        """The terms ``key`` (index terms joined by spaces) expands to, each with its kind
        (:data:`SPELLING` or :data:`TRANSLATION`)."""
        return [(term, kind) for term, kind in self._table.get(key, ())]

    def expansions(
        self,
        base: Mapping[str, Sequence[tuple[str, float]]] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> Mapping[str, list[tuple[str, float]]]:
        """The ``expansions`` mapping of :func:`searchidx.query.build_query`: ``base``'s
        (e.g. the glossary's) followed by these, weighted by kind (default
        :data:`WEIGHTS`); a term in both keeps the higher weight."""
        return _Merged(base or {}, self._table, weights or WEIGHTS)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "table": self._table}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Translations:
        if data.get("version") != 1 or not isinstance(data["table"], dict):
            raise ValueError("not a version 1 translation table")
        return cls(data["table"])


class _Merged(Mapping[str, list[tuple[str, float]]]):
    """Expansions of ``base`` and of a translation table seen as one mapping."""

    def __init__(
        self,
        base: Mapping[str, Sequence[tuple[str, float]]],
        table: Mapping[str, Sequence[Sequence[Any]]],
        weights: Mapping[str, float],
    ) -> None:
        self._base = base
        self._table = table
        self._weights = weights

    def __getitem__(self, key: str) -> list[tuple[str, float]]:
        if key not in self:
            raise KeyError(key)
        weights: dict[str, float] = dict(self._base[key]) if key in self._base else {}
        for term, kind in self._table.get(key, ()):
            if term != key:
                weights[term] = max(weights.get(term, 0.0), self._weights[kind])
        return list(weights.items())

    def __contains__(self, key: object) -> bool:
        return key in self._base or key in self._table

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._base, *self._table]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def save_translations(generation: Path, translations: Translations) -> None:
    """Write the table into an index generation directory, durably (before it is published)."""
    write_durably(generation / TRANSLATIONS_FILE, orjson.dumps(translations.to_dict()))


def load_translations(generation: Path) -> Translations:
    """The table of a generation; empty for an index built without one."""
    return read_generation_file(generation, TRANSLATIONS_FILE, "the translation table", Translations.from_dict, Translations)


def save_counts(generation: Path, counts: TranslationCounts) -> None:
    """Write what translation mining read, durably."""
    write_counts(generation, COUNTS_FILE, counts.to_dict())


def load_counts(generation: Path) -> TranslationCounts | None:
    """What translation mining read for a generation; ``None`` when absent or unreadable."""
    return read_counts(generation, COUNTS_FILE, TranslationCounts)
