"""The lexicon: every word of a collection with its Kiwi morphemes, analysed alone.

It is the single source of word -> terms. A build analyses each distinct word of the
collection once (:mod:`searchidx.analysis`: words are analysed alone, never in context) and
keeps its morphemes in ``lexicon.sqlite`` in the index generation; the next build copies it
and sends only words it has never seen to Kiwi. A query reads its words' morphemes from the
same file and runs the same morpheme -> term step, so a word gets the same terms in every
document and every query, and a query made of the collection's words never loads Kiwi
(about a second and 300 MB), whatever its neighbours.

A query word the collection never used may still be an inflection of one it did
(압축하고서, 양자화했던). The lexicon also keeps every *stem*, the start of a stored word up
to a morpheme boundary after which only particles and endings follow (압축 of 압축하는), and
every such *ending* with the number of distinct words it ends. An unseen word that is a
stem, alone or followed by an ending seen after at least :data:`MIN_ENDING_WORDS` stems,
gets the stem's morphemes (the ending gives no term), still without Kiwi. Only what neither
explains goes to Kiwi.

Words of ASCII letters or digits are known by rule (:func:`searchidx.analysis.ruled`), even
ones the collection never used; they are stored too, so :meth:`Lexicon.vocabulary` lists
every word of the collection.

Tables: ``words(word, morphs)``, ``stems(stem, morphs)``, ``endings(ending, words)``;
morphemes are text, one ``form TAB tag TAB start TAB end`` line each.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

from searchidx.analysis import Analyzer, analyze_texts, ruled
from searchidx.terms import Mode, Morph, Term, is_ending, word_terms
from searchidx.words import normalize, split_words

__all__ = ["LEXICON_FILE", "MIN_ENDING_WORDS", "Lexicon", "LexiconWriter", "LexiconAnalyzer", "stem_splits", "words_of"]

LEXICON_FILE = "lexicon.sqlite"
#: An ending explains an unseen word only if this many distinct stored words end with it.
MIN_ENDING_WORDS = 2
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_ONLY = re.compile(r"[\uac00-\ud7a3]+")
_IN_CHUNK = 500
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, morphs TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS stems (stem TEXT PRIMARY KEY, morphs TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS endings (ending TEXT PRIMARY KEY, words INTEGER NOT NULL) WITHOUT ROWID",
)


def stem_splits(word: str, morphs: Sequence[Morph]) -> list[tuple[str, tuple[Morph, ...], str]]:
    """Each way ``word`` is a stem followed by an ending: (stem, its morphemes, ending).

    The cut lies on a character boundary no morpheme crosses (했 is 하 + 었, not cut), the
    ending is Hangul made of morphemes that give no term (:func:`searchidx.terms.is_ending`), and the stem
    has a term. A noun inside the word is a stem too, with an empty ending (워크 of
    네트워크), so its inflections are known even if no word starts with it.
    """
    out = []
    for k in range(len(morphs) - 1, 0, -1):
        if not is_ending(morphs[k]):
            break
        cut = morphs[k].start
        ending = word[cut:]
        if cut == 0 or not _HANGUL_ONLY.fullmatch(ending):
            continue
        if any(m.end > cut for m in morphs[:k]) or any(m.start < cut for m in morphs[k:]):
            continue
        stem = tuple(morphs[:k])
        if word_terms(stem, word[:cut], "index"):
            out.append((word[:cut], stem, ending))
    for m in morphs:
        if m.tag in ("NNG", "NNP") and len(m.form) > 1 and word[m.start : m.end] == m.form and m.form != word:
            out.append((m.form, (Morph(m.form, m.tag, 0, len(m.form)),), ""))
    return out


def _encode(morphs: Sequence[Morph]) -> str:
    # Text, not JSON: a word holds no whitespace, so neither do its morphemes' forms, and
    # orjson's many small outputs would each keep about 4 KB of the heap.
    return "\n".join(f"{m.form}\t{m.tag}\t{m.start}\t{m.end}" for m in morphs)


def _decode(data: str) -> tuple[Morph, ...]:
    out = []
    for line in data.split("\n") if data else ():
        form, tag, start, end = line.split("\t")
        out.append(Morph(form, tag, int(start), int(end)))
    return tuple(out)


def _select(db: sqlite3.Connection, table: str, key: str, value: str, keys: Sequence[str]) -> Iterator[tuple]:  # type: ignore[type-arg]
    for start in range(0, len(keys), _IN_CHUNK):
        part = keys[start : start + _IN_CHUNK]
        marks = ",".join("?" * len(part))
        yield from db.execute(f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})", part)


class Lexicon:
    """The read-only lexicon of one index generation (an absent or unreadable file is an
    empty lexicon: every word then goes to Kiwi)."""

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

    def _rows(self, table: str, key: str, value: str, keys: Sequence[str]) -> list[tuple]:  # type: ignore[type-arg]
        db = self._connect() if keys else None
        if db is None:
            return []
        try:
            return list(_select(db, table, key, value, keys))
        except sqlite3.Error:
            return []

    def morphs(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """The morphemes of those ``words`` the lexicon holds or knows by rule."""
        known = {word: morphs for word in words if (morphs := ruled(word)) is not None}
        stored = [word for word in words if word not in known]
        known.update((word, _decode(data)) for word, data in self._rows("words", "word", "morphs", stored))
        return known

    def inflected(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """Morphemes of unseen ``words`` that are a known stem, alone or followed by a known
        ending. The longest stem wins; the morphemes are the stem's (an ending gives no term).
        """
        candidates = [w for w in words if _HANGUL.search(w) and len(w) > 1]
        if not candidates:
            return {}
        cuts = {(w[:k], w[k:]) for w in candidates for k in range(1, len(w))}
        endings = {
            ending
            for ending, count in self._rows("endings", "ending", "words", sorted({e for _, e in cuts}))
            if count >= MIN_ENDING_WORDS
        }
        endings.add("")  # a stem alone: 압축 of 압축하는
        heads = sorted({s for s, e in cuts if e in endings} | set(candidates))
        stems = dict(self._rows("stems", "stem", "morphs", heads))
        whole = {w: m for w, m in self.morphs(heads).items() if m}
        out = {}
        for word in candidates:
            for k in range(len(word), 0, -1):
                stem, ending = word[:k], word[k:]
                if ending not in endings:
                    continue
                if stem in whole:
                    out[word] = whole[stem]
                elif stem in stems:
                    out[word] = _decode(stems[stem])
                else:
                    continue
                break
        return out

    def lookup(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """The morphemes of those ``words`` the lexicon explains: held, by rule, or inflected."""
        known = self.morphs(words)
        rest = [w for w in words if w not in known]
        if rest:
            known.update(self.inflected(rest))
        return known

    def analyze(self, text: str, mode: Mode = "query") -> list[Term] | None:
        """The terms of ``text`` if the lexicon explains every word of it, else ``None``."""
        missing: list[str] = []

        def lookup(words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
            known = self.lookup(words)
            missing.extend(w for w in words if w not in known)
            return {w: known.get(w, ()) for w in words}

        terms = analyze_texts([text], mode, lookup)[0]
        return None if missing else terms

    def vocabulary(self, mode: Mode = "index") -> Iterator[tuple[str, list[Term]]]:
        """Every word of the collection, in sorted order, with its terms (offsets into the word).

        Words with no term (particles, endings, function words) are included with ``[]``.
        """
        db = self._connect()
        if db is None:
            return
        for word, data in db.execute("SELECT word, morphs FROM words ORDER BY word"):
            yield word, word_terms(_decode(data), word, mode)

    def __len__(self) -> int:
        db = self._connect()
        return 0 if db is None else int(db.execute("SELECT count(*) FROM words").fetchone()[0])

    def close(self) -> None:
        """Close the database (also done when the object is collected)."""
        if self._db is not None:
            self._db.close()
            self._db = None


class LexiconAnalyzer:
    """Analysis with the morphemes of a collection's lexicon; Kiwi only for other words.

    An opened index analyses queries with it (``Snapshot.query_analyzer``). It stands in
    for an :class:`~searchidx.analysis.Analyzer` wherever ``analyze`` or ``analyze_many``
    is called, with the same terms. ``known`` analyses from the lexicon
    alone: a text with a word the lexicon cannot explain gives no terms.
    """

    def __init__(self, lexicon: Lexicon, analyzer: Analyzer) -> None:
        self.lexicon = lexicon
        self.analyzer = analyzer
        self.known = _LexiconOnly(lexicon)

    def lookup(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """Morphemes of ``words``: from the lexicon where it explains them, else from Kiwi."""
        known = self.lexicon.lookup(words)
        rest = [w for w in words if w not in known]
        if rest:
            known.update(self.analyzer.lookup(rest))
        return known

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]:
        """Terms of ``text``, the same as ``Analyzer.analyze`` gives."""
        return analyze_texts([text], mode, self.lookup)[0]

    def analyze_many(self, texts: Sequence[str], mode: Mode = "index") -> list[list[Term]]:
        """Terms of many strings."""
        return analyze_texts(texts, mode, self.lookup)


class _LexiconOnly:
    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]:
        return self._lexicon.analyze(text, mode) or []


class LexiconWriter:
    """Writes a generation's lexicon.

    ``base`` is the lexicon of the previous generation; it is copied, so its words are not
    analysed again (a word's entry depends only on the word, never on the collection).
    A build may open it on one thread and use it on another, one at a time.
    """

    def __init__(self, path: Path, base: Path | None = None) -> None:
        self.path = path
        # Anything a stopped writer left, its journal too: SQLite would roll a journal back into the new file.
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        if base is not None and base.is_file():
            source = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
            try:
                source.backup(self._db)
                self._check()
            except sqlite3.Error:  # a damaged or older base lexicon is rebuilt, not copied
                self._db.close()
                path.unlink(missing_ok=True)
                self._db = sqlite3.connect(path, check_same_thread=False)
            finally:
                source.close()
        for statement in _SCHEMA:
            self._db.execute(statement)

    def _check(self) -> None:
        for statement in _SCHEMA:
            table = statement.split()[5]
            self._db.execute(f"SELECT * FROM {table} LIMIT 1")

    def morphs(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """The morphemes of those ``words`` already stored."""
        keys = sorted(words)
        return {word: _decode(data) for word, data in _select(self._db, "words", "word", "morphs", keys)}

    def add(self, entries: Iterable[tuple[str, Sequence[Morph]]]) -> None:
        """Store new words with their morphemes, and their stems and endings."""
        rows = []
        stems: dict[str, Sequence[Morph]] = {}
        endings: Counter[str] = Counter()
        for word, morphs in entries:
            rows.append((word, _encode(morphs)))
            if _HANGUL.search(word):
                for stem, stem_morphs, ending in stem_splits(word, morphs):
                    stems.setdefault(stem, stem_morphs)
                    if ending:
                        endings[ending] += 1
        # Keys in order: SQLite appends to its B-trees instead of splitting pages.
        self._db.executemany("INSERT OR REPLACE INTO words VALUES (?, ?)", sorted(rows))
        self._db.executemany(
            "INSERT OR IGNORE INTO stems VALUES (?, ?)", sorted((s, _encode(m)) for s, m in stems.items())
        )
        self._db.executemany(
            "INSERT INTO endings VALUES (?, ?) ON CONFLICT(ending) DO UPDATE SET words = words + excluded.words",
            sorted(endings.items()),
        )

    def close(self) -> None:
        """Commit and close; the file is complete once this returns."""
        self._db.commit()
        self._db.close()


def words_of(texts: Iterable[str]) -> set[str]:
    """The distinct words of ``texts`` as analysis cuts them (normalised)."""
    return {word for text in texts for _, word in split_words(normalize(text)[0])}
