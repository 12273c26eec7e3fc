"""The lexicon: query analysis without loading Kiwi, for the words a collection contains.

Loading Kiwi costs a new process 0.5 - 3 s, far more than a search. At build time every
word of the indexed text (a run of word characters, without the punctuation around it) is
analysed *alone* by Kiwi, exactly as :meth:`searchidx.analysis.Analyzer.analyze` would see
it as a one-word query, and its Kiwi morphemes are kept in ``lexicon.sqlite`` in the index
generation. At query time
:meth:`Lexicon.analyze` rebuilds the query's morphemes from those entries and runs the
same morpheme-to-term step as the analyzer, so the terms are identical.

Kiwi reads a sentence in context: a Korean chunk next to other words may be analysed
differently than alone (about 5% of two- to four-word Korean phrases of the corpus differ).
So the lexicon answers a query of one chunk, or of several chunks that hold no Hangul or
other non-Latin letters (Latin words and identifiers analyse the same in any context);
for anything else, or for a chunk it does not hold, it answers ``None`` and the caller
falls back to Kiwi.

A chunk of ASCII letters only, or of digits only, is not stored: Kiwi reads it alone as
one morpheme, a foreign word (``SL``) or a number (``SN``), so the lexicon knows it
without Kiwi, even a word the collection never used. These are 45% of a collection's
words; the rule is checked against Kiwi on every such word of the real corpus.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import orjson

from searchidx.analysis import Analyzer, Mode, Term, _clean, _terms

__all__ = ["LEXICON_FILE", "Lexicon", "LexiconWriter", "chunks_of", "ruled"]

LEXICON_FILE = "lexicon.sqlite"
_CHUNK = re.compile(r"\S+")
#: What the lexicon keeps: words as people type them, i.e. runs of word characters, joined
#: by ``-_.'`` inside identifiers and numbers (``GPT-4o``, ``3.5``); punctuation around them
#: (``양자화(quantization),``) is left out.
_WORD = re.compile(r"\w+(?:[-_.'\u2019]\w+)*")
#: Chunks whose analysis does not depend on their neighbours: printable ASCII and Latin letters.
_CONTEXT_FREE = re.compile(r"[\x21-\x7e\u00c0-\u024f]+")
#: Chunks Kiwi reads alone as one morpheme of a known tag: ASCII letters (SL), digits (SN).
_ONE_MORPHEME = re.compile(r"(?P<SL>[A-Za-z]+)|(?P<SN>[0-9]+)")
#: Words longer than this are not kept (long formulas, identifiers): rarely typed as a query.
MAX_CHUNK = 64
_BATCH = 4096


class LexToken(NamedTuple):
    """A Kiwi morpheme as the lexicon keeps it (the attributes the term step reads)."""

    form: str
    tag: str
    start: int
    end: int


def ruled(chunk: str) -> list[LexToken] | None:
    """Kiwi's morphemes of ``chunk`` alone when they follow from its characters, else ``None``."""
    match = _ONE_MORPHEME.fullmatch(chunk)
    return None if match is None else [LexToken(chunk, match.lastgroup or "", 0, len(chunk))]


def chunks_of(texts: Iterable[str]) -> set[str]:
    """The distinct words of ``texts`` as the analyzer sees them (NFC, no lone surrogates).

    Latin words are also given in lower case.
    """
    out: set[str] = set()
    for text in texts:
        out.update(w for w in _WORD.findall(_clean(text)[0]) if len(w) <= MAX_CHUNK)
    # People type English in lower case: keep that spelling of Latin words as well.
    out.update([c.lower() for c in out if _CONTEXT_FREE.fullmatch(c)])
    return out


class Lexicon:
    """A read-only lexicon of one index generation (an absent file is an empty lexicon)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._missing = not path.is_file()

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._missing:
            try:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            except sqlite3.Error:
                self._missing = True
        return self._db

    def tokens(self, chunks: Sequence[str]) -> dict[str, list[LexToken]]:
        """The morphemes of those ``chunks`` the lexicon knows (by rule or kept)."""
        known = {chunk: tokens for chunk in chunks if (tokens := ruled(chunk)) is not None}
        stored = [chunk for chunk in chunks if chunk not in known]
        db = self._connect() if stored else None
        if db is None:
            return known
        marks = ",".join("?" * len(stored))
        try:
            rows = db.execute(f"SELECT chunk, tokens FROM lexicon WHERE chunk IN ({marks})", stored).fetchall()
        except sqlite3.Error:
            return known
        known.update((chunk, [LexToken(*t) for t in orjson.loads(data)]) for chunk, data in rows)
        return known

    def analyze(self, text: str, mode: Mode = "query") -> list[Term] | None:
        """The terms ``Analyzer.analyze(text, mode)`` gives, or ``None`` when Kiwi is needed."""
        clean, boundary = _clean(text)
        spans = [(m.start(), m.group()) for m in _CHUNK.finditer(clean)]
        if len(spans) > 1 and not all(_CONTEXT_FREE.fullmatch(chunk) for _, chunk in spans):
            return None
        known = self.tokens(sorted({chunk for _, chunk in spans}))
        if len(known) < len({chunk for _, chunk in spans}):
            return None
        tokens = [
            LexToken(t.form, t.tag, t.start + offset, t.end + offset)
            for offset, chunk in spans
            for t in known[chunk]
        ]
        return _terms(tokens, clean, boundary, mode)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the database (also done when the object is collected)."""
        if self._db is not None:
            self._db.close()
            self._db = None


class QueryAnalyzer:
    """Query analysis from the lexicon when it can answer, else from the Kiwi analyzer.

    Stands in for an :class:`Analyzer` wherever only ``analyze`` is called.
    """

    def __init__(self, lexicon: Lexicon, analyzer: Analyzer) -> None:
        self.lexicon = lexicon
        self.analyzer = analyzer

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]:
        """Terms of ``text``, the same as ``Analyzer.analyze`` gives."""
        terms = self.lexicon.analyze(text, mode)
        return self.analyzer.analyze(text, mode) if terms is None else terms

    def analyze_many(self, texts: Sequence[str], mode: Mode = "index") -> list[list[Term]]:
        """Terms of many strings (Kiwi)."""
        return self.analyzer.analyze_many(texts, mode)


class LexiconWriter:
    """Writes a generation's lexicon: Kiwi's morphemes of each chunk analysed alone.

    ``base`` is the lexicon of the previous generation, whose entries are copied rather
    than analysed again (an entry depends only on its chunk, never on the collection).
    """

    def __init__(self, path: Path, base: Path | None = None) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self._db = sqlite3.connect(path)
        if base is not None and base.is_file():
            source = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
            try:
                source.backup(self._db)
                return
            except sqlite3.Error:  # a damaged base lexicon is rebuilt, not copied
                self._db.close()
                path.unlink(missing_ok=True)
                self._db = sqlite3.connect(path)
            finally:
                source.close()
        self._db.execute("CREATE TABLE lexicon (chunk TEXT PRIMARY KEY, tokens BLOB NOT NULL) WITHOUT ROWID")

    def missing(self, chunks: Iterable[str]) -> list[str]:
        """Those ``chunks`` the lexicon does not know yet (neither stored nor by rule), sorted."""
        wanted = sorted(c for c in set(chunks) if ruled(c) is None)
        have: set[str] = set()
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            have.update(r[0] for r in self._db.execute(f"SELECT chunk FROM lexicon WHERE chunk IN ({marks})", part))
        return [c for c in wanted if c not in have]

    def add(self, analyzer: Analyzer, chunks: Sequence[str]) -> None:
        """Analyse ``chunks`` alone with Kiwi and store them.

        One Kiwi stream: its workers read ahead while the rows are written.
        """
        rows = (
            (chunk, orjson.dumps([(t.form, t.tag, t.start, t.end) for t in tokens]))
            for chunk, tokens in zip(chunks, analyzer.tokenize_raw(chunks))
        )
        while batch := list(islice(rows, _BATCH)):
            self._db.executemany("INSERT OR REPLACE INTO lexicon VALUES (?, ?)", batch)

    def close(self) -> None:
        """Commit and close; the file is complete once this returns."""
        self._db.commit()
        self._db.close()
