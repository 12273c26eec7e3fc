"""Glossary: Korean <-> English term pairs mined from the digests, for cross-lingual queries.

The digests gloss technical terms in parentheses, in either direction::

    환각(hallucination)            대형 언어 모델(Large Language Models; LLMs)
    LLM(대형 언어 모델)             직접 선호 최적화(DPO)

Mining (at build time, :class:`GlossaryCounts`) reads every ``outside(inside)`` where one side
is Hangul and the other Latin, in the terms the index's
:class:`~searchidx.analysis.Analyzer` gave the summary for the index, so glossary entries
are sequences of index terms, match query terms directly and cost a build no second
analysis. The inside is delimited by the parentheses (a list
``(Large Language Models, LLMs)`` gives one inside per item); where the outside starts is
not written, so every run of up to :data:`searchidx.glosses.MAX_TERMS` nouns ending at the
parenthesis is a candidate (:mod:`searchidx.glosses` reads them), and counting decides: a
candidate is kept unless longer candidates explain most of its occurrences (``대형 언어 모델``
and ``대규모 언어 모델`` both gloss ``LLMs``, so ``언어 모델`` alone does not). Pairs seen fewer
than ``min_count`` times are dropped. The counts behind that choice add up paper by paper
and are kept with the index generation (``glossary-counts.json``), so adding papers to an
index adds their counts and selects again.

The glossary is stored in the index generation (``glossary.json``) and turned into query
expansions: every entry maps its terms, joined by single spaces, to the other side's terms
(see ``expansions`` of :func:`searchidx.query.build_query`). A pair is used only where it is
precise: of the papers holding the query's side, the share that gloss it as the other side
must be at least :data:`MIN_PRECISION` (환각 -> hallucination 0.32, LLM -> 대형 언어 모델 0.41;
방법 -> DPO 0.0003, 가속 -> training 0.007, a one-off gloss of a common word).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from searchidx.analysis import Analyzer
from searchidx.durable import write_durably
from searchidx.glosses import Gloss, Key, gloss_spans, glosses
from searchidx.index import read_counts, read_generation_file, write_counts
from searchidx.query import expansion_spans, query_words
from searchidx.records import Paper
from searchidx.terms import Term

__all__ = [
    "GLOSSARY_FILE",
    "COUNTS_FILE",
    "GlossaryCounts",
    "MIN_COUNT",
    "EXPANSION_WEIGHT",
    "MAX_TRANSLATIONS",
    "MIN_PRECISION",
    "GlossaryEntry",
    "Glossary",
    "mine_glossary",
    "save_glossary",
    "load_glossary",
    "save_counts",
    "load_counts",
]

GLOSSARY_FILE = "glossary.json"
COUNTS_FILE = "glossary-counts.json"
#: Pairs seen fewer times than this are left out (chosen on bench/queries.jsonl).
MIN_COUNT = 1
#: Weight of a translation relative to the query word itself (chosen on bench/queries.jsonl).
EXPANSION_WEIGHT = 0.05
#: Translations a query word is expanded with, the most frequent first (chosen on
#: bench/queries.jsonl: nDCG@10 0.819 with no limit, 0.823 with 2, 0.821 with 3; a generic
#: word such as 모델 has dozens of rare, mostly wrong glosses).
MAX_TRANSLATIONS = 3
#: Least share of the papers holding a term that must gloss it as a translation for the
#: translation to be used (see the module docstring; chosen on the dev and generated sets).
MIN_PRECISION = 0.05
#: A longer candidate absorbs its shorter suffix when it holds at least this share of it.
EXTEND_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One way a term is glossed: ``target`` (index terms, space-joined) seen ``count`` times.

    ``form`` is the target as most often written.
    """

    target: str
    count: int
    form: str

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.target, "form": self.form, "count": self.count}


@dataclass(frozen=True, slots=True)
class _Pair:
    korean: Key
    english: Key
    count: int
    korean_form: str
    english_form: str


class Glossary:
    """Mined pairs, looked up in both directions by space-joined index terms.

    Held (and stored) as its lookup table, ``key -> [[target, count, form], ...]`` most
    frequent first, so a query process only reads it: no table is built per process.
    """

    def __init__(self, table: Mapping[str, Sequence[Sequence[Any]]] | None = None, pairs: int = 0) -> None:
        self._table = table or {}
        self._pairs = pairs

    @classmethod
    def from_pairs(cls, pairs: Iterable[_Pair]) -> Glossary:
        """The glossary of ``pairs``, each entered under both of its sides."""
        table: dict[str, list[list[Any]]] = defaultdict(list)
        n = 0
        for pair in pairs:
            korean, english = " ".join(pair.korean), " ".join(pair.english)
            table[korean].append([english, pair.count, pair.english_form])
            table[english].append([korean, pair.count, pair.korean_form])
            n += 1
        for entries in table.values():
            entries.sort(key=lambda entry: (-entry[1], entry[0]))
        return cls(dict(table), n)

    def __len__(self) -> int:
        """The number of pairs."""
        return self._pairs

    def keys(self) -> list[str]:
        """Every glossed term (either side of a pair), as space-joined index terms."""
        return list(self._table)

    def lookup(self, key: str) -> list[GlossaryEntry]:
        """What ``key`` (index terms joined by spaces) is glossed as, most frequent first."""
        return [GlossaryEntry(target, int(count), form) for target, count, form in self._table.get(key, ())]

    def translate(self, text: str, analyzer: Analyzer) -> list[tuple[str, list[GlossaryEntry]]]:
        """The glossary entries of a query ``text``, per run of its words.

        Returns (words as index terms, entries) for each run of the query that has entries,
        cut the way :func:`searchidx.query.build_query` cuts it; the query is expanded with
        the first :data:`MAX_TRANSLATIONS` entries of each.
        """
        words = [alternatives[:1] for alternatives in query_words(analyzer.analyze(text, "query"))]
        spans = expansion_spans(words, self._table)
        keys = [" ".join(word for (word,) in span) for span in spans]
        return [(key, self.lookup(key)) for key in keys if key in self._table]

    def expansions(
        self,
        weight: float = EXPANSION_WEIGHT,
        papers_with: Callable[[Sequence[str]], int] | None = None,
        min_precision: float = MIN_PRECISION,
    ) -> Mapping[str, list[tuple[str, float]]]:
        """The ``expansions`` mapping of :func:`searchidx.query.build_query`: the
        :data:`MAX_TRANSLATIONS` most frequent targets of each key, weighted ``weight``;
        entries are made when a query looks them up. With ``papers_with`` (the number of
        papers holding a sequence of terms), only pairs glossed in at least ``min_precision``
        of the papers holding the key are used; a key with none is not expanded."""
        return _Expansions(self._table, weight, papers_with, min_precision)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 2, "pairs": self._pairs, "table": self._table}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Glossary:
        if data.get("version") != 2 or not isinstance(data["table"], dict):
            raise ValueError("not a version 2 glossary")
        return cls(data["table"], int(data["pairs"]))


class _Expansions(Mapping[str, list[tuple[str, float]]]):
    """A glossary table seen as query expansions of one weight, its imprecise pairs left out.

    Precision is counted when a query looks a key up, and remembered (one query's view).
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[Sequence[Any]]],
        weight: float,
        papers_with: Callable[[Sequence[str]], int] | None,
        min_precision: float,
    ) -> None:
        self._table = table
        self._weight = weight
        self._papers_with = papers_with
        self._min_precision = min_precision
        self._seen: dict[str, list[tuple[str, float]]] = {}

    def __getitem__(self, key: str) -> list[tuple[str, float]]:
        if key not in self._seen:
            entries = self._table[key]
            if self._papers_with is not None:
                holding = max(self._papers_with(key.split(" ")), 1)
                entries = [entry for entry in entries if entry[1] / holding >= self._min_precision]
            self._seen[key] = [(entry[0], self._weight) for entry in entries[:MAX_TRANSLATIONS]]
        return self._seen[key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._table and bool(self[key])

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._table if key in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        # Whether there are keys to look up: len() would check the precision of every one.
        return bool(self._table)


def save_glossary(generation: Path, glossary: Glossary) -> None:
    """Write ``glossary`` into an index generation directory, durably (before it is published)."""
    write_durably(generation / GLOSSARY_FILE, orjson.dumps(glossary.to_dict()))


def load_glossary(generation: Path) -> Glossary:
    """The glossary of a generation; empty for an index built without one."""
    return read_generation_file(generation, GLOSSARY_FILE, "the glossary", Glossary.from_dict, Glossary)


class GlossaryCounts:
    """Counts of the glosses in some papers' summaries; adding papers adds counts.

    :meth:`glossary` selects the pairs. An index generation keeps the counts
    (:func:`save_counts`) so that an incremental build counts only the papers it adds.
    Held as plain JSON data, so reading them back is one ``orjson.loads``: per inside
    (space-joined terms), ``[inside is Korean, {form: count}, {outside: {form: count}}]``.
    """

    def __init__(self, insides: dict[str, list[Any]] | None = None) -> None:
        self._insides: dict[str, list[Any]] = insides if insides is not None else {}

    def add(self, paper: Paper, section_terms: Sequence[Sequence[Term]]) -> None:
        """Count the glosses of ``paper``, given the index terms of each of its sections."""
        for section, terms in zip(paper.sections, section_terms):
            for start, open_at, end in gloss_spans(section.text):
                inside = [
                    Term(t.text, t.start - start, t.end - start, t.position)
                    for t in terms
                    if start <= t.start and t.end <= end
                ]
                for gloss in glosses(section.text[start:end], open_at - start, inside):
                    self._count(gloss)

    def _count(self, gloss: Gloss) -> None:
        key = " ".join(gloss.inside)
        entry = self._insides.get(key)
        if entry is None:
            entry = self._insides[key] = [gloss.inside_is_korean, {}, {}]
        _bump(entry[1], gloss.inside_form)
        for outside, form in gloss.outside:
            _bump(entry[2].setdefault(" ".join(outside), {}), form)

    def glossary(self, *, min_count: int = MIN_COUNT) -> Glossary:
        """The pairs these counts select (see the module docstring)."""
        merged: Counter[tuple[Key, Key]] = Counter()
        korean_forms: dict[Key, Counter[str]] = defaultdict(Counter)
        english_forms: dict[Key, Counter[str]] = defaultdict(Counter)
        for inside_key, (korean, forms, outside_forms) in self._insides.items():
            inside = tuple(inside_key.split(" "))
            totals = {tuple(key.split(" ")): sum(f.values()) for key, f in outside_forms.items()}
            to_inside, to_outside = (korean_forms, english_forms) if korean else (english_forms, korean_forms)
            for outside, count in _select(totals):
                merged[(inside, outside) if korean else (outside, inside)] += count
                to_outside[outside].update(outside_forms[" ".join(outside)])
                to_inside[inside].update(forms)
        return Glossary.from_pairs(
            _Pair(k, e, n, _most_common(korean_forms[k]), _most_common(english_forms[e]))
            for (k, e), n in merged.items()
            if n >= min_count
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """The counts as the JSON object :func:`save_counts` keeps."""
        return self._insides


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _most_common(forms: Counter[str]) -> str:
    """The most frequent form; ties go to the first in code point order, not in reading
    order, so counts added in any order select the same."""
    return min(forms, key=lambda form: (-forms[form], form))


def mine_glossary(papers: Sequence[Paper], analyzer: Analyzer, *, min_count: int = MIN_COUNT) -> Glossary:
    """Mine the Korean <-> English pairs glossed in the summaries of ``papers``."""
    counts = GlossaryCounts()
    for paper in papers:
        counts.add(paper, analyzer.analyze_many([section.text for section in paper.sections]))
    return counts.glossary(min_count=min_count)


def save_counts(generation: Path, counts: GlossaryCounts) -> None:
    """Write the glossary counts of an index generation, durably."""
    write_counts(generation, COUNTS_FILE, counts.to_dict())


def load_counts(generation: Path) -> GlossaryCounts | None:
    """The glossary counts kept with a generation; ``None`` when absent or unreadable."""
    return read_counts(generation, COUNTS_FILE, GlossaryCounts)


def _select(counts: Mapping[Key, int]) -> list[tuple[Key, int]]:
    """The outside runs that gloss one inside, with their counts.

    Candidates nest (``모델`` < ``언어 모델`` < ``대형 언어 모델``). Walking from the shortest,
    a candidate's one-term-longer extensions holding at least :data:`EXTEND_SHARE` of its
    occurrences take those occurrences over; a candidate is kept when what is left of it
    is still at least that share.
    """
    extensions: dict[Key, list[Key]] = defaultdict(list)
    for key in counts:
        if len(key) > 1:
            extensions[key[1:]].append(key)
    chosen: list[tuple[Key, int]] = []
    stack: list[Key] = [key for key in counts if len(key) == 1]
    while stack:
        key = stack.pop()
        count = counts[key]
        taken = [k for k in extensions.get(key, ()) if counts[k] >= EXTEND_SHARE * count]
        left = count - sum(counts[k] for k in taken)
        if left > 0 and left >= EXTEND_SHARE * count:
            chosen.append((key, left))
        stack.extend(taken)
    return chosen
