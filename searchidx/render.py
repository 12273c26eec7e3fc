"""Rendering results for people: hits as wrapped terminal text, bold or plain.

Snippets arrive as data (:class:`searchidx.highlight.Snippet`); this module only decides
how they look. Text from the index never reaches the terminal raw: control characters and
escape sequences in it are shown as U+FFFD (:func:`terminal_safe`), on a terminal or not.
Widths are counted in terminal columns, Hangul taking two, so Korean lines
wrap at the same edge as English ones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from searchidx.highlight import Snippet
from searchidx.results import Hit, SearchResult

__all__ = ["render_result", "render_snippet", "display_width", "wrap", "terminal_safe"]

BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
MAX_AUTHORS = 3
INDENT = "    "
#: Characters a terminal acts on instead of showing: C0 controls but the line break, DEL,
#: C1 controls, and the bidirectional overrides that reorder what is shown.
_UNSAFE = {
    code: "\ufffd"
    for code in (*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F,
                 *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on (escape sequences, backspace,
    bidirectional overrides) shown as U+FFFD, one for one, so offsets into it still hold."""
    return text.translate(_UNSAFE)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (Hangul, CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Break ``text`` into lines of at most ``width`` columns, as (start, end) offsets.

    Breaks at spaces where possible and inside a word only when the word alone is too
    wide, so offsets of highlighted ranges survive wrapping.
    """
    lines: list[tuple[int, int]] = []
    start, columns, last_space = 0, 0, -1
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            lines.append((start, i))
            start, columns, last_space = i + 1, 0, -1
            i += 1
            continue
        columns += display_width(ch)
        if ch == " ":
            last_space = i
        if columns > width and i > start:
            end = last_space if last_space > start else i
            lines.append((start, end))
            start = end + 1 if end == last_space else end
            columns = display_width(text[start : i + 1])
            last_space = -1
        i += 1
    if start < len(text):
        lines.append((start, len(text)))
    return lines


def render_snippet(snippet: Snippet, width: int, *, color: bool) -> Iterator[str]:
    """The lines of one snippet, highlights bold when ``color`` is on."""
    label = f"{terminal_safe(snippet.section)}: "
    text = label + terminal_safe(snippet.text)
    shift = len(label)
    marks = [(s + shift, e + shift) for s, e in snippet.highlights]
    for start, end in wrap(text, width - len(INDENT)):
        yield INDENT + _styled(text, start, end, marks, color)


def render_result(result: SearchResult, width: int, *, color: bool, offset: int = 0) -> Iterator[str]:
    """The lines shown for a search result: one block per hit and a closing count.

    A corrected query is said first, with what was typed.
    """
    if result.corrected_query is not None:
        yield f"showing results for {result.corrected_query} (typed as {result.query})"
        yield ""
    for rank, hit in enumerate(result.hits, start=offset + 1):
        yield from _render_hit(rank, hit, width, color)
        yield ""
    for note in result.notes:
        yield f"({terminal_safe(note)})"
    if result.expansions:
        added = ", ".join(f"{term} for {word}" for word, term, _ in result.expansions)
        yield f"(also searched: {terminal_safe(added)})"
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    yield f"{shown}{result.total} paper{'s' if result.total != 1 else ''}"


def _render_hit(rank: int, hit: Hit, width: int, color: bool) -> Iterator[str]:
    title = f"{rank:>2}. {terminal_safe(hit.title)}"
    for start, end in wrap(title, width):
        line = title[start:end]
        yield _bold(line, color) if start == 0 else INDENT + _bold(line, color)
    meta = terminal_safe(" · ".join(_meta(hit)))
    yield INDENT + (f"{DIM}{meta}{RESET}" if color else meta)
    yield INDENT + terminal_safe(hit.url)
    for snippet in hit.snippets:
        yield from render_snippet(snippet, width, color=color)


def _meta(hit: Hit) -> Iterable[str]:
    if hit.dates:
        yield ", ".join(d.isoformat() for d in hit.dates)
    yield f"{hit.votes} votes" if hit.votes is not None else "votes unknown"
    if hit.authors:
        more = f" +{len(hit.authors) - MAX_AUTHORS}" if len(hit.authors) > MAX_AUTHORS else ""
        yield ", ".join(hit.authors[:MAX_AUTHORS]) + more


def _bold(text: str, color: bool) -> str:
    return f"{BOLD}{text}{RESET}" if color else text


def _styled(text: str, start: int, end: int, marks: list[tuple[int, int]], color: bool) -> str:
    if not color:
        return text[start:end]
    out, cursor = [], start
    for s, e in marks:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(text[cursor:s] + BOLD + text[s:e] + RESET)
        cursor = e
    out.append(text[cursor:end])
    return "".join(out)
