"""One opened index generation: the searcher, schema and per-generation data a search reads.

A :class:`Snapshot` holds what :class:`searchidx.search.SearchIndex` reads for one
generation (Tantivy searcher, lexicon, glossary, spelling and translation tables) and
answers the collection statistics query planning asks for: document frequencies, idf,
whether a term is too common to expand, other spellings and typo corrections, and
completions of a word being typed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from pathlib import Path

import tantivy

from searchidx.analysis import Analyzer
from searchidx.correct import SPELLING_FILE, Correction, Speller
from searchidx.glossary import Glossary, load_glossary
from searchidx.index import open_current, tantivy_errors
from searchidx.lexicon import LEXICON_FILE, Lexicon, QueryAnalyzer
from searchidx.matching import any_of
from searchidx.query import COMMON_MIN_PAPERS, COMMON_SHARE, parse_query_text
from searchidx.spacing import spacing_expansions
from searchidx.translations import Translations, load_translations

__all__ = ["Snapshot", "prefix_completions", "PREFIX_COMPLETIONS"]

#: With ``prefix``, the most frequent index terms the last word may be the start of.
PREFIX_COMPLETIONS = 8
#: Where those terms are looked up: titles and summaries.
PREFIX_FIELDS = ("title", "body")
#: Where other spellings of query words are counted: the summaries.
SPACING_FIELD = "body"
#: Where a query word is looked for before it is taken for a typo: wherever a plain word matches.
NAMING_FIELDS = ("title", "authors", "body")
#: Where a query word's idf is counted: the field holding every text of a paper.
IDF_FIELD = "all"


class Snapshot:
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
        return self._papers_holding(NAMING_FIELDS, terms)

    def _papers_holding(self, fields: Sequence[str], terms: Sequence[str]) -> int:
        """Papers holding ``terms`` as a phrase (one term: holding it) in any of ``fields``."""
        with tantivy_errors(self.generation.parent):
            if len(fields) == 1 and len(terms) == 1:
                return int(self.searcher.doc_freq(fields[0], terms[0]))
            per_field = [
                tantivy.Query.term_query(self.schema, name, terms[0])
                if len(terms) == 1
                else tantivy.Query.phrase_query(self.schema, name, list(enumerate(terms)))
                for name in fields
            ]
            return int(self.searcher.search(any_of(per_field), 1).count or 0)  # type: ignore[attr-defined]

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one snapshot per generation, few live at once
    def doc_freq(self, term: str) -> int:
        """Papers holding an index term, or space-joined terms as a phrase, in any of their texts."""
        return self._papers_holding((IDF_FIELD,), term.split(" "))

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
        return self._papers_holding((SPACING_FIELD,), terms)


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
    with tantivy_errors(now.generation.parent):
        for name in PREFIX_FIELDS:
            for term, count in now.searcher.terms_with_prefix(name, stem, limit=PREFIX_COMPLETIONS):
                counts[term] = counts.get(term, 0) + int(count)
    found = sorted((t for t in counts if t != stem), key=lambda t: (-counts[t], t))[:PREFIX_COMPLETIONS]
    return {stem: [(term, 1.0) for term in found]} if found else {}
