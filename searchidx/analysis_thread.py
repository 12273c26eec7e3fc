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
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from searchidx.analysis import Analyzer, TextWords, WordTerms
from searchidx.durable import pause_point
from searchidx.fields import texts_to_analyze
from searchidx.kiwi_process import WordSource, open_word_source
from searchidx.lexicon import LEXICON_FILE
from searchidx.records import Paper
from searchidx.terms import Term

__all__ = ["BATCH_SIZE", "AnalysisThread"]

#: Papers analysed per batch; bounds the build's memory.
BATCH_SIZE = 256
#: Batches whose new words are asked for before the oldest one's terms are placed, so the
#: words of the next batches are analysed while this one is placed and written.
BATCHES_AHEAD = 2


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
            base = self._base / LEXICON_FILE if self._base else None
            source = open_word_source(self._analyzer, self.generation / LEXICON_FILE, base)
            try:
                self._analyse_papers(source)
            finally:
                source.close()
        except BaseException as exc:  # handed to the consuming thread
            self._error = exc
        finally:
            self._put(None)

    def _analyse_papers(self, source: WordSource) -> None:
        started = time.perf_counter()
        analysis = WordTerms()
        ahead: deque[tuple[Sequence[Paper], list[list[str]], TextWords]] = deque()
        for start in range(0, len(self._to_analyse), BATCH_SIZE):
            batch = self._to_analyse[start : start + BATCH_SIZE]
            texts = [texts_to_analyze(paper) for paper in batch]
            words = analysis.prepare([text for paper_texts in texts for text in paper_texts])
            source.submit(words.new)
            ahead.append((batch, texts, words))
            if len(ahead) > BATCHES_AHEAD:
                self._hand_over(analysis, source, *ahead.popleft())
            if self._stop.is_set():
                return
        while ahead and not self._stop.is_set():
            self._hand_over(analysis, source, *ahead.popleft())
        self.seconds["analyse"] = time.perf_counter() - started
        started = time.perf_counter()
        self.kiwi_words = source.finish()
        self.seconds["lexicon"] = time.perf_counter() - started

    def _hand_over(
        self, analysis: WordTerms, source: WordSource, batch: Sequence[Paper], texts: list[list[str]], words: TextWords
    ) -> None:
        """Place the terms of a batch whose words were submitted, and hand it to the writer."""
        flat = iter(analysis.place(words, source.result()))
        self._put((batch, [[next(flat) for _ in paper_texts] for paper_texts in texts]))
