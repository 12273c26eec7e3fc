"""The analysis half of a build: papers -> analysed terms, on a background thread.

The calling thread writes Tantivy documents while :class:`AnalysisThread` hands each batch
of papers' texts to a :class:`~searchidx.kiwi_process.TextAnalysis` (usually a child
process: each distinct word analysed once, alone, and its terms placed wherever it
occurs) and the analysed batch to the writer. Texts are sent a few batches ahead, so Kiwi
analyses the next batches while this one is written; at most two analysed batches wait,
so memory is bounded by the batch, not the corpus. Once the papers are handed over, the
analysis stores the new words in the generation's lexicon (:mod:`searchidx.lexicon`)
while the writer commits.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from searchidx.durable import pause_point
from searchidx.fields import texts_to_analyze
from searchidx.kiwi_process import TextAnalysis
from searchidx.records import Paper
from searchidx.terms import Term

__all__ = ["BATCH_SIZE", "AnalysisThread"]

#: Papers analysed per batch; bounds the build's memory.
BATCH_SIZE = 256
#: Batches whose texts are sent before the oldest one's terms are taken, so the next
#: batches are analysed while this one is written.
BATCHES_AHEAD = 2


class AnalysisThread:
    """The analysis half of a build, on a background thread.

    The texts of each batch of ``to_analyse`` go to ``analysis`` (:data:`BATCHES_AHEAD`
    batches ahead). After the last batch, ``analysis`` stores the new words in the
    lexicon (:meth:`~searchidx.kiwi_process.TextAnalysis.finish`); leaving the block waits
    for it.
    """

    def __init__(self, to_analyse: Sequence[Paper], analysis: TextAnalysis) -> None:
        self._to_analyse = to_analyse
        self._analysis = analysis
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
        ended = False
        try:
            self._analyse_papers()
            self._put(None)  # the writer commits and mines while the lexicon is written
            ended = True
            started = time.perf_counter()
            self.kiwi_words = self._analysis.finish()
            self.seconds["lexicon"] = time.perf_counter() - started
        except BaseException as exc:  # handed to the consuming thread
            self._error = exc
        finally:
            if not ended:
                self._put(None)

    def _analyse_papers(self) -> None:
        started = time.perf_counter()
        ahead: deque[tuple[Sequence[Paper], list[list[str]]]] = deque()
        for start in range(0, len(self._to_analyse), BATCH_SIZE):
            batch = self._to_analyse[start : start + BATCH_SIZE]
            texts = [texts_to_analyze(paper) for paper in batch]
            self._analysis.submit([text for paper_texts in texts for text in paper_texts])
            ahead.append((batch, texts))
            if len(ahead) > BATCHES_AHEAD:
                self._hand_over(*ahead.popleft())
            if self._stop.is_set():
                return
        while ahead and not self._stop.is_set():
            self._hand_over(*ahead.popleft())
        self.seconds["analyse"] = time.perf_counter() - started

    def _hand_over(self, batch: Sequence[Paper], texts: list[list[str]]) -> None:
        """Hand the analysed terms of a submitted batch to the writer."""
        flat = iter(self._analysis.result())
        self._put((batch, [[next(flat) for _ in paper_texts] for paper_texts in texts]))
