"""Analysis: turn Korean/English text into index terms, the same way for documents and queries.

Stage contract: ``Analyzer.analyze(text, mode)`` gives a list of :class:`Term` (text, character
offsets into the caller's string, position). Every other stage (indexing, query building,
highlighting) sees text only through this module.

Pipeline for one string:

1. Unicode NFC (Kiwi wants composed Hangul); offsets are mapped back to the caller's string.
2. Latin identifiers that mix letters and digits (``GPT-4o``, ``Llama-3-8B``, ``L2``) are
   handed to Kiwi as pre-tokenized spans, so Kiwi neither splits them nor reads ``3-8`` as a
   serial number. Their term drops hyphens, so ``GPT-4o`` and ``GPT4o`` match.
3. Kiwi (typo and multi-word dictionaries off) splits the text into morphemes. A domain
   user dictionary (``userdict.txt``) pins words that Kiwi would otherwise analyse
   differently alone (a query) and inside a sentence (a document), such as 디퓨전.
4. Content morphemes become terms: nouns, numerals, verb/adjective stems, roots, foreign
   words, numbers, hanja, URLs. Particles, endings, suffixes, punctuation and a few light
   verbs (하다, 되다, 있다, ...) are dropped without leaving a position gap, so "KV 캐시 압축"
   is a phrase of "KV캐시를 압축하는". A noun prefix stays on its noun (대규모, 비급여).
   English is lowercased and stemmed (``caches`` and ``cache`` -> ``cach``).

Positions grow along the text; terms sharing a position are alternatives. Index and query
mode differ in one thing only, the alternatives: in ``"index"`` mode an identifier also
yields its parts (``gpt4o`` + ``gpt``, ``4o``), a URL its words, and a prefixed noun the
bare noun unless the prefix negates it (``대규모`` + ``규모``, but ``비지도`` alone), so a
search for a part finds the whole. In ``"query"`` mode only the whole is produced, so
``GPT-4`` looks for GPT-4 and not for every GPT model.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

__all__ = ["Term", "Mode", "TermAnalyzer", "Analyzer", "default_analyzer"]

Mode = Literal["index", "query"]


class Term(NamedTuple):
    """One index term.

    ``start``/``end`` are character (not byte) offsets into the analysed string, so
    ``text[start:end]`` is the term's surface. Terms with equal ``position`` are
    alternatives of each other (stacked, like synonyms). A named tuple: a build makes
    about a million of them.
    """

    text: str
    start: int
    end: int
    position: int


class TermAnalyzer(Protocol):
    """What query building needs of an analyzer: :meth:`Analyzer.analyze`.

    :class:`Analyzer` is one; so is :class:`searchidx.lexicon.QueryAnalyzer`, which answers
    from the words an index has seen before it loads Kiwi.
    """

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]: ...


# What each content-bearing Kiwi tag yields; morphemes of any other tag give no term.
_NOUN, _STEM, _LATIN, _NUMBER, _WEB = range(5)
_KIND = {
    **dict.fromkeys(("NNG", "NNP", "NR", "XR", "SH"), _NOUN),
    **dict.fromkeys(("VV", "VV-I", "VV-R", "VA", "VA-I", "VA-R"), _STEM),
    "SL": _LATIN,
    "SN": _NUMBER,
    "W_URL": _WEB,
    "W_EMAIL": _WEB,
}
_PREFIXABLE_TAGS = frozenset({"NNG", "NNP", "NR", "XR"})
# Stems of light and functional verbs/roots: present in nearly every sentence, never searched.
_STOP_STEMS = frozenset(
    {"하", "되", "있", "없", "않", "같", "위하", "대하", "통하", "인하", "따르", "이러", "이러하", "어떻", "어떠"}
)
# Noun prefixes (XPN) that negate or reverse the noun: 비지도 must not be found by 지도.
_NEGATING_PREFIXES = frozenset({"비", "불", "부", "무", "미", "반", "탈", "역", "몰"})
# Particles Kiwi sometimes tags as a one-syllable noun right after Latin letters or digits.
_STRAY_PARTICLES = frozenset({"은", "는", "이", "가", "을", "를", "과", "와", "도", "로", "의", "에"})

# Identifiers of Latin letters and digits joined by - _ . (only those mixing letters and
# digits are protected); URLs and e-mail addresses are matched only to be left to Kiwi.
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f"
_SPAN_RE = re.compile(
    r"(?P<skip>(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)"
    rf"|(?P<ident>[{_LATIN_LETTERS}0-9]+(?:[-_.][{_LATIN_LETTERS}0-9]+)*)"
)
_HAS_LETTER_AND_DIGIT = re.compile(rf"(?=.*[{_LATIN_LETTERS}])(?=.*[0-9])")
_PART_SEP = re.compile(r"[-_]")
_LETTER_HEAD = re.compile(r"[^\W\d_]{2,}(?=[0-9])")
_URL_PARTS = re.compile(r"[^a-z0-9]+")
_URL_NOISE = frozenset({"", "http", "https", "www"})
_ALNUM = re.compile(r"[^\W_]")  # str.isalnum of one character
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JAMO_TAIL = re.compile(r"[\u1160-\u11ff\ud7b0-\ud7ff]")  # vowel and final jamo compose backwards

USER_DICTIONARY = "userdict.txt"
#: Bumped whenever a term rule changes; part of :attr:`Analyzer.fingerprint`.
RULES_VERSION = 3
_SPLIT_SCORE = 5.0


@lru_cache(maxsize=1)
def _kiwi_options() -> int:
    from kiwipiepy import Match

    # No SERIAL ("3-8" of Llama-3-8B), hashtags, mentions or emoji; prefixes are joined
    # here rather than by JOIN_NOUN_PREFIX, because the bare noun is indexed as well.
    return int(Match.URL | Match.EMAIL)


@lru_cache(maxsize=1)
def _english_stemmer() -> Callable[[str], list[str]]:
    import tantivy

    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    analyzer = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build()
    return analyzer.analyze


def _fold(word: str) -> str:
    """Lowercase a Latin word and drop its accents, so ``Ré`` and ``Re`` are one term."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@lru_cache(maxsize=1 << 16)
def _stem_english(word: str) -> str:
    """Lowercase and stem one Latin word: ``caches`` -> ``cach``, ``LLMs`` -> ``llm``.

    Snowball keeps the ``s`` of a plural with no vowel before it (``llms``) or right before
    it (``gpus``); such a word loses its final ``s`` here.
    """
    lowered = _fold(word)
    stems = _english_stemmer()(lowered)
    stem = stems[0] if stems else lowered
    if stem == lowered and len(stem) > 2 and stem.endswith("s") and not stem.endswith("ss"):
        return stem[:-1]
    return stem


def _identifier_terms(word: str) -> list[str]:
    """The whole identifier followed by its findable parts, lowercased, no duplicates.

    The whole drops its ``-``/``_`` (``GPT-4o`` and ``GPT4o`` are both ``gpt4o``: the corpus
    writes ``Llama-3`` and ``Llama3`` about equally often). Parts: the pieces between the
    separators, the prefixes of the piece chain (``llama3`` of ``Llama-3-8B``) and the
    letter head of a piece (``qwen`` of ``Qwen2.5``).
    """
    pieces = [p for p in _PART_SEP.split(_fold(word)) if p]
    out = ["".join(pieces[: i + 1]) for i in reversed(range(len(pieces)))]
    for piece in pieces if len(pieces) > 1 else ():
        out.append(_stem_english(piece) if piece.isalpha() else piece)
    for piece in pieces:
        head = _LETTER_HEAD.match(piece)
        if head:
            out.append(_stem_english(head.group()))
    return list(dict.fromkeys(out))


def _url_terms(url: str) -> list[str]:
    whole = url.lower()
    return list(dict.fromkeys([whole, *(p for p in _URL_PARTS.split(whole) if p not in _URL_NOISE)]))


def _offset_map(text: str) -> tuple[str, list[int] | None]:
    """NFC form of ``text`` and, if it differs, a map from its char boundaries to ``text``'s.

    Each starter with its trailing combining marks and Hangul vowel/final jamo is composed
    on its own, so the map is built in linear time and grows monotonically.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    parts: list[str] = []
    boundary: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and (unicodedata.combining(text[i]) or _JAMO_TAIL.match(text[i])):
            continue
        cluster = text[start:i]
        norm = unicodedata.normalize("NFC", cluster)
        if len(norm) > len(cluster):  # the few characters NFC expands are left as they are
            norm = cluster
        parts.append(norm)
        boundary.extend(range(start, start + len(norm)))
        start = i
    boundary.append(len(text))
    return "".join(parts), boundary


def _protected_spans(text: str) -> list[tuple[int, int, str]]:
    """Kiwi ``pretokenized`` spans: identifiers mixing letters and digits, tagged SL."""
    return [
        (m.start(), m.end(), "SL")
        for m in _SPAN_RE.finditer(text)
        if m.lastgroup == "ident" and _HAS_LETTER_AND_DIGIT.match(m.group())
    ]


def _clean(text: str) -> tuple[str, list[int] | None]:
    """Text as Kiwi gets it: lone surrogates blanked (same length), NFC with an offset map."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(" ", text)
    return _offset_map(text)


class Analyzer:
    """Kiwi-based analyzer; cheap to create, Kiwi is loaded on first use, once.

    ``num_workers`` is Kiwi's thread count for batches (``-1``: all cores).
    ``user_words`` are added to Kiwi's dictionary as ``(word, tag)`` or
    ``(word, "part/TAG+part/TAG")`` (see :func:`load_user_dictionary`); by default the
    domain dictionary shipped with searchidx (``searchidx/userdict.txt``).
    """

    def __init__(
        self,
        *,
        num_workers: int = -1,
        user_words: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self._num_workers = num_workers
        self._user_words = list(user_words) if user_words is not None else None
        self._kiwi: Kiwi | None = None
        self._lock = threading.Lock()

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
        """Kiwi's morphemes of clean texts, streamed in order while Kiwi's workers run ahead."""
        return self.kiwi.tokenize(  # type: ignore[no-any-return]
            texts, match_options=_kiwi_options(), z_coda=False, pretokenized=_protected_spans
        )

    def tokenize_raw(self, texts: Iterable[str]) -> Iterator[list[Token]]:
        """Kiwi's morphemes of texts already cleaned as ``analyze`` cleans them (NFC, no lone
        surrogates), with exactly the settings ``analyze_many`` uses, streamed in order.

        The Kiwi-only floor for benchmarks, and what the lexicon stores.
        """
        return self._tokenize(texts)

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]:
        """Terms of one string (see the module docstring for the rules)."""
        return self.analyze_many([text], mode)[0]

    def analyze_many(self, texts: Sequence[str], mode: Mode = "index") -> list[list[Term]]:
        """Terms of many strings, analysed as one Kiwi batch over ``num_workers`` threads."""
        cleaned = [_clean(text) for text in texts]
        streamed = self._tokenize(clean for clean, _ in cleaned)
        return [_terms(tokens, clean, boundary, mode) for tokens, (clean, boundary) in zip(streamed, cleaned)]

    def analyze_stream(self, texts: Iterable[str], mode: Mode = "index") -> Iterator[list[Term]]:
        """Terms of each of ``texts`` in order, as one Kiwi stream with no batch boundaries.

        Kiwi's workers read ahead, so they keep analysing while the caller works on earlier
        results (a build's pipeline). The same terms as :meth:`analyze_many`.
        """
        pending: deque[tuple[str, list[int] | None]] = deque()

        def cleaned() -> Iterator[str]:
            for text in texts:
                pending.append(_clean(text))
                yield pending[-1][0]

        for tokens in self._tokenize(cleaned()):
            clean, boundary = pending.popleft()
            yield _terms(tokens, clean, boundary, mode)


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


def _terms(tokens: Sequence[Token], text: str, boundary: list[int] | None, mode: Mode) -> list[Term]:
    """Kiwi morphemes -> terms, offsets mapped through ``boundary`` when NFC changed the text.

    Reads only ``form``, ``tag``, ``start`` and ``end`` of each morpheme.
    """
    out: list[Term] = []
    position = -1
    prefixes: list[Token] = []  # XPN morphemes waiting for their noun
    previous: Token | None = None
    for token in tokens:
        tag = token.tag
        kind = _KIND.get(tag)
        if kind is None:
            if tag == "XPN":
                prefixes.append(token)
            elif prefixes:
                prefixes.clear()
            previous = token
            continue
        start = token.start
        if prefixes and tag in _PREFIXABLE_TAGS and _joins(prefixes, token, text):
            alternatives = _prefixed(prefixes, token.form, mode)
            start = prefixes[0].start
        else:
            alternatives = _alternatives(kind, token, previous, text, mode)
        prefixes.clear()
        previous = token
        s, e = (boundary[start], boundary[token.end]) if boundary else (start, token.end)
        placed = False
        for alt in alternatives:
            # A sign with nothing to search for (a lone accent folds to a space) is no term.
            if alt.isalnum() or _ALNUM.search(alt):
                if not placed:
                    position += 1
                    placed = True
                out.append(Term(alt, s, e, position))
    return out


def _alternatives(kind: int, token: Token, previous: Token | None, text: str, mode: Mode) -> list[str]:
    """The terms of one content morpheme of the given kind, whole first."""
    form = token.form
    if kind == _NOUN:
        stray = (
            form in _STRAY_PARTICLES
            and previous is not None
            and previous.tag in ("SL", "SN")
            and previous.end == token.start
        )
        return [] if stray or form in _STOP_STEMS else [form.lower()]
    if kind == _STEM:
        if form in _STOP_STEMS:
            return []
        # Kiwi reads 세밀한 as 세밀/XR+하 in a sentence but as 세밀하/VA alone.
        return [form[:-1] if len(form) > 2 and form.endswith("하") else form]
    if kind == _NUMBER:
        return [form.replace(",", "")]
    if kind == _WEB:
        terms = _url_terms(form)
    else:
        surface = text[token.start : token.end]
        if not _HAS_LETTER_AND_DIGIT.match(surface):
            return [_stem_english(form)]
        terms = _identifier_terms(surface)
    return terms if mode == "index" else terms[:1]


def _joins(prefixes: list[Token], noun: Token, text: str) -> bool:
    """True if the prefixes run up to the noun with nothing but spaces in between."""
    return not text[prefixes[-1].end : noun.start].strip()


def _prefixed(prefixes: list[Token], noun: str, mode: Mode) -> list[str]:
    """``대규모`` (+ ``규모`` in index mode); a negating prefix keeps its noun whole only."""
    forms = [p.form for p in prefixes]
    whole = "".join(forms) + noun
    if mode == "query":
        return [whole]
    out = []
    for i, form in enumerate(forms):
        out.append("".join(forms[i:]) + noun)
        if form in _NEGATING_PREFIXES:
            return out
    out.append(noun)
    return out


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The process-wide shared :class:`Analyzer` (Kiwi still loads only on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default
