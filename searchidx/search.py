"""Searching an index: query text and options -> ranked hits with snippets.

:func:`open_index` opens the current generation of an index location;
:meth:`SearchIndex.search` builds the query (:mod:`searchidx.query`), lets Tantivy rank
every match exactly under the vote prior (:mod:`searchidx.scoring`), and reads stored
records and makes snippets (:mod:`searchidx.highlight`) for the returned page only.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import math
import os
from collections import ChainMap
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import orjson
import tantivy

from searchidx.analysis import Analyzer, default_analyzer
from searchidx.correct import SPELLING_FILE, Change, Correction, Speller
from searchidx.errors import QueryError
from searchidx.fields import ANALYSIS_FIELD, day_number, texts_to_analyze
from searchidx.glossary import EXPANSION_WEIGHT, Glossary, load_glossary
from searchidx.highlight import Snippet, make_snippets
from searchidx.index import (
    current_generation,
    open_current,
    resolve_index_path,
    tantivy_errors,
)
from searchidx.lexicon import LEXICON_FILE, Lexicon, QueryAnalyzer
from searchidx.query import (
    COMMON_MIN_PAPERS,
    COMMON_SHARE,
    COVERAGE_WEIGHT,
    DEFAULT_FIELD_WEIGHTS,
    MatchMode,
    QueryPlan,
    build_query,
    parse_arxiv_id,
    parse_query_text,
)
from searchidx.records import MAX_VOTES, Paper
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS, prior_field
from searchidx.similar import related_query
from searchidx.spacing import spacing_expansions
from searchidx.termstore import StoredAnalysis, decode_terms
from searchidx.translations import Translations, load_translations

__all__ = ["Hit", "SearchResult", "SearchIndex", "open_index", "SortOrder", "MAX_LIMIT"]

SortOrder = Literal["relevance", "votes", "date"]
SORT_ORDERS: tuple[str, ...] = ("relevance", "votes", "date")
DEFAULT_SORT: SortOrder = "relevance"
MATCH_MODES: tuple[str, ...] = ("all", "any", "blend")
#: How plain words combine by default (chosen on bench/queries.jsonl; see bench/RESULTS.md).
DEFAULT_MATCH: MatchMode = "blend"
#: Hits per page unless asked otherwise.
DEFAULT_LIMIT = 10
#: What :meth:`SearchIndex.search` can count over every match: papers listed in each month
#: (what ``since``/``until`` spanning that month keeps), and papers with at least N votes
#: for each N of :data:`VOTE_STEPS` (what ``min_votes=N`` keeps).
FACETS: tuple[str, ...] = ("month", "votes")
VOTE_STEPS = (10, 50, 100)
#: With ``prefix``, the most frequent index terms the last word may be the start of.
PREFIX_COMPLETIONS = 8
#: Where those terms are looked up: titles and summaries.
PREFIX_FIELDS = ("title", "body")
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
#: The paper fields a hit shows (the rest of the record stays in ``Hit.paper``).
HIT_PAPER_FIELDS = ("arxiv_id", "url", "title", "authors", "votes", "dates")
#: Where other spellings of query words are counted: the summaries.
SPACING_FIELD = "body"
#: Where a query word is looked for before it is taken for a typo: wherever a plain word matches.
NAMING_FIELDS = ("title", "authors", "body")
#: Where a query word's idf is counted: the field holding every text of a paper.
IDF_FIELD = "all"


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked paper: the whole :class:`Paper`, its score and snippets.

    ``score`` is the relevance score (``None`` when sorted by votes or date). The paper's
    display fields are also reachable directly (``hit.title``, ``hit.votes``, ...).
    """

    paper: Paper
    score: float | None
    snippets: tuple[Snippet, ...] = ()

    @property
    def arxiv_id(self) -> str:
        return self.paper.arxiv_id

    @property
    def url(self) -> str:
        return self.paper.url

    @property
    def title(self) -> str:
        return self.paper.title

    @property
    def authors(self) -> tuple[str, ...]:
        return self.paper.authors

    @property
    def votes(self) -> int | None:
        return self.paper.votes

    @property
    def dates(self) -> tuple[_dt.date, ...]:
        return self.paper.dates

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one hit in ``schema/search.schema.json``."""
        record = self.paper.to_dict()
        return {
            **{name: record[name] for name in HIT_PAPER_FIELDS},
            "score": self.score,
            "snippets": [s.to_dict() for s in self.snippets],
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits; ``total`` counts every matching paper, not just this page.

    ``notes`` say how the query was read when that differs from what was typed.
    ``expansions`` are the translations (glossary and mined, see
    :mod:`searchidx.translations`), loanword spellings, other spellings (see
    :mod:`searchidx.spacing`) and likely spellings of rare words the query was widened
    with, as (word, added term, weight), in index terms. ``corrections`` are the query words
    that matched nothing and were read as other words of the collection, mistyped or typed
    in the other keyboard layout (see :mod:`searchidx.correct`); ``corrected_query`` is the
    query searched in their place (``None`` when there are none).

    ``facets`` holds the counts asked for with ``search(facets=...)``: for ``month``
    (``YYYY-MM``, papers listed that month) pairs, for ``votes`` (N, papers with at least
    N votes) pairs. A paper listed in two months counts in both.
    """

    query: str
    total: int
    hits: tuple[Hit, ...]
    notes: tuple[str, ...] = field(default=())
    expansions: tuple[tuple[str, str, float], ...] = ()
    facets: Mapping[str, tuple[tuple[str | int, int], ...]] = field(default_factory=dict)
    corrected_query: str | None = None
    corrections: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document printed by ``searchidx query --json``."""
        document: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "notes": list(self.notes),
            "expansions": [{"word": w, "term": t, "weight": x} for w, t, x in self.expansions],
            "corrected_query": self.corrected_query,
            "corrections": [c.to_dict() for c in self.corrections],
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facets:
            document["facets"] = {
                name: [{"value": value, "count": count} for value, count in counts] for name, counts in self.facets.items()
            }
        return document


def open_index(path: str | os.PathLike[str] | None = None, *, analyzer: Analyzer | None = None) -> SearchIndex:
    """Open the index at ``path`` (default ``$SEARCHIDX_INDEX`` or ``./.searchidx``)."""
    return SearchIndex(resolve_index_path(path), analyzer=analyzer)


class _Snapshot:
    """One opened generation: everything a search reads, swapped as a whole by ``refresh``."""

    def __init__(self, root: Path, analyzer: Analyzer) -> None:
        self.generation, self.meta, index = open_current(root)
        with tantivy_errors(root):
            self.searcher = index.searcher()
        self.schema = index.schema
        # Query words the collection contains are analysed from its lexicon, without Kiwi.
        self.query_analyzer = QueryAnalyzer(Lexicon(self.generation / LEXICON_FILE), analyzer)
        # Read now: later builds remove this generation's files while searches still use it.
        self.glossary: Glossary = load_glossary(self.generation)
        self.speller = Speller(self.generation / SPELLING_FILE)
        self.translations: Translations = load_translations(self.generation)

    def respell(self, words: Sequence[Sequence[str]]) -> dict[str, list[tuple[str, float]]]:
        """Other spellings of query ``words`` that the summaries use (:mod:`searchidx.spacing`)."""
        return spacing_expansions(words, self.query_analyzer.known, self.papers_with)

    def correct(self, text: str, *, typing: bool = False) -> Correction:
        """Corrections of mistyped query words (:mod:`searchidx.correct`); with ``typing``
        the last word is a prefix being typed."""
        return self.speller.correct(text, self.query_analyzer, self._papers_naming, typing=typing)

    def _papers_naming(self, terms: Sequence[str]) -> int:
        """Papers whose title, authors or summaries hold ``terms`` as a phrase (one term: hold it)."""
        per_field = [
            tantivy.Query.term_query(self.schema, name, terms[0])
            if len(terms) == 1
            else tantivy.Query.phrase_query(self.schema, name, list(enumerate(terms)))
            for name in NAMING_FIELDS
        ]
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in per_field])
        with tantivy_errors(self.generation.parent):
            return int(self.searcher.search(query, 1).count or 0)  # type: ignore[attr-defined]

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one snapshot per generation, few live at once
    def doc_freq(self, term: str) -> int:
        """Papers holding an index term, or space-joined terms as a phrase, in any of their texts."""
        parts = term.split(" ")
        with tantivy_errors(self.generation.parent):
            if len(parts) == 1:
                return int(self.searcher.doc_freq(IDF_FIELD, term))
            phrase = tantivy.Query.phrase_query(self.schema, IDF_FIELD, list(enumerate(parts)))
            return int(self.searcher.search(phrase, 1).count or 0)  # type: ignore[attr-defined]

    def idf(self, term: str) -> float:
        """BM25's idf of a term (see :meth:`doc_freq`)."""
        docs, df = int(self.searcher.num_docs), self.doc_freq(term)
        return math.log(1.0 + (docs - df + 0.5) / (df + 0.5))

    def common(self, term: str) -> bool:
        """Whether a term is too common to expand (:data:`searchidx.query.COMMON_SHARE`)."""
        df = self.doc_freq(term)
        return df >= COMMON_MIN_PAPERS and df > COMMON_SHARE * int(self.searcher.num_docs)

    def papers_with(self, terms: Sequence[str]) -> int:
        """Papers whose summaries hold ``terms`` as a phrase (one term: hold it)."""
        with tantivy_errors(self.generation.parent):
            if len(terms) == 1:
                return int(self.searcher.doc_freq(SPACING_FIELD, terms[0]))
            phrase = tantivy.Query.phrase_query(self.schema, SPACING_FIELD, list(enumerate(terms)))
            return int(self.searcher.search(phrase, 1).count or 0)  # type: ignore[attr-defined]


class SearchIndex:
    """A searchable view of one index location (see :func:`open_index`).

    Safe to share between threads: each call works on the generation that was current
    when it started, even if :meth:`refresh` switches to a newer one meanwhile.
    """

    def __init__(self, root: Path, *, analyzer: Analyzer | None = None) -> None:
        self.root = root
        self.analyzer = analyzer or default_analyzer()
        self._now = _Snapshot(root, self.analyzer)

    @property
    def generation(self) -> Path:
        """The generation directory this view reads."""
        return self._now.generation

    @property
    def meta(self) -> dict[str, Any]:
        """The generation's ``searchidx.json``: format version, build time, paper count."""
        return self._now.meta

    @property
    def schema(self) -> tantivy.Schema:
        """The Tantivy schema of the index."""
        return self._now.schema

    @property
    def glossary(self) -> Glossary:
        """The Korean <-> English glossary mined when this generation was built."""
        return self._now.glossary

    @property
    def translations(self) -> Translations:
        """The translations and loanword spellings mined when this generation was built (read on first use)."""
        return self._now.translations

    def refresh(self) -> bool:
        """Switch to a newer generation if a build published one; True if it did."""
        if current_generation(self.root) == self._now.generation:
            return False
        self._now = _Snapshot(self.root, self.analyzer)
        return True

    def __len__(self) -> int:
        return int(self._now.searcher.num_docs)

    def plan(
        self,
        text: str,
        *,
        match: MatchMode = DEFAULT_MATCH,
        field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
        expand: bool = True,
        expansion_weight: float = EXPANSION_WEIGHT,
        prefix: bool = False,
        coverage: float = COVERAGE_WEIGHT,
    ) -> QueryPlan:
        """The query that ``text`` becomes (what ``--explain`` shows)."""
        return self._plan(self._now, text, match, field_weights, expand, expansion_weight, prefix, coverage)[0]

    @staticmethod
    def _plan(
        now: _Snapshot,
        text: str,
        match: MatchMode,
        field_weights: Mapping[str, float],
        expand: bool,
        expansion_weight: float,
        prefix: bool = False,
        coverage: float = COVERAGE_WEIGHT,
    ) -> tuple[QueryPlan, Correction | None]:
        expansions: Mapping[str, Sequence[tuple[str, float]]] | None
        if expand:
            expansions = now.translations.expansions(now.glossary.expansions(expansion_weight, now.papers_with))
        else:
            expansions = None
        completions = _completions(now, text) if prefix else {}
        if completions:
            glossary = expansions if expansions is not None else {}
            first: dict[str, Sequence[tuple[str, float]]] = {
                term: [*added, *glossary.get(term, ())] for term, added in completions.items()
            }
            # ChainMap only reads the mappings after the first; it asks for MutableMapping all the same.
            expansions = ChainMap(first, cast(MutableMapping[str, Sequence[tuple[str, float]]], glossary))
        if not expand:
            plain = build_query(
                now.schema, now.query_analyzer, text, field_weights=field_weights, match=match,
                expansions=expansions, idf=now.idf, coverage=coverage, common=now.common,
            )
            return plain, None
        correction = now.correct(text, typing=prefix)

        def respell(words: Sequence[Sequence[str]]) -> dict[str, list[tuple[str, float]]]:
            found, corrected = now.respell(words), correction.expansions
            return {key: [*found.get(key, ()), *corrected.get(key, ())] for key in found.keys() | corrected.keys()}

        plan = build_query(
            now.schema,
            now.query_analyzer,
            correction.text,
            field_weights=field_weights,
            match=match,
            expansions=expansions,
            respell=respell,
            idf=now.idf,
            coverage=coverage,
            common=now.common,
        )
        return plan, correction

    def search(
        self,
        text: str,
        *,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        since: str | _dt.date | None = None,
        until: str | _dt.date | None = None,
        min_votes: int | None = None,
        sort: SortOrder = DEFAULT_SORT,
        vote_weight: float | None = None,
        match: MatchMode = DEFAULT_MATCH,
        field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
        snippets: int = 2,
        expand: bool = True,
        expansion_weight: float = EXPANSION_WEIGHT,
        facets: Sequence[str] = (),
        prefix: bool = False,
        coverage: float = COVERAGE_WEIGHT,
    ) -> SearchResult:
        """Search for ``text``; see :mod:`searchidx.query` for the query language.

        ``since``/``until`` take dates or ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` strings
        (inclusive). ``vote_weight`` is ``w`` of :mod:`searchidx.scoring` (default
        :data:`searchidx.scoring.DEFAULT_VOTE_WEIGHT`). With ``match="all"`` a query
        whose words never occur together falls back to matching any of them. Sorting by
        ``"votes"`` or ``"date"`` sorts the papers holding every word (or a translation or
        other spelling of it), as ``match="all"`` does, whatever ``match`` says. With
        ``expand`` the query also looks for the glossary translations of its words
        (Korean <-> English), scored ``expansion_weight`` times a direct match, for the
        translations and loanword spellings mined from the collection
        (:mod:`searchidx.translations`), and for other spellings of them
        (:mod:`searchidx.spacing`), scored as a direct match.
        ``facets`` names counts over every match to add (:data:`FACETS`). With ``prefix``
        the last word, when it is a plain word still being typed, also matches the most
        frequent words it begins (``quant`` finds quantization), which are listed among
        the expansions.
        ``coverage`` is what each query word a paper holds adds, per unit of the word's idf
        (see :func:`searchidx.query.build_query`).
        """
        now = self._now
        weight = DEFAULT_VOTE_WEIGHT if vote_weight is None else vote_weight
        _check_options(text, limit, offset, sort, weight, match, min_votes)
        unknown = sorted(set(facets) - set(FACETS))
        if unknown:
            raise QueryError(f"facets must be among {', '.join(FACETS)}, not {', '.join(unknown)}")
        if sort != "relevance":
            match = "all"  # a sorted list holds the papers with every word, not those with one common word
        plan, correction = self._plan(now, text, match, field_weights, expand, expansion_weight, prefix, coverage)
        filters = self._filters(now.schema, since, until, min_votes)
        total, page = self._run(now, plan.query, filters, limit, offset, sort, weight)
        notes = plan.notes
        if total == 0 and match == "all" and len(plan.words) > 1:
            plan, correction = self._plan(now, text, "any", field_weights, expand, expansion_weight, prefix, coverage)
            total, page = self._run(now, plan.query, filters, limit, offset, sort, weight)
            notes += ("no paper has every word; showing papers with some of them",)
        hits = tuple(self._hit(now, score, address, plan, sort, snippets) for score, address in page)
        counts = self._facets(now, plan.query, filters, facets) if facets and total else {}
        changes = correction.changes if correction else ()
        return SearchResult(
            query=text,
            total=total,
            hits=hits,
            notes=notes,
            expansions=plan.expansions,
            facets=counts,
            corrected_query=correction.text if correction and changes else None,
            corrections=changes,
        )

    def _facets(
        self, now: _Snapshot, query: tantivy.Query, filters: list[tantivy.Query], names: Sequence[str]
    ) -> dict[str, tuple[tuple[str | int, int], ...]]:
        """Counts over every paper ``query`` and ``filters`` match (see :attr:`SearchResult.facets`)."""
        if filters:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (query, *filters)])
        steps = [{"from": step, "to": above} for step, above in zip(VOTE_STEPS, (*VOTE_STEPS[1:], None))]
        spec = {
            "month": {"histogram": {"field": "day", "interval": 100, "min_doc_count": 1}},
            "votes": {"range": {"field": "votes", "ranges": [{k: v for k, v in r.items() if v is not None} for r in steps]}},
        }
        with tantivy_errors(self.root):
            found = now.searcher.aggregate(query, {name: spec[name] for name in names})
        counts: dict[str, tuple[tuple[str | int, int], ...]] = {}
        if "month" in names:
            months = ((int(b["key"]) // 100, int(b["doc_count"])) for b in found["month"]["buckets"])
            counts["month"] = tuple((f"{m // 100:04d}-{m % 100:02d}", n) for m, n in months if n)
        if "votes" in names:
            # Tantivy adds buckets for the gaps (below the first step); each has its "from".
            per_range = [(b.get("from", float("-inf")), int(b["doc_count"])) for b in found["votes"]["buckets"]]
            counts["votes"] = tuple((step, sum(n for low, n in per_range if low >= step)) for step in VOTE_STEPS)
        return counts

    def get(self, arxiv_id: str) -> Paper | None:
        """The paper with this arXiv id, or ``None``."""
        now = self._now
        found = self._find(now, arxiv_id)
        return None if found is None else Paper.from_dict(orjson.loads(found["record"][0]))

    def similar(self, arxiv_id: str, *, limit: int = DEFAULT_LIMIT, snippets: int = 1) -> SearchResult:
        """The papers most related to the paper ``arxiv_id`` (see :mod:`searchidx.similar`)."""
        now = self._now
        paper_id = parse_arxiv_id(arxiv_id)
        if paper_id is None:
            raise QueryError(f"not an arXiv id: {arxiv_id!r}")
        _check_options(paper_id, limit, 0, "relevance", 0.0, "all", None)
        doc = self._find(now, paper_id)
        if doc is None:
            raise QueryError(f"no paper {paper_id} in the index")
        paper = Paper.from_dict(orjson.loads(doc["record"][0]))
        texts = texts_to_analyze(paper)
        stored = doc[ANALYSIS_FIELD]
        analysed = decode_terms(texts, stored[0]) if stored else self.analyzer.analyze_many(texts)
        related = related_query(now.schema, now.searcher, paper, analysed, now.glossary.expansions())
        total, page = self._run(now, related.query, [], limit, 0, "relevance", 0.0)
        plan = QueryPlan(related.query, frozenset(term for term, _ in related.terms))
        hits = tuple(self._hit(now, score, address, plan, "relevance", snippets) for score, address in page)
        return SearchResult(query=paper_id, total=total, hits=hits)

    def _find(self, now: _Snapshot, arxiv_id: str) -> tantivy.Document | None:
        query = tantivy.Query.term_query(now.schema, "arxiv_id", arxiv_id)
        with tantivy_errors(self.root):
            found = now.searcher.search(query, 1).hits
            return now.searcher.doc(found[0][1]) if found else None

    @staticmethod
    def _filters(
        schema: tantivy.Schema, since: str | _dt.date | None, until: str | _dt.date | None, min_votes: int | None
    ) -> list[tantivy.Query]:
        filters = []
        if since is not None or until is not None:
            lower = day_number(_date_bound(since, end=False)) if since is not None else None
            upper = day_number(_date_bound(until, end=True)) if until is not None else None
            if lower is not None and upper is not None and lower > upper:
                raise QueryError(f"--since {since} is after --until {until}")
            filters.append(tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, lower, upper))
        if min_votes is not None:
            filters.append(tantivy.Query.range_query(schema, "votes", tantivy.FieldType.Integer, min_votes, None))
        return filters

    def _run(
        self,
        now: _Snapshot,
        query: tantivy.Query,
        filters: list[tantivy.Query],
        limit: int,
        offset: int,
        sort: str,
        weight: float,
    ) -> tuple[int, list[tuple[Any, tantivy.DocAddress]]]:
        if filters:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), *((tantivy.Occur.Must, f) for f in filters)]
            )
        options: dict[str, Any] = {"count": True, "offset": offset}
        if sort == "votes":
            options["order_by_field"] = "by_votes"
        elif sort == "date":
            options["order_by_field"] = "by_date"
        elif weight > 0:
            options["weight_by_field"] = prior_field(weight)
        with tantivy_errors(self.root):
            result = now.searcher.search(query, limit, **options)
        # tantivy.pyi omits SearchResult.count, which search(count=True) fills in.
        return int(result.count or 0), list(result.hits)  # type: ignore[attr-defined]

    def _hit(
        self, now: _Snapshot, score: Any, address: tantivy.DocAddress, plan: QueryPlan, sort: str, snippets: int
    ) -> Hit:
        with tantivy_errors(self.root):
            doc = now.searcher.doc(address)
        paper = Paper.from_dict(orjson.loads(doc["record"][0]))
        stored = doc[ANALYSIS_FIELD]
        # Snippets come from the terms stored at build time, so hits need no Kiwi.
        analyzer = StoredAnalysis(texts_to_analyze(paper), stored[0], self.analyzer) if stored else self.analyzer
        return Hit(
            paper=paper,
            score=float(score) if sort == "relevance" else None,
            snippets=tuple(make_snippets(paper, plan.terms, analyzer, limit=snippets)) if snippets else (),  # type: ignore[arg-type]
        )


def _completions(now: _Snapshot, text: str) -> dict[str, list[tuple[str, float]]]:
    """The index terms the last word of ``text`` may be the start of, as an expansion of its last term."""
    clauses = parse_query_text(text)
    last = clauses[-1] if clauses and not text[-1:].isspace() else None
    if last is None or last.phrase or last.field or last.exclude or not text.rstrip().endswith(last.text):
        return {}
    terms = now.query_analyzer.analyze(last.text, "query")
    if not terms:
        return {}
    stem = terms[-1].text
    if len(stem) < 2 and not ("가" <= stem <= "힣"):
        return {}
    counts: dict[str, int] = {}
    with tantivy_errors(now.generation.parent):
        for name in PREFIX_FIELDS:
            for term, count in now.searcher.terms_with_prefix(name, stem, limit=PREFIX_COMPLETIONS):
                counts[term] = counts.get(term, 0) + int(count)
    found = sorted((t for t in counts if t != stem), key=lambda t: (-counts[t], t))[:PREFIX_COMPLETIONS]
    return {stem: [(term, 1.0) for term in found]} if found else {}


def _check_options(
    text: str, limit: int, offset: int, sort: str, weight: float, match: str, min_votes: int | None
) -> None:
    if not text.strip():
        raise QueryError("the query is empty; give some words to search for")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}")
    if sort not in SORT_ORDERS:
        raise QueryError(f"sort must be one of {', '.join(SORT_ORDERS)}, not {sort!r}")
    if weight not in VOTE_WEIGHTS:
        supported = ", ".join(f"{w:g}" for w in VOTE_WEIGHTS)
        raise QueryError(f"vote weight {weight:g} is not supported; use one of {supported}")
    if match not in MATCH_MODES:
        raise QueryError(f"match must be one of {', '.join(MATCH_MODES)}, not {match!r}")
    if min_votes is not None and not 0 <= min_votes <= MAX_VOTES:
        raise QueryError(f"min votes must be 0 or more (at most {MAX_VOTES}), not {min_votes}")


def _date_bound(value: str | _dt.date, *, end: bool) -> _dt.date:
    """A date from a ``date`` or a ``YYYY[-MM[-DD]]`` string; a partial date spans its period."""
    if isinstance(value, _dt.date):
        return value
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return _dt.date(numbers[0], 12, 31) if end else _dt.date(numbers[0], 1, 1)
        if len(numbers) == 2:
            year, month = numbers
            last = calendar.monthrange(year, month)[1]
            return _dt.date(year, month, last if end else 1)
        if len(numbers) == 3:
            return _dt.date(*numbers)
    except (ValueError, OverflowError):
        pass
    raise QueryError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
