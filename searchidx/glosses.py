"""Glosses: the ``outside(inside)`` parentheses of a summary read as candidate term pairs.

The digests gloss a technical term in parentheses, Korean outside and English inside or the
other way round. :func:`gloss_spans` finds each parenthesis and the clause before it;
:func:`glosses` reads one such span, in the index terms analysis gave the summary, as a
:class:`Gloss`: the inside item and the candidate outside runs that may be what it glosses
(up to :data:`MAX_TERMS` nouns ending at the parenthesis). Counting the candidates over
the collection and choosing among them is :class:`searchidx.glossary.GlossaryCounts`' work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from searchidx.terms import Term

__all__ = ["Key", "MAX_TERMS", "CONTEXT_CHARS", "Gloss", "gloss_spans", "glosses"]

#: Longest term sequence on either side of a pair.
MAX_TERMS = 5
#: Characters of context read before a parenthesis (terms never span punctuation anyway).
CONTEXT_CHARS = 60
_PAREN = re.compile(r"\(([^()\n]{1,100})\)")
_CONTEXT_STOP = re.compile(r"[.!?;:,()\[\]\n\"“”'‘’]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# A one-syllable Korean noun (처리량 -> 처리 + 량) is part of a longer term, not a term.
_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
# Numbers, and sizes such as 7b or 135m: "SmolLM(135M 파라미터)" states a size, not a gloss.
_NUMBER = re.compile(r"[\d.,%]+|\d+(?:\.\d+)?[kmbt]")
_LATIN_TERM = re.compile(r"[a-z0-9][a-z0-9.\-_]*")
_LATIN_SURFACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-_]*")
_ACRONYM = re.compile(r"[A-Z0-9][A-Za-z0-9]*[A-Z][A-Za-z0-9]*")
# What may stand between the nouns of one term: a derivational suffix (최적화, 직접적, 모델들)
# and spaces or hyphens, but no particle or ending.
_RUN_GAP = re.compile(r"[화성들기율률적자치류형별간용식급]?[ \-]*")
_EXAMPLE_MARKERS = ("예:", "예를", "e.g", "i.e", "즉")

#: A sequence of index terms, in order: one side of a pair.
Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gloss:
    """One parenthesis: the candidate outside runs (shortest first) and one inside item."""

    outside: tuple[tuple[Key, str], ...]
    inside: Key
    inside_form: str
    inside_is_korean: bool


def gloss_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """``(start, open, end)`` of each clause ending in a parenthesis: where the clause
    starts, where the parenthesis opens and where it closes (exclusive)."""
    for match in _PAREN.finditer(text):
        start = max(0, match.start() - CONTEXT_CHARS)
        stops = list(_CONTEXT_STOP.finditer(text, start, match.start()))
        if stops:
            start = stops[-1].end()
        yield start, match.start(), match.end()


def glosses(text: str, open_at: int, terms: Sequence[Term]) -> Iterator[Gloss]:
    """The glosses of one snippet: each inside item against the outside runs before it."""
    inside_text = text[open_at + 1 : -1]
    if any(marker in inside_text for marker in _EXAMPLE_MARKERS):
        return
    items = [(m.start() + open_at + 1, m.end() + open_at + 1) for m in re.finditer(r"[^,;]+", inside_text)]
    if len(items) > 2:  # a list of examples, not a term and its abbreviation
        return
    run = _outside_run(text, open_at, [t for t in terms if t.end <= open_at])
    for start, end in items:
        item = _first_alternatives([t for t in terms if start <= t.start and t.end <= end])
        form = text[start:end].strip()
        inside_korean = _is_korean(item)
        if not item or len(item) > MAX_TERMS or not (inside_korean or _all_latin(item)) or _has_number(item):
            continue
        expected = len(item)
        if not inside_korean and len(item) == 1 and _ACRONYM.fullmatch(form.removesuffix("s")):
            expected = sum(c.isupper() for c in form)
        outside = tuple(
            (tuple(t.text for t in run[-n:]), text[run[-n].start : open_at].strip())
            for n in _outside_lengths(run, expected)
            if (_all_latin(run[-n:]) if inside_korean else _is_korean(run[-n:])) and not _has_number(run[-n:])
        )
        if outside:
            yield Gloss(outside, tuple(t.text for t in item), form, inside_korean)


def _outside_lengths(run: Sequence[Term], expected: int) -> Iterator[int]:
    """Lengths of the outside candidates: up to ``expected`` terms, a one-syllable noun not
    counting (처리량 is 처리 + 량) and never starting a candidate unless it starts the run."""
    longest = min(len(run), MAX_TERMS)
    limit = expected
    for n in range(1, longest + 1):
        if n > limit:
            return
        if n < longest and _HANGUL_SYLLABLE.fullmatch(run[-n].text):
            limit += 1
            continue
        yield n


def _outside_run(text: str, open_at: int, before: Sequence[Term]) -> list[Term]:
    """The terms written as one noun run that ends right at the parenthesis (first alternatives)."""
    words = _first_alternatives(before)
    run: list[Term] = []
    end = open_at
    for term in reversed(words):
        surface = text[term.start : term.end]
        if not _RUN_GAP.fullmatch(text[term.end : end]) or not _written_as_is(term.text, surface):
            break
        run.append(term)
        end = term.start
    run.reverse()
    return run


def _written_as_is(term: str, surface: str) -> bool:
    """True for nouns and Latin words; False for inflected stems (``새로운`` -> ``새롭``)."""
    return surface == term or bool(_LATIN_SURFACE.fullmatch(surface))


def _first_alternatives(terms: Sequence[Term]) -> list[Term]:
    seen: set[int] = set()
    out = []
    for term in terms:
        if term.position not in seen:
            seen.add(term.position)
            out.append(term)
    return out


def _is_korean(terms: Sequence[Term]) -> bool:
    return any(_HANGUL.search(t.text) for t in terms)


def _all_latin(terms: Sequence[Term]) -> bool:
    return all(_LATIN_TERM.fullmatch(t.text) for t in terms)


def _has_number(terms: Sequence[Term]) -> bool:
    return any(_NUMBER.fullmatch(t.text) for t in terms)
