"""Terms: the records analysis produces, and the rules that turn a word's morphemes into them.

:class:`Term` is what every stage after analysis reads (indexing, query building,
highlighting); :class:`Morph` is one Kiwi morpheme of a word. :func:`word_terms` applies the
term rules of :mod:`searchidx.analysis` step 4 to the morphemes of one word alone (which tags
give terms, suffixes and prefixes kept on their noun, English stemmed, identifier and URL
parts in index mode), and :func:`place_terms` lays the terms of a text's words one after
another. Nothing here calls Kiwi: morphemes come from :class:`searchidx.analysis.Analyzer` or
from the lexicon.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Literal, NamedTuple

__all__ = [
    "Term",
    "Morph",
    "Mode",
    "LATIN_LETTERS",
    "HAS_LETTER_AND_DIGIT",
    "STOP_STEMS",
    "is_ending",
    "word_terms",
    "place_terms",
    "surface_form",
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
#: Stems of light, functional and auxiliary verbs/roots: in nearly every sentence, never searched.
STOP_STEMS = frozenset(
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
#: Latin letters, with accents: what an identifier mixing letters and digits is made of.
LATIN_LETTERS = "A-Za-z\u00c0-\u024f"
#: Matches a word holding both Latin letters and digits (``GPT-4o``, ``L2``).
HAS_LETTER_AND_DIGIT = re.compile(rf"(?=.*[{LATIN_LETTERS}])(?=.*[0-9])")
_PART_SEP = re.compile(r"[-_]")
_LETTER_HEAD = re.compile(r"[^\W\d_]{2,}(?=[0-9])")
_URL_PARTS = re.compile(r"[^a-z0-9]+")
_URL_NOISE = frozenset({"", "http", "https", "www"})
_ALNUM = re.compile(r"[^\W_]")  # str.isalnum of one character


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


_LATIN_WORD = re.compile(rf"[{LATIN_LETTERS}]+")


@lru_cache(maxsize=1 << 16)
def surface_form(source: str) -> str | None:
    """A Latin word as written, lowercased but unstemmed (``Embeddings`` -> ``embeddings``);
    None for anything else (Hangul, identifiers with digits, numbers)."""
    return _fold(source) if _LATIN_WORD.fullmatch(source) else None


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


def is_ending(morph: Morph) -> bool:
    """Morphemes that may follow a stem in an ending, none of which gives a term: particles,
    endings, copulas, the verb-making suffixes (압축 + 하 + 는), plural and counting
    suffixes (층 + 들 + 이) and auxiliary verbs of the stop list (지우 + 어 + 지 + 지)."""
    tag = morph.tag
    if tag[0] in "JE" or tag in ("XSV", "XSA", "VCP", "VCN"):
        return True
    if tag == "XSN":
        return morph.form in _COUNTING_SUFFIXES
    return tag.startswith("VX") and morph.form in STOP_STEMS


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
        return [] if stray or form in STOP_STEMS else [form.lower()]
    if kind == _UNIT:
        return [form] if len(form) > 1 and form not in _FUNCTION_UNITS else []
    if kind == _STEM:
        if form in STOP_STEMS:
            return []
        # Kiwi reads 세밀한 as 세밀/XR+하 in a sentence but as 세밀하/VA alone.
        return [form[:-1] if len(form) > 2 and form.endswith("하") else form]
    if kind == _NUMBER:
        return [form.replace(",", "")]
    if kind == _WEB:
        terms = _url_terms(form)
    else:
        surface = text[token.start : token.end]
        if not HAS_LETTER_AND_DIGIT.match(surface):
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
