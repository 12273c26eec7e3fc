"""Searching an index: query text and options -> ranked hits with snippets.

:func:`open_index` opens the current generation of an index location;
:meth:`SearchIndex.search` builds the query (:mod:`searchidx.query`), lets Tantivy rank
every match exactly under the vote prior (:mod:`searchidx.scoring`), and reads stored
records and makes snippets (:mod:`searchidx.highlight`) for the returned page only. What one
opened generation holds lives in :mod:`searchidx.snapshot`; the hits and page returned, in
:mod:`searchidx.results`.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, cast

import orjson
import tantivy

from searchidx.analysis import Analyzer, default_analyzer
from searchidx.arxiv import parse_arxiv_id
from searchidx.correct import Correction
from searchidx.errors import QueryError
from searchidx.fields import ANALYSIS_FIELD, day_number, texts_to_analyze
from searchidx.glossary import EXPANSION_WEIGHT, Glossary
from searchidx.highlight import make_snippets
from searchidx.index import current_generation, resolve_index_path, tantivy_errors
from searchidx.options import (
    DEFAULT_LIMIT,
    DEFAULT_MATCH,
    DEFAULT_SORT,
    FACETS,
    VOTE_STEPS,
    SortOrder,
    check_options,
    date_bound,
)
from searchidx.query import (
    COVERAGE_WEIGHT,
    DEFAULT_FIELD_WEIGHTS,
    MatchMode,
    QueryPlan,
    build_query,
)
from searchidx.records import Paper
from searchidx.results import Hit, SearchResult
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, prior_field
from searchidx.similar import related_query
from searchidx.snapshot import Snapshot, prefix_completions
from searchidx.termstore import StoredAnalysis, decode_terms
from searchidx.translations import Translations

__all__ = ["SearchIndex", "open_index"]


def open_index(path: str | os.PathLike[str] | None = None, *, analyzer: Analyzer | None = None) -> SearchIndex:
    """Open the index at ``path`` (default ``$SEARCHIDX_INDEX`` or ``./.searchidx``)."""
    return SearchIndex(resolve_index_path(path), analyzer=analyzer)


class SearchIndex:
    """A searchable view of one index location (see :func:`open_index`).

    Safe to share between threads: each call works on the generation that was current
    when it started, even if :meth:`refresh` switches to a newer one meanwhile.
    """

    def __init__(self, root: Path, *, analyzer: Analyzer | None = None) -> None:
        self.root = root
        self.analyzer = analyzer or default_analyzer()
        self._now = Snapshot(root, self.analyzer)

    @property
    def generation(self) -> Path:
        """The generation directory this view reads."""
        return self._now.generation

    @property
    def meta(self) -> dict[str, Any]:
        """The generation's ``searchidx.json``: format version, build time, paper count."""
        return self._now.meta

    @property
    def snapshot(self) -> Snapshot:
        """The opened generation: its searcher and the collection statistics searches use."""
        return self._now

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
        self._now = Snapshot(self.root, self.analyzer)
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
        now: Snapshot,
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
        completions = prefix_completions(now, text) if prefix else {}
        if completions:
            glossary = expansions if expansions is not None else {}
            first: dict[str, Sequence[tuple[str, float]]] = {
                term: [*added, *glossary.get(term, ())] for term, added in completions.items()
            }
            # ChainMap only reads the mappings after the first; it asks for MutableMapping all the same.
            expansions = ChainMap(first, cast(MutableMapping[str, Sequence[tuple[str, float]]], glossary))
        correction = now.correct(text, typing=prefix) if expand else None
        respell: Callable[[Sequence[Sequence[str]]], Mapping[str, Sequence[tuple[str, float]]]] | None = None
        if correction is not None:
            corrected = correction.expansions

            def respell(words: Sequence[Sequence[str]]) -> dict[str, list[tuple[str, float]]]:
                found = now.respell(words)
                return {key: [*found.get(key, ()), *corrected.get(key, ())] for key in found.keys() | corrected.keys()}

        plan = build_query(
            now.schema, now.query_analyzer, correction.text if correction else text, field_weights=field_weights,
            match=match, expansions=expansions, respell=respell, idf=now.idf, coverage=coverage, common=now.common,
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
        check_options(text, limit, offset, sort, weight, match, min_votes)
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
        self, now: Snapshot, query: tantivy.Query, filters: list[tantivy.Query], names: Sequence[str]
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
        check_options(paper_id, limit, 0, "relevance", 0.0, "all", None)
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

    def _find(self, now: Snapshot, arxiv_id: str) -> tantivy.Document | None:
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
            lower = day_number(date_bound(since, end=False)) if since is not None else None
            upper = day_number(date_bound(until, end=True)) if until is not None else None
            if lower is not None and upper is not None and lower > upper:
                raise QueryError(f"--since {since} is after --until {until}")
            filters.append(tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, lower, upper))
        if min_votes is not None:
            filters.append(tantivy.Query.range_query(schema, "votes", tantivy.FieldType.Integer, min_votes, None))
        return filters

    def _run(
        self,
        now: Snapshot,
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
        self, now: Snapshot, score: Any, address: tantivy.DocAddress, plan: QueryPlan, sort: str, snippets: int
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
