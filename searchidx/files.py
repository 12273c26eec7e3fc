"""Digest files: which files a set of paths holds, and their bytes read and decoded into text.

:func:`find_digests` walks files and directories (every ``*.md``, hidden directories
skipped, symlinked directories followed once); :func:`read_limited` reads one regular file
of bounded size; :func:`decode_digest` decodes it (UTF-8 with or without BOM, UTF-16 with
BOM, else CP949/EUC-KR), line by line where lines differ, reporting the lines it repaired.
Nothing here knows the digest format: :mod:`searchidx.parse` turns the text into papers.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from searchidx.errors import InputError
from searchidx.records import ParseProblem

__all__ = ["MAX_FILE_BYTES", "find_digests", "read_limited", "decode_digest", "read_digest", "read_text"]

_LEGACY_ENCODING = "cp949"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_UNDECODABLE = "undecodable bytes removed"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Larger files are skipped as a problem (the biggest real digest is ~120 KB).
MAX_FILE_BYTES = 16 * 2**20


def read_digest(path: str | Path) -> str:
    """Decode a digest file: UTF-8 (BOM dropped), UTF-16 with a BOM, or legacy Korean CP949/EUC-KR.

    Decoding goes line by line where it must: a CP949 line inside a UTF-8 file is decoded
    as CP949, and undecodable bytes are removed from their line
    (:func:`searchidx.parse.parse_file` reports each such line, and lines holding NUL bytes,
    which :func:`searchidx.parse.parse_text` removes with the other control characters). Raises :class:`InputError` when the file
    cannot be read, is not a regular file, is larger than :data:`MAX_FILE_BYTES` (never
    read past that), or is binary.
    """
    return read_text(path)[0]


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


def read_text(path: str | Path) -> tuple[str, list[tuple[int, int, str]]]:
    """The decoded text of a digest file and its repaired lines as (first line, last line, what
    was done); :class:`InputError` as for :func:`read_digest`."""
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
    NUL bytes found (:func:`searchidx.parse.parse_text` removes them with the other control characters);
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
