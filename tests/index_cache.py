"""Indexes built for tests once, then reused by later runs until something they depend on changes.

An entry is keyed by a hash of everything the index is a function of: every file of the
``searchidx`` package (code, ``userdict.txt``, static files), the installed Kiwi, Kiwi model
and Tantivy versions, and the absolute path and content of every source file. It lives in
``$SEARCHIDX_TEST_CACHE``, else ``$XDG_CACHE_HOME/searchidx-tests``, else
``~/.cache/searchidx-tests``. An entry is built in a staging directory and renamed into
place, so a run killed mid-build leaves no half entry; a lock file beside each entry makes
concurrent runs (or parallel test workers) build it once. Entries unused for a day are removed.

Cached indexes are shared by every test and every later run: tests read them and never write
them (copy one with :func:`shutil.copytree` to change it). :func:`unchanged` lets a fixture
check that at teardown.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import searchidx
from searchidx.writer import build

CACHE_ENV = "SEARCHIDX_TEST_CACHE"
ENGINES = ("kiwipiepy", "kiwipiepy_model", "tantivy")
UNUSED_SECONDS = 24 * 3600
STAGING_SECONDS = 3600


def cache_root() -> Path:
    """Where cached indexes live (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "searchidx-tests"


@functools.cache
def _code_key() -> str:
    """Hash of the package's files and the engines' versions: what turns digests into an index."""
    package = Path(searchidx.__file__).resolve().parent
    digest = hashlib.sha256()
    for dist in ENGINES:
        digest.update(f"{dist}=={version(dist)}\0".encode())
    digest.update(_tree_hash(package))
    return digest.hexdigest()


def _tree_hash(root: Path) -> bytes:
    """Hash of the path (relative to ``root``) and content of every file at or under ``root``."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(os.fsencode(path.relative_to(root)) + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def index_key(sources: Sequence[Path]) -> str:
    """The cache key of an index of ``sources`` built by the installed package."""
    digest = hashlib.sha256(_code_key().encode())
    for source in sources:  # the index's manifest records each file's absolute path
        digest.update(os.fsencode(os.path.abspath(source)) + b"\0" + _tree_hash(source))
    return digest.hexdigest()[:32]


def cached_index(sources: Sequence[Path], analyzer) -> Path:
    """The directory of an index of ``sources``: reused when cached, else built and cached."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    entry = root / f"index-{index_key(sources)}"
    with open(root / f"{entry.name}.lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a parallel test worker waits for the index instead of building it too
        if not entry.is_dir():
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
            try:
                build(sources, staging / "index", analyzer=analyzer)
                os.rename(staging / "index", entry)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    os.utime(entry)  # marks the entry as used
    _evict(root)
    return entry


def _evict(root: Path) -> None:
    now = time.time()
    for path in root.iterdir():
        age = now - path.stat().st_mtime
        if (path.name.startswith("index-") and age > UNUSED_SECONDS) or (
            path.name.startswith(".staging-") and age > STAGING_SECONDS
        ):
            if path.is_file():
                path.unlink(missing_ok=True)  # an entry's lock file
            else:
                shutil.rmtree(path, ignore_errors=True)


def tree_state(root: Path) -> list[tuple[str, int, int]]:
    """Every file under ``root`` with its size and modification time."""
    files = [path for path in root.rglob("*") if not path.is_dir()]
    return sorted((str(path.relative_to(root)), (stat := path.lstat()).st_size, stat.st_mtime_ns) for path in files)


def unchanged(entry: Path, before: list[tuple[str, int, int]]) -> None:
    """Fail, and drop the entry, if a test wrote the cached index at ``entry``."""
    if tree_state(entry) != before:
        shutil.rmtree(entry, ignore_errors=True)
        raise AssertionError(f"a test wrote the cached index at {entry}; copy it with shutil.copytree to change it")
