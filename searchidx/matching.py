"""Matching: the Tantivy queries that make one query word, its expansions or a phrase match
and score, from which :func:`searchidx.query.build_query` composes a whole query.

A word matches any of its alternatives in any weighted field and scores its BM25 there plus
a constant credit for being held; a lighter expansion (a translation) scores only its
weight of that, and all of a word's lighter expansions together at most
:data:`EXPANSION_CAP` of it. Nothing here reads query text or analyses anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tantivy

__all__ = [
    "TRANSLATED_SHARE",
    "EXPANSION_CAP",
    "PHRASE_BOOST",
    "PHRASE_SLOP",
    "NEAR_BOOST",
    "NEAR_SLOP_PER_WORD",
    "AUTHOR_NAME_SCORE",
    "word_query",
    "weighted_match",
    "phrase_bonus",
    "as_typed",
    "positioned",
    "any_of",
    "boost",
    "combine",
]

#: How much of a word's coverage credit a paper holding only its translation gets.
TRANSLATED_SHARE = 0.5
#: Most that a word's lighter expansions (translations) weigh together, relative to the word.
EXPANSION_CAP = 0.5
#: Extra weight for papers where the query words stand together as written.
PHRASE_BOOST = 1.0
PHRASE_SLOP = 1
#: Extra weight for papers where an English query's words stand near each other in any order
#: (a gloss such as "State Space Models (SSMs)" recalled as ``ssms state space``).
NEAR_BOOST = 0.5
#: How far apart, per word, those words may stand (a swap of two neighbours costs 2).
NEAR_SLOP_PER_WORD = 2
#: Score (times the authors weight) of a paper listing the query's words as one author name.
AUTHOR_NAME_SCORE = 10.0


def word_query(
    schema: tantivy.Schema,
    own: Sequence[str],
    extra: Sequence[tuple[str, float]],
    field_weights: Mapping[str, float],
    credit: float,
) -> tuple[tantivy.Query, tantivy.Query]:
    """One word: the query matching it, and the query scoring it.

    ``own`` are the word's alternatives (a term, or terms joined by spaces as a phrase),
    ``extra`` its expansions with weights. The score is the word's BM25 in the weighted
    fields plus ``credit`` for holding it; a paper found through a lighter expansion only
    gets the expansion's weight of the BM25 and :data:`TRANSLATED_SHARE` of the credit.
    """
    spellings = [*own, *(term for term, w in extra if w >= 1.0)]
    lighter = [(term, w) for term, w in extra if w < 1.0]
    total = sum(w for _, w in lighter)
    if total > EXPANSION_CAP:
        lighter = [(term, w * EXPANSION_CAP / total) for term, w in lighter]
    alternatives = []
    if spellings:
        alternatives.append(weighted_match(schema, [(t, 1.0) for t in spellings], field_weights, credit))
    if lighter:
        alternatives.append(weighted_match(schema, lighter, field_weights, credit * TRANSLATED_SHARE))
    match_query = any_of([m for m, _ in alternatives])
    if len(alternatives) == 1:
        return match_query, alternatives[0][1]
    return match_query, tantivy.Query.disjunction_max_query([s for _, s in alternatives])


def weighted_match(
    schema: tantivy.Schema, weighted: Sequence[tuple[str, float]], field_weights: Mapping[str, float], credit: float
) -> tuple[tantivy.Query, tantivy.Query]:
    """Any of the weighted terms in any weighted field: (the match, its BM25 plus ``credit``)."""
    parts = [
        (tantivy.Occur.Should, boost(_term_or_phrase(schema, name, term), fw * tw))
        for name, fw in field_weights.items()
        if fw > 0
        for term, tw in weighted
    ]
    match_query = tantivy.Query.boolean_query(parts)
    if credit <= 0:
        return match_query, match_query
    held = tantivy.Query.const_score_query(match_query, credit)
    return match_query, tantivy.Query.boolean_query([(tantivy.Occur.Should, match_query), (tantivy.Occur.Should, held)])


def _term_or_phrase(schema: tantivy.Schema, field_name: str, text: str) -> tantivy.Query:
    words = text.split()
    if len(words) < 2:  # a blank term (Kiwi makes one of a lone "¯") is a term matching nothing
        return tantivy.Query.term_query(schema, field_name, text)
    return tantivy.Query.phrase_query(schema, field_name, list(enumerate(words)))


def phrase_bonus(
    schema: tantivy.Schema, words: Sequence[Sequence[str]], field_weights: Mapping[str, float]
) -> tantivy.Query:
    """A bonus where the words stand together; a whole author name scores a fixed amount."""
    sequence = positioned(words)
    parts = []
    for name, fw in field_weights.items():
        if fw <= 0:
            continue
        phrase = tantivy.Query.phrase_query(schema, name, sequence, slop=PHRASE_SLOP)
        if name == "authors":
            # BM25 would bury a name among the hundreds of authors of a large collaboration.
            phrase = tantivy.Query.const_score_query(phrase, fw * AUTHOR_NAME_SCORE)
        else:
            phrase = boost(phrase, fw * PHRASE_BOOST)
        parts.append((tantivy.Occur.Should, phrase))
    return tantivy.Query.boolean_query(parts)


def as_typed(schema: tantivy.Schema, field_name: str, words: Sequence[Sequence[str]]) -> tantivy.Query:
    """Papers holding every word (a word of several parts as a phrase) in ``field_name``, scored by
    its BM25, plus a phrase bonus where the words stand together as typed (a title typed whole)
    and a smaller one where they stand near each other in any order."""
    every = combine([_term_or_phrase(schema, field_name, " ".join(parts)) for parts in words], [], [])
    sequence = positioned([[part] for parts in words for part in parts])
    if len(sequence) < 2:
        return every
    together = tantivy.Query.phrase_query(schema, field_name, sequence, slop=PHRASE_SLOP)
    near = tantivy.Query.phrase_query(schema, field_name, sequence, slop=NEAR_SLOP_PER_WORD * len(sequence))
    return combine([every], [boost(together, PHRASE_BOOST), boost(near, NEAR_BOOST)], [])


def positioned(words: Sequence[Sequence[str]]) -> list[str | tuple[int, str]]:
    """Each word's first alternative with its offset, the form phrase queries take."""
    return [(i, alternatives[0]) for i, alternatives in enumerate(words)]


def any_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    """A query matching any of ``queries`` (the one itself when there is one)."""
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def boost(query: tantivy.Query, weight: float) -> tantivy.Query:
    """``query`` with its score times ``weight``."""
    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)


def combine(
    must: Sequence[tantivy.Query], should: Sequence[tantivy.Query], must_not: Sequence[tantivy.Query]
) -> tantivy.Query:
    """A boolean query; a query of exclusions only matches everything else."""
    parts = [(tantivy.Occur.Must, q) for q in must]
    parts += [(tantivy.Occur.Should, q) for q in should]
    if not must and not should:
        parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    parts += [(tantivy.Occur.MustNot, q) for q in must_not]
    return tantivy.Query.boolean_query(parts)
