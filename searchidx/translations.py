"""Cross-lingual expansions learned from the collection: translations and transliterations.

The glossary (:mod:`searchidx.glossary`) knows only the terms a digest glossed in
parentheses. Two more sources are mined at build time, so a query in one language also
finds papers that state its words in the other:

- **Translations.** Every paper pairs an English title with a Korean summary, so a title
  word and its Korean translation occur in the same papers far more often than chance
  (sign -> 수어, gravity -> 중력). For every title word and summary term, the log-likelihood
  ratio (Dunning's G²) of their co-occurrence over papers is computed; a pair is kept when
  it is significant (G² >= :data:`MIN_LLR`, p < 0.001), seen in at least
  :data:`MIN_PAPERS` papers, and each side is among the other's
  :data:`MAX_TRANSLATIONS` strongest partners.
- **Transliterations.** A Hangul term that spells an English word of the collection
  (프루닝 -> prune, 레이턴시 -> latency), found by the spelling model of
  :mod:`searchidx.transliterate`, trained on the glossary's one-word pairs. Hangul terms
  spelling the same English term are also each other's other spellings (프롬프팅, 프롬프트).

Both are kept as one lookup table with the index generation (``translations.json``):
``key -> [[term, weight], ...]``, keys and terms as index terms, the form
``expansions`` of :func:`searchidx.query.build_query` takes; a transliteration weighs
:data:`SPELLING_WEIGHT`, a translation :data:`TRANSLATION_WEIGHT`, both less than a
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
from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import orjson

from searchidx.analysis import Term
from searchidx.errors import IndexCorruptError
from searchidx.glossary import Glossary
from searchidx.index import write_durably
from searchidx.records import Paper
from searchidx.transliterate import LetterModel, mine_transliterations, train, training_pairs

__all__ = [
    "TRANSLATIONS_FILE",
    "COUNTS_FILE",
    "SPELLING_WEIGHT",
    "TRANSLATION_WEIGHT",
    "TranslationCounts",
    "Translations",
    "save_translations",
    "load_translations",
    "save_counts",
    "load_counts",
]

TRANSLATIONS_FILE = "translations.json"
COUNTS_FILE = "translation-counts.json"
#: Weight of a transliteration relative to the query word (chosen on bench/queries*.jsonl).
SPELLING_WEIGHT = 0.5
#: Weight of a mined translation relative to the query word (chosen on bench/queries*.jsonl).
TRANSLATION_WEIGHT = 0.1
#: Significance of a kept translation: G² >= 10.83 is p < 0.001 (one degree of freedom).
MIN_LLR = 10.83
#: Fewest papers a kept translation pair occurs in together.
MIN_PAPERS = 2
#: Partners kept per word, and how high each side must rank among the other's partners.
MAX_TRANSLATIONS = 2
#: Words in more than this share of the papers are too common to translate.
MAX_SHARE = 0.05

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
        title = sorted({t.text for t in terms[0] if _LETTERS.fullmatch(t.text)})
        sections = terms[1 + len(paper.authors) :]
        hangul = sorted({t.text for part in sections for t in part if _HANGUL.fullmatch(t.text)})
        words: dict[str, str] = {}
        for text, part in zip([paper.title, *(s.text for s in paper.sections)], [terms[0], *sections]):
            for t in part:
                word = text[t.start : t.end].lower()
                if _LETTERS.fullmatch(word) and _LETTERS.fullmatch(t.text):
                    words[word] = t.text
        self._papers[paper.arxiv_id] = [title, hangul, words]

    def __len__(self) -> int:
        return len(self._papers)

    def translations(self) -> dict[str, list[str]]:
        """Significant title word <-> summary term pairs, both ways (see the module docstring)."""
        n = len(self._papers)
        english_df: Counter[str] = Counter()
        korean_df: Counter[str] = Counter()
        for title, hangul, _ in self._papers.values():
            english_df.update(title)
            korean_df.update(hangul)
        limit = max(MIN_PAPERS, MAX_SHARE * n)
        english_ok = {w for w, c in english_df.items() if MIN_PAPERS <= c <= limit}
        korean_ok = {w for w, c in korean_df.items() if MIN_PAPERS <= c <= limit}
        together: Counter[tuple[str, str]] = Counter()
        for title, hangul, _ in self._papers.values():
            together.update(product([w for w in title if w in english_ok], [w for w in hangul if w in korean_ok]))
        partners: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (e, k), c in together.items():
            if c >= MIN_PAPERS:
                score = _llr(c, english_df[e], korean_df[k], n)
                if score >= MIN_LLR:
                    partners[e].append((score, k))
                    partners[k].append((score, e))
        best = {w: [p for _, p in sorted(ps, reverse=True)[:MAX_TRANSLATIONS]] for w, ps in partners.items()}
        return {w: [p for p in ps if w in best.get(p, ())] for w, ps in best.items() if any(w in best.get(p, ()) for p in ps)}

    def vocabulary(self) -> tuple[set[str], dict[str, str]]:
        """Every Hangul summary term, and every English word with its index term."""
        hangul: set[str] = set()
        words: dict[str, str] = {}
        for _, terms, paper_words in self._papers.values():
            hangul.update(terms)
            words.update(paper_words)
        return hangul, words

    def to_bytes(self) -> bytes:
        return orjson.dumps(self._papers)

    @classmethod
    def from_bytes(cls, data: bytes) -> TranslationCounts:
        papers = orjson.loads(data)
        if not isinstance(papers, dict):
            raise ValueError("translation counts are not a JSON object")
        return cls(papers)


def _llr(k11: int, row: int, column: int, n: int) -> float:
    """Dunning's G² of a 2x2 table: ``k11`` papers with both words, ``row`` and ``column``
    with each, ``n`` in all."""
    k12, k21 = row - k11, column - k11
    k22 = n - row - column + k11

    def h(*counts: int) -> float:
        total = sum(counts)
        return sum(c * math.log(c / total) for c in counts if c > 0)

    return max(0.0, 2 * (h(k11, k12, k21, k22) - h(k11 + k12, k21 + k22) - h(k11 + k21, k12 + k22)))


class Translations:
    """The mined expansions of one index generation, as a lookup table (see the module docstring)."""

    def __init__(self, table: Mapping[str, Sequence[Sequence[Any]]] | None = None) -> None:
        self._table = table or {}

    @classmethod
    def mine(cls, counts: TranslationCounts, glossary: Glossary) -> Translations:
        """Translations and transliterations of the papers recorded in ``counts``."""
        table: dict[str, dict[str, float]] = defaultdict(dict)
        for word, partners in counts.translations().items():
            for partner in partners:
                table[word][partner] = TRANSLATION_WEIGHT
        hangul, words = counts.vocabulary()
        pairs = training_pairs(
            (key, entry.form)
            for key in glossary.keys()
            if _HANGUL.fullmatch(key)
            for entry in glossary.lookup(key)
        )
        spelled = mine_transliterations(train(pairs, LetterModel(words)), sorted(hangul), words)
        spellings: dict[str, list[str]] = defaultdict(list)
        for korean, (english, _) in spelled.items():
            spellings[english].append(korean)
        for english, koreans in spellings.items():
            for korean in koreans:
                table[english][korean] = SPELLING_WEIGHT
                table[korean][english] = SPELLING_WEIGHT
                for other in koreans:
                    if other != korean:
                        table[korean][other] = SPELLING_WEIGHT
        return cls({key: sorted(([t, w] for t, w in terms.items()), key=lambda x: (-x[1], x[0])) for key, terms in table.items()})

    def __len__(self) -> int:
        return len(self._table)

    def lookup(self, key: str) -> list[tuple[str, float]]:
        """The terms ``key`` (index terms joined by spaces) expands to, with their weights."""
        return [(term, float(weight)) for term, weight in self._table.get(key, ())]

    def expansions(self, base: Mapping[str, Sequence[tuple[str, float]]] | None = None) -> Mapping[str, list[tuple[str, float]]]:
        """The ``expansions`` mapping of :func:`searchidx.query.build_query`: ``base``'s
        (e.g. the glossary's) followed by these; a term in both keeps the higher weight."""
        return _Merged(base or {}, self._table)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "table": self._table}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Translations:
        if data.get("version") != 1 or not isinstance(data["table"], dict):
            raise ValueError("not a version 1 translation table")
        return cls(data["table"])


class _Merged(Mapping[str, list[tuple[str, float]]]):
    """Expansions of ``base`` and of a translation table seen as one mapping."""

    def __init__(self, base: Mapping[str, Sequence[tuple[str, float]]], table: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        self._base = base
        self._table = table

    def __getitem__(self, key: str) -> list[tuple[str, float]]:
        if key not in self:
            raise KeyError(key)
        weights: dict[str, float] = dict(self._base[key]) if key in self._base else {}
        for term, weight in self._table.get(key, ()):
            if term != key:
                weights[term] = max(weights.get(term, 0.0), float(weight))
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
    path = generation / TRANSLATIONS_FILE
    try:
        return Translations.from_dict(orjson.loads(path.read_bytes()))
    except FileNotFoundError:
        return Translations()
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise IndexCorruptError(
            f"the translations of the index at {generation.parent} are damaged ({exc.__class__.__name__}); "
            "rebuild the index with `searchidx build`",
            str(generation.parent),
        ) from exc


def save_counts(generation: Path, counts: TranslationCounts) -> None:
    """Write what translation mining read, durably."""
    write_durably(generation / COUNTS_FILE, counts.to_bytes())


def load_counts(generation: Path) -> TranslationCounts | None:
    """What translation mining read for a generation; ``None`` when absent or unreadable."""
    try:
        return TranslationCounts.from_bytes((generation / COUNTS_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
        return None
