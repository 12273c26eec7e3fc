"""Normalisation and word splitting: the first two steps of analysis, shared by every stage.

:func:`normalize` gives the text analysis reads (NFKC, Hangul compatibility jamo kept as
written, lone surrogates blanked) and a map back to the caller's offsets; :func:`split_words`
cuts it into the words that are each analysed alone (see :mod:`searchidx.analysis`). Nothing
here knows of morphemes or terms.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["WORD", "normalize", "split_words"]

#: Words: URLs, and runs of word characters joined inside identifiers and numbers by ``-``,
#: by ``.`` between Latin letters or digits, by an apostrophe between Latin letters and by
#: ``,`` between digits (``GPT-4o``, ``Qwen2.5``, ``LLM's``, ``1,000``).
WORD = re.compile(
    r"(?:https?://|www\.)[^\s()<>\[\]{}\"']+"
    r"|\w+(?:(?:-|(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])|(?<=[A-Za-z])['\u2019](?=[A-Za-z])|(?<=[0-9]),(?=[0-9]))\w+)*"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JAMO_TAIL = re.compile(r"[\u1160-\u11ff\ud7b0-\ud7ff]")  # vowel and final jamo compose backwards
_CONJOINING_JAMO = re.compile(r"[\u1100-\u11ff]")
# Characters NFKC leaves alone that no following character composes with.
_STABLE_RUN = re.compile(r"[\t\n\r\x20-\x7e\uac00-\ud7a3]+")


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
