"""Snippets: the passages of a hit's summary that show why it matched.

Tantivy's snippet generator re-tokenizes stored text with the field's tokenizer and so
cannot see Korean morphemes. Instead, the summary sections of the few hits shown come with
the terms analysis gave them at build time, stored with each paper: a search passes a
:class:`searchidx.termstore.StoredAnalysis`, which answers from them and hands only a text
it lacks to the :class:`searchidx.analysis.Analyzer`. Terms carry character offsets, so
every query term found marks an exact character range.

The work has three roles, as in Whoosh's highlighter: *find* the matched ranges in a
section, *choose* the window of the section holding the most distinct matched terms, and
*cut* it into a :class:`Snippet`. Rendering (terminal, HTML) lives elsewhere; a snippet is
data: its text and the character ranges to highlight in that text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from searchidx.analysis import Analyzer
from searchidx.records import Paper

__all__ = ["Snippet", "make_snippets", "ELLIPSIS"]

ELLIPSIS = "…"
#: Characters of context in one snippet.
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of one summary section with the ranges to highlight.

    ``highlights`` are (start, end) character offsets into ``text``; ``text`` starts or ends
    with :data:`ELLIPSIS` where the section was cut.
    """

    section: str
    text: str
    highlights: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape used by ``query --json``."""
        return {"section": self.section, "text": self.text, "highlights": [list(r) for r in self.highlights]}


def make_snippets(
    paper: Paper,
    terms: frozenset[str],
    analyzer: Analyzer,
    *,
    limit: int = 2,
    width: int = SNIPPET_CHARS,
) -> list[Snippet]:
    """Up to ``limit`` snippets of ``paper``, best first, from different sections.

    Sections with no query term are skipped; when no section has one (the paper matched
    by title or author), the opening of the first section is returned unhighlighted.
    """
    sections = [s for s in paper.sections if s.text.strip()]
    if not sections:
        return []
    found = analyzer.analyze_many([s.text for s in sections]) if terms else [[] for _ in sections]
    candidates = []
    for order, (section, section_terms) in enumerate(zip(sections, found)):
        ranges = _merge([(t.start, t.end) for t in section_terms if t.text in terms])
        matched = [(start, end, section.text[start:end]) for start, end in ranges]
        if matched:
            start, end = _best_window(section.text, matched, width)
            score = len({m[2] for m in matched if start <= m[0] and m[1] <= end})
            candidates.append((-score, order, _cut(section.name, section.text, start, end, ranges)))
    if not candidates:
        first = sections[0]
        return [_cut(first.name, first.text, 0, min(len(first.text), width), [])]
    return [snippet for _, _, snippet in sorted(candidates, key=lambda c: (c[0], c[1]))[:limit]]


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with overlapping ones merged (stacked terms share offsets)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _best_window(text: str, matched: Sequence[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """The ``width``-character window with the most distinct matched words, snapped to words."""
    if len(text) <= width:
        return 0, len(text)
    best = (-1, -1, 0)
    for i, (start, _, _) in enumerate(matched):
        inside = [m for m in matched[i:] if m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best[:2]:
            best = (*key, start)
    anchor = best[2]
    start = max(0, anchor - width // 4)
    space = text.rfind(" ", 0, start + 1)
    start = space + 1 if space > 0 and start - space < 20 else start
    end = min(len(text), start + width)
    space = text.find(" ", end)
    end = space if 0 < space and space - end < 20 else end
    return start, end


def _cut(section: str, text: str, start: int, end: int, ranges: Sequence[tuple[int, int]]) -> Snippet:
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    shift = len(prefix) - start
    highlights = tuple((s + shift, e + shift) for s, e in ranges if start <= s and e <= end)
    return Snippet(section, prefix + text[start:end] + suffix, highlights)
