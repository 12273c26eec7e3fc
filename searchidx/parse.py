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
* :func:`read_digest` decodes a file (UTF-8 with or without BOM, UTF-16 with BOM, else
  CP949/EUC-KR), line by line where lines differ;
* :func:`parse_paths` walks files and directories and merges entries into one paper per
  arXiv id.

Only regular files are read; files over :data:`MAX_FILE_BYTES` and lines over
:data:`MAX_LINE_CHARS` are skipped as problems, so memory and time stay bounded whatever
the input.

A bad entry or file never raises: it becomes a :class:`~searchidx.records.ParseProblem`
(``path:line: reason``) and the neighbours are kept. :func:`parse_paths` raises
:class:`~searchidx.errors.InputError` only for a path that does not exist.
"""

from __future__ import annotations

import ast
import codecs
import dataclasses
import datetime as _dt
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchidx.arxiv import arxiv_id_from_url, arxiv_url
from searchidx.errors import InputError
from searchidx.records import MAX_VOTES, Paper, ParseProblem, Section

__all__ = [
    "ParseResult",
    "parse_text",
    "read_digest",
    "read_limited",
    "decode_digest",
    "parse_file",
    "find_digests",
    "parse_paths",
]

SUMMARY = "summary"
"""Name of the section formed by plain (unnamed) bullets."""

_HEADING = re.compile(r"^(#{1,3})(?:\s|$|\[)")
_BLOCK_HEADER = re.compile(r"^##\s+Daily Papers\b(?:\s*\((?P<date>[^)]*)\))?")
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
_LEGACY_ENCODING = "cp949"
#: C0 controls but tab and line breaks, DEL, C1 controls: never digest text, and dangerous on a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_UNDECODABLE = "undecodable bytes removed"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Larger files are skipped as a problem (the biggest real digest is ~120 KB).
MAX_FILE_BYTES = 16 * 2**20
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
            if _HEADING.match(raw):
                close()  # an unreadable heading ends the entry before it; its own lines are dropped
            continue
        line = raw.strip()
        heading = _HEADING.match(raw)
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
                header = _BLOCK_HEADER.match(line)
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


def read_digest(path: str | Path) -> str:
    """Decode a digest file: UTF-8 (BOM dropped), UTF-16 with a BOM, or legacy Korean CP949/EUC-KR.

    Decoding goes line by line where it must: a CP949 line inside a UTF-8 file is decoded
    as CP949, and undecodable bytes are removed from their line (:func:`parse_file`
    reports each such line, and lines holding NUL bytes, which :func:`parse_text` removes
    with the other control characters). Raises :class:`InputError` when the file
    cannot be read, is not a regular file, is larger than :data:`MAX_FILE_BYTES` (never
    read past that), or is binary.
    """
    return _read(path)[0]


def read_limited(path: str | Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`; :class:`InputError` otherwise.

    A FIFO, a device or a directory is refused before it is read (a FIFO is opened
    non-blocking, so a missing writer cannot hang the caller), and a larger file, sparse or
    not, is refused by its size.
    """
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode):
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
            with open(descriptor, "rb") as handle:
                info = os.fstat(descriptor)  # what was opened, should the path have changed
                data = handle.read(MAX_FILE_BYTES + 1) if stat.S_ISREG(info.st_mode) else b""
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    if info.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB, too big for a digest")
    return data


def _read(path: str | Path) -> tuple[str, list[tuple[int, int, str]]]:
    """The decoded text and its repaired lines as (first line, last line, what was done)."""
    data = read_limited(path)
    text, repairs = decode_digest(data)
    damaged = sum(last - first + 1 for first, last, _ in repairs)
    if damaged and damaged * 2 > max(1, sum(1 for line in text.split("\n") if line.strip())):
        raise InputError(f"{path}: binary data, not a text digest")
    return text, repairs


def decode_digest(data: bytes) -> tuple[str, list[tuple[int, int, str]]]:
    """Decode digest bytes, repairing only the lines that need it.

    Returns the text (line breaks normalised to ``\\n``) and the repairs as (first line,
    last line, what was done): undecodable bytes removed, a line in the other encoding, or
    NUL bytes found (:func:`parse_text` removes them with the other control characters);
    consecutive lines with the same repair are reported together.
    """
    wide = data.decode("utf-16", errors="replace") if data.startswith(_UTF16_BOMS) else ""
    if "\n" in wide:  # a text file, not bytes that happen to start like a BOM
        lines = [_utf16_line(line) for line in _split(wide)]
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raw_lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            legacy = _looks_legacy(raw_lines)
            lines = [_decode_line(line, legacy) for line in raw_lines]
        else:
            if "\x00" not in text:
                return text, []
            lines = [(line, None) for line in _split(text)]
    repairs: list[tuple[int, int, str]] = []
    out = []
    for number, (line, reason) in enumerate(lines, start=1):
        if "\x00" in line:
            reason = reason or "NUL bytes removed"
        out.append(line)
        if reason is None:
            continue
        if repairs and repairs[-1][1] == number - 1 and repairs[-1][2] == reason:
            repairs[-1] = (repairs[-1][0], number, reason)
        else:
            repairs.append((number, number, reason))
    return "\n".join(out), repairs


def _split(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _utf16_line(line: str) -> tuple[str, str | None]:
    if "\ufffd" in line:
        return line.replace("\ufffd", ""), _UNDECODABLE
    return line, None


def _looks_legacy(lines: list[bytes]) -> bool:
    """Whether a file that is not all UTF-8 is a CP949 file: most of its non-ASCII lines are not UTF-8."""
    sound = broken = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            sound += 1
        except UnicodeDecodeError:
            broken += 1
    return broken > sound


def _decode_line(line: bytes, legacy: bool) -> tuple[str, str | None]:
    """One line of a file that is not all UTF-8: in the file's encoding if it can be, else
    in the other one (when that gives Korean), else with its undecodable bytes removed."""
    native, other = (_LEGACY_ENCODING, "utf-8") if legacy else ("utf-8", _LEGACY_ENCODING)
    try:
        return line.decode(native), None
    except UnicodeDecodeError:
        pass
    try:
        text = line.decode(other)
    except UnicodeDecodeError:
        pass
    else:
        if _HANGUL.search(text):
            return text, f"{'UTF-8' if legacy else 'CP949'} text in a {'CP949' if legacy else 'UTF-8'} file, decoded as such"
    return line.decode(native, errors="replace").replace("\ufffd", ""), _UNDECODABLE


def parse_file(path: str | Path) -> tuple[list[Paper], list[ParseProblem]]:
    """Read and parse one digest file; an unreadable, binary or empty file is a problem.

    Lines that needed repair are reported with their line numbers; their entries are kept.
    """
    name = str(path)
    try:
        text, repairs = _read(path)
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


def find_digests(paths: Iterable[str | Path]) -> tuple[list[Path], list[ParseProblem]]:
    """Every file to read, each once, and the problems of the walk.

    Given files are taken as they are; under given directories, every ``*.md`` that is not
    a directory. Hidden directories are skipped; symlinked directories are followed once
    each, so a link loop ends. A directory that cannot be listed, and a symbolic link that
    leads outside the given directories, are skipped as problems. Raises
    :class:`InputError` when a given path does not exist.
    """
    roots = [Path(p) for p in paths]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise InputError(f"no such file or directory: {', '.join(missing)}")
    inside = tuple(os.path.realpath(root) for root in roots if root.is_dir())
    seen: set[str] = set()
    files: list[Path] = []
    problems: list[ParseProblem] = []
    for root in roots:
        if not root.is_dir():
            found = [root]
        else:
            found = sorted(_markdown_under(root, inside, problems), key=lambda file: file.relative_to(root).parts)
        files.extend(file for file in found if _first_visit(file, seen))
    return files, problems


def _markdown_under(root: Path, inside: tuple[str, ...], problems: list[ParseProblem]) -> Iterator[Path]:
    def unreadable(error: OSError) -> None:
        problems.append(ParseProblem(str(error.filename), 0, f"skipped: cannot read directory: {error.strerror}"))

    def leaves(path: str) -> bool:
        if not os.path.islink(path):
            return False
        real = os.path.realpath(path)
        if any(real == top or real.startswith(top.rstrip(os.sep) + os.sep) for top in inside):
            return False
        problems.append(ParseProblem(path, 0, f"skipped: symbolic link to {real}, outside the directories to read"))
        return True

    visited_dirs: set[str] = set()
    for top, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        real_top = os.path.realpath(top)
        if real_top in visited_dirs:
            dirnames.clear()
            continue
        visited_dirs.add(real_top)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not leaves(os.path.join(top, d))]
        for name in filenames:
            # Anything but a directory: reading a FIFO, a device or a broken link reports why it was skipped.
            if name.lower().endswith(".md") and not leaves(os.path.join(top, name)):
                yield Path(top, name)


def _first_visit(file: Path, seen: set[str]) -> bool:
    real = os.path.realpath(file)
    if real in seen:
        return False
    seen.add(real)
    return True
