"""Analysis: turn Korean/English text into index terms, word by word, the same way everywhere.

Stage contract: ``Analyzer.analyze(text, mode)`` gives a list of :class:`~searchidx.terms.Term`
(text, character offsets into the caller's string, position). Every other stage (indexing,
query building, highlighting) sees text only through this module. Steps 1 and 2 below live in
:mod:`searchidx.words`, the term rules of step 4 in :mod:`searchidx.terms`; this module runs
Kiwi (step 3) and puts the steps together.

A text is cut into *words* and each distinct word is analysed **once, alone**; its terms are
then the same in every document, every query and every snippet, whatever stands next to it.
(Kiwi reads a sentence in context, so the same word used to get different morphemes in
different places: 양자화 was 양자 + 화 inside some sentences and 양자화 alone.) A build thus
runs Kiwi once per distinct word of the collection, not over every sentence, and stores each
word's morphemes in the lexicon (:mod:`searchidx.lexicon`), from which queries are analysed
without loading Kiwi.

Pipeline for one string:

1. Unicode NFKC (full-width ``ＫＶ`` is ``KV``; Kiwi wants composed Hangul), except that
   Hangul compatibility jamo stay as written; offsets are mapped back to the caller's string.
2. Words (:func:`~searchidx.words.split_words`): runs of word characters joined by
   ``-_.'`` inside identifiers and numbers (``GPT-4o``, ``3.5``, ``1,000``), URLs and
   e-mail addresses.
   Punctuation and spaces between words are no part of any word, so ``양자화(quantization),``
   is the words ``양자화`` and ``quantization``.
3. Kiwi's morphemes of each word alone (typo and multi-word dictionaries off; URLs and
   e-mails matched). Latin identifiers that mix letters and digits (``GPT-4o``,
   ``Llama-3-8B``, ``L2``) are handed to Kiwi pre-tokenized, so Kiwi neither splits them
   nor reads ``3-8`` as a serial number. A domain user dictionary (``userdict.txt``) fixes
   words Kiwi would split oddly (디퓨전) or tag as a function word (깊이 as an adverb).
   Words of ASCII letters only or digits only are one morpheme by rule (:func:`ruled`).
4. Content morphemes become terms (:func:`~searchidx.terms.word_terms`): nouns, unit nouns
   of two syllables or more (바이트, not 수 or 것), numerals, verb/adjective stems, roots,
   foreign words, numbers, hanja, URLs. A noun keeps its derivational suffix (양자 + 화 ->
   ``양자화``, so "양자화를" gives what "양자화" gives) but not a plural or counting one
   (모델들 -> ``모델``).
   Particles, endings, punctuation and a few light verbs (하다, 되다, 있다, ...) are dropped
   without leaving a position gap, so "KV 캐시 압축" is a phrase of "KV캐시를 압축하는". A
   noun prefix stays on its noun (대규모, 비급여). English is lowercased and stemmed
   (``caches`` and ``cache`` -> ``cach``).

Positions grow along the text; terms sharing a position are alternatives. Index and query
mode differ in one thing only, the alternatives: in ``"index"`` mode an identifier also
yields its parts (``gpt4o`` + ``gpt``, ``4o``), a URL its words, a prefixed noun the
bare noun unless the prefix negates it (``대규모`` + ``규모``, but ``비지도`` alone), and a
suffixed noun the bare noun (``효율성`` + ``효율``), so a search for a part finds the whole.
In ``"query"`` mode only the whole is produced, so ``GPT-4`` looks for GPT-4 and not for
every GPT model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

from searchidx.terms import HAS_LETTER_AND_DIGIT, LATIN_LETTERS, Mode, Morph, Term, place_terms, word_terms
from searchidx.words import normalize, split_words

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

__all__ = [
    "TermAnalyzer",
    "MorphLookup",
    "Analyzer",
    "default_analyzer",
    "load_user_dictionary",
    "ruled",
    "WordTerms",
    "analyze_texts",
]


class TermAnalyzer(Protocol):
    """What query building needs of an analyzer: :meth:`Analyzer.analyze`.

    :class:`Analyzer` is one; so is :class:`searchidx.lexicon.LexiconAnalyzer`, which takes
    the words an index has seen from its lexicon and loads Kiwi only for the others.
    """

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]: ...


#: Looks up the morphemes of distinct words (each analysed alone).
MorphLookup = Callable[[Collection[str]], Mapping[str, Sequence[Morph]]]


# Identifiers of Latin letters and digits joined by - _ . (only those mixing letters and
# digits are protected); URLs and e-mail addresses are matched only to be left to Kiwi.
_SPAN_RE = re.compile(
    r"(?P<skip>(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)"
    rf"|(?P<ident>[{LATIN_LETTERS}0-9]+(?:[-_.][{LATIN_LETTERS}0-9]+)*)"
)
# Words whose morphemes follow from their characters (see ``ruled``).
_RULED = re.compile(
    r"(?P<SL>[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+)|(?P<SN>[0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+)"
    r"|(?P<ident>[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*)"
)

USER_DICTIONARY = "userdict.txt"
#: Bumped whenever a term rule changes; part of :attr:`Analyzer.fingerprint`.
RULES_VERSION = 4
_SPLIT_SCORE = 10.0
#: Words an :class:`Analyzer` remembers the morphemes of (a server's queries are unbounded).
CACHE_WORDS = 200_000


@lru_cache(maxsize=1)
def _kiwi_options() -> int:
    from kiwipiepy import Match

    # No SERIAL ("3-8" of Llama-3-8B), hashtags, mentions or emoji; prefixes are joined
    # here rather than by JOIN_NOUN_PREFIX, because the bare noun is indexed as well.
    return int(Match.URL | Match.EMAIL)


def ruled(word: str) -> tuple[Morph, ...] | None:
    """Kiwi's morphemes of ``word`` alone when they follow from its characters, else ``None``.

    Latin letters are one foreign word (``SL``), digits (with a decimal point or thousands
    commas) one number (``SN``), an identifier mixing letters and digits one ``SL`` (it is
    handed to Kiwi pre-tokenized), and other ASCII words joined by ``-`` or ``_`` their
    pieces, the joiners being symbols; so a query in Latin script rarely needs Kiwi.
    Checked against Kiwi on every such word of the real corpus.
    """
    match = _RULED.fullmatch(word)
    if match is None:
        return None
    tag = match.lastgroup
    if tag != "ident":
        return (Morph(word, tag or "", 0, len(word)),)
    if HAS_LETTER_AND_DIGIT.match(word):
        return (Morph(word, "SL", 0, len(word)),)
    if "." in word:  # Kiwi reads e.g as one word, but not every dotted word
        return None
    out = []
    for piece in re.finditer(r"[A-Za-z]+|[0-9]+|[-_.]", word):
        form = piece.group()
        kind = "SL" if form.isalpha() else "SN" if form.isdigit() else "SO" if form == "-" else "SW"
        out.append(Morph(form, kind, piece.start(), piece.end()))
    return tuple(out)


def _protected_spans(text: str) -> list[tuple[int, int, str]]:
    """Kiwi ``pretokenized`` spans: identifiers mixing letters and digits, tagged SL."""
    return [
        (m.start(), m.end(), "SL")
        for m in _SPAN_RE.finditer(text)
        if m.lastgroup == "ident" and HAS_LETTER_AND_DIGIT.match(m.group())
    ]


class WordTerms:
    """Terms of texts from the terms of their words, each distinct word's computed once.

    ``lookup`` gives the morphemes of words not met before (the lexicon, Kiwi, or both);
    a build keeps one for the whole collection, a query one per call.
    """

    def __init__(self, lookup: MorphLookup, mode: Mode = "index") -> None:
        self._lookup = lookup
        self._mode = mode
        self.terms: dict[str, list[Term]] = {}

    def analyze(self, texts: Sequence[str]) -> list[list[Term]]:
        """The terms of each of ``texts``."""
        normal = [normalize(text) for text in texts]
        spans = [split_words(clean) for clean, _ in normal]
        terms = self.terms
        new = {word for text_words in spans for _, word in text_words if word not in terms}
        if new:
            morphs = self._lookup(new)
            for word in new:
                terms[word] = word_terms(morphs[word], word, self._mode)
        return [place_terms(text_words, terms, boundary) for text_words, (_, boundary) in zip(spans, normal)]


def analyze_texts(texts: Sequence[str], mode: Mode, lookup: MorphLookup) -> list[list[Term]]:
    """Terms of each of ``texts``, the morphemes of their distinct words from ``lookup``."""
    return WordTerms(lookup, mode).analyze(texts)


class Analyzer:
    """Kiwi-based analyzer; cheap to create, Kiwi is loaded on first use, once.

    ``num_workers`` is Kiwi's thread count for batches (``-1``: all cores).
    ``user_words`` are added to Kiwi's dictionary as ``(word, tag)`` or
    ``(word, "part/TAG+part/TAG")`` (see :func:`load_user_dictionary`); by default the
    domain dictionary shipped with searchidx (``searchidx/userdict.txt``). The morphemes of
    the last :data:`CACHE_WORDS` distinct words analysed are remembered.
    """

    def __init__(
        self,
        *,
        num_workers: int = -1,
        user_words: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self._num_workers = num_workers
        self._user_words = [(word, tag) for word, tag in user_words] if user_words is not None else None
        self._kiwi: Kiwi | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Morph, ...]] = {}

    @property
    def fingerprint(self) -> str:
        """Identifies the terms this analyzer produces: the term rules' version, the user
        dictionary and the Kiwi version. An index built with another fingerprint must be
        rebuilt. Does not load Kiwi."""
        import hashlib
        from importlib import metadata  # imported here: a query process never needs it

        entries = self._user_words if self._user_words is not None else load_user_dictionary()
        kiwi_versions = [metadata.version(name) for name in ("kiwipiepy", "kiwipiepy_model")]
        data = repr((RULES_VERSION, kiwi_versions, entries)).encode()
        return f"{RULES_VERSION}-{hashlib.sha256(data).hexdigest()[:16]}"

    @property
    def settings(self) -> dict[str, Any]:
        """The arguments that make another analyzer like this one (e.g. in another process)."""
        return {"num_workers": self._num_workers, "user_words": self._user_words}

    @property
    def loaded(self) -> bool:
        """True once Kiwi has been loaded."""
        return self._kiwi is not None

    @property
    def kiwi(self) -> Kiwi:
        """The loaded Kiwi instance (loads it on first access)."""
        if self._kiwi is None:
            with self._lock:
                if self._kiwi is None:
                    self._kiwi = self._load()
        return self._kiwi

    def _load(self) -> Kiwi:
        from kiwipiepy import Kiwi

        kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False, num_workers=self._num_workers)
        entries = self._user_words if self._user_words is not None else load_user_dictionary()
        for word, analysis in entries:
            _add_user_entry(kiwi, word, analysis)
        kiwi.tokenize("")  # Kiwi finishes initialising on its first call
        return kiwi

    def _tokenize(self, texts: Iterable[str]) -> Iterator[list[Token]]:
        return self.kiwi.tokenize(  # type: ignore[no-any-return]
            texts, match_options=_kiwi_options(), z_coda=False, pretokenized=_protected_spans
        )

    def morphs(self, words: Iterable[str]) -> Iterator[tuple[Morph, ...]]:
        """Kiwi's morphemes of each of ``words`` analysed alone, streamed in order.

        One Kiwi stream: its ``num_workers`` threads analyse ahead while the caller works.
        Words must be normalised and split as :func:`analyze_texts` does.
        """
        for tokens in self._tokenize(words):
            yield tuple(Morph(t.form, t.tag, t.start, t.end) for t in tokens)

    def lookup(self, words: Collection[str]) -> dict[str, tuple[Morph, ...]]:
        """The morphemes of each of ``words``: by rule, remembered, or from Kiwi."""
        out: dict[str, tuple[Morph, ...]] = {}
        todo = []
        for word in words:
            known = ruled(word) or self._cache.get(word)
            if known is None:
                todo.append(word)
            else:
                out[word] = known
        if todo:
            if len(self._cache) + len(todo) > CACHE_WORDS:
                self._cache.clear()
            for word, morphs in zip(todo, self.morphs(todo)):
                out[word] = self._cache[word] = morphs
        return out

    def tokenize_raw(self, texts: Iterable[str]) -> Iterator[list[Token]]:
        """Kiwi's morphemes of whole normalised texts *in context*, with the settings words
        are analysed with, streamed in order: the contextual Kiwi floor for benchmarks."""
        return self._tokenize(texts)

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]:
        """Terms of one string (see the module docstring for the rules)."""
        return self.analyze_many([text], mode)[0]

    def analyze_many(self, texts: Sequence[str], mode: Mode = "index") -> list[list[Term]]:
        """Terms of many strings; their new words go to Kiwi as one batch over its workers."""
        return analyze_texts(texts, mode, self.lookup)


def load_user_dictionary() -> list[tuple[str, str]]:
    """Entries of the shipped domain dictionary, ``searchidx/userdict.txt``.

    Each entry is ``(word, tag)`` or ``(word, "part/TAG+part/TAG")`` for a fixed split.
    """
    text = resources.files("searchidx").joinpath(USER_DICTIONARY).read_text(encoding="utf-8")
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            word, _, analysis = line.partition("\t")
            entries.append((word.strip(), analysis.strip() or "NNG"))
    return entries


def _add_user_entry(kiwi: Kiwi, word: str, analysis: str) -> None:
    if "/" not in analysis:
        kiwi.add_user_word(word, analysis)
        return
    morphemes, offset = [], 0
    for part in analysis.split("+"):
        form, tag = part.rsplit("/", 1)
        start = word.index(form, offset)
        offset = start + len(form)
        morphemes.append((form, tag, start, offset))
    # Kiwi's own whole-word reading outweighs a pre-analysed split of score 0.
    kiwi.add_pre_analyzed_word(word, morphemes, _SPLIT_SCORE)


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The process-wide shared :class:`Analyzer` (Kiwi still loads only on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default
