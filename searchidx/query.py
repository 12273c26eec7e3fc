"""User query text -> analysed words (:func:`analyse_query`) -> a Tantivy query (:func:`build_query`).

The query language:

==================  ====================================================================
``KV cache 압축``    plain words, analysed like document text; see ``match`` below
``"exact phrase"``  the words in this order (an unbalanced quote runs to the end)
``-word``           papers containing the word are left out (also ``-"a phrase"``)
``title:words``     only the title; ``title:"a phrase"`` likewise
``author:name``     only author names; ``author:"Jane Doe"`` is one name
``2406.11430``      an arXiv id, or an arXiv / Hugging Face paper URL, finds that paper
==================  ====================================================================

Plain words are analysed as documents are (each word alone) and each analysed word may
match any text field, weighted per field. ``match="all"`` requires every word; ``"any"``
requires one; ``"blend"`` requires one but doubles the score of papers that have them all,
so they come first without losing the rest. A phrase bonus rewards papers where the words
stand together (the Tantivy queries of a word, its expansions and a phrase are built by
:mod:`searchidx.matching`). Between the two steps a search gathers the words' expansions
(:mod:`searchidx.expansion`); planning reads that table and the words' idf as data and
calls nothing back. Raw user text never reaches Tantivy's query parser, so no input
can cause a syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import tantivy

from searchidx.analysis import TermAnalyzer
from searchidx.arxiv import parse_arxiv_id
from searchidx.errors import QueryError
from searchidx.fields import SURFACE_FIELD
from searchidx.matching import (
    AUTHOR_NAME_SCORE,
    any_of,
    as_typed,
    boost,
    combine,
    phrase_bonus,
    positioned,
    word_query,
)
from searchidx.terms import Term
from searchidx.typed import typed_forms, word_shares

__all__ = [
    "Clause",
    "QueryPlan",
    "AnalysedQuery",
    "DEFAULT_FIELD_WEIGHTS",
    "parse_query_text",
    "plain_spans",
    "analyse_query",
    "build_query",
    "query_words",
]

MatchMode = Literal["all", "any", "blend"]

#: Per-field BM25 weights of plain words (chosen on bench/queries.jsonl).
DEFAULT_FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 2.0,
    "authors": 2.0,
    "body": 1.0,
    "sec_new": 0.25,
}
#: Score per unit of idf of each query word a paper holds (see :func:`build_query`; chosen on
#: the dev and generated sets of bench/, see bench/RESULTS.md).
COVERAGE_WEIGHT = 3.0
#: A word in more than this share of the papers (and in :data:`COMMON_MIN_PAPERS` or more)
#: is common: it is not expanded (모델, 방법, 결과, 사용 are in 44-89% of the corpus's papers,
#: and their glosses are one-off translations of a phrase around them).
COMMON_SHARE = 0.1
#: Below this many papers no word counts as common (a small collection has no statistics).
COMMON_MIN_PAPERS = 20
#: With ``match="blend"``, how much more a paper with every word scores than its word scores.
ALL_WORDS_BOOST = 1.0
#: Weight of the BM25 over words as typed that a paper holding every word of an English
#: query as typed gets on top (see :func:`build_query`; chosen on bench/, see bench/RESULTS.md).
AS_TYPED_WEIGHT = 20.0
#: Longest expansion key, in words, that is looked for (bounds the work on long queries).
MAX_EXPANSION_WORDS = 8
#: Words of a query that are used; the rest are ignored (a pasted page stays fast).
MAX_QUERY_WORDS = 64

FIELD_PREFIXES = {"title": "title", "ti": "title", "author": "authors", "authors": "authors", "au": "authors"}

_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?("[^"]*"?|[^\s"]+)')


@dataclass(frozen=True, slots=True)
class Clause:
    """One piece of a query: words or a phrase, maybe limited to a field, maybe excluded."""

    text: str
    phrase: bool = False
    field: str | None = None
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A built query and what it was made of (for highlighting and ``--explain``).

    ``terms`` are every positive index term of the query; ``words`` the analysed plain
    words, each a tuple of alternatives; ``expansions`` the (word, added term, weight)
    triples taken from the ``expansions`` of :func:`build_query`.
    """

    query: tantivy.Query
    terms: frozenset[str]
    words: tuple[tuple[str, ...], ...] = ()
    clauses: tuple[Clause, ...] = ()
    arxiv_id: str | None = None
    notes: tuple[str, ...] = field(default=())
    expansions: tuple[tuple[str, str, float], ...] = ()


def parse_query_text(text: str) -> list[Clause]:
    """Split query text into clauses; never fails (unknown syntax is read as words)."""
    return [clause for clause, _ in _clauses(text)]


def plain_spans(text: str) -> list[tuple[int, int]]:
    """Where in ``text`` its plain clauses stand (not phrases, field-limited or excluded)."""
    return [span for clause, span in _clauses(text) if not (clause.phrase or clause.field or clause.exclude)]


def _clauses(text: str) -> Iterator[tuple[Clause, tuple[int, int]]]:
    for match in _TOKEN.finditer(text):
        minus, prefix, body = match.groups()
        field_name = FIELD_PREFIXES.get(prefix.lower()) if prefix else None
        if prefix and field_name is None:
            body = f"{prefix}:{body}"
        phrase = body.startswith('"')
        value = body.strip('"').strip() if phrase else body
        if not value.strip("-") or (not prefix and value[:-1].lower() in FIELD_PREFIXES and value.endswith(":")):
            continue
        yield Clause(value, phrase=phrase, field=field_name, exclude=bool(minus)), match.span()


@dataclass(frozen=True, slots=True)
class AnalysedQuery:
    """Query text read and analysed: what expansion and planning start from.

    ``words`` are the analysed plain words, each a tuple of alternatives, and ``shares``
    each one's share of the word typed (see :func:`analyse_query`); ``typed`` the typed
    words as written, each as its parts, when every one is an English word (else empty,
    see :func:`~searchidx.typed.typed_forms`); ``operators`` the
    phrase, field-limited and excluded clauses with their analysed words. ``arxiv_id`` is
    set when the whole text names a paper.
    """

    text: str
    clauses: tuple[Clause, ...] = ()
    words: tuple[tuple[str, ...], ...] = ()
    shares: tuple[float, ...] = ()
    typed: tuple[tuple[str, ...], ...] = ()
    operators: tuple[tuple[Clause, tuple[tuple[str, ...], ...]], ...] = ()
    has_plain: bool = False
    notes: tuple[str, ...] = ()
    arxiv_id: str | None = None

    def expansion_keys(self) -> list[str]:
        """Every key :func:`build_query` may look up in its ``expansions``: each word's
        alternatives, and each run of two to :data:`MAX_EXPANSION_WORDS` words."""
        firsts = [alternatives[0] for alternatives in self.words]
        runs = (
            " ".join(firsts[start:end])
            for start in range(len(firsts))
            for end in range(start + 2, min(len(firsts), start + MAX_EXPANSION_WORDS) + 1)
        )
        return list(dict.fromkeys([*(t for alternatives in self.words for t in alternatives), *runs]))


def analyse_query(analyzer: TermAnalyzer, text: str) -> AnalysedQuery:
    """Read the query language of ``text`` and analyse its words as documents are.

    Only the first :data:`MAX_QUERY_WORDS` words are kept (a note says so). A typed word
    that analyses to several terms (머신러닝용 -> 머신, 러닝) shares its credit among them
    (``shares``), so coverage counts the words the user typed.
    """
    arxiv_id = parse_arxiv_id(text)
    if arxiv_id:
        return AnalysedQuery(text, arxiv_id=arxiv_id)
    clauses = parse_query_text(text)
    plain = " ".join(c.text for c in clauses[:MAX_QUERY_WORDS] if not (c.phrase or c.field or c.exclude))
    analysed = analyzer.analyze(plain, "query") if plain else []
    words = query_words(analysed)
    shares = word_shares(analysed, plain)
    notes: tuple[str, ...] = ()
    if len(clauses) > MAX_QUERY_WORDS or len(words) > MAX_QUERY_WORDS:
        clauses, words = clauses[:MAX_QUERY_WORDS], words[:MAX_QUERY_WORDS]
        notes = (f"only the first {MAX_QUERY_WORDS} words of the query were used",)
    typed = typed_forms(analysed, plain, len(words)) or []
    operators = tuple(
        (clause, tuple(tuple(w) for w in query_words(analyzer.analyze(clause.text, "query"))))
        for clause in clauses
        if clause.phrase or clause.field or clause.exclude
    )
    return AnalysedQuery(
        text,
        clauses=tuple(clauses),
        words=tuple(tuple(w) for w in words),
        shares=tuple(shares),
        typed=tuple(tuple(parts) for parts in typed),
        operators=operators,
        has_plain=bool(plain),
        notes=notes,
    )


def build_query(
    schema: tantivy.Schema,
    analysed: AnalysedQuery,
    *,
    field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
    match: MatchMode = "all",
    expansions: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    idf: Mapping[str, float] | None = None,
    coverage: float = COVERAGE_WEIGHT,
) -> QueryPlan:
    """Build the Tantivy query of an analysed query.

    ``expansions`` maps an analysed word to extra (term, weight) alternatives, e.g. the
    glossary's translations; they can match but weigh less than the word itself. A key or
    a term holding spaces is a sequence of index terms: a key ``"선호 최적"`` applies where
    the query has those words in a row (the words, or else the alternative, are then
    required as one unit), and a term ``"prefer optim"`` matches as a phrase. Keys of more
    than :data:`MAX_EXPANSION_WORDS` words are not looked for (see
    :meth:`AnalysedQuery.expansion_keys`). An expansion of weight 1 is another spelling of
    the word and counts as the word; lighter ones (translations) only score where the word
    itself does not (the better of the two counts), and together weigh at most
    :data:`~searchidx.matching.EXPANSION_CAP` of it.
    Raises :class:`QueryError` for a query made only of operators, which has nothing to look for.

    With ``idf`` (the inverse document frequency of each term of the words), every plain
    word a paper holds in any field adds ``coverage`` times the word's idf (times its
    share), a constant: a paper holding more of the query's words, or rarer ones, comes
    first, and BM25 orders papers that hold the same.
    """
    if analysed.arxiv_id:
        return QueryPlan(
            tantivy.Query.term_query(schema, "arxiv_id", analysed.arxiv_id), frozenset(), arxiv_id=analysed.arxiv_id
        )
    words, shares = analysed.words, analysed.shares
    must: list[tantivy.Query] = []
    should: list[tantivy.Query] = []
    must_not: list[tantivy.Query] = []
    terms: set[str] = {term for alternatives in words for term in alternatives}
    table: Mapping[str, Sequence[tuple[str, float]]] = expansions if expansions is not None else {}
    used: list[tuple[str, str, float]] = []
    word_queries = []  # one per word or expanded run, matched whole
    scored = []  # the same, but a run also scores for the words of it a paper has
    at = 0
    for span in expansion_spans(words, table):
        credits = [
            coverage * share * max(idf[t] for t in alternatives) if idf is not None and coverage > 0 else 0.0
            for alternatives, share in zip(span, shares[at : at + len(span)])
        ]
        at += len(span)
        if len(span) == 1:
            extra = [added for term in span[0] for added in table.get(term, ())]
            used.extend((term, added, w) for term in span[0] for added, w in table.get(term, ()))
            match_query, score_query = word_query(schema, span[0], extra, field_weights, credits[0])
            word_queries.append(match_query)
            scored.append(score_query)
            continue
        key = " ".join(alternatives[0] for alternatives in span)
        used.extend((key, added, w) for added, w in table[key])
        inner = [word_query(schema, alternatives, [], field_weights, credit) for alternatives, credit in zip(span, credits)]
        together = combine([m for m, _ in inner], [], [])  # an expanded run is one unit: all its words, or its alternative
        translated, translated_scored = word_query(schema, [], table[key], field_weights, sum(credits))
        word_queries.append(any_of([together, translated]))
        # "KV 캐시" expanded must not lose a paper writing 키-값 캐시 its 캐시.
        scored.append(tantivy.Query.disjunction_max_query([any_of([s for _, s in inner]), translated_scored]))
    terms.update(term for _, added, _ in used for term in added.split())
    if match == "all":
        must.extend(word_queries)
    else:
        should.extend(scored)
        if match == "blend" and len(word_queries) > 1:
            should.append(boost(combine(word_queries, [], []), ALL_WORDS_BOOST))
    if analysed.typed and len(words) > 1:
        should.append(boost(as_typed(schema, SURFACE_FIELD, analysed.typed), AS_TYPED_WEIGHT))
    if len(words) > 1:
        should.append(phrase_bonus(schema, words, field_weights))
    for clause, clause_words in analysed.operators:
        query, clause_terms = _clause_query(schema, clause, clause_words, field_weights)
        if query is None:
            continue
        if clause.exclude:
            must_not.append(query)
        else:
            must.append(query)
            terms.update(clause_terms)
    positive = analysed.has_plain or any(not c.exclude for c in analysed.clauses)
    if not positive and not must_not:
        raise QueryError('the query is empty: it has only operators (", -, title:, author:); give some words to search for')
    if positive and not (must or should):
        query = tantivy.Query.empty_query()
    else:
        query = combine(must, should, must_not)
    return QueryPlan(
        query,
        frozenset(terms),
        words=words,
        clauses=analysed.clauses,
        notes=analysed.notes,
        expansions=tuple(dict.fromkeys(used)),
    )


def query_words(terms: Iterable[Term]) -> list[list[str]]:
    """Group analysed terms by position: each group is one word's alternatives."""
    groups: dict[int, list[str]] = {}
    for term in terms:
        alternatives = groups.setdefault(term.position, [])
        if term.text not in alternatives:
            alternatives.append(term.text)
    return [groups[p] for p in sorted(groups)]


def expansion_spans(words: Sequence[Sequence[str]], expansions: Collection[str]) -> list[Sequence[Sequence[str]]]:
    """The words cut into runs: the longest runs that are a multi-word expansion key, else single words."""
    spans = []
    start = 0
    while start < len(words):
        end = next(
            (
                end
                for end in range(min(len(words), start + MAX_EXPANSION_WORDS), start + 1, -1)
                if " ".join(alternatives[0] for alternatives in words[start:end]) in expansions
            ),
            start + 1,
        )
        spans.append(words[start:end])
        start = end
    return spans


def _clause_query(
    schema: tantivy.Schema, clause: Clause, words: Sequence[Sequence[str]], field_weights: Mapping[str, float]
) -> tuple[tantivy.Query | None, set[str]]:
    """The query of a phrase, field-limited or excluded clause (None if it has no terms)."""
    if not words:
        return None, set()
    fields = [clause.field] if clause.field else [n for n, w in field_weights.items() if w > 0]
    terms = {t for alternatives in words for t in alternatives}
    if clause.phrase or clause.field == "authors":
        sequence = positioned(words)
        per_field = [
            tantivy.Query.phrase_query(schema, name, sequence)
            if len(sequence) > 1
            else tantivy.Query.term_query(schema, name, words[0][0])
            for name in fields
        ]
        query = any_of(per_field)
        if clause.field == "authors":
            # Every paper of the author counts the same; the vote prior orders them.
            query = tantivy.Query.const_score_query(query, AUTHOR_NAME_SCORE)
    else:
        each_word = [
            any_of([tantivy.Query.term_query(schema, name, t) for name in fields for t in alternatives])
            for alternatives in words
        ]
        query = combine(each_word, [], [])
    return query, terms


