"""One opened index generation: the searcher, schema and per-generation data a search reads.

A :class:`Snapshot` holds what :class:`searchidx.search.SearchIndex` reads for one
generation (Tantivy searcher, lexicon, glossary, spelling and translation tables) and
answers the collection statistics a search reads before it plans its query (document
frequencies, idf, whether a term is too common to expand) and typo corrections. It is
read-only: nothing of a search changes it. Tantivy's errors are translated where the
public call that reads it began (:mod:`searchidx.search`).
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
from searchidx.index import open_current
from searchidx.lexicon import LEXICON_FILE, Lexicon, LexiconAnalyzer
from searchidx.matching import any_of
from searchidx.query import COMMON_MIN_PAPERS, COMMON_SHARE
from searchidx.translations import Translations, load_translations

__all__ = ["Snapshot"]

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
        self.searcher = index.searcher()
        self.schema = index.schema
        # Query words the collection contains are analysed from its lexicon, without Kiwi.
        self.query_analyzer = LexiconAnalyzer(Lexicon(self.generation / LEXICON_FILE), analyzer)
        # Read now: later builds remove this generation's files while searches still use it.
        self.glossary: Glossary = load_glossary(self.generation)
        self.speller = Speller(self.generation / SPELLING_FILE)
        self.translations: Translations = load_translations(self.generation)

    def correct(self, text: str, *, typing: bool = False) -> Correction:
        """Corrections of mistyped query words (:mod:`searchidx.correct`); with ``typing``
        the last word is a prefix being typed."""
        return self.speller.correct(text, self.query_analyzer, self._papers_naming, typing=typing)

    def _papers_naming(self, terms: Sequence[str]) -> int:
        """Papers whose title, authors or summaries hold ``terms`` as a phrase (one term: hold it)."""
        return self._papers_holding(NAMING_FIELDS, terms)

    def _papers_holding(self, fields: Sequence[str], terms: Sequence[str]) -> int:
        """Papers holding ``terms`` as a phrase (one term: holding it) in any of ``fields``."""
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

