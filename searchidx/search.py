"""Searching an index: query text and options -> ranked hits with snippets.

:func:`open_index` opens the current generation of an index location. A
:class:`SearchIndex` call checks its options, plans the query (correction, analysis,
:mod:`searchidx.expansion`, :mod:`searchidx.query`) and hands it to
:mod:`searchidx.execution`, which lets Tantivy rank every match exactly under the vote
prior (:mod:`searchidx.scoring`) and reads stored records and makes snippets for the
returned page only. What one opened generation holds lives in :mod:`searchidx.snapshot`;
the hits and page returned, in :mod:`searchidx.results`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import tantivy

from searchidx import execution
from searchidx.analysis import Analyzer, default_analyzer
from searchidx.correct import Correction
from searchidx.expansion import prefix_completions, query_expansions
from searchidx.feedback import ranked_page
from searchidx.fields import stored_paper
from searchidx.glossary import EXPANSION_WEIGHT
from searchidx.index import current_generation, resolve_index_path, tantivy_errors
from searchidx.options import (
    DEFAULT_LIMIT,
    DEFAULT_MATCH,
    DEFAULT_SORT,
    SortOrder,
    check_options,
)
from searchidx.query import (
    COVERAGE_WEIGHT,
    DEFAULT_FIELD_WEIGHTS,
    MatchMode,
    QueryPlan,
    analyse_query,
    build_query,
)
from searchidx.records import Paper
from searchidx.results import SearchResult
from searchidx.scoring import DEFAULT_VOTE_WEIGHT
from searchidx.similar import stored_related_query
from searchidx.snapshot import Snapshot

__all__ = ["SearchIndex", "open_index"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _public(method: Callable[Concatenate[SearchIndex, _P], _R]) -> Callable[Concatenate[SearchIndex, _P], _R]:
    """The one place a :class:`SearchIndex` call's errors are translated (each public
    method, and opening a generation): what Tantivy or the OS raises while the call reads
    the index becomes :mod:`searchidx.errors` (:func:`searchidx.index.tantivy_errors`).
    The caller's values are checked before they reach Tantivy
    (:func:`searchidx.options.check_options`), so what is left is damage."""

    @functools.wraps(method)
    def call(self: SearchIndex, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with tantivy_errors(self.root):
            return method(self, *args, **kwargs)

    return call


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
        self._now = self._open()

    @_public
    def _open(self) -> Snapshot:
        return Snapshot(self.root, self.analyzer)

    @property
    def snapshot(self) -> Snapshot:
        """The generation this view reads: its directory (``generation``), ``meta``, ``schema``,
        searcher, ``glossary`` and ``translations`` and the collection statistics searches use."""
        return self._now

    def refresh(self) -> bool:
        """Switch to a newer generation if a build published one; True if it did."""
        if current_generation(self.root) == self._now.generation:
            return False
        self._now = self._open()
        return True

    def __len__(self) -> int:
        return int(self._now.searcher.num_docs)

    @_public
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
        check_options(text, match=match, field_weights=field_weights, expansion_weight=expansion_weight, coverage=coverage)
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
        """Correction, analysis, expansion, plan: each step reads the snapshot and hands the next its records."""
        correction = now.correct(text, typing=prefix) if expand else None
        analysed = analyse_query(now.query_analyzer, correction.text if correction else text)
        expansions = query_expansions(
            now,
            analysed,
            glossary_weight=expansion_weight if expand else None,
            completions=prefix_completions(now, text) if prefix else {},
            correction=correction,
        )
        idf = {t: now.idf(t) for alternatives in analysed.words for t in alternatives} if coverage > 0 else None
        plan = build_query(
            now.schema, analysed, field_weights=field_weights, match=match, expansions=expansions, idf=idf, coverage=coverage
        )
        return plan, correction

    @_public
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
        feedback: bool = True,
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
        (see :func:`searchidx.query.build_query`). With ``feedback`` a ranking by relevance
        re-orders its first hits by what its best ones are about (:mod:`searchidx.feedback`).
        """
        now = self._now
        weight = DEFAULT_VOTE_WEIGHT if vote_weight is None else vote_weight
        check_options(
            text, limit=limit, offset=offset, sort=sort, vote_weight=weight, match=match, min_votes=min_votes,
            field_weights=field_weights, expansion_weight=expansion_weight, coverage=coverage, snippets=snippets,
            facets=facets,
        )
        if sort != "relevance":
            match = "all"  # a sorted list holds the papers with every word, not those with one common word
        plan, correction = self._plan(now, text, match, field_weights, expand, expansion_weight, prefix, coverage)
        required = execution.filters(now.schema, since, until, min_votes)
        feedback = feedback and sort == "relevance" and bool(plan.words)

        def page_of(query: tantivy.Query) -> execution.Page:
            run = functools.partial(execution.run, now, query, required, sort=sort, weight=weight)
            return ranked_page(now, self.analyzer, run, limit, offset) if feedback else run(limit, offset)

        total, page = page_of(plan.query)
        notes = plan.notes
        if total == 0 and match == "all" and len(plan.words) > 1:
            plan, correction = self._plan(now, text, "any", field_weights, expand, expansion_weight, prefix, coverage)
            total, page = page_of(plan.query)
            notes += ("no paper has every word; showing papers with some of them",)
        hits = tuple(execution.make_hit(now, self.analyzer, score, address, plan, sort, snippets) for score, address in page)
        counts = execution.facet_counts(now, plan.query, required, facets) if facets and total else {}
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

    @_public
    def get(self, arxiv_id: str) -> Paper:
        """The paper with this arXiv id, in any form a query takes (``2406.11430v2``, an
        arXiv or Hugging Face URL). Raises :class:`PaperNotFoundError` when the index has
        no such paper, and :class:`QueryError` when ``arxiv_id`` is not an arXiv id."""
        return stored_paper(execution.find(self._now, arxiv_id))

    @_public
    def similar(self, arxiv_id: str, *, limit: int = DEFAULT_LIMIT, snippets: int = 1) -> SearchResult:
        """The papers most related to the paper ``arxiv_id`` (see :mod:`searchidx.similar`).

        Takes ``arxiv_id`` and raises as :meth:`get` does.
        """
        now = self._now
        check_options(arxiv_id, limit=limit, snippets=snippets)
        paper, related = stored_related_query(now, self.analyzer, execution.find(now, arxiv_id))
        total, page = execution.run(now, related.query, [], limit, 0, "relevance", 0.0)
        plan = QueryPlan(related.query, frozenset(term for term, _ in related.terms))
        hits = tuple(
            execution.make_hit(now, self.analyzer, score, address, plan, "relevance", snippets) for score, address in page
        )
        return SearchResult(query=paper.arxiv_id, total=total, hits=hits)
