"""The on-disk index: where it lives, how it is opened, and how a new build replaces it.

An index location is a directory holding numbered *generations*, each a complete Tantivy
index plus a ``searchidx.json`` meta file, and a ``CURRENT`` file naming the generation
that readers use::

    .searchidx/
        CURRENT            "gen-000007"
        build.lock         held (flock) by the build that is running, if any
        gen-000006/        the previous generation, kept for readers still using it
        gen-000007/        meta.json, segments, searchidx.json

A build writes a new generation beside the current one and then replaces ``CURRENT`` in
one atomic rename, so a build killed at any moment leaves the previous index usable and
readers see either the old or the new index, never a half-written one. This module is the
only place that opens Tantivy indexes; Tantivy's bare ``ValueError`` / ``OSError`` (and
its Rust panics) become :mod:`searchidx.errors` here.

Opening checks every segment file against the CRC-32 in its Tantivy footer first
(:mod:`searchidx.checksums`), so a damaged file is reported as "rebuild" instead of reaching
Tantivy's decoders, which may panic on bad bytes. Files are replaced durably, and a build or
an open can be stopped at a named stage for crash tests, by :mod:`searchidx.durable`.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson
import tantivy

from searchidx.checksums import verify_checksums
from searchidx.durable import disk_full, pause_point, write_durably
from searchidx.errors import (
    REBUILD_HINT,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexProblem,
    IndexVersionError,
)
from searchidx.fields import FORMAT_VERSION, build_schema, register_tokenizers

__all__ = [
    "DEFAULT_INDEX_DIR",
    "INDEX_ENV_VAR",
    "resolve_index_path",
    "current_generation",
    "read_meta",
    "open_generation",
    "open_current",
    "read_generation_file",
    "read_counts",
    "write_counts",
    "build_lock",
    "create_generation_index",
    "new_generation",
    "building",
    "write_meta",
    "publish",
    "publish_copy",
    "tantivy_errors",
]

DEFAULT_INDEX_DIR = ".searchidx"
INDEX_ENV_VAR = "SEARCHIDX_INDEX"
META_FILE = "searchidx.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "build.lock"
GENERATION_PREFIX = "gen-"
_GENERATION_NAME = re.compile(r"gen-\d{6,}")
#: How often :func:`open_current` starts again when builds replace the generation it opens.
OPEN_ATTEMPTS = 5


def resolve_index_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The index location: ``path``, else ``$SEARCHIDX_INDEX``, else ``./.searchidx``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(INDEX_ENV_VAR) or DEFAULT_INDEX_DIR)


def current_generation(root: Path) -> Path:
    """The generation directory ``CURRENT`` names; raises when there is no usable index."""
    name = _current_name(root)
    if name is None:
        if root.is_dir() and any(_generations(root)):
            raise IndexCorruptError(f"index at {root} has no {CURRENT_FILE} file; {REBUILD_HINT}", str(root))
        raise IndexNotFoundError(f"no index at {root}; build one with `searchidx build DIR`", str(root))
    if not _GENERATION_NAME.fullmatch(name) or not (root / name).is_dir():
        raise IndexCorruptError(
            f"index at {root} names a missing generation {name[:40]!r}; {REBUILD_HINT}", str(root)
        )
    return root / name


def read_meta(generation: Path) -> dict[str, Any]:
    """The ``searchidx.json`` of a generation, checked against this format version."""
    try:
        meta = orjson.loads((generation / META_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise IndexCorruptError(
            f"index at {generation.parent} is damaged ({META_FILE}: {exc.__class__.__name__}); "
            + REBUILD_HINT,
            str(generation.parent),
        ) from exc
    if not isinstance(meta, dict):
        raise IndexCorruptError(f"{generation / META_FILE} is not searchidx meta; {REBUILD_HINT}", str(generation))
    found = meta.get("format_version")
    if found != FORMAT_VERSION:
        raise IndexVersionError(str(generation.parent), found, FORMAT_VERSION)
    return meta


def open_generation(generation: Path) -> tantivy.Index:
    """Open the Tantivy index of a generation with the searchidx tokenizers registered."""
    with tantivy_errors(generation.parent):
        try:
            index = tantivy.Index.open(str(generation))
        except ValueError as exc:
            if "Lockfile" not in str(exc):
                raise
            index = _open_unwritable(generation)
        register_tokenizers(index)
    return index


def _open_unwritable(generation: Path) -> tantivy.Index:
    """Open a generation this process cannot write to (a read-only mount, a shared copy).

    Tantivy's reader creates and locks ``.tantivy-meta.lock`` in the index directory. Here
    it does so in a private directory of links to the generation's files, removed once the
    segments are loaded; the reader is made manual, as a published generation never changes.
    """
    view = Path(tempfile.mkdtemp(prefix="searchidx-view-"))
    try:
        for entry in generation.iterdir():
            if not entry.name.startswith(".tantivy-"):
                (view / entry.name).symlink_to(os.path.abspath(entry))
        index = tantivy.Index.open(str(view))
        index.config_reader("manual")
    finally:
        shutil.rmtree(view, ignore_errors=True)
    return index


def open_current(root: Path) -> tuple[Path, dict[str, Any], tantivy.Index]:
    """Open the current generation: its path, its meta and its verified Tantivy index.

    A reader can lose a race with builds: it reads ``CURRENT``, then two builds publish
    and remove the generation it named before it opens it. The open then starts again
    with the new ``CURRENT``; damage that stays put is raised.
    """
    for _ in range(OPEN_ATTEMPTS - 1):
        name = _current_name(root)
        try:
            return _open_current_once(root)
        except (IndexCorruptError, IndexVersionError):
            if _current_name(root) == name:
                raise
    return _open_current_once(root)


def _open_current_once(root: Path) -> tuple[Path, dict[str, Any], tantivy.Index]:
    generation = current_generation(root)
    pause_point("open")
    meta = read_meta(generation)
    verify_checksums(generation)
    return generation, meta, open_generation(generation)


def create_generation_index(generation: Path) -> tantivy.Index:
    """A new, empty Tantivy index in ``generation``."""
    with tantivy_errors(generation.parent):
        index = tantivy.Index(build_schema(), path=str(generation), reuse=False)
        register_tokenizers(index)
    return index


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold the location's build lock, or raise :class:`IndexLockedError` at once.

    The lock is an OS file lock: it is released when its process dies, so a killed build
    never blocks the next one.
    """
    with _writing(root):
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / LOCK_FILE, "a+b")  # noqa: SIM115 - closed by the block below
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLockedError(
                f"another build is writing the index at {root}; wait for it to finish", str(root)
            ) from None
        try:
            pause_point("locked")
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def building(root: Path) -> Iterator[Path]:
    """A new generation to write and publish inside the block (call with the build lock held).

    If the block fails before the generation is published, the half-written generation
    is removed, so a failed build leaves the disk as it found it and the previous index
    answering; a full disk, wherever Tantivy, SQLite or Python met it, is raised as one
    :class:`IndexProblem` naming it.
    """
    generation = new_generation(root)
    try:
        yield generation
    except BaseException as exc:
        if _current_name(root, strict=False) != generation.name:
            shutil.rmtree(generation, ignore_errors=True)
            # The failed writer's open files hold their disk space until it is freed: drop
            # the finished frames that keep it alive through the traceback.
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
        full = disk_full(exc)
        if full is not None:
            raise IndexProblem(
                f"no space left on device at {full or root}; the previous index is unchanged", str(root)
            ) from exc
        raise


def new_generation(root: Path) -> Path:
    """A fresh, empty generation directory (call with the build lock held).

    Generations above the current one were left by builds that died before publishing;
    no reader can use them, so they are removed first.
    """
    current = _current_name(root, strict=False)
    ceiling = _generation_number(root / current) if current else -1
    for path in _generations(root):
        if _generation_number(path) > ceiling or ceiling < 0:
            shutil.rmtree(path, ignore_errors=True)
    numbers = [_generation_number(p) for p in _generations(root)]
    path = root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"
    with _writing(root):
        path.mkdir(parents=True)
    return path


def write_meta(generation: Path, meta: dict[str, Any]) -> None:
    """Write a generation's meta file, durably (call before :func:`publish`)."""
    pause_point("committed")
    with _writing(generation.parent):
        write_durably(generation / META_FILE, orjson.dumps({**meta, "format_version": FORMAT_VERSION}))


def publish(root: Path, generation: Path) -> None:
    """Make ``generation`` current in one atomic step, then drop generations no one needs.

    The generation that was current until now is kept for readers that opened it (they
    go on answering from it; new readers and :meth:`SearchIndex.refresh` move on).
    """
    keep = {generation.name, _current_name(root, strict=False)}
    with _writing(root):
        write_durably(root / CURRENT_FILE, generation.name.encode(), stage="publish")
    pause_point("published")
    for path in _generations(root):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def publish_copy(root: Path, destination: Path) -> Path:
    """Copy the current generation of ``root`` to the index location ``destination`` and make it current there.

    A generation never changes once published, so replicas can serve copies of it: the
    copy is written and checked beside whatever ``destination`` serves now, then made
    current in one atomic step, as a build does. Returns the new generation directory.
    """
    source = current_generation(root)
    with build_lock(destination):
        generation = new_generation(destination)
        with _writing(destination):
            for path in sorted(source.iterdir()):
                if path.is_file():
                    shutil.copyfile(path, generation / path.name)
                    with open(generation / path.name, "rb") as handle:
                        os.fsync(handle.fileno())
        read_meta(generation)
        verify_checksums(generation)
        publish(destination, generation)
    return generation


def _current_name(root: Path, *, strict: bool = True) -> str | None:
    """What ``CURRENT`` says, or ``None`` when there is no such file.

    An unreadable ``CURRENT`` raises, unless ``strict`` is false (a build replaces it).
    """
    try:
        return (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        if not strict:
            return None
        raise IndexCorruptError(f"cannot read {root / CURRENT_FILE}: {exc}; {REBUILD_HINT}", str(root)) from exc


def _generations(root: Path) -> list[Path]:
    """The generation directories under ``root`` (other files there are left alone)."""
    try:
        return [p for p in root.iterdir() if _GENERATION_NAME.fullmatch(p.name) and p.is_dir()]
    except OSError:
        return []


_Loaded = TypeVar("_Loaded")


def read_generation_file(
    generation: Path, name: str, what: str, parse: Callable[[Any], _Loaded], absent: Callable[[], _Loaded]
) -> _Loaded:
    """``parse`` of the JSON file ``name`` of a generation, ``absent()`` if there is none.

    A file that cannot be read or parsed is reported as damage to the index, naming ``what``
    it holds ("the glossary").
    """
    try:
        return parse(orjson.loads((generation / name).read_bytes()))
    except FileNotFoundError:
        return absent()
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        message = f"{what} of the index at {generation.parent} is damaged ({exc.__class__.__name__}); {REBUILD_HINT}"
        raise IndexCorruptError(message, str(generation.parent)) from exc


def write_counts(generation: Path, name: str, counts: Mapping[str, Any]) -> None:
    """Keep counts a build read (a JSON object) in file ``name`` of a generation, durably."""
    write_durably(generation / name, orjson.dumps(counts))


def read_counts(generation: Path, name: str, make: Callable[[dict[str, Any]], _Loaded]) -> _Loaded | None:
    """``make`` of the counts :func:`write_counts` kept in file ``name`` of a generation;
    ``None`` when absent or unreadable (the next build then counts from scratch)."""
    try:
        counts = orjson.loads((generation / name).read_bytes())
        return make(counts) if isinstance(counts, dict) else None
    except (OSError, orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
        return None


def _generation_number(path: Path) -> int:
    return int(path.name[len(GENERATION_PREFIX) :]) if _GENERATION_NAME.fullmatch(path.name) else -1


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Turn a failure to write the index location (not a directory, read-only, disk full) into an error."""
    try:
        yield
    except OSError as exc:
        raise IndexProblem(
            f"cannot write the index at {root}: {exc.strerror or exc}; the previous index is unchanged", str(root)
        ) from exc


@contextlib.contextmanager
def tantivy_errors(root: Path) -> Iterator[None]:
    """Translate Tantivy's bare exceptions, and its Rust panics, into the searchidx family.

    Entered once per public call (:mod:`searchidx.search`, :func:`searchidx.writer.build`);
    a ``ValueError`` is damage, as callers' values are checked first (:mod:`searchidx.options`).
    pyo3 raises a panic as ``pyo3_runtime.PanicException``, a ``BaseException``; it is
    caught here, by name, and nowhere else.
    """
    try:
        yield
    except ValueError as exc:
        if "LockBusy" in str(exc):
            raise IndexLockedError(f"the index at {root} is locked by another writer", str(root)) from exc
        raise IndexCorruptError(f"index at {root} is damaged ({_first_line(exc)}); {REBUILD_HINT}", str(root)) from exc
    except OSError as exc:
        raise IndexCorruptError(f"cannot read the index at {root} ({exc}); {REBUILD_HINT}", str(root)) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise IndexCorruptError(f"index at {root} is damaged ({_first_line(exc)}); {REBUILD_HINT}", str(root)) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [exc.__class__.__name__])[0][:200]
