"""Transliteration: Hangul loanwords <-> the English words they spell (파라미터 <-> parameter).

Korean writes many technical words by sound (프루닝, 레이턴시, 임베딩) where a summary may
write the English, and the other way round. No hand list is involved: the spelling rules
are learned from the collection itself. The glossary (:mod:`searchidx.glossary`) pairs
thousands of one-word Hangul terms with the one-word English they gloss; many of these
pairs are transliterations (디스틸레이션 / distillation), the rest translations (환각 /
hallucination).

The model reads a Hangul word jamo by jamo (:func:`units`: 턴 is ᄐ + ᅥ + ᆫ); each jamo
writes a run of one to :data:`MAX_LETTERS` letters with probability ``p(letters | jamo)``
(the vowels in :data:`SILENT` may also write none: 스 is "s"), so ``P(english | hangul)``
sums over the ways of cutting the English word into one run per jamo. It is trained by
expectation maximisation on the glossary pairs; after each round, pairs it explains no
better than an English letter model does (translations) are left out of the next one. The
trained :class:`SpellingModel` scores a run by ``p(letters | jamo) * p(jamo | letters)``,
so a run both sides agree on (ᄑ / p) counts, and one a jamo took from a few translation
pairs does not.

Mining (:func:`mine_transliterations`) reads every Hangul term of the collection, spells it
out the ways the model finds likely, keeping only spellings that begin an English word of
the collection (a prefix walk, so only a few hundred strings are tried per word), and keeps
the English words reached whose score, the log of the summed run scores per jamo,
passes :data:`MIN_SCORE`. That threshold was chosen by holding out a fifth of the glossary
pairs (:func:`held_out_check`, ``bench/evaluate_transliteration.py``).

At query time (:class:`Loanwords`) a rare or unseen Hangul query word is spelled out the
same way against the English words of the collection, and kept on a stricter score alone.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_LETTERS",
    "MIN_SCORE",
    "SpellingModel",
    "LetterModel",
    "training_pairs",
    "train",
    "mine_transliterations",
    "QUERY_MIN_SCORE",
    "SILENT",
    "HANGUL_WORD",
    "Loanwords",
    "held_out_check",
]

#: Longest run of letters one jamo writes (ᄎ -> "ch").
MAX_LETTERS = 4
#: Rounds of expectation maximisation.
ROUNDS = 4
#: Runs of letters a jamo may write, the likeliest first, tried when spelling a word out.
SPELLINGS_PER_SYLLABLE = 40
#: Partial spellings kept per jamo when spelling a word out.
BEAM = 256
#: Lowest score (log of the summed run scores, per unit) of a pair that is kept (chosen
#: on held-out glossary pairs; see :func:`held_out_check`).
MIN_SCORE = -3.0
#: Lowest score of a pair spelled out at query time, where no shared papers vouch for it
#: (chosen on held-out glossary pairs without that check; see ``bench/evaluate_transliteration.py``).
QUERY_MIN_SCORE = -2.5
#: Weight of the log of a candidate's papers when ranking spellings at query time (chosen
#: with :data:`QUERY_MIN_SCORE`).
PAPERS_WEIGHT = 0.2
#: English terms a Hangul term may spell that are kept for checking against the collection.
CANDIDATES = 3
#: Pairs kept for training: those the model explains better than the English letter model
#: does, by at least this log-probability per jamo.
TRAIN_SCORE = 1.0
#: Shortest English word matched (shorter ones are abbreviations, not spelled out).
MIN_LETTERS = 4

#: What may write no letter: ᅳ, added to sound out a lone consonant (스트 is "st"), and 이
#: right after a vowel, read as one unit because it often writes none there (레이 is "la").
SILENT = frozenset("\u1173\uc774")
#: The syllable 이, read whole after a vowel.
_GLIDE = "\uc774"
#: The initial ᄋ, which writes no sound.
_SILENT_INITIAL = 11

#: A Hangul word the model can read.
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,}")
_LETTERS = re.compile(r"[a-z]+")

Pair = tuple[str, str]


class LetterModel:
    """A letter-bigram model of English words, ``P(english)``, the background of the score."""

    def __init__(self, words: Iterable[str]) -> None:
        bigrams: Counter[tuple[str, str]] = Counter()
        unigrams: Counter[str] = Counter()
        for word in words:
            padded = f"^{word}$"
            for a, b in zip(padded, padded[1:]):
                bigrams[a, b] += 1
                unigrams[a] += 1
        self._log = {pair: math.log(n / unigrams[pair[0]]) for pair, n in bigrams.items()}
        self._floor = {a: math.log(1 / (n + 27)) for a, n in unigrams.items()}

    def logp(self, word: str) -> float:
        padded = f"^{word}$"
        return sum(self._log.get((a, b), self._floor.get(a, -10.0)) for a, b in zip(padded, padded[1:]))


@dataclass
class SpellingModel:
    """How each Hangul jamo is written in English letters: a score per (jamo, run)."""

    table: dict[str, dict[str, float]]

    def logp(self, hangul: str, english: str) -> float:
        """The log of the run scores of ``hangul`` -> ``english``, summed over the ways of
        cutting ``english`` (-inf if there is none)."""
        forward = _forward(self.table, units(hangul), english)
        return math.log(forward[-1][-1]) if forward and forward[-1][-1] > 0 else -math.inf

    def score(self, hangul: str, english: str) -> float:
        """How well the jamo of ``hangul`` and the runs of ``english`` match, per jamo."""
        return self.logp(hangul, english) / len(units(hangul))

    def spellings(self, hangul: str, prefixes: Container[str], words: Container[str]) -> list[str]:
        """English ``words`` the Hangul word may spell, each reached through ``prefixes``."""
        beam: dict[str, float] = {"": 0.0}
        for jamo in units(hangul):
            options = self.ranked.get(jamo)
            if not options:
                return []
            grown: dict[str, float] = {}
            for stem, score in beam.items():
                for letters, logp in options:
                    spelled = stem + letters
                    if spelled in prefixes and grown.get(spelled, -math.inf) < score + logp:
                        grown[spelled] = score + logp
            beam = dict(sorted(grown.items(), key=lambda item: -item[1])[:BEAM])
        return [word for word in beam if word in words]

    @property
    def ranked(self) -> dict[str, list[tuple[str, float]]]:
        cached = self.__dict__.get("_ranked")
        if cached is None:
            cached = {
                jamo: [(letters, math.log(p)) for letters, p in sorted(runs.items(), key=lambda x: -x[1])][
                    :SPELLINGS_PER_SYLLABLE
                ]
                for jamo, runs in self.table.items()
            }
            self.__dict__["_ranked"] = cached
        return cached


def units(hangul: str) -> str:
    """What the model reads of a Hangul word: its jamo, each syllable as its initial
    consonant (U+1100-U+1112; none for the silent ᄋ), its vowel (U+1161-U+1175) and its
    final consonant (U+11A8-U+11C2) if it has one, so 턴 is read as ᄐ + ᅥ + ᆫ; 이 right after
    a vowel stays whole (see :data:`SILENT`).

    There are 19 initials, 21 vowels and 27 finals against thousands of syllables, and each
    sounds much alike wherever it stands (ᄑ is "p" or "f", ᅥ "e", "a" or "o"), so every one
    is learned from many pairs and a syllable no training pair holds (레) is still read.
    """
    out = []
    for char in hangul:
        if not "\uac00" <= char <= "\ud7a3":
            out.append(char)
            continue
        code = ord(char) - 0xAC00
        initial, vowel, final = code // 588, code % 588 // 28, code % 28
        if char == _GLIDE and out and "\u1161" <= out[-1] <= "\u1175":
            out.append(char)
            continue
        if initial != _SILENT_INITIAL:
            out.append(chr(0x1100 + initial))
        out.append(chr(0x1161 + vowel))
        if final:
            out.append(chr(0x11A7 + final))
    return "".join(out)


def _forward(table: Mapping[str, Mapping[str, float]], hangul: str, english: str) -> list[list[float]]:
    """``alpha[i][j]``: probability that the first ``i`` jamo write the first ``j`` letters."""
    m = len(english)
    alpha = [[0.0] * (m + 1) for _ in range(len(hangul) + 1)]
    alpha[0][0] = 1.0
    for i, jamo in enumerate(hangul, 1):
        runs = table.get(jamo)
        if not runs:
            return []
        previous, row = alpha[i - 1], alpha[i]
        for j in range(m + 1):
            total = 0.0
            for k in range(max(0, j - MAX_LETTERS), j + (jamo in SILENT)):
                if previous[k]:
                    p = runs.get(english[k:j])
                    if p:
                        total += previous[k] * p
            row[j] = total
    return alpha


def _expected_counts(
    table: Mapping[str, Mapping[str, float]], hangul: str, english: str, counts: dict[str, dict[str, float]]
) -> None:
    """Add the expected uses of each (jamo, letters) in ``hangul`` -> ``english`` to ``counts``."""
    alpha = _forward(table, hangul, english)
    if not alpha or alpha[-1][-1] <= 0:
        return
    n, m = len(hangul), len(english)
    beta = [[0.0] * (m + 1) for _ in range(n + 1)]
    beta[n][m] = 1.0
    for i in range(n, 0, -1):
        runs = table[hangul[i - 1]]
        for j in range(m + 1):
            if not beta[i][j]:
                continue
            for k in range(max(0, j - MAX_LETTERS), j + (hangul[i - 1] in SILENT)):
                if alpha[i - 1][k]:
                    p = runs.get(english[k:j])
                    if p:
                        beta[i - 1][k] += p * beta[i][j]
                        runs_seen = counts[hangul[i - 1]]
                        run = english[k:j]
                        runs_seen[run] = runs_seen.get(run, 0.0) + alpha[i - 1][k] * p * beta[i][j] / alpha[n][m]


def _uniform(pairs: Sequence[Pair]) -> dict[str, dict[str, float]]:
    """Every run of letters a jamo could write in some pair, all equally likely."""
    runs: dict[str, set[str]] = defaultdict(set)
    for hangul, english in pairs:
        for jamo in set(units(hangul)):
            runs[jamo].update(
                english[k:j] for j in range(len(english) + 1) for k in range(max(0, j - MAX_LETTERS), j + (jamo in SILENT))
            )
    return {jamo: dict.fromkeys(letters, 1.0) for jamo, letters in runs.items()}


def training_pairs(entries: Iterable[tuple[str, str]]) -> list[Pair]:
    """One-word (Hangul, English letters) pairs out of (Hangul form, English form) glosses."""
    out = []
    for hangul, english in entries:
        word = english.lower()
        if HANGUL_WORD.fullmatch(hangul) and _LETTERS.fullmatch(word) and len(word) >= MIN_LETTERS:
            out.append((hangul, word))
    return sorted(set(out))


def train(pairs: Sequence[Pair], letters: LetterModel) -> SpellingModel:
    """The spelling model of ``pairs``, trained by expectation maximisation; after each
    round, pairs it explains no better than ``letters`` does are left out."""
    table = _uniform(pairs)
    kept = list(pairs)
    counts: dict[str, dict[str, float]] = {}
    for round_ in range(ROUNDS):
        counts = defaultdict(dict)
        for hangul, english in kept:
            _expected_counts(table, units(hangul), english, counts)
        table = {
            jamo: {letters: n / total for letters, n in runs.items() if n / total > 1e-4}
            for jamo, runs in counts.items()
            if (total := sum(runs.values())) > 0
        }
        if round_ >= 1:
            model = SpellingModel(table)
            kept = [(h, e) for h, e in pairs if _score(model, letters, h, e) >= TRAIN_SCORE]
    by_run: dict[str, float] = defaultdict(float)
    for runs in counts.values():
        for run, n in runs.items():
            by_run[run] += n
    return SpellingModel(
        {
            jamo: {run: p * counts[jamo][run] / by_run[run] for run, p in runs.items()}
            for jamo, runs in table.items()
        }
    )


def _score(model: SpellingModel, letters: LetterModel, hangul: str, english: str) -> float:
    """How much better ``hangul`` explains ``english`` than English spelling alone, per jamo."""
    logp = model.logp(hangul, english)
    return (logp - letters.logp(english)) / len(units(hangul)) if logp > -math.inf else -math.inf


def mine_transliterations(
    model: SpellingModel,
    hangul_terms: Iterable[str],
    english_words: Mapping[str, str],
    min_score: float = MIN_SCORE,
) -> dict[str, list[tuple[str, float]]]:
    """``{hangul term: [(english term, score), ...]}`` for the Hangul terms that may spell
    English words, best first.

    ``english_words`` maps each English word of the collection (lower case, letters only)
    to its index term. A Hangul term keeps the :data:`CANDIDATES` best-scoring terms
    scoring at least ``min_score``.
    """
    words = {w for w in english_words if len(w) >= MIN_LETTERS}
    prefixes = {w[:i] for w in words for i in range(len(w) + 1)}
    out: dict[str, list[tuple[str, float]]] = {}
    for hangul in hangul_terms:
        if not HANGUL_WORD.fullmatch(hangul):
            continue
        best: dict[str, float] = {}
        for word in model.spellings(hangul, prefixes, words):
            score = model.score(hangul, word)
            term = english_words[word]
            if score >= min_score and score > best.get(term, -math.inf):
                best[term] = round(score, 3)
        if best:
            out[hangul] = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATES]
    return out


class _Prefixes(Container[str]):
    """The prefixes of a sorted list of words, tested by bisection (no set of every prefix to build)."""

    def __init__(self, words: Sequence[str]) -> None:
        self._words = words

    def __contains__(self, prefix: object) -> bool:
        if not isinstance(prefix, str):
            return False
        at = bisect.bisect_left(self._words, prefix)
        return at < len(self._words) and self._words[at].startswith(prefix)


class Loanwords:
    """Spelling out at query time: the spelling model and the English words of the collection.

    A Hangul query word the collection holds in few papers or none has no mined spelling
    (mining reads only the collection's terms and wants shared papers), so it is spelled
    out here against ``words``, ``{english word: (index term, papers)}``, and a spelling is
    kept on its score alone, :data:`QUERY_MIN_SCORE`, stricter than mining's.
    """

    def __init__(self, model: SpellingModel, words: Mapping[str, tuple[str, int]]) -> None:
        self.model = model
        self._words = words
        self._prefixes = _Prefixes(sorted(words))
        self._papers = {term: papers for term, papers in words.values()}

    @classmethod
    def of(cls, model: SpellingModel, words: Mapping[str, str], papers: Mapping[str, int]) -> Loanwords:
        """The lookup for ``words`` (English word -> index term), ``papers`` giving each term's papers."""
        return cls(model, {w: (term, papers.get(term, 0)) for w, term in words.items() if len(w) >= MIN_LETTERS})

    def spell(self, hangul: str, min_score: float = QUERY_MIN_SCORE) -> tuple[str, float] | None:
        """The index term ``hangul`` most likely spells, with its score, if that passes
        ``min_score``. Candidates are ranked by their score plus :data:`PAPERS_WEIGHT` times
        the log of their papers: of two near spellings (chat, chart) the more used wins."""
        if not HANGUL_WORD.fullmatch(hangul):
            return None
        best: dict[str, float] = {}
        for word in self.model.spellings(hangul, self._prefixes, self._words):
            term = self._words[word][0]
            best[term] = max(best.get(term, -math.inf), self.model.score(hangul, word))
        if not best:
            return None
        term = max(sorted(best), key=lambda t: best[t] + PAPERS_WEIGHT * math.log1p(self._papers[t]))
        return (term, round(best[term], 3)) if best[term] >= min_score else None

    def to_dict(self) -> dict[str, Any]:
        """The stored form: the model's run scores (rounded) and the words, one
        ``word term papers`` line each (a string is far quicker to read than a mapping)."""
        table = {s: {run: float(f"{p:.4g}") for run, p in runs.items()} for s, runs in self.model.table.items()}
        lines = "\n".join(f"{word} {term} {papers}" for word, (term, papers) in sorted(self._words.items()))
        return {"table": table, "words": lines}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Loanwords:
        table, lines = data["table"], data["words"]
        if not isinstance(table, dict) or not isinstance(lines, str):
            raise ValueError("not a loanword lookup")
        words = {}
        for line in lines.splitlines():
            word, term, papers = line.split(" ")
            words[word] = (term, int(papers))
        return cls(SpellingModel(table), words)


@dataclass(frozen=True, slots=True)
class HeldOutCheck:
    """Precision and recall of mining on glossary pairs held out of training."""

    pairs: int
    predicted: int
    correct: int
    found: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.pairs if self.pairs else 0.0


def held_out_check(
    pairs: Sequence[Pair],
    letters: LetterModel,
    english_words: Mapping[str, str],
    stem: Mapping[str, str],
    min_score: float = MIN_SCORE,
    select: Callable[[Mapping[str, list[tuple[str, float]]]], Mapping[str, str]] | None = None,
    papers: Mapping[str, int] | None = None,
    share: float = 0.2,
    seed: int = 13,
) -> HeldOutCheck:
    """Train on all but a random ``share`` of the Hangul words of ``pairs``, mine the rest.

    ``select`` picks one English term per mined Hangul word (default: the best-scoring).
    With ``papers`` (each English term's papers) the held-out words are spelled out as a
    query word is instead (:meth:`Loanwords.spell`, no shared papers checked).
    A mined pair is correct when the glossary glosses that Hangul word with that English
    term (``stem`` gives each gloss's index term); recall counts the held-out glosses
    found, translations included, so it is a lower bound of the recall on loanwords.
    """
    hangul_words = sorted({h for h, _ in pairs})
    held = set(random.Random(seed).sample(hangul_words, int(len(hangul_words) * share)))
    model = train([p for p in pairs if p[0] not in held], letters)
    truth: dict[str, set[str]] = defaultdict(set)
    for h, e in pairs:
        if h in held:
            truth[h].add(stem.get(e, e))
    chosen: Mapping[str, str]
    if papers is not None:
        loanwords = Loanwords.of(model, english_words, papers)
        chosen = {h: spelled[0] for h in sorted(held) if (spelled := loanwords.spell(h, min_score))}
    else:
        mined = mine_transliterations(model, sorted(held), english_words, min_score)
        chosen = select(mined) if select else {h: candidates[0][0] for h, candidates in mined.items()}
    correct = sum(term in truth[h] for h, term in chosen.items())
    return HeldOutCheck(sum(len(t) for t in truth.values()), len(chosen), correct, correct)
