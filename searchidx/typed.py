"""Typed words: which word the user typed each analysed query word comes from.

Analysis may cut one typed word into several (머신러닝용 -> 머신, 러닝; ``visual-language`` ->
``visual``, ``languag``). Coverage shares a typed word's credit among its parts
(:func:`word_shares`), and an English query is also looked for as typed, unstemmed
(:func:`typed_forms`, see :func:`searchidx.query.build_query`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence

from searchidx.terms import Term, surface_form

__all__ = ["word_shares", "typed_words", "typed_forms"]


def word_shares(terms: Sequence[Term], text: str) -> list[float]:
    """For each analysed word of ``text`` (see :func:`searchidx.query.query_words`), its share of the
    whitespace-separated word it comes from: 머신러닝용 gives 머신 and 러닝 a half each."""
    ordered = list(typed_words(terms, text).values())
    counts = Counter(ordered)
    return [1.0 / counts[word] for word in ordered]


def typed_words(terms: Sequence[Term], text: str) -> dict[int, int]:
    """Each analysed word's position in ``terms``, in order, mapped to the whitespace-separated word it comes from."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    source: dict[int, int] = {}
    for term in terms:
        source.setdefault(term.position, bisect.bisect_right(ends, term.start))
    return dict(sorted(source.items()))


def typed_forms(terms: Sequence[Term], text: str, count: int) -> list[list[str]] | None:
    """The words of ``text`` as typed, each a list of its parts (``visual-language`` is
    ``visual``, ``language``; see :func:`~searchidx.terms.surface_form`), over its first
    ``count`` analysed words; None unless every part is a Latin word (a query that is not
    English is not looked for as typed)."""
    first: dict[int, Term] = {}
    for term in terms:
        first.setdefault(term.position, term)
    grouped: dict[int, list[str]] = {}
    for position, word in list(typed_words(terms, text).items())[:count]:
        form = surface_form(text[first[position].start : first[position].end])
        if form is None:
            return None
        grouped.setdefault(word, []).append(form)
    return list(grouped.values())
