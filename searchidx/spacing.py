"""Word spacing: a Korean query word tried written apart, or query words tried written together.

Korean spacing is loose: the digests write "가상 시착" where a reader types "가상시착", and
the other way round. Kiwi splits a compound into its nouns when it knows them (다중이미지 ->
다중, 이미지), but keeps an unknown one whole, so the two spellings share no term. Query time
is where this is cheap to repair, because the index can say which spelling it holds:

- a word of :data:`MIN_SPLIT_SYLLABLES` to :data:`MAX_SPLIT_SYLLABLES` Hangul syllables that no
  paper contains
  is analysed once per way of cutting it in two (each part at least two syllables); the cut
  whose terms occur as a phrase in the most papers becomes an alternative of the word;
- two neighbouring Hangul words are analysed written together; if that gives a single term
  spanning all of it (이미지속 is 이미 + 지속, not one word) found in at least one paper, it
  becomes an alternative of the pair.

Alternatives count as much as the words themselves (``SPACING_WEIGHT``): they are the same
word spelled differently. A word some paper contains is never cut: it is found as written,
and a query the lexicon answers without Kiwi keeps doing so (a word no paper contains has
usually loaded Kiwi already).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from searchidx.analysis import TermAnalyzer
from searchidx.query import query_words

__all__ = ["MIN_SPLIT_SYLLABLES", "MAX_SPLIT_SYLLABLES", "SPACING_WEIGHT", "spacing_expansions"]

MIN_SPLIT_SYLLABLES = 4
#: Longer runs of Hangul are sentences typed without spaces, not compounds; each cut costs
#: an analysis, so a pasted paragraph would cost seconds.
MAX_SPLIT_SYLLABLES = 12
SPACING_WEIGHT = 1.0

_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")

PaperCount = Callable[[Sequence[str]], int]


def spacing_expansions(
    words: Sequence[Sequence[str]], analyzer: TermAnalyzer, papers_with: PaperCount
) -> dict[str, list[tuple[str, float]]]:
    """Expansions (see :func:`searchidx.query.build_query`) for other spellings of ``words``.

    ``words`` are the analysed query words (each its alternatives); ``papers_with`` counts
    the papers holding a sequence of terms as a phrase (one term: the papers holding it).
    """
    out: dict[str, list[tuple[str, float]]] = {}
    firsts = [alternatives[0] if len(alternatives) == 1 and _HANGUL_WORD.fullmatch(alternatives[0]) else None
              for alternatives in words]
    for word in firsts:
        if word and MIN_SPLIT_SYLLABLES <= len(word) <= MAX_SPLIT_SYLLABLES and word not in out:
            apart = _written_apart(word, analyzer, papers_with)
            if apart:
                out[word] = [(apart, SPACING_WEIGHT)]
    for left, right in zip(firsts, firsts[1:]):
        if left and right:
            together = _written_together(left + right, analyzer, papers_with)
            if together and together not in (left, right):
                out.setdefault(f"{left} {right}", []).append((together, SPACING_WEIGHT))
    return out


def _written_apart(word: str, analyzer: TermAnalyzer, papers_with: PaperCount) -> str | None:
    """The best cut of a ``word`` no paper contains, as space-joined terms, or ``None``."""
    if papers_with([word]) > 0:
        return None
    best, best_count = None, 0
    for cut in range(2, len(word) - 1):
        terms = _single_terms(analyzer, f"{word[:cut]} {word[cut:]}")
        if terms is None or len(terms) < 2:
            continue
        count = papers_with(terms)
        if count > best_count:
            best, best_count = " ".join(terms), count
    return best


def _written_together(joined: str, analyzer: TermAnalyzer, papers_with: PaperCount) -> str | None:
    """The one term all of ``joined`` analyses to, if some paper holds it."""
    terms = analyzer.analyze(joined, "query")
    if len(terms) != 1 or (terms[0].start, terms[0].end) != (0, len(joined)):
        return None
    return terms[0].text if papers_with([terms[0].text]) > 0 else None


def _single_terms(analyzer: TermAnalyzer, text: str) -> list[str] | None:
    """The terms of ``text`` in query mode, or ``None`` if some position has alternatives."""
    words = query_words(analyzer.analyze(text, "query"))
    if any(len(alternatives) > 1 for alternatives in words):
        return None
    return [alternatives[0] for alternatives in words]
