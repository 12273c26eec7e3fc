"""Simulated known-item queries: a seeded generator over the corpus, no human judgments.

The method is Azzopardi, de Rijke & Balog's ("Building simulated queries for known-item
topics", SIGIR 2007): pick a paper, draw a few of its discriminative words, add the noise a
person's memory adds, and expect that paper first. Here:

- the paper is drawn uniformly (seeded), each paper at most once;
- words come from its summary sections, never its title, drawn without replacement with
  probability proportional to idf (the "discriminative" term-selection model); words in more
  than :data:`MAX_DF_SHARE` of the papers or in only one paper are never drawn;
- Korean words are nouns (stems the corpus also writes with a noun particle such as 을/를
  or 의), in other forms than written: a particle or ending is stripped or swapped for another,
  two words that stand together in the text may be written as one, a long word may be split
  in two;
- the words are shuffled.

Three styles, each its own ``kind``: ``gen_ko`` (3-7 words of the Korean text), ``gen_en``
(3-7 words of the English terms the summary glosses in parentheses, ``환각(hallucination)``)
and ``gen_mixed`` (Korean words and one or two glossed English terms).

The generator reads text with its own word splitter and suffix lists, not searchidx's
analyzer, so no choice of the ranking under test shapes the queries. The queries are
regenerated on every run (deterministic for a seed); nothing of the corpus is stored::

    .venv/bin/python bench/make_queries.py --per-style 5      # print a sample
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit.corpus import DEFAULT_CORPUS, load_papers  # noqa: E402

from searchidx.records import Paper  # noqa: E402

SEED = 20261201
#: Queries per style by default: 660 in all.
PER_STYLE = {"gen_ko": 300, "gen_en": 180, "gen_mixed": 180}
MIN_WORDS, MAX_WORDS = 3, 7
#: Words found in more papers than this share are too common to identify one.
MAX_DF_SHARE = 0.08

#: Particles and endings a Korean word may carry, longest first (for stripping).
SUFFIXES = tuple(sorted(
    {"에서는", "으로는", "에서의", "으로써", "으로서", "에게서", "까지", "부터", "에서", "으로", "에게", "보다",
     "처럼", "과의", "와의", "에는", "에도", "로써", "로서", "들의", "들은", "들을", "들이", "하는", "하고",
     "하여", "하며", "하기", "하면", "했다", "합니다", "됩니다", "되는", "되어", "되며", "된", "한", "할",
     "함", "적인", "적으로", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만", "들"},
    key=len, reverse=True))
#: What a person may put back after a stripped word: (after a final consonant, after a vowel).
NEW_SUFFIXES = (("을", "를"), ("은", "는"), ("과", "와"), ("으로", "로"), ("의", "의"), ("에서", "에서"),
                ("하는", "하는"), ("한", "한"), ("에", "에"))
#: Particles that follow nouns only: a stem seen with one somewhere in the corpus is a noun.
NOUN_PARTICLES = ("을", "를", "이", "가", "의", "에", "에서", "으로", "로", "와", "과", "에는", "에서는", "으로는")
#: Endings of verbs and clauses: a word ending so, with nothing stripped, is not a noun.
VERBAL = ("다", "며", "고", "서", "게", "면", "지만", "도록", "었", "았", "였", "려고", "던", "는데", "듯", "니")
#: A stem ending so is an inflected verb, not a noun (발표되었습니다 -> 발표되었습니).
VERBAL_STEM = ("하", "되", "했", "됐", "습니", "입니", "었", "았", "였", "시키")

_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*$")
_PAREN = re.compile(r"\(([^()]{2,80})\)")
_STRIP = "\"'“”‘’()[]{}<>.,;:!?·…"


@dataclass(frozen=True)
class Word:
    """A word of a summary: as written, its stem (no particle or ending), its index in the text."""

    surface: str
    stem: str
    at: int


def stem(word: str) -> str:
    """A Korean word without its trailing particle or ending (at least two syllables left)."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def summary_words(paper: Paper) -> list[Word]:
    """The Hangul and Latin words of the summary outside parentheses, with their stems."""
    text = _PAREN.sub(" ( ) ", paper.text)
    words = []
    for at, raw in enumerate(text.split()):
        surface = raw.strip(_STRIP)
        if _HANGUL.match(surface):
            base = stem(surface)
            if (base == surface and surface.endswith(VERBAL)) or base.endswith(VERBAL_STEM) or len(base) < 2:
                continue
            words.append(Word(surface, base, at))
        elif _LATIN_WORD.match(surface) and len(surface) > 1:
            words.append(Word(surface, surface.lower(), at))
    return words


def glossed_terms(paper: Paper) -> list[str]:
    """The English terms the summary glosses in parentheses (``환각(hallucination)``)."""
    terms = []
    for inside in _PAREN.findall(paper.text):
        for item in re.split(r"[,;]", inside):
            words = [w.strip(_STRIP) for w in item.split()]
            if words and all(_LATIN_WORD.match(w) for w in words) and any(len(w) > 1 for w in words):
                terms.append(" ".join(words))
    return list(dict.fromkeys(terms))


class Generator:
    """Draws known-item queries from ``papers`` (see the module docstring)."""

    def __init__(self, papers: Sequence[Paper], seed: int = SEED) -> None:
        self.papers = sorted(papers, key=lambda p: p.arxiv_id)
        self.random = random.Random(seed)
        self.words = {p.arxiv_id: summary_words(p) for p in self.papers}
        self.glosses = {p.arxiv_id: glossed_terms(p) for p in self.papers}
        self.nouns = {w.stem for ws in self.words.values() for w in ws
                      if w.surface != w.stem and w.surface[len(w.stem):] in NOUN_PARTICLES}
        df: Counter[str] = Counter()
        for p in self.papers:
            df.update({w.stem for w in self.words[p.arxiv_id]})
            df.update({w.lower() for term in self.glosses[p.arxiv_id] for w in term.split()})
        self.df = df
        self.n = len(self.papers)

    def idf(self, word: str) -> float:
        """log(N / df) of a stem or lowercased English word; 0 when it may not be drawn."""
        count = self.df.get(word, 0)
        if count < 2 or count > MAX_DF_SHARE * self.n:
            return 0.0
        return math.log(self.n / count)

    def draw(self, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
        """``k`` distinct items, each drawn with probability proportional to its weight."""
        pool = [(item, w) for item, w in zip(items, weights) if w > 0]
        chosen = []
        while pool and len(chosen) < k:
            pick = self.random.uniform(0, sum(w for _, w in pool))
            for i, (item, w) in enumerate(pool):
                pick -= w
                if pick <= 0 or i == len(pool) - 1:
                    chosen.append(item)
                    pool.pop(i)
                    break
        return chosen

    def korean(self, paper: Paper, k: int) -> list[str] | None:
        """``k`` words of the summary, in other forms than written; None if too few."""
        title = {w.lower().strip(_STRIP) for w in paper.title.split()}
        unique = {}
        for word in self.words[paper.arxiv_id]:
            noun = word.stem in self.nouns or not _HANGUL.match(word.stem)
            if noun and word.stem not in unique and word.stem not in title:
                unique[word.stem] = word
        candidates = list(unique.values())
        chosen = self.draw(candidates, [self.idf(w.stem) for w in candidates], k)
        if len(chosen) < min(k, MIN_WORDS):
            return None
        chosen.sort(key=lambda w: w.at)
        out: list[str] = []
        previous: Word | None = None
        for word in chosen:
            if (previous is not None and word.at == previous.at + 1 and _HANGUL.match(word.stem)
                    and _HANGUL.match(previous.stem) and self.random.random() < 0.5):
                out[-1] = previous.stem + "".join(self.form(word))  # 플래시 메모리 -> 플래시메모리
            else:
                out.extend(self.form(word))
            previous = word
        return out

    def form(self, word: Word) -> list[str]:
        """The word as a person might type it: bare, with another particle, or as written; a
        long word sometimes written apart (강화학습 -> 강화 학습). One or two words."""
        if not _HANGUL.match(word.stem):
            return [word.surface if self.random.random() < 0.5 else word.stem]
        roll = self.random.random()
        if roll >= 0.75:
            return [word.surface]
        suffix = ""
        if roll >= 0.45:
            has_final = (ord(word.stem[-1]) - 0xAC00) % 28 != 0
            options = [pair[0] if has_final else pair[1] for pair in NEW_SUFFIXES]
            suffix = self.random.choice([o for o in options if not word.surface.endswith(o)])
        if len(word.stem) >= 4 and self.random.random() < 0.25:
            cut = len(word.stem) // 2
            return [word.stem[:cut], word.stem[cut:] + suffix]
        return [word.stem + suffix]

    def english(self, paper: Paper, k: int) -> list[str] | None:
        """Words of ``k``-ish glossed English terms (whole terms, at most ``k`` words)."""
        terms = self.glosses[paper.arxiv_id]
        weights = [max((self.idf(w.lower()) for w in t.split()), default=0.0) for t in terms]
        words: list[str] = []
        for term in self.draw(terms, weights, len(terms)):
            new = [w for w in term.split() if w.lower() not in {x.lower() for x in words}]
            if len(words) + len(new) <= k:
                words.extend(new)
        if self.random.random() < 0.5:
            words = [w.lower() for w in words]
        return words if len(words) >= min(k, MIN_WORDS) else None

    def query(self, paper: Paper, style: str) -> list[str] | None:
        """The words of one query of ``style`` for ``paper`` (unshuffled), or None."""
        k = self.random.randint(MIN_WORDS, MAX_WORDS)
        if style == "gen_ko":
            return self.korean(paper, k)
        if style == "gen_en":
            return self.english(paper, k)
        english = self.english(paper, self.random.randint(1, max(1, k // 2)))
        korean = self.korean(paper, k - len(english or []))
        if not english or not korean:
            return None
        return list({w.lower(): w for w in korean + english}.values())

    def generate(self, per_style: dict[str, int]) -> list[dict[str, Any]]:
        """Queries as judged-set rows: ``id``, ``kind``, ``query``, ``judgments`` (the paper, 2)."""
        order = list(self.papers)
        self.random.shuffle(order)
        rows = []
        for style, count in per_style.items():
            made = 0
            while made < count and order:
                paper = order.pop()
                words = self.query(paper, style)
                if not words:
                    continue
                self.random.shuffle(words)
                made += 1
                rows.append({"id": f"{style}-{made:04d}", "kind": style, "query": " ".join(words),
                             "judgments": {paper.arxiv_id: 2}})
        return rows


def generated_queries(papers: Sequence[Paper], seed: int = SEED,
                      per_style: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The generated known-item set for ``papers`` (deterministic for a seed)."""
    return Generator(papers, seed).generate(per_style or PER_STYLE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--per-style", type=int, help="queries per style (default: the benchmark's counts)")
    args = parser.parse_args(argv)
    papers, _ = load_papers(args.corpus)
    per_style = {style: args.per_style for style in PER_STYLE} if args.per_style else None
    for row in generated_queries(papers, args.seed, per_style):
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
