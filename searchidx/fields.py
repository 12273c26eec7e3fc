"""The index schema in one place: what a paper becomes inside Tantivy.

Text fields hold Kiwi-analysed terms handed to Tantivy pre-tokenized (Tantivy cannot run a
Python tokenizer), so index and query terms come from the same
:class:`searchidx.analysis.Analyzer`. Display data is one stored JSON ``record`` per paper;
ranking and filtering use fast fields:

=============  =========================================================================
field          content
=============  =========================================================================
arxiv_id       the id as one raw term (lookup, deletion)
title          the English title
authors        author names, one name per run of positions (no phrase spans two names)
body           every summary section, sections separated by a position gap
sec_*          each summary section on its own (What's New, Technical Details, ...)
all            title (written :data:`TITLE_REPEAT` times), authors and summary as one field:
               BM25 over it saturates a word's weight across fields (BM25F with integer weights)
surface        the Latin words of title and summary as written, lowercased but not
               stemmed (``embeddings``, where the other fields hold ``embed``): whether a
               paper holds a query's English words as typed (:data:`SURFACE_FIELD`)
record         stored JSON of the :class:`searchidx.records.Paper` (``Paper.to_dict``)
analysis       stored analysed terms of the paper's texts (:mod:`searchidx.termstore`)
votes          votes as i64, -1 when unknown (``--min-votes``)
day            every date the paper appeared on, as YYYYMMDD (``--since``/``--until``)
by_votes       ``--sort votes`` key: votes + 1, then :func:`searchidx.arxiv.id_order` (low 32 bits)
by_date        ``--sort date`` key: the latest date (YYYYMMDD), then the id order likewise
prior_*        the encoded vote prior for each supported weight (:mod:`searchidx.scoring`)
=============  =========================================================================
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import NamedTuple

import orjson
import tantivy

from searchidx.arxiv import id_order
from searchidx.records import Paper
from searchidx.scoring import VOTE_WEIGHTS, encode_prior, prior_field, vote_prior
from searchidx.terms import Term, surface_form
from searchidx.termstore import encode_terms

__all__ = [
    "FORMAT_VERSION",
    "ANALYSIS_FIELD",
    "SURFACE_FIELD",
    "TEXT_FIELDS",
    "SECTION_FIELDS",
    "build_schema",
    "register_tokenizers",
    "section_field",
    "texts_to_analyze",
    "PaperTerms",
    "paper_terms",
    "stored_paper",
    "make_document",
    "day_number",
]

#: Bumped whenever the schema, the analysis or the encoding of a field changes.
FORMAT_VERSION = 6

TOKENIZER = "searchidx_terms"
ANALYSIS_FIELD = "analysis"
SURFACE_FIELD = "surface"

#: Positions left empty between authors and between sections.
POSITION_GAP = 50
#: How many times the title is written into the combined ``all`` field (its BM25F weight).
TITLE_REPEAT = 2

SECTION_FIELDS: dict[str, str] = {
    "what's new": "sec_new",
    "technical details": "sec_method",
    "performance highlights": "sec_results",
    "summary": "sec_summary",
}
OTHER_SECTION_FIELD = "sec_other"

TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "authors",
    "body",
    *SECTION_FIELDS.values(),
    OTHER_SECTION_FIELD,
    "all",
    SURFACE_FIELD,
)


def section_field(name: str) -> str:
    """The ``sec_*`` field that holds a section called ``name``."""
    return SECTION_FIELDS.get(name.strip().lower(), OTHER_SECTION_FIELD)


def build_schema() -> tantivy.Schema:
    """The Tantivy schema of a searchidx index."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("arxiv_id", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    builder.add_bytes_field("record", stored=True)
    builder.add_bytes_field(ANALYSIS_FIELD, stored=True)
    builder.add_integer_field("votes", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_integer_field("by_votes", fast=True)
    builder.add_integer_field("by_date", fast=True)
    for weight in VOTE_WEIGHTS:
        builder.add_float_field(prior_field(weight), fast=True)
    return builder.build()


def register_tokenizers(index: tantivy.Index) -> None:
    """Register the tokenizer name the text fields refer to.

    Terms arrive pre-tokenized, but Tantivy still requires the name to be known, and
    registrations are not saved with the index, so every open calls this.
    """
    index.register_tokenizer(TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())


def texts_to_analyze(paper: Paper) -> list[str]:
    """The strings of ``paper`` that need analysis, in the order :func:`make_document` reads."""
    return [paper.title, *paper.authors, *(s.text for s in paper.sections)]


class PaperTerms(NamedTuple):
    """The analysis of one paper's texts by part: what :func:`texts_to_analyze` lists, analysed."""

    title: Sequence[Term]
    authors: Sequence[Sequence[Term]]
    sections: Sequence[Sequence[Term]]


def paper_terms(paper: Paper, terms: Sequence[Sequence[Term]]) -> PaperTerms:
    """``terms``, the analysis of :func:`texts_to_analyze` of ``paper``, by part."""
    authors = len(paper.authors)
    return PaperTerms(terms[0], terms[1 : 1 + authors], terms[1 + authors :])


def stored_paper(doc: tantivy.Document) -> Paper:
    """The paper an index document stores (its ``record``)."""
    return Paper.from_dict(orjson.loads(doc["record"][0]))


def day_number(day: _dt.date) -> int:
    """A date as the integer YYYYMMDD, the form the ``day`` field holds."""
    return day.year * 10000 + day.month * 100 + day.day


def make_document(paper: Paper, terms: Sequence[list[Term]]) -> tantivy.Document:
    """The Tantivy document of ``paper``, given the analysis of :func:`texts_to_analyze`;
    the terms are stored with it, so snippets and later builds need no analysis."""
    doc = tantivy.Document()
    doc.add_text("arxiv_id", paper.arxiv_id)
    by_part = paper_terms(paper, terms)
    title = _Analysed(paper.title, by_part.title)
    authors = [_Analysed(text, text_terms) for text, text_terms in zip(paper.authors, by_part.authors)]
    sections = [_Analysed(s.text, t) for s, t in zip(paper.sections, by_part.sections)]
    doc.add_pre_tokenized_text("title", _pretokenized([title]))
    doc.add_pre_tokenized_text("authors", _pretokenized(authors))
    doc.add_pre_tokenized_text("body", _pretokenized(sections))
    doc.add_pre_tokenized_text("all", _pretokenized([title] * TITLE_REPEAT + authors + sections))
    written = [
        _Analysed(text, _surface_terms(text, text_terms))
        for text, text_terms in [(paper.title, by_part.title), *zip((s.text for s in paper.sections), by_part.sections)]
    ]
    doc.add_pre_tokenized_text(SURFACE_FIELD, _pretokenized(written))
    by_field: dict[str, list[_Analysed]] = {}
    for section, analysed in zip(paper.sections, sections):
        by_field.setdefault(section_field(section.name), []).append(analysed)
    for field, parts in by_field.items():
        doc.add_pre_tokenized_text(field, _pretokenized(parts))
    doc.add_bytes("record", orjson.dumps(paper.to_dict()))
    doc.add_bytes(ANALYSIS_FIELD, encode_terms(texts_to_analyze(paper), terms))
    doc.add_integer("votes", -1 if paper.votes is None else paper.votes)
    for day in paper.dates:
        doc.add_integer("day", day_number(day))
    # Sort keys: equal votes or dates are ordered by arXiv id, whatever order papers were indexed in.
    tie = id_order(paper.arxiv_id)
    doc.add_integer("by_votes", (0 if paper.votes is None else paper.votes + 1) << 32 | tie)
    if paper.dates:
        doc.add_integer("by_date", day_number(paper.dates[-1]) << 32 | tie)
    for weight in VOTE_WEIGHTS:
        doc.add_float(prior_field(weight), encode_prior(vote_prior(paper.votes, weight)))
    return doc


def _surface_terms(text: str, terms: Sequence[Term]) -> list[Term]:
    """The Latin words among ``terms`` as written in ``text`` (see :func:`searchidx.terms.surface_form`)."""
    out: dict[int, Term] = {}
    for term in terms:
        if "\uac00" <= term.text[:1] <= "\ud7a3":
            continue  # a Hangul term is never a Latin word's; most terms are
        form = surface_form(text[term.start : term.end])
        if form is not None and term.position not in out:
            out[term.position] = Term(form, term.start, term.end, term.position)
    return list(out.values())


class _Analysed:
    """One analysed string with its terms as columns, ready to be shifted into a field value."""

    __slots__ = ("text", "texts", "starts", "ends", "positions", "span")

    def __init__(self, text: str, terms: Sequence[Term]) -> None:
        self.text = text
        self.texts: tuple[str, ...]
        self.starts: tuple[int, ...]
        self.ends: tuple[int, ...]
        self.positions: tuple[int, ...]
        self.texts, self.starts, self.ends, self.positions = zip(*terms) if terms else ((), (), (), ())
        self.span = max(self.positions) + POSITION_GAP if terms else 0


def _pretokenized(parts: Sequence[_Analysed]) -> tantivy.PreTokenizedString:
    """Join analysed strings into one field value, a position gap between them.

    Each part's tokens are made by ``map`` over its columns (a build makes millions of them).
    """
    tokens: list[tantivy.Token] = []
    offset = 0
    position = 0
    for part in parts:
        if part.span:
            positions = map(position.__add__, part.positions) if position else part.positions
            starts = map(offset.__add__, part.starts) if offset else part.starts
            ends = map(offset.__add__, part.ends) if offset else part.ends
            tokens.extend(map(tantivy.Token, part.texts, positions, starts, ends))
            position += part.span
        offset += len(part.text) + 1
    return tantivy.PreTokenizedString("\n".join(part.text for part in parts), tokens)
