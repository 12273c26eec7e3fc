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
only place that opens Tantivy indexes; Tantivy's bare ``ValueError`` / ``OSError`` become
:mod:`searchidx.errors` here.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import tantivy

from searchidx.errors import (
    REBUILD_HINT,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
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
    "build_lock",
    "create_generation_index",
    "new_generation",
    "write_meta",
    "publish",
    "tantivy_errors",
]

DEFAULT_INDEX_DIR = ".searchidx"
INDEX_ENV_VAR = "SEARCHIDX_INDEX"
META_FILE = "searchidx.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "build.lock"
GENERATION_PREFIX = "gen-"
#: Generations kept besides the current one, for readers that opened them earlier.
KEEP_PREVIOUS = 1


def resolve_index_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The index location: ``path``, else ``$SEARCHIDX_INDEX``, else ``./.searchidx``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(INDEX_ENV_VAR) or DEFAULT_INDEX_DIR)


def current_generation(root: Path) -> Path:
    """The generation directory ``CURRENT`` names; raises when there is no usable index."""
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if root.exists() and any(root.glob(GENERATION_PREFIX + "*")):
            raise IndexCorruptError(
                f"index at {root} has no {CURRENT_FILE} file; {REBUILD_HINT}", str(root)
            ) from None
        raise IndexNotFoundError(
            f"no index at {root}; build one with `searchidx build DIR`", str(root)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {root / CURRENT_FILE}: {exc}; {REBUILD_HINT}", str(root)) from exc
    if not name.startswith(GENERATION_PREFIX) or "/" in name or not (root / name).is_dir():
        raise IndexCorruptError(
            f"index at {root} names a missing generation {name!r}; {REBUILD_HINT}", str(root)
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
        index = tantivy.Index.open(str(generation))
        register_tokenizers(index)
    return index


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
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLockedError(
                f"another build is writing the index at {root}; wait for it to finish", str(root)
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_generation(root: Path) -> Path:
    """A fresh, empty generation directory (call with the build lock held)."""
    numbers = [_generation_number(p) for p in root.glob(GENERATION_PREFIX + "*")]
    path = root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def write_meta(generation: Path, meta: dict[str, Any]) -> None:
    """Write a generation's meta file, durably (call before :func:`publish`)."""
    _write_durably(generation / META_FILE, orjson.dumps({**meta, "format_version": FORMAT_VERSION}))


def publish(root: Path, generation: Path) -> None:
    """Make ``generation`` current in one atomic step, then drop generations no one needs."""
    _write_durably(root / CURRENT_FILE, generation.name.encode())
    keep = {generation.name}
    older = sorted(
        (p for p in root.glob(GENERATION_PREFIX + "*") if p.name != generation.name),
        key=_generation_number,
    )
    previous = [p for p in older if _generation_number(p) < _generation_number(generation)]
    keep.update(p.name for p in previous[-KEEP_PREVIOUS:])
    for path in older:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _write_durably(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _generation_number(path: Path) -> int:
    try:
        return int(path.name[len(GENERATION_PREFIX) :])
    except ValueError:
        return -1


@contextlib.contextmanager
def tantivy_errors(root: Path) -> Iterator[None]:
    """Translate Tantivy's bare exceptions into the searchidx family."""
    try:
        yield
    except ValueError as exc:
        if "LockBusy" in str(exc):
            raise IndexLockedError(f"the index at {root} is locked by another writer", str(root)) from exc
        raise IndexCorruptError(f"index at {root} is damaged ({_first_line(exc)}); {REBUILD_HINT}", str(root)) from exc
    except OSError as exc:
        raise IndexCorruptError(f"cannot read the index at {root} ({exc}); {REBUILD_HINT}", str(root)) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [exc.__class__.__name__])[0][:200]
