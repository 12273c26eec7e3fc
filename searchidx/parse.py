"""Parsing: Daily Papers digests (markdown) -> :class:`~searchidx.records.Paper` records.

A digest holds one or more ``## Daily Papers (YYYY-MM-DD)`` blocks; each ``### [title](arXiv
link)`` heading inside a block starts an *entry*, followed by optional metadata lines
(thumbnail image, ``[Watch Video]`` link, ``Vote: N``, ``Authors: ...``) and bullets that
become named :class:`~searchidx.records.Section` texts. Every format the publisher used over
time is read (see ``tests/fixtures/digests``). Text outside the ``## Daily Papers`` blocks of a
file that has other ``##`` sections (a README's description, License, Citation) is not papers.

Three layers, each usable on its own:

* :func:`parse_text` turns one digest's text into entries (one :class:`Paper` each, with the
  entry's single date) and the problems met;
* :func:`parse_file` parses one file, read and decoded by :mod:`searchidx.files` (UTF-8 with
  or without BOM, UTF-16 with BOM, else CP949/EUC-KR, line by line where lines differ);
* :func:`parse_paths` parses every file :func:`searchidx.files.find_digests` finds under
  files and directories and merges entries into one paper per arXiv id.

Only regular files are read; files over :data:`searchidx.files.MAX_FILE_BYTES` and lines
over :data:`MAX_LINE_CHARS` are skipped as problems, so memory and time stay bounded whatever
the input.

A bad entry or file never raises: it becomes a :class:`~searchidx.records.ParseProblem`
(``path:line: reason``) and the neighbours are kept. :func:`parse_paths` raises
:class:`~searchidx.errors.InputError` only for a path that does not exist.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as _dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from searchidx.arxiv import arxiv_id_from_url, arxiv_url
from searchidx.errors import InputError
from searchidx.files import find_digests, read_text
from searchidx.records import MAX_VOTES, Paper, ParseProblem, Section

__all__ = ["ParseResult", "HEADING", "MAX_LINE_CHARS", "parse_text", "parse_file", "parse_files", "parse_paths"]

SUMMARY = "summary"
"""Name of the section formed by plain (unnamed) bullets."""

#: A markdown heading of level 1 to 3: what ends an entry (level 3 starts the next one).
HEADING = re.compile(r"^(#{1,3})(?:\s|$|\[)")
_BLOCK_HEADER = re.compile(r"^##\s+Daily\s+Papers\b(?:\s*\((?P<date>[^)]*)\))?")
_ENTRY_HEADING = re.compile(r"^###\s*\[(?P<title>.*)\]\((?P<url>[^()\s]*)\)\s*$")
_IMAGE = re.compile(r"^!\[[^\]]*\]\((?P<url>[^)\s]+)\)")
_WATCH_VIDEO = re.compile(r"^\[Watch Video\]\(?(?P<url>[^)\s]+)\)?")
_VIDEO_TAG = re.compile(r"<video\b[^>]*?\ssrc=[\"'](?P<url>[^\"']+)[\"']", re.IGNORECASE)
_BULLET = re.compile(r"^[-*]\s+(?P<text>.*)$")
# The name ends at its last non-space character, so there is one way to split a line and a
# long run of spaces cannot make matching quadratic.
_NAMED_BULLET = re.compile(
    r"^\*{2,3}(?P<name>[^*:]*[^*:\s])\s*(?::\s*\*{1,3}|\*{1,3}\s*:)\s*(?P<text>.*)$"
)
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:\.md)?$", re.IGNORECASE)
_TRUNCATED = "+"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
#: C0 controls but tab and line breaks, DEL, C1 controls: never digest text, and dangerous on a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Longer lines are skipped as a problem (the longest real line is ~10,000 characters);
#: Kiwi slows down more than linearly on very long runs of text without spaces.
MAX_LINE_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What :func:`parse_paths` read: distinct papers, problems and counts.

    ``files`` counts digest files opened, ``entries`` the paper entries found in them;
    ``duplicates`` is how many entries were merged into a paper seen before.
    """

    papers: tuple[Paper, ...]
    problems: tuple[ParseProblem, ...]
    files: int
    entries: int

    @property
    def duplicates(self) -> int:
        """Entries that repeated an arXiv id already read."""
        return self.entries - len(self.papers)


@dataclass(slots=True)
class _Entry:
    """An entry being read; frozen into a :class:`Paper` at its end."""

    arxiv_id: str
    url: str
    title: str
    date: _dt.date | None
    authors: tuple[str, ...] = ()
    votes: int | None = None
    thumbnail: str | None = None
    video: str | None = None
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    open_lines: list[str] | None = None  # text lines of the bullet being continued

    def add_bullet(self, text: str) -> None:
        named = _NAMED_BULLET.match(text)
        if named:
            self.open_lines = [named["text"]]
            self.sections.append((named["name"].strip().translate(_APOSTROPHES), self.open_lines))
            return
        summary = next((lines for name, lines in self.sections if name == SUMMARY), None)
        if summary is None:
            summary = []
            self.sections.append((SUMMARY, summary))
        summary.append(text)
        self.open_lines = summary

    def add_continuation(self, text: str) -> None:
        if self.open_lines is None:
            self.add_bullet(text)
        else:
            self.open_lines.append(text)

    def paper(self) -> Paper:
        texts = ((name, "\n".join(line for line in lines if line)) for name, lines in self.sections)
        return Paper(
            arxiv_id=self.arxiv_id,
            url=self.url,
            title=self.title,
            authors=self.authors,
            votes=self.votes,
            dates=(self.date,) if self.date else (),
            sections=tuple(Section(name, text) for name, text in texts if text),
            thumbnail=self.thumbnail,
            video=self.video,
        )


def parse_text(text: str, path: str = "<text>") -> tuple[list[Paper], list[ParseProblem]]:
    """Parse one digest's text into its entries, in source order, and the problems met.

    Each entry becomes one :class:`Paper` whose ``dates`` holds the entry's date: the
    enclosing ``## Daily Papers (YYYY-MM-DD)`` header, else a ``YYYY/MM/DD(.md)`` ending of
    ``path``, else none. ``path`` is also what problems name. Control characters (but tabs)
    are removed: they are never digest text.
    """
    path_date = _date_from_path(path)
    papers: list[Paper] = []
    problems: list[ParseProblem] = []
    in_papers = True  # text before any ``##`` heading may hold entries (dated by path)
    block_date = path_date
    entry: _Entry | None = None  # None also inside a rejected entry: its lines are dropped

    def close() -> None:
        nonlocal entry
        if entry is not None:
            papers.append(entry.paper())
        entry = None

    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):  # never text, and unsafe on a terminal; real digests hold stray "\b" and "\f"
        text = _CONTROL.sub("", text)
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_CHARS:
            reason = f"line of {len(raw):,} characters skipped (limit {MAX_LINE_CHARS:,})"
            problems.append(ParseProblem(path, number, reason))
            if HEADING.match(raw):
                close()  # an unreadable heading ends the entry before it; its own lines are dropped
            continue
        line = raw.strip()
        heading = HEADING.match(raw)
        if heading:
            close()
            level = len(heading[1])
            if level == 3:
                if in_papers:
                    entry, problem = _start_entry(line, number, path, block_date)
                    if problem:
                        problems.append(problem)
                continue
            in_papers, block_date = True, path_date  # a "#" title starts afresh
            if level == 2:
                header, problem = _block_header(line, number, path)
                if problem:
                    problems.append(problem)
                in_papers = header is not None
                if header and header["date"] is not None:
                    try:
                        block_date = _dt.date.fromisoformat(header["date"].strip())
                    except ValueError:
                        problems.append(ParseProblem(path, number, f"bad date in header: {line!r}"))
            continue
        if entry is None or not line:
            continue
        entry_problem = _read_entry_line(entry, line, raw)
        if entry_problem:
            problems.append(ParseProblem(path, number, entry_problem))
    close()
    return papers, problems


#: What a block header never holds: a stray tab or non-ASCII character there is damage, not a
#: different heading (every real header is ASCII), so it is read past rather than losing the block.
_NOT_HEADER_TEXT = re.compile(r"[^\x20-\x7e]")


def _block_header(line: str, number: int, path: str) -> tuple[re.Match[str] | None, ParseProblem | None]:
    """A ``## Daily Papers (date)`` header, read past stray characters (reported), or None for another ``##``."""
    header = _BLOCK_HEADER.match(line)
    if header is not None or not _NOT_HEADER_TEXT.search(line):
        return header, None
    header = _BLOCK_HEADER.match(_NOT_HEADER_TEXT.sub("", line))
    if header is None:
        return None, None
    return header, ParseProblem(path, number, f"stray characters in header, read as {header.string!r}")


def _start_entry(
    line: str, number: int, path: str, date: _dt.date | None
) -> tuple[_Entry | None, ParseProblem | None]:
    """Open an entry from a ``### [title](link)`` heading, or say why it cannot be one."""
    heading = _ENTRY_HEADING.match(line)
    if heading is None:
        shape = "is not '### [title](link)'" if "](" in line else "has no link"
        return None, ParseProblem(path, number, f"entry heading {shape}: {line!r}")
    arxiv_id = arxiv_id_from_url(heading["url"])
    if arxiv_id is None:
        return None, ParseProblem(
            path, number, f"entry link is not an arXiv paper: {heading['url']!r}"
        )
    title = heading["title"].strip()
    if not title:
        return None, ParseProblem(path, number, "entry heading has an empty title")
    return _Entry(arxiv_id, arxiv_url(arxiv_id), title, date), None


def _read_entry_line(entry: _Entry, line: str, raw: str) -> str | None:
    """Apply one non-empty line to ``entry``; return a problem's reason or ``None``."""
    if raw[0].isspace() and entry.open_lines is not None:
        entry.add_continuation(line)  # nested bullet or indented text under a bullet
        return None
    bullet = _BULLET.match(line)
    if bullet:
        entry.add_bullet(bullet["text"].strip())
        return None
    if line.startswith("Vote:"):
        value = line.removeprefix("Vote:").strip()
        if value in ("-", ""):
            entry.votes = None
        elif value.isascii() and value.isdigit():
            if len(value) > len(str(MAX_VOTES)) or int(value) > MAX_VOTES:
                return f"vote count {value[:30]} is beyond {MAX_VOTES:,}"
            entry.votes = int(value)
        else:
            return f"vote count is not a number: {value!r}"
        return None
    if line.startswith("Authors:"):
        entry.authors = _authors(line.removeprefix("Authors:").strip())
        return None
    image = _IMAGE.match(line)
    if image:
        entry.thumbnail = entry.thumbnail or image["url"]
        return None
    video = _WATCH_VIDEO.match(line) or _VIDEO_TAG.search(line)
    if video:
        entry.video = entry.video or video["url"]
        return None
    entry.add_continuation(line)
    return None


def _authors(value: str) -> tuple[str, ...]:
    """Author names from a comma list or a Python list literal; ``+`` and repeats dropped."""
    if value.startswith("[") and value.endswith("]"):
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            literal = None
        if isinstance(literal, list) and all(isinstance(n, str) for n in literal):
            names: Iterable[str] = literal
        else:  # not valid Python, e.g. an unescaped quote inside a name
            names = (name.strip().strip("'\"") for name in value[1:-1].split(","))
    else:
        names = value.split(",")
    seen: dict[str, None] = {}
    for name in names:
        name = " ".join(name.split())
        if name and name != _TRUNCATED:
            seen.setdefault(name)
    return tuple(seen)


def _date_from_path(path: str) -> _dt.date | None:
    """The date of a ``YYYY/MM/DD(.md)`` path ending, or ``None``."""
    match = _PATH_DATE.search(path.replace(os.sep, "/"))
    if match is None:
        return None
    try:
        return _dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_file(path: str | Path) -> tuple[list[Paper], list[ParseProblem]]:
    """Read and parse one digest file; an unreadable, binary or empty file is a problem.

    Lines that needed repair are reported with their line numbers; their entries are kept.
    """
    name = str(path)
    try:
        text, repairs = read_text(path)
    except InputError as exc:
        return [], [ParseProblem(name, 0, "skipped: " + str(exc).removeprefix(f"{name}: "))]
    if not text.strip():
        return [], [ParseProblem(name, 0, "skipped: empty file")]
    papers, problems = parse_text(text, name)
    repaired = [
        ParseProblem(name, first, reason + (f" (lines {first}-{last})" if last > first else ""))
        for first, last, reason in repairs
    ]
    problems = sorted([*repaired, *problems], key=lambda problem: problem.line)
    if not papers and not problems:
        problems.append(ParseProblem(name, 0, "no paper entries found"))
    return papers, problems


def parse_paths(paths: Iterable[str | Path]) -> ParseResult:
    """Parse files and directories (recursively, every ``*.md``) into one record per paper.

    Files are read in the given order, each directory's files sorted by path; a file reached
    twice (overlapping arguments, symlinks) is read once. A paper that appears in several
    entries is merged: ``dates`` = all its dates, sorted; every other field comes from its
    latest appearance (by date, then reading order). Papers keep first-appearance order.

    Problems of the walk (see :func:`find_digests`) come first. Raises
    :class:`InputError` when a given path does not exist.
    """
    files, problems = find_digests(paths)
    parsed = parse_files(files)
    return dataclasses.replace(parsed, problems=(*problems, *parsed.problems))


def parse_files(files: Sequence[Path]) -> ParseResult:
    """Parse ``files``, already found and each named once (:func:`find_digests`), as
    :func:`parse_paths` does."""
    problems: list[ParseProblem] = []
    latest: dict[str, tuple[tuple[_dt.date, int], Paper]] = {}
    dates: dict[str, set[_dt.date]] = {}
    entries = 0
    for file in files:
        papers, file_problems = parse_file(file)
        problems.extend(file_problems)
        for paper in papers:
            entries += 1
            rank = (paper.date or _dt.date.min, entries)
            known = latest.get(paper.arxiv_id)
            if known is None or rank >= known[0]:
                latest[paper.arxiv_id] = (rank, paper)
            dates.setdefault(paper.arxiv_id, set()).update(paper.dates)
    merged = tuple(
        _with_dates(paper, dates[arxiv_id]) for arxiv_id, (_, paper) in latest.items()
    )
    return ParseResult(merged, tuple(problems), len(files), entries)


def _with_dates(paper: Paper, dates: set[_dt.date]) -> Paper:
    return dataclasses.replace(paper, dates=tuple(sorted(dates)))


