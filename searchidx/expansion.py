"""Query expansion: what else the words of an analysed query may match.

Between analysis and planning (:mod:`searchidx.query`), a search reads from the opened
generation (:class:`~searchidx.snapshot.Snapshot`) everything its words may also match,
into one table keyed by the words and runs of words the plan can look up:

- the glossary's translations (:mod:`searchidx.glossary`), followed by the translations
  and loanword spellings mined from the collection (:mod:`searchidx.translations`);
- with ``prefix``, the most frequent terms the last word, still being typed, begins
  (:func:`prefix_completions`), before them;
- when the query was checked for typos, corrections of words found in one paper
  (:mod:`searchidx.correct`) and other spacings of the words (:mod:`searchidx.spacing`),
  first of all;

leaving out words too common to expand (:data:`searchidx.query.COMMON_SHARE`). The plan
reads the table as data: it never calls back into the snapshot.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, MutableMapping, Sequence
from typing import cast

from searchidx.correct import Correction
from searchidx.query import AnalysedQuery, parse_query_text
from searchidx.snapshot import Snapshot
from searchidx.spacing import spacing_expansions

__all__ = ["Expansions", "query_expansions", "prefix_completions", "PREFIX_COMPLETIONS"]

#: With ``prefix``, the most frequent index terms the last word may be the start of.
PREFIX_COMPLETIONS = 8
#: Where those terms are looked up: titles and summaries.
PREFIX_FIELDS = ("title", "body")

#: Each expansion key (index terms, space-joined) -> its (term, weight) alternatives.
Expansions = dict[str, list[tuple[str, float]]]


def query_expansions(
    now: Snapshot,
    analysed: AnalysedQuery,
    *,
    glossary_weight: float | None,
    completions: Mapping[str, Sequence[tuple[str, float]]],
    correction: Correction | None,
) -> Expansions:
    """The ``expansions`` of :func:`searchidx.query.build_query` for ``analysed``.

    ``glossary_weight`` weighs glossary translations (``None``: no translations);
    ``completions`` come from :func:`prefix_completions`; with a ``correction`` the words
    are also respelled.
    """
    base: Mapping[str, Sequence[tuple[str, float]]] = {}
    if glossary_weight is not None:
        base = now.translations.expansions(now.glossary.expansions(glossary_weight, now.papers_with))
    if completions:
        first: dict[str, Sequence[tuple[str, float]]] = {
            term: [*added, *base.get(term, ())] for term, added in completions.items()
        }
        # ChainMap only reads the mappings after the first; it asks for MutableMapping all the same.
        base = ChainMap(first, cast(MutableMapping[str, Sequence[tuple[str, float]]], base))
    respelled: dict[str, list[tuple[str, float]]] = {}
    if correction is not None and analysed.words:
        found = spacing_expansions(analysed.words, now.query_analyzer.known, now.papers_with)
        corrected = correction.expansions
        respelled = {key: [*found.get(key, ()), *corrected.get(key, ())] for key in found.keys() | corrected.keys()}
    return {
        key: [*respelled.get(key, ()), *base.get(key, ())]
        for key in analysed.expansion_keys()
        if (key in respelled or key in base) and not now.common(key)
    }


def prefix_completions(now: Snapshot, text: str) -> dict[str, list[tuple[str, float]]]:
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
    for name in PREFIX_FIELDS:
        for term, count in now.searcher.terms_with_prefix(name, stem, limit=PREFIX_COMPLETIONS):
            counts[term] = counts.get(term, 0) + int(count)
    found = sorted((t for t in counts if t != stem), key=lambda t: (-counts[t], t))[:PREFIX_COMPLETIONS]
    return {stem: [(term, 1.0) for term in found]} if found else {}
