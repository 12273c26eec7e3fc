"""Forgiving queries: mistyped words and words typed with the keyboard in the wrong mode.

A query word no paper contains ("transfomer", "암축") is read as the nearest word of the
collection; so is a word typed with the keyboard in the other mode: "rkdghk" is the 2-set
(두벌식) keystrokes of 강화, "ㅣㅣㅡ" those of llm. Both are one problem once words are
compared as the keys pressed to type them (:func:`keystrokes`): a typo is a key pressed
wrongly (one jamo, for Hangul), a wrong layout the same keys read in the other script.

At build time :func:`write_spelling` stores every word of the collection (runs of Latin
letters, lower-cased, or of Hangul) with its keystrokes and the number of papers using it
in ``spelling.sqlite`` in the index generation; it reads only the papers' text. At query
time :class:`Speller` looks each plain query word up there and, when at most
:data:`RARE_PAPERS` papers use it, finds the most frequent word within
:func:`allowed_edits` of its keystrokes (optimal string alignment distance: insert,
delete, substitute or swap two neighbours), fewest edits first. Corrections need no Kiwi:
the words found are words of the collection, which the lexicon analyses.

A word is judged by its index terms, not its letters, since Korean attaches particles
(체스를 is unknown as written, but 체스 is in papers). When the typed word's terms are in
no paper, or it holds a lone jamo, which only a slip of the keyboard leaves ("ㅣㅣㅡ",
"즈ㅏㅇ비"), the query is read with the correction in its place: nothing typed is lost, and
the corrected words keep their full weight and phrase bonus. When they are in one paper and
the correction's terms in :data:`FREQUENCY_RATIO` times as many (often a typo of the digests
themselves), the correction is handed to :func:`searchidx.query.build_query` as an
expansion of the typed word, weighted below it, so that paper still ranks first. Words in
more papers are never corrected: a query whose words all occur is searched as before.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from searchidx.analysis import TermAnalyzer
from searchidx.fields import texts_to_analyze
from searchidx.keyboard import KEY_ALPHABET, SHIFTED, from_keystrokes, keystrokes
from searchidx.query import MAX_QUERY_WORDS, plain_spans, query_words
from searchidx.records import Paper

__all__ = [
    "SPELLING_FILE",
    "CORRECTION_WEIGHT",
    "Change",
    "Correction",
    "Speller",
    "write_spelling",
    "allowed_edits",
    "edit_distance",
]

SPELLING_FILE = "spelling.sqlite"
#: Weight of a correction added next to a word found in one paper, relative to that word:
#: below it, so the paper using the word as typed stays first.
CORRECTION_WEIGHT = 0.5
#: Longer words (pasted text, not typed) are only read in the other layout, never edited.
MAX_EDITED_KEYS = 32
#: A word in more papers than this is never corrected, whatever its neighbours (legitimate
#: Korean words a jamo apart, 기상 and 가상, are in a few papers each).
RARE_PAPERS = 1
#: A word some paper has is corrected only to a word this many times as frequent.
FREQUENCY_RATIO = 20

Kind = Literal["typo", "layout"]
#: A word as the spelling table holds it: its keys, and whether it is Hangul.
Spelling = tuple[str, bool]
#: Counts the papers holding a sequence of index terms as a phrase.
PaperCount = Callable[[Sequence[str]], int]

#: A word as this module sees it: a run of Latin letters or of Hangul (syllables and jamo).
WORD = re.compile(r"[A-Za-z]+|[\u3131-\u318e\uac00-\ud7a3]+")
_LONE_JAMO = re.compile(r"[\u3131-\u318e]")
_HANGUL_LETTER = re.compile(r"[\u3131-\u318e\uac00-\ud7a3]")


def allowed_edits(word: str) -> int:
    """How many key edits a correction of ``word`` may be away.

    English: one for 5 letters or more, two for 9 or more; Korean: one jamo from two
    syllables on (a lone jamo, as a slip leaves it, counts as one).
    """
    if _HANGUL_LETTER.match(word):
        return 1 if len(word) >= 2 else 0
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b``, or ``limit + 1`` when above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _edits(keys: str) -> set[str]:
    """Every key string one edit away from ``keys``, and ``keys`` itself."""
    splits = [(keys[:i], keys[i:]) for i in range(len(keys) + 1)]
    out = {keys}
    out.update(a + b[1:] for a, b in splits if b)
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in KEY_ALPHABET)
    out.update(a + c + b for a, b in splits for c in KEY_ALPHABET)
    return out


def write_spelling(generation: Path, papers: Iterable[Paper], base: Path | None = None) -> None:
    """Store the words of ``papers`` with their keystrokes and paper counts in ``generation``.

    With ``base``, a generation holding every other paper, its table is copied and the
    counts of ``papers`` are added to it: a build that only adds papers gets the same table
    as a full build without reading the papers it already had.
    """
    counts: Counter[str] = Counter()
    for paper in papers:
        words = set(WORD.findall("\n".join(texts_to_analyze(paper))))
        counts.update({word.lower() if word.isascii() else word for word in words})  # as people type English
    path = generation / SPELLING_FILE
    path.unlink(missing_ok=True)
    if base is not None:
        shutil.copyfile(base / SPELLING_FILE, path)
    db = sqlite3.connect(path)
    try:
        # A word is stored as its keys: Hangul words are what the keys compose to.
        db.execute(
            "CREATE TABLE IF NOT EXISTS words (keys TEXT NOT NULL, hangul INTEGER NOT NULL,"
            " papers INTEGER NOT NULL, PRIMARY KEY (keys, hangul)) WITHOUT ROWID"
        )
        rows = [
            (keys, not word.isascii(), n)
            for word, n in counts.items()
            # Syllables always compose back; a run of lone jamo may not (ㄱㅏ is 가).
            if (keys := keystrokes(word)) and (not _LONE_JAMO.search(word) or from_keystrokes(keys) == word)
        ]
        db.executemany(  # in key order: the same file each time
            "INSERT INTO words VALUES (?, ?, ?)"
            " ON CONFLICT (keys, hangul) DO UPDATE SET papers = papers + excluded.papers",
            sorted(rows),
        )
        db.commit()
    finally:
        db.close()


class Change(NamedTuple):
    """One corrected query word: as ``typed``, the ``word`` it was read as, and why."""

    typed: str
    word: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Correction:
    """What :meth:`Speller.correct` made of a query.

    ``text`` is the query to search: as typed, with the words of ``changes`` (those matching
    no paper) replaced by their corrections. ``expansions`` (see
    :func:`~searchidx.query.build_query`) add the corrections of words found in one paper,
    beside them: the typed word's terms -> its correction's terms.
    """

    text: str
    changes: tuple[Change, ...] = ()
    expansions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


class Speller:
    """The spelling table of one index generation (an absent or damaged file corrects nothing).

    The file is opened at once: a later build may remove the generation while searches still
    use it, and an open file stays readable.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _open_read_only(path)

    def correct(
        self, text: str, analyzer: TermAnalyzer, papers_with: PaperCount, *, typing: bool = False
    ) -> Correction:
        """Corrections of the plain words of ``text`` (see the module docstring).

        ``analyzer`` gives the terms of a word, ``papers_with`` the papers holding them. With
        ``typing``, a word ending the text is still being typed and is left as it is.
        """
        starts = tuple(
            (m.start(), m.group()) for s, e in plain_spans(text) for m in WORD.finditer(text, s, e)
        )[:MAX_QUERY_WORDS]
        if typing and starts and starts[-1][0] + len(starts[-1][1]) == len(text):
            starts = starts[:-1]
        try:
            found = self._lookup(sorted({word for _, word in starts}))
        except sqlite3.Error:  # a damaged table corrects nothing
            found = {}
        expansions: dict[str, list[tuple[str, float]]] = {}
        changes: list[Change] = []
        for change in found.values():
            # A slip needs no analysis: there is nothing typed to keep.
            key = "" if _LONE_JAMO.search(change.typed) else _terms(analyzer, change.typed)
            have = papers_with(key.split()) if key else 0
            if not have:
                changes.append(change)
                continue
            terms = _terms(analyzer, change.word)
            if (
                have <= RARE_PAPERS
                and terms
                and not set(terms.split()) <= set(key.split())
                and papers_with(terms.split()) >= have * FREQUENCY_RATIO
            ):
                expansions.setdefault(key, []).append((terms, CORRECTION_WEIGHT))
        return Correction(_replaced(text, starts, changes), tuple(changes), expansions)

    def _lookup(self, typed_words: Sequence[str]) -> dict[str, Change]:
        """The best correction of each of ``typed_words`` that has one."""
        db = self._db
        if db is None:
            return {}
        spellings = {typed: (keys, not typed.isascii()) for typed in typed_words if (keys := keystrokes(typed))}
        sql = "SELECT keys, hangul, papers FROM words WHERE keys IN ({})"
        papers = {(keys, bool(hangul)): n for keys, hangul, n in self._query(db, sql, [k for k, _ in spellings.values()])}
        out = {}
        for typed, spelling in spellings.items():
            have = papers.get(spelling, 0) if _word(spelling) == (typed.lower() if typed.isascii() else typed) else 0
            if have > RARE_PAPERS:
                continue
            # Latin typed for Hangul may hold shifted keys: Ekf is 딸, not 달.
            shifted = "".join(c if c in SHIFTED else c.lower() for c in typed) if typed.isascii() else spelling[0]
            typings = tuple(dict.fromkeys((spelling[0], shifted)))
            edits = allowed_edits(typed) if len(spelling[0]) <= MAX_EDITED_KEYS else 0
            best = self._nearest(db, spelling, typings, edits, max(1, have * FREQUENCY_RATIO))
            if best is not None and best[1] == spelling[1]:
                out[typed] = Change(typed, _cased(_word(best), typed), "typo")
            elif best is not None:
                out[typed] = Change(typed, _word(best), "layout")
        return out

    def _nearest(
        self, db: sqlite3.Connection, spelling: Spelling, typings: tuple[str, ...], edits: int, min_papers: int
    ) -> Spelling | None:
        """The most frequent word, fewest edits first and in the script typed, at most ``edits``
        keys from one of ``typings`` (the keys of ``spelling``, lower case first)."""
        near = sorted(typings) if edits == 0 else sorted(set().union(*map(_edits, typings)))
        rows = self._query(db, "SELECT keys, hangul, papers FROM words WHERE keys IN ({})", near)
        ranked = [
            (keys not in typings, bool(hangul) != spelling[1], -papers, keys, bool(hangul))
            for keys, hangul, papers in rows
            if (keys, bool(hangul)) != spelling and papers >= min_papers
        ]
        if ranked or edits < 2:
            return min(ranked)[-2:] if ranked else None
        keys = typings[0]
        # Two edits are looked for among Latin words of about the same length and first letter.
        rows = db.execute(
            "SELECT keys, papers FROM words"
            " WHERE keys >= ? AND keys < ? AND NOT hangul AND length(keys) BETWEEN ? AND ? AND papers >= ?",
            (keys[0], chr(ord(keys[0]) + 1), len(keys) - edits, len(keys) + edits, min_papers),
        ).fetchall()
        distant = [(-papers, found) for found, papers in rows if edit_distance(keys, found, edits) <= edits]
        return (min(distant)[1], False) if distant else None

    @staticmethod
    def _query(db: sqlite3.Connection, sql: str, values: Sequence[str]) -> list[Any]:
        rows: list[Any] = []
        for start in range(0, len(values), 900):
            part = values[start : start + 900]
            rows += db.execute(sql.format(",".join("?" * len(part))), part).fetchall()
        return rows



def _open_read_only(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None


def _word(spelling: Spelling) -> str:
    """The word a row of the spelling table stands for."""
    keys, hangul = spelling
    return from_keystrokes(keys) if hangul else keys


def _cased(word: str, typed: str) -> str:
    """``word`` in the case ``typed`` was written in (``Tokne`` -> ``Token``)."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _replaced(text: str, starts: Sequence[tuple[int, str]], changes: Sequence[Change]) -> str:
    """``text`` with the words at ``starts`` that ``changes`` correct replaced."""
    by_typed = {change.typed: change.word for change in changes}
    pieces, cursor = [], 0
    for start, word in starts:
        if word in by_typed:
            pieces += [text[cursor:start], by_typed[word]]
            cursor = start + len(word)
    return "".join(pieces) + text[cursor:]


def _terms(analyzer: TermAnalyzer, word: str) -> str:
    """The index terms of ``word`` alone, space-joined (each position's first alternative)."""
    return " ".join(alternatives[0] for alternatives in query_words(analyzer.analyze(word, "query")))
