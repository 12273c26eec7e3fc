"""The morphemes of a build's new words, and the new lexicon, beside the build's Python work.

A build asks for the morphemes of each word it has not met yet, batch after batch. They come
from the previous generation's lexicon, by rule (:func:`searchidx.analysis.ruled`) or from
Kiwi, each word alone; once the papers are done, the new words are stored in the
generation's lexicon (:mod:`searchidx.lexicon`). :class:`BuildLexicon` does this in the
calling process.

Loading Kiwi takes about a second and holds the GIL, and the build's own work (placing terms,
writing documents) is Python on one core. So when Kiwi is not loaded yet,
:func:`open_word_source` runs :class:`BuildLexicon` in a child process (:class:`KiwiProcess`,
``python -m searchidx.kiwi_process``): Kiwi loads and analyses there while the build goes
on, and the child writes the lexicon while the build commits and mines. Batches go to the
child as they are cut into words and their answers come back in order, so Kiwi's stream
stays full. A word's morphemes are the same either way: they depend on the word alone.

Protocol, one JSON document a line: the build sends each batch of words and then ``null``;
the child answers each batch with the morphemes of its words (``[form, tag, start, end]``
lists) and, after ``null``, with ``{"kiwi_words": n}`` once the lexicon is written. A child
whose input ends without ``null`` (its build died) exits without writing anything.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

import searchidx
from searchidx.analysis import Analyzer, ruled
from searchidx.lexicon import LexiconWriter
from searchidx.terms import Morph

__all__ = ["WordSource", "BuildLexicon", "KiwiProcess", "open_word_source"]

MorphsOf = dict[str, tuple[Morph, ...]]


class WordSource(Protocol):
    """Answers a build's batches of new words in the order they were submitted."""

    def submit(self, words: Sequence[str]) -> None:
        """Ask for the morphemes of ``words`` (none asked before)."""

    def result(self) -> MorphsOf:
        """The morphemes of the oldest submitted batch not yet returned."""

    def finish(self) -> int:
        """Store the new words in the lexicon; the number of words Kiwi analysed."""

    def close(self) -> None:
        """Release what is held (after :meth:`finish`, or instead of it on failure)."""


class BuildLexicon:
    """The morphemes of new words in this process, and the new lexicon.

    ``path`` is the new lexicon; ``base`` the previous generation's, copied into it so its
    words are looked up instead of analysed. Kiwi (``analyzer``) loads only if some word
    needs it.
    """

    def __init__(self, analyzer: Analyzer, path: Path, base: Path | None = None) -> None:
        self._analyzer = analyzer
        self._store: LexiconWriter | None = LexiconWriter(path, base)
        self._known = base is not None
        self._new: MorphsOf = {}
        self._answers: list[MorphsOf] = []
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

    def submit(self, words: Sequence[str]) -> None:
        self._answers.append(self.lookup(words))

    def result(self) -> MorphsOf:
        return self._answers.pop(0)

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
    """:class:`BuildLexicon` in a child process (see the module docstring).

    Batches are written by a thread of their own, so a large batch never waits on the
    child's answer to an earlier one.
    """

    def __init__(self, analyzer: Analyzer, path: Path, base: Path | None = None) -> None:
        package_root = str(Path(searchidx.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        settings = {"analyzer": analyzer.settings, "path": str(path), "base": str(base) if base else None}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "searchidx.kiwi_process", orjson.dumps(settings).decode()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._pending: list[Sequence[str]] = []
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

    def submit(self, words: Sequence[str]) -> None:
        self._pending.append(words)
        self._outbox.put(orjson.dumps(list(words)) + b"\n")

    def _answer(self) -> Any:
        stdout = self._child.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            self._child.wait()
            message = self._child.stderr.read().decode(errors="replace").strip() if self._child.stderr else ""
            raise RuntimeError(f"the Kiwi process stopped (exit status {self._child.returncode}): {message}")
        return orjson.loads(line)

    def result(self) -> MorphsOf:
        words, answer = self._pending.pop(0), self._answer()
        return {word: tuple(Morph(*morph) for morph in morphs) for word, morphs in zip(words, answer)}

    def finish(self) -> int:
        self._outbox.put(b"null\n")
        self._outbox.put(None)
        kiwi_words = int(self._answer()["kiwi_words"])
        self._child.wait()
        return kiwi_words

    def close(self) -> None:
        """Stop the child if it still runs (a build that failed or was stopped)."""
        self._outbox.put(None)
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        for stream in (self._child.stdout, self._child.stderr):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def open_word_source(analyzer: Analyzer, path: Path, base: Path | None = None) -> Iterator[WordSource]:
    """A :class:`KiwiProcess` when Kiwi is still to be loaded, else a :class:`BuildLexicon`
    over the loaded ``analyzer`` (also for an analyzer of another class, which the child
    could not rebuild); closed when the block ends."""
    source: WordSource
    if type(analyzer) is Analyzer and not analyzer.loaded:
        source = KiwiProcess(analyzer, path, base)
    else:
        source = BuildLexicon(analyzer, path, base)
    try:
        yield source
    finally:
        source.close()


def _serve(settings: dict[str, Any], requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's side: answer each batch of ``requests``, then write the lexicon."""
    analyzer = Analyzer(**settings["analyzer"])
    lexicon = BuildLexicon(analyzer, Path(settings["path"]), Path(settings["base"]) if settings["base"] else None)
    try:
        analyzer.kiwi  # loaded at once, while the build parses: nearly every build needs it
        for line in requests:
            words = orjson.loads(line)
            if words is None:
                kiwi_words = lexicon.finish()
                answers.write(orjson.dumps({"kiwi_words": kiwi_words}) + b"\n")
                answers.flush()
                return
            morphs = lexicon.lookup(words)
            answers.write(orjson.dumps([[tuple(m) for m in morphs[word]] for word in words]) + b"\n")
            answers.flush()
    finally:
        lexicon.close()


if __name__ == "__main__":
    _serve(orjson.loads(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
