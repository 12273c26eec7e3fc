"""Analysis: turn Korean/English text into index terms, word by word, the same way everywhere.

Stage contract: ``Analyzer.analyze(text, mode)`` gives a list of :class:`Term` (text, character
offsets into the caller's string, position). Every other stage (indexing, query building,
highlighting) sees text only through this module.

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
2. Words (:func:`split_words`): runs of word characters joined by ``-_.'`` inside
   identifiers and numbers (``GPT-4o``, ``3.5``, ``1,000``), URLs and e-mail addresses.
   Punctuation and spaces between words are no part of any word, so ``양자화(quantization),``
   is the words ``양자화`` and ``quantization``.
3. Kiwi's morphemes of each word alone (typo and multi-word dictionaries off; URLs and
   e-mails matched). Latin identifiers that mix letters and digits (``GPT-4o``,
   ``Llama-3-8B``, ``L2``) are handed to Kiwi pre-tokenized, so Kiwi neither splits them
   nor reads ``3-8`` as a serial number. A domain user dictionary (``userdict.txt``) fixes
   words Kiwi would split oddly (디퓨전) or tag as a function word (깊이 as an adverb).
   Words of ASCII letters only or digits only are one morpheme by rule (:func:`ruled`).
4. Content morphemes become terms (:func:`word_terms`): nouns, unit nouns of two syllables
   or more (바이트, not 수 or 것), numerals, verb/adjective stems, roots, foreign words,
   numbers, hanja, URLs. A noun keeps its derivational suffix (양자 + 화 -> ``양자화``, so
   "양자화를" gives what "양자화" gives) but not a plural or counting one (모델들 -> ``모델``).
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
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

__all__ = [
    "Term",
    "Morph",
    "Mode",
    "TermAnalyzer",
    "Analyzer",
    "default_analyzer",
    "normalize",
    "split_words",
    "ruled",
    "is_ending",
    "word_terms",
    "place_terms",
    "WordTerms",
    "analyze_texts",
]

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


_new_term = tuple.__new__  # Term(...) without the call of its Python-level __new__: a build makes millions


class Morph(NamedTuple):
    """One Kiwi morpheme of a word: its form, tag and character range in the word."""

    form: str
    tag: str
    start: int
    end: int


class TermAnalyzer(Protocol):
    """What query building needs of an analyzer: :meth:`Analyzer.analyze`.

    :class:`Analyzer` is one; so is :class:`searchidx.lexicon.QueryAnalyzer`, which takes
    the words an index has seen from its lexicon and loads Kiwi only for the others.
    """

    def analyze(self, text: str, mode: Mode = "index") -> list[Term]: ...


#: Looks up the morphemes of distinct words (each analysed alone).
MorphLookup = Callable[[Collection[str]], Mapping[str, Sequence[Morph]]]

# What each content-bearing Kiwi tag yields; morphemes of any other tag give no term.
_NOUN, _STEM, _LATIN, _NUMBER, _WEB, _UNIT = range(6)
_KIND = {
    **dict.fromkeys(("NNG", "NNP", "NR", "XR", "SH"), _NOUN),
    **dict.fromkeys(("VV", "VV-I", "VV-R", "VA", "VA-I", "VA-R", "VX", "VX-I", "VX-R"), _STEM),
    "NNB": _UNIT,
    "SL": _LATIN,
    "SN": _NUMBER,
    "W_URL": _WEB,
    "W_EMAIL": _WEB,
}
_PREFIXABLE_TAGS = frozenset({"NNG", "NNP", "NR", "XR"})
# Stems of light, functional and auxiliary verbs/roots: in nearly every sentence, never searched.
_STOP_STEMS = frozenset(
    {"하", "되", "있", "없", "않", "같", "위하", "대하", "통하", "인하", "따르", "이러", "이러하", "어떻", "어떠"}
    | {"가지", "갖", "주", "만하", "들", "내", "두", "오", "못하", "지", "가", "말", "버리", "싶", "보", "놓", "대"}
)
# Unit nouns (NNB) of one syllable (수, 것, 개, 번) are function words; longer ones are units
# and loanwords Kiwi tags as such (바이트, 비트, 퍼센트, 메타), except these.
_FUNCTION_UNITS = frozenset({"때문", "만큼", "대로", "이래", "나름", "가량", "가지", "번째", "따름", "여지", "무렵", "즈음"})
# Derivational suffixes (XSN) that make another word of a noun stay on it (양자 + 화), the bare
# noun stacked in index mode; these only count, pluralise or qualify it and are dropped
# (모델 + 들, 머신러닝 + 용, 추측 + 적: the digests write 추측 디코딩 and 추측적 디코딩 alike).
_COUNTING_SUFFIXES = frozenset(
    {"들", "적", "째", "당", "간", "별", "상", "여", "씩", "님", "시", "층", "류", "쯤", "짜리", "어치", "용"}
)
# Noun prefixes (XPN) that negate or reverse the noun: 비지도 must not be found by 지도.
_NEGATING_PREFIXES = frozenset({"비", "불", "부", "무", "미", "반", "탈", "역", "몰"})
# Particles Kiwi sometimes tags as a one-syllable noun right after Latin letters or digits.
_STRAY_PARTICLES = frozenset({"은", "는", "이", "가", "을", "를", "과", "와", "도", "로", "의", "에"})

#: Words: URLs, and runs of word characters joined inside identifiers and numbers by ``-``,
#: by ``.`` between Latin letters or digits, by an apostrophe between Latin letters and by
#: ``,`` between digits (``GPT-4o``, ``Qwen2.5``, ``LLM's``, ``1,000``).
WORD = re.compile(
    r"(?:https?://|www\.)[^\s()<>\[\]{}\"']+"
    r"|\w+(?:(?:-|(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])|(?<=[A-Za-z])['\u2019](?=[A-Za-z])|(?<=[0-9]),(?=[0-9]))\w+)*"
)

# Identifiers of Latin letters and digits joined by - _ . (only those mixing letters and
# digits are protected); URLs and e-mail addresses are matched only to be left to Kiwi.
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f"
_SPAN_RE = re.compile(
    r"(?P<skip>(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)"
    rf"|(?P<ident>[{_LATIN_LETTERS}0-9]+(?:[-_.][{_LATIN_LETTERS}0-9]+)*)"
)
_HAS_LETTER_AND_DIGIT = re.compile(rf"(?=.*[{_LATIN_LETTERS}])(?=.*[0-9])")
# Words whose morphemes follow from their characters (see ``ruled``).
_RULED = re.compile(
    r"(?P<SL>[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+)|(?P<SN>[0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+)"
    r"|(?P<ident>[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*)"
)
_PART_SEP = re.compile(r"[-_]")
_LETTER_HEAD = re.compile(r"[^\W\d_]{2,}(?=[0-9])")
_URL_PARTS = re.compile(r"[^a-z0-9]+")
_URL_NOISE = frozenset({"", "http", "https", "www"})
_ALNUM = re.compile(r"[^\W_]")  # str.isalnum of one character
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JAMO_TAIL = re.compile(r"[\u1160-\u11ff\ud7b0-\ud7ff]")  # vowel and final jamo compose backwards
_CONJOINING_JAMO = re.compile(r"[\u1100-\u11ff]")
# Characters NFKC leaves alone that no following character composes with.
_STABLE_RUN = re.compile(r"[\t\n\r\x20-\x7e\uac00-\ud7a3]+")

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


def _composes(ch: str) -> bool:
    """True for a character that NFC/NFKC may compose with the character before it."""
    return bool(unicodedata.combining(ch)) or _JAMO_TAIL.match(ch) is not None


def _normal_form(cluster: str) -> str:
    """NFKC of one starter with its combining characters; Hangul compatibility jamo (ㅋ) and
    other characters NFKC would turn into conjoining jamo only get NFC."""
    norm = unicodedata.normalize("NFKC", cluster)
    if _CONJOINING_JAMO.search(norm) and not _CONJOINING_JAMO.search(cluster):
        return unicodedata.normalize("NFC", cluster)
    return norm


def normalize(text: str) -> tuple[str, list[int] | None]:
    """The text analysis reads, and, if it differs from ``text``, a map from its character
    boundaries to ``text``'s.

    NFKC (full-width ``ＫＶ`` -> ``KV``, ``㎏`` -> ``kg``, decomposed Hangul composed), lone
    surrogates blanked. Each starter with its combining characters is normalised on its own,
    so the map is built in linear time and grows monotonically; a character NFKC expands
    maps all its pieces to itself.
    """
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(" ", text)
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    parts: list[str] = []
    boundary: list[int] = []
    i, n = 0, len(text)
    while i < n:
        run = _STABLE_RUN.match(text, i)
        if run is not None:
            end = run.end()
            if end < n and _composes(text[end]):
                end -= 1  # its last character starts the next cluster
            if end > i:
                parts.append(text[i:end])
                boundary.extend(range(i, end))
                i = end
                continue
        j = i + 1
        while j < n and _composes(text[j]):
            j += 1
        norm = _normal_form(text[i:j])
        parts.append(norm)
        boundary.extend(min(i + k, j - 1) for k in range(len(norm)))
        i = j
    boundary.append(n)
    return "".join(parts), boundary


def split_words(text: str) -> list[tuple[int, str]]:
    """The words of normalised ``text`` (see :data:`WORD`) with their start offsets."""
    return [(m.start(), m.group()) for m in WORD.finditer(text)]


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
    if _HAS_LETTER_AND_DIGIT.match(word):
        return (Morph(word, "SL", 0, len(word)),)
    if "." in word:  # Kiwi reads e.g as one word, but not every dotted word
        return None
    out = []
    for piece in re.finditer(r"[A-Za-z]+|[0-9]+|[-_.]", word):
        form = piece.group()
        kind = "SL" if form.isalpha() else "SN" if form.isdigit() else "SO" if form == "-" else "SW"
        out.append(Morph(form, kind, piece.start(), piece.end()))
    return tuple(out)


def is_ending(morph: Morph) -> bool:
    """Morphemes that may follow a stem in an ending, none of which gives a term: particles,
    endings, copulas, the verb-making suffixes (압축 + 하 + 는), plural and counting
    suffixes (층 + 들 + 이) and auxiliary verbs of the stop list (지우 + 어 + 지 + 지)."""
    tag = morph.tag
    if tag[0] in "JE" or tag in ("XSV", "XSA", "VCP", "VCN"):
        return True
    if tag == "XSN":
        return morph.form in _COUNTING_SUFFIXES
    return tag.startswith("VX") and morph.form in _STOP_STEMS


def _protected_spans(text: str) -> list[tuple[int, int, str]]:
    """Kiwi ``pretokenized`` spans: identifiers mixing letters and digits, tagged SL."""
    return [
        (m.start(), m.end(), "SL")
        for m in _SPAN_RE.finditer(text)
        if m.lastgroup == "ident" and _HAS_LETTER_AND_DIGIT.match(m.group())
    ]


def place_terms(
    words: Sequence[tuple[int, str]], terms_of: Mapping[str, Sequence[Term]], boundary: list[int] | None
) -> list[Term]:
    """The terms of a text from the terms of its ``words`` (offset, word), each word's
    positions following the previous word's, offsets mapped through ``boundary``."""
    out: list[Term] = []
    append = out.append
    base = 0
    for offset, word in words:
        terms = terms_of[word]
        if not terms:
            continue
        if boundary is None:
            for text, start, end, position in terms:
                append(_new_term(Term, (text, offset + start, offset + end, base + position)))
        else:
            for text, start, end, position in terms:
                first = boundary[offset + start]
                last = max(boundary[offset + end], first + 1)
                append(_new_term(Term, (text, first, last, base + position)))
        base += terms[-1].position + 1
    return out


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
        self._user_words = list(user_words) if user_words is not None else None
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


def word_terms(morphs: Sequence[Morph], word: str, mode: Mode) -> list[Term]:
    """The terms of one word from its morphemes alone, offsets and positions relative to it.

    Reads only ``form``, ``tag``, ``start`` and ``end`` of each morpheme.
    """
    out: list[Term] = []
    position = -1
    prefixes: list[Morph] = []  # XPN morphemes waiting for their noun
    previous: Morph | None = None
    i, count = 0, len(morphs)
    while i < count:
        token = morphs[i]
        i += 1
        tag = token.tag
        kind = _KIND.get(tag)
        if kind is None:
            if tag == "XPN":
                prefixes.append(token)
            elif prefixes:
                prefixes.clear()
            previous = token
            continue
        start, end = token.start, token.end
        if prefixes and tag in _PREFIXABLE_TAGS and _joins(prefixes, token, word):
            alternatives = _prefixed(prefixes, token.form, mode)
            start = prefixes[0].start
        else:
            alternatives = _alternatives(kind, token, previous, word, mode)
        prefixes.clear()
        previous = token
        if kind == _NOUN and alternatives:
            # 양자 + 화 is the word 양자화, as Kiwi reads it when nothing follows.
            suffix = ""
            while i < count and morphs[i].tag == "XSN" and morphs[i].start == end:
                if morphs[i].form in _COUNTING_SUFFIXES:
                    break
                suffix += morphs[i].form
                end = morphs[i].end
                previous = morphs[i]
                i += 1
            if suffix:
                alternatives = [alternatives[0] + suffix, *alternatives] if mode == "index" else [alternatives[0] + suffix]
        placed = False
        for alt in alternatives:
            # A sign with nothing to search for (a lone accent folds to a space) is no term.
            if alt.isalnum() or _ALNUM.search(alt):
                if not placed:
                    position += 1
                    placed = True
                out.append(Term(alt, start, end, position))
    return out


def _alternatives(kind: int, token: Morph, previous: Morph | None, text: str, mode: Mode) -> list[str]:
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
    if kind == _UNIT:
        return [form] if len(form) > 1 and form not in _FUNCTION_UNITS else []
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


def _joins(prefixes: list[Morph], noun: Morph, text: str) -> bool:
    """True if the prefixes run up to the noun with nothing but spaces in between."""
    return not text[prefixes[-1].end : noun.start].strip()


def _prefixed(prefixes: list[Morph], noun: str, mode: Mode) -> list[str]:
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
