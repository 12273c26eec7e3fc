"""Durable writes: files replaced atomically and fsynced, and the crash-testing pause points.

Every file of an index location that must survive a crash (a generation's meta file and
tables, ``CURRENT``) is written with :func:`write_durably`. :func:`pause_point` stops the
process at a named stage of a build or an open when ``$SEARCHIDX_PAUSE_AT`` asks for it, so
tests can kill it there. :func:`disk_full` tells whether a failed write met a full disk.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path

__all__ = ["PAUSE_ENV_VAR", "write_durably", "pause_point", "disk_full"]

PAUSE_ENV_VAR = "SEARCHIDX_PAUSE_AT"


def write_durably(path: Path, data: bytes, *, stage: str = "") -> None:
    """Replace ``path`` with ``data`` atomically and durably (temporary file, fsync, rename).

    ``stage`` names a :func:`pause_point` between the write and the rename.
    """
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if stage:
        pause_point(stage)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def pause_point(stage: str) -> None:
    """Stop this process with SIGSTOP when ``$SEARCHIDX_PAUSE_AT`` names ``stage``.

    A crash-testing hook: a test starts a build or a query with the variable set, waits
    for the ``paused at STAGE`` line on stderr, and then kills the process (SIGKILL) or
    lets it go on (SIGCONT). Build stages, in order: ``locked``, ``analysing`` (after each
    analysed batch is indexed), ``committed``, ``publish`` (the new ``CURRENT.tmp`` is written
    but not renamed) and ``published``; ``open`` is a reader's, between reading ``CURRENT``
    and opening.
    """
    if os.environ.get(PAUSE_ENV_VAR) == stage:
        sys.stderr.write(f"searchidx: paused at {stage}\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSTOP)


def disk_full(exc: BaseException) -> str | None:
    """Where a full disk caused ``exc`` (a path, or "" when unknown), or ``None`` if it did not.

    The cause may be an ``OSError`` (Python's writes), a ``sqlite3.OperationalError`` (the
    lexicon), or a Tantivy error whose text carries the OS error, each perhaps wrapped.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for cause in chain:
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return os.fsdecode(cause.filename) if cause.filename else ""
    if any(marker in str(cause) for cause in chain for marker in DISK_FULL_MARKERS):
        return ""
    return None


#: How Tantivy and SQLite say the disk is full, in the text of their errors.
DISK_FULL_MARKERS = ("No space left on device", "os error 28", "database or disk is full", "Disk quota exceeded")
