"""The analysis half of a build: papers -> analysed terms, on a background thread.

Kiwi dominates a build, so its workers are kept busy while the calling thread writes
Tantivy documents: :class:`AnalysisThread` cuts each batch of papers into words, analyses
the words the build has not met yet (each alone, by rule or in one Kiwi stream), places
each word's terms wherever it occurs and hands the analysed batch over. At most two
batches wait, so memory is bounded by the batch, not the corpus. Once the papers are done
it stores the new words in the generation's lexicon (:mod:`searchidx.lexicon`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from searchidx.analysis import Analyzer, WordTerms, ruled
from searchidx.durable import pause_point
from searchidx.fields import texts_to_analyze
from searchidx.lexicon import LEXICON_FILE, LexiconWriter
from searchidx.records import Paper
from searchidx.terms import Morph, Term

__all__ = ["BATCH_SIZE", "AnalysisThread"]

#: Papers analysed per batch; bounds the build's memory.
BATCH_SIZE = 256


class AnalysisThread:
    """The analysis half of a build, on a background thread.

    For each batch of ``to_analyse`` (one batch ahead of the consumer), the words this build
    has not met yet are looked up in the lexicon of ``generation`` (a copy of ``base``'s,
    the previous generation) or analysed by Kiwi, each alone, in one stream over Kiwi's
    workers; each word's terms are computed once and placed wherever it occurs. Once the
    papers are done the new words are stored in the lexicon.
    """

    def __init__(
        self,
        generation: Path,
        to_analyse: Sequence[Paper],
        analyzer: Analyzer,
        base: Path | None = None,
    ) -> None:
        self.generation = generation
        self._to_analyse = to_analyse
        self._analyzer = analyzer
        self._base = base
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self.seconds: dict[str, float] = {}
        self.kiwi_words = 0
        self._thread = threading.Thread(target=self._run, name="searchidx-kiwi", daemon=True)

    def __enter__(self) -> AnalysisThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.1)
            except queue.Empty:
                pass
        if self._error is not None and exc[0] is None:
            raise self._error

    def batches(self) -> Iterator[tuple[Sequence[Paper], list[list[list[Term]]]]]:
        """Analysed batches in order: (papers, the terms of each paper's texts)."""
        while True:
            item = self._queue.get()
            if item is None:
                if self._error is not None:
                    raise self._error
                return
            yield item
            pause_point("analysing")

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            store = LexiconWriter(self.generation / LEXICON_FILE, self._base / LEXICON_FILE if self._base else None)
            try:
                self._analyse_papers(store)
            finally:
                store.close()
        except BaseException as exc:  # handed to the consuming thread
            self._error = exc
        finally:
            self._put(None)

    def _analyse_papers(self, store: LexiconWriter) -> None:
        started = time.perf_counter()
        new: dict[str, tuple[Morph, ...]] = {}

        def lookup(words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
            morphs = store.morphs(words) if self._base else {}
            fresh = dict(self._analyse([w for w in words if w not in morphs]))
            new.update(fresh)
            return morphs | fresh

        analysis = WordTerms(lookup)
        for start in range(0, len(self._to_analyse), BATCH_SIZE):
            batch = self._to_analyse[start : start + BATCH_SIZE]
            texts = [texts_to_analyze(paper) for paper in batch]
            flat = iter(analysis.analyze([text for paper_texts in texts for text in paper_texts]))
            self._put((batch, [[next(flat) for _ in paper_texts] for paper_texts in texts]))
            if self._stop.is_set():
                return
        self.seconds["analyse"] = time.perf_counter() - started
        started = time.perf_counter()
        store.add(sorted(new.items()))
        self.seconds["lexicon"] = time.perf_counter() - started

    def _analyse(self, words: Sequence[str]) -> Iterator[tuple[str, tuple[Morph, ...]]]:
        """Morphemes of new words: by rule, or from Kiwi (each word alone, one stream)."""
        todo = []
        for word in words:
            morphs = ruled(word)
            if morphs is None:
                todo.append(word)
            else:
                yield word, morphs
        self.kiwi_words += len(todo)
        yield from zip(todo, self._analyzer.morphs(todo)) if todo else ()
