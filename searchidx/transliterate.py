"""Transliteration: Hangul loanwords <-> the English words they spell (파라미터 <-> parameter).

Korean writes many technical words by sound (프루닝, 레이턴시, 임베딩) where a summary may
write the English, and the other way round. No hand list is involved: the spelling rules
are learned from the collection itself. The glossary (:mod:`searchidx.glossary`) pairs
thousands of one-word Hangul terms with the one-word English they gloss; many of these
pairs are transliterations (디스틸레이션 / distillation), the rest translations (환각 /
hallucination).

The model reads a Hangul word syllable by syllable; each syllable writes a run of one to
:data:`MAX_LETTERS` letters with probability ``p(letters | syllable)``, so
``P(english | hangul)`` sums over the ways of cutting the English word into one run per
syllable. It is trained by expectation maximisation on the glossary pairs; after each
round, pairs it explains no better than an English letter model does (translations) are
left out of the next one. The trained :class:`SpellingModel` scores a run by
``p(letters | syllable) * p(syllable | letters)``, so a run both sides agree on (프 / p)
counts, and one a syllable took from a few translation pairs (구 / li) does not.

Mining (:func:`mine_transliterations`) reads every Hangul term of the collection, spells it
out the ways the model finds likely, keeping only spellings that begin an English word of
the collection (a prefix walk, so only a few hundred strings are tried per word), and keeps
the English words reached whose score, the log of the summed run scores per syllable,
passes :data:`MIN_SCORE`. That threshold was chosen by holding out a fifth of the glossary
pairs (:func:`held_out_check`, ``bench/evaluate_transliteration.py``).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_LETTERS",
    "MIN_SCORE",
    "SpellingModel",
    "LetterModel",
    "training_pairs",
    "train",
    "mine_transliterations",
    "held_out_check",
]

#: Longest run of letters one syllable writes (킹 -> "king").
MAX_LETTERS = 4
#: Rounds of expectation maximisation.
ROUNDS = 4
#: Runs of letters a syllable may write, the likeliest first, tried when spelling a word out.
SPELLINGS_PER_SYLLABLE = 12
#: Partial spellings kept per syllable when spelling a word out.
BEAM = 64
#: Lowest score (log of the summed run scores, per unit) of a pair that is kept (chosen
#: on held-out glossary pairs; see :func:`held_out_check`).
MIN_SCORE = -4.0
#: English terms a Hangul term may spell that are kept for checking against the collection.
CANDIDATES = 3
#: Pairs kept for training: those the model explains better than the English letter model
#: does, by at least this log-probability per syllable.
TRAIN_SCORE = 0.5
#: Shortest English word matched (shorter ones are abbreviations, not spelled out).
MIN_LETTERS = 4

_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,}")
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
    """How each Hangul syllable is written in English letters: a score per (syllable, run)."""

    table: dict[str, dict[str, float]]

    def logp(self, hangul: str, english: str) -> float:
        """The log of the run scores of ``hangul`` -> ``english``, summed over the ways of
        cutting ``english`` (-inf if there is none)."""
        forward = _forward(self.table, units(hangul), english)
        return math.log(forward[-1][-1]) if forward and forward[-1][-1] > 0 else -math.inf

    def score(self, hangul: str, english: str) -> float:
        """How well the syllables of ``hangul`` and the runs of ``english`` match, per syllable."""
        return self.logp(hangul, english) / len(units(hangul))

    def spellings(self, hangul: str, prefixes: set[str], words: set[str]) -> list[str]:
        """English ``words`` the Hangul word may spell, each reached through ``prefixes``."""
        beam: dict[str, float] = {"": 0.0}
        for syllable in units(hangul):
            options = self.ranked.get(syllable)
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
                syllable: [(letters, math.log(p)) for letters, p in sorted(runs.items(), key=lambda x: -x[1])][
                    :SPELLINGS_PER_SYLLABLE
                ]
                for syllable, runs in self.table.items()
            }
            self.__dict__["_ranked"] = cached
        return cached


def units(hangul: str) -> str:
    """What the model reads of a Hangul word: each syllable without its final consonant,
    then the final consonant (U+11A8-U+11C2) if it has one, so 턴 is read as 터 + ᆫ.

    Final consonants are few and sound alike in every syllable (ᆼ is "ng", ᆯ is "l"), so
    learning them once makes the hundreds of syllables with one learnable from fewer pairs.
    """
    out = []
    for char in hangul:
        final = (ord(char) - 0xAC00) % 28 if "\uac00" <= char <= "\ud7a3" else 0
        out.append(chr(ord(char) - final))
        if final:
            out.append(chr(0x11A7 + final))
    return "".join(out)


def _forward(table: Mapping[str, Mapping[str, float]], hangul: str, english: str) -> list[list[float]]:
    """``alpha[i][j]``: probability that the first ``i`` syllables write the first ``j`` letters."""
    m = len(english)
    alpha = [[0.0] * (m + 1) for _ in range(len(hangul) + 1)]
    alpha[0][0] = 1.0
    for i, syllable in enumerate(hangul, 1):
        runs = table.get(syllable)
        if not runs:
            return []
        previous, row = alpha[i - 1], alpha[i]
        for j in range(m + 1):
            total = 0.0
            for k in range(max(0, j - MAX_LETTERS), j):
                if previous[k]:
                    p = runs.get(english[k:j])
                    if p:
                        total += previous[k] * p
            row[j] = total
    return alpha


def _expected_counts(
    table: Mapping[str, Mapping[str, float]], hangul: str, english: str, counts: dict[str, dict[str, float]]
) -> None:
    """Add the expected uses of each (syllable, letters) in ``hangul`` -> ``english`` to ``counts``."""
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
            for k in range(max(0, j - MAX_LETTERS), j):
                if alpha[i - 1][k]:
                    p = runs.get(english[k:j])
                    if p:
                        beta[i - 1][k] += p * beta[i][j]
                        runs_seen = counts[hangul[i - 1]]
                        run = english[k:j]
                        runs_seen[run] = runs_seen.get(run, 0.0) + alpha[i - 1][k] * p * beta[i][j] / alpha[n][m]


def _uniform(pairs: Sequence[Pair]) -> dict[str, dict[str, float]]:
    """Every run of letters a syllable could write in some pair, all equally likely."""
    runs: dict[str, set[str]] = defaultdict(set)
    for hangul, english in pairs:
        for syllable in set(units(hangul)):
            runs[syllable].update(
                english[k:j] for j in range(len(english) + 1) for k in range(max(0, j - MAX_LETTERS), j)
            )
    return {syllable: dict.fromkeys(letters, 1.0) for syllable, letters in runs.items()}


def training_pairs(entries: Iterable[tuple[str, str]]) -> list[Pair]:
    """One-word (Hangul, English letters) pairs out of (Hangul form, English form) glosses."""
    out = []
    for hangul, english in entries:
        word = english.lower()
        if _HANGUL_WORD.fullmatch(hangul) and _LETTERS.fullmatch(word) and len(word) >= MIN_LETTERS:
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
            syllable: {letters: n / total for letters, n in runs.items() if n / total > 1e-4}
            for syllable, runs in counts.items()
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
            syllable: {run: p * counts[syllable][run] / by_run[run] for run, p in runs.items()}
            for syllable, runs in table.items()
        }
    )


def _score(model: SpellingModel, letters: LetterModel, hangul: str, english: str) -> float:
    """How much better ``hangul`` explains ``english`` than English spelling alone, per syllable."""
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
        if not _HANGUL_WORD.fullmatch(hangul):
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
    share: float = 0.2,
    seed: int = 13,
) -> HeldOutCheck:
    """Train on all but a random ``share`` of the Hangul words of ``pairs``, mine the rest.

    ``select`` picks one English term per mined Hangul word (default: the best-scoring).
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
    mined = mine_transliterations(model, sorted(held), english_words, min_score)
    chosen = select(mined) if select else {h: candidates[0][0] for h, candidates in mined.items()}
    correct = sum(term in truth[h] for h, term in chosen.items())
    return HeldOutCheck(sum(len(t) for t in truth.values()), len(chosen), correct, correct)
