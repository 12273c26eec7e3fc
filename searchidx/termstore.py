"""Analysed terms kept with each paper, so later work needs no Kiwi.

Every document stores the terms of :func:`searchidx.fields.texts_to_analyze` (title,
authors, sections) in its ``analysis`` field. Snippets of hits are cut from them at query
time, and an incremental build re-indexes a paper whose texts did not change from them.

Encoding: one JSON array per text, each term flattened to four values
``text, start, end, position``; a term whose text is its lowercased surface stores ``0``
instead of the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from searchidx.terms import Term

__all__ = ["encode_terms", "decode_terms", "StoredAnalysis"]


def encode_terms(texts: Sequence[str], terms: Sequence[Sequence[Term]]) -> bytes:
    """The stored form of the ``terms`` of each of ``texts``."""
    out = []
    for text, text_terms in zip(texts, terms):
        flat: list[object] = []
        for term in text_terms:
            same = term.text == text[term.start : term.end].lower()
            flat += (0 if same else term.text, term.start, term.end, term.position)
        out.append(flat)
    return orjson.dumps(out)


def decode_terms(texts: Sequence[str], data: bytes) -> list[list[Term]]:
    """The inverse of :func:`encode_terms` for the same ``texts``."""
    out = []
    for text, flat in zip(texts, orjson.loads(data)):
        terms = []
        for i in range(0, len(flat), 4):
            word, start, end, position = flat[i : i + 4]
            terms.append(Term(text[start:end].lower() if word == 0 else word, start, end, position))
        out.append(terms)
    return out


class StoredAnalysis:
    """Stands in for an analyzer over one paper's texts, answering from its stored terms.

    Texts it was not given are handed to ``fallback`` (an :class:`~searchidx.analysis.Analyzer`).
    """

    def __init__(self, texts: Sequence[str], data: bytes, fallback: Any) -> None:
        self._terms = dict(zip(texts, decode_terms(texts, data)))
        self._fallback = fallback

    def analyze_many(self, texts: Sequence[str], mode: str = "index") -> list[list[Term]]:
        """Terms of ``texts``: stored ones where known (index mode), else analysed."""
        if mode == "index" and all(t in self._terms for t in texts):
            return [self._terms[t] for t in texts]
        return self._fallback.analyze_many(texts, mode)  # type: ignore[no-any-return]
