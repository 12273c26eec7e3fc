"""Related papers: a paper's most telling terms, by tf-idf, turned into a ranked query.

A paper is described by the analysed terms of its title, its What's New section and the
rest of its summary, the first two counting more (they say what the paper is about; the
rest also says how). Each term weighs ``tf * idf``, with ``idf`` from the index's
document frequencies; the :data:`QUERY_TERMS` heaviest terms become one query whose
clauses are boosted by those weights, so papers sharing the rare central terms rank first.
Terms found in no other paper, numbers and English function words cannot point to a
related paper and are skipped.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import tantivy

from searchidx.analysis import Analyzer
from searchidx.fields import ANALYSIS_FIELD, paper_terms, section_field, stored_paper, texts_to_analyze
from searchidx.records import Paper
from searchidx.snapshot import Snapshot
from searchidx.terms import Term
from searchidx.termstore import decode_terms

__all__ = ["QUERY_TERMS", "SOURCE_WEIGHTS", "RelatedQuery", "related_query", "stored_related_query"]

#: Terms of the seed paper that make up the query.
QUERY_TERMS = 50
#: Weight of a term occurrence by where it stands in the seed paper.
SOURCE_WEIGHTS: Mapping[str, float] = {"title": 3.0, "sec_new": 2.0, "body": 1.0}
#: Weight of a glossary translation of a term (``hallucin`` for ``환각``) relative to the term.
TRANSLATION_WEIGHT = 0.5
#: Fields searched for the terms, and their weights.
TARGET_FIELDS: Mapping[str, float] = {"title": 1.0, "body": 1.0}

_NUMBER = re.compile(r"[\d.,%]+")
#: English function words of titles (as analysed): frequent enough to add noise, never a topic.
_STOP_WORDS = frozenset(
    """a an the of in on for with to from by and or via at as is are be we our it its this that
    not no how what when whi can do doe more less than beyond toward into through without over
    under all you your need make use us one two new""".split()
)


@dataclass(frozen=True, slots=True)
class RelatedQuery:
    """The query of a paper's related papers and the weighted terms it was made of."""

    query: tantivy.Query
    terms: tuple[tuple[str, float], ...]


def related_query(
    schema: tantivy.Schema,
    searcher: tantivy.Searcher,
    paper: Paper,
    analysed: Sequence[Sequence[Term]],
    translations: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> RelatedQuery:
    """The query that ranks papers by how much of ``paper``'s central vocabulary they share.

    ``analysed`` holds the terms of :func:`searchidx.fields.texts_to_analyze` of ``paper``
    (title, authors, sections), e.g. as stored in the index. ``translations`` (the
    glossary's expansions) let a term also find papers that write it in the other language.
    """
    sources = ["title"] + ["sec_new" if section_field(s.name) == "sec_new" else "body" for s in paper.sections]
    by_part = paper_terms(paper, analysed)
    texts = [by_part.title, *by_part.sections]
    tf: defaultdict[str, float] = defaultdict(float)
    for source, terms in zip(sources, texts):
        for found in terms:
            if found.text not in _STOP_WORDS and not _NUMBER.fullmatch(found.text):
                tf[found.text] += SOURCE_WEIGHTS[source]
    total = max(int(searcher.num_docs), 1)
    weights: dict[str, float] = {}
    for term, freq in tf.items():
        df = max(searcher.doc_freq("body", term), searcher.doc_freq("title", term))
        if df > 1:
            weights[term] = freq * math.log(1 + (total - df + 0.5) / (df + 0.5))
    top = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:QUERY_TERMS]
    scale = top[0][1] if top else 1.0
    weighted = [(term, w / scale) for term, w in top]
    weighted += [
        (other, TRANSLATION_WEIGHT * w / scale)
        for term, w in top
        for other, _ in (translations or {}).get(term, ())
        if " " not in other and other not in weights
    ]
    parts = [
        (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, name, term), fw * w))
        for term, w in weighted
        for name, fw in TARGET_FIELDS.items()
    ]
    parts.append((tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "arxiv_id", paper.arxiv_id)))
    query = tantivy.Query.boolean_query(parts) if top else tantivy.Query.empty_query()
    return RelatedQuery(query, tuple(top))


def stored_related_query(now: Snapshot, fallback: Analyzer, doc: tantivy.Document) -> tuple[Paper, RelatedQuery]:
    """The paper stored in ``doc`` and its :func:`related_query`, from the terms stored with
    it (``fallback`` analyses a paper stored without them) and the glossary's expansions."""
    paper = stored_paper(doc)
    texts = texts_to_analyze(paper)
    stored = doc[ANALYSIS_FIELD]
    analysed = decode_terms(texts, stored[0]) if stored else fallback.analyze_many(texts)
    return paper, related_query(now.schema, now.searcher, paper, analysed, now.glossary.expansions())
