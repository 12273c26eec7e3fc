"""The analysis of a build's texts, and its new lexicon, beside the build's Python work.

A build hands its texts over batch after batch and gets back their terms. Each distinct
word's morphemes come once from the previous generation's lexicon, by rule
(:func:`searchidx.analysis.ruled`) or from Kiwi, each word alone, and its terms are placed
wherever it occurs (:class:`searchidx.analysis.WordTerms`); once the papers are done, the
new words are stored in the generation's lexicon (:mod:`searchidx.lexicon`).
:class:`BuildAnalysis` does this in the calling process.

Loading Kiwi takes about a second and holds the GIL, and the build's own work (writing
documents, counting glosses) is Python on one core. So when Kiwi is not loaded yet,
:func:`open_text_analysis` runs :class:`BuildAnalysis` in a child process
(:class:`KiwiProcess`, ``python -m searchidx.kiwi_process``) started before the digests
are parsed: Kiwi loads there while the build parses, texts are cut into words and terms
placed there while the build writes, and the lexicon is written there while the build
commits and mines. When the parsed papers hold no word Kiwi would be asked for
(:func:`needs_kiwi`: English digests, a build that only removes papers), the child is
stopped and the build analyses in its own process without loading Kiwi. A word's terms
are the same either way: they depend on the word alone.

Protocol, one JSON document a line: the build sends each batch of texts and then ``null``;
the child answers each batch with the terms of each text as four columns (texts, starts,
ends, positions) and, after ``null``, with ``{"kiwi_words": n}`` once the lexicon is
written. A child whose input ends without ``null`` writes no new words, and on Linux the
child is killed with its build.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

import searchidx
from searchidx.analysis import Analyzer, WordTerms, ruled
from searchidx.errors import AnalysisError
from searchidx.lexicon import Lexicon, LexiconWriter
from searchidx.terms import Morph, Term
from searchidx.words import normalize, split_words

__all__ = ["TextAnalysis", "BuildAnalysis", "KiwiProcess", "open_text_analysis", "needs_kiwi"]

MorphsOf = dict[str, tuple[Morph, ...]]
#: Words :func:`needs_kiwi` looks up in the lexicon at a time.
_LOOKUP_WORDS = 500


class TextAnalysis(Protocol):
    """Answers a build's batches of texts in the order they were submitted."""

    def submit(self, texts: Sequence[str]) -> None:
        """Ask for the terms of ``texts``."""

    def result(self) -> list[list[Term]]:
        """The terms of each text of the oldest submitted batch not yet returned."""

    def finish(self) -> int:
        """Store the new words in the lexicon; the number of words Kiwi analysed."""

    def close(self) -> None:
        """Release what is held (after :meth:`finish`, or instead of it on failure)."""


class BuildAnalysis:
    """The terms of a build's texts in this process, and the new lexicon.

    ``path`` is the new lexicon; ``base`` the previous generation's, copied into it so its
    words are looked up instead of analysed. Kiwi (``analyzer``) loads only if some word
    needs it.
    """

    def __init__(self, analyzer: Analyzer, path: Path, base: Path | None = None) -> None:
        self._analyzer = analyzer
        self._store: LexiconWriter | None = LexiconWriter(path, base)
        self._known = base is not None
        self._words = WordTerms(self.lookup)
        self._new: MorphsOf = {}
        self._answers: deque[list[list[Term]]] = deque()
        self.kiwi_words = 0

    def lookup(self, words: Collection[str]) -> MorphsOf:
        """The morphemes of ``words``: stored, by rule, or from Kiwi (one stream)."""
        out = self._store.morphs(words) if self._known and self._store else {}
        todo = []
        for word in words:
            if word not in out:
                morphs = ruled(word)
                if morphs is None:
                    todo.append(word)
                else:
                    out[word] = self._new[word] = morphs
        self.kiwi_words += len(todo)
        for word, morphs in zip(todo, self._analyzer.morphs(todo) if todo else ()):
            out[word] = self._new[word] = morphs
        return out

    def analyze(self, texts: Sequence[str]) -> list[list[Term]]:
        """The terms of each of ``texts``."""
        return self._words.analyze(texts)

    def submit(self, texts: Sequence[str]) -> None:
        self._answers.append(self.analyze(texts))

    def result(self) -> list[list[Term]]:
        return self._answers.popleft()

    def finish(self) -> int:
        if self._store is not None:
            self._store.add(sorted(self._new.items()))
        self.close()
        return self.kiwi_words

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class KiwiProcess:
    """:class:`BuildAnalysis` in a child process (see the module docstring).

    Batches are written by a thread of their own, so a large batch never waits on the
    child's answer to an earlier one.
    """

    def __init__(self, analyzer: Analyzer, path: Path, base: Path | None = None) -> None:
        self._setup = (analyzer, path, base)
        self._here: BuildAnalysis | None = None
        package_root = str(Path(searchidx.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        settings = {
            "analyzer": analyzer.settings,
            "path": str(path),
            "base": str(base) if base else None,
            "parent": os.getpid(),
        }
        self._errors = tempfile.TemporaryFile()  # read only if the child fails; a pipe could fill up
        self._child = subprocess.Popen(
            [sys.executable, "-m", "searchidx.kiwi_process", orjson.dumps(settings).decode()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=env,
        )
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._sender = threading.Thread(target=self._send, name="searchidx-kiwi-send", daemon=True)
        self._sender.start()

    def _send(self) -> None:
        stdin = self._child.stdin
        assert stdin is not None
        try:
            while (line := self._outbox.get()) is not None:
                stdin.write(line)
                stdin.flush()
            stdin.close()
        except OSError:  # the child died; reading its answers reports it
            pass

    def submit(self, texts: Sequence[str]) -> None:
        if self._here is not None:
            self._here.submit(texts)
        else:
            self._outbox.put(orjson.dumps(list(texts)) + b"\n")

    def without_kiwi(self) -> None:
        """Stop the child, most often before Kiwi has loaded, and analyse in this process
        instead: for a build none of whose texts needs Kiwi (:func:`needs_kiwi`). Called
        before the first batch."""
        self._stop()
        self._here = BuildAnalysis(*self._setup)

    def _answer(self) -> Any:
        stdout = self._child.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            self._child.wait()
            self._errors.seek(0)
            message = self._errors.read().decode(errors="replace").strip()
            last = message.splitlines()[-1] if message else "no message"
            raise AnalysisError(f"the Kiwi process stopped (exit status {self._child.returncode}): {last}")
        return orjson.loads(line)

    def result(self) -> list[list[Term]]:
        if self._here is not None:
            return self._here.result()
        # Term(...) without its Python-level __new__, from the columns: a build makes a million.
        return [list(map(tuple.__new__, repeat(Term), zip(*columns))) for columns in self._answer()]

    def finish(self) -> int:
        if self._here is not None:
            return self._here.finish()
        self._outbox.put(b"null\n")
        self._outbox.put(None)
        kiwi_words = int(self._answer()["kiwi_words"])
        self._child.wait()
        return kiwi_words

    def close(self) -> None:
        """Stop the child if it still runs (a build that failed or was stopped)."""
        self._stop()
        if self._here is not None:
            self._here.close()

    def _stop(self) -> None:
        self._outbox.put(None)
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        if self._child.stdout is not None:
            self._child.stdout.close()
        self._errors.close()


def needs_kiwi(texts: Iterable[str], base: Path | None) -> bool:
    """Whether some word of ``texts`` is neither known by rule nor in the lexicon ``base``.

    Stops at the first such word, which in Korean text is nearly always in the first text;
    a build of English digests, or one that only removes papers, never loads Kiwi.
    """
    lexicon = Lexicon(base) if base is not None else None
    chunk = _LOOKUP_WORDS if lexicon is not None else 1
    seen: set[str] = set()
    pending: list[str] = []

    def unknown() -> bool:
        found = lexicon is None or len(lexicon.morphs(pending)) < len(pending)
        pending.clear()
        return found

    try:
        for text in texts:
            for _, word in split_words(normalize(text)[0]):
                if word not in seen and ruled(word) is None:
                    seen.add(word)
                    pending.append(word)
            if len(pending) >= chunk and unknown():
                return True
        return bool(pending) and unknown()
    finally:
        if lexicon is not None:
            lexicon.close()


@contextlib.contextmanager
def open_text_analysis(analyzer: Analyzer, path: Path, base: Path | None = None) -> Iterator[TextAnalysis]:
    """A :class:`KiwiProcess` when Kiwi is still to be loaded, else a :class:`BuildAnalysis`
    over the loaded ``analyzer`` (also for an analyzer of another class, which the child
    could not rebuild); closed when the block ends."""
    source: TextAnalysis
    if type(analyzer) is Analyzer and not analyzer.loaded:
        source = KiwiProcess(analyzer, path, base)
    else:
        source = BuildAnalysis(analyzer, path, base)
    try:
        yield source
    finally:
        source.close()


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux), so a build killed
    mid-way leaves nothing writing into a generation directory a later build may reuse."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _serve(settings: dict[str, Any], requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's side: answer each batch of ``requests``, then write the lexicon."""
    _die_with(settings["parent"])
    # As in the build itself: millions of small tuples and no cycles, which the cycle
    # collector would walk again and again.
    gc.disable()
    analyzer = Analyzer(**settings["analyzer"])
    analysis = BuildAnalysis(analyzer, Path(settings["path"]), Path(settings["base"]) if settings["base"] else None)
    try:
        analyzer.kiwi  # loaded at once, while the build parses: nearly every build needs it
        for line in requests:
            texts = orjson.loads(line)
            if texts is None:
                kiwi_words = analysis.finish()
                answers.write(orjson.dumps({"kiwi_words": kiwi_words}) + b"\n")
                answers.flush()
                return
            answers.write(orjson.dumps([list(zip(*terms)) for terms in analysis.analyze(texts)]) + b"\n")
            answers.flush()
    finally:
        analysis.close()


if __name__ == "__main__":
    _serve(orjson.loads(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
