"""The searchidx exception family.

Every error a user can cause derives from :class:`SearchidxError`, so a caller (and the CLI)
can catch one class and show one line::

    SearchidxError
    ├── InputError              a path to read does not exist or cannot be read
    ├── QueryError              a query or search option is not valid
    │   └── PaperNotFoundError  no paper with the arXiv id asked for
    ├── AnalysisError           Kiwi could not be loaded or run for a build
    └── IndexProblem            something is wrong with the on-disk index
        ├── IndexNotFoundError  no index at the given location
        ├── IndexVersionError   the index was written by another format version
        ├── IndexCorruptError   files inside the index are missing, truncated or foreign
        └── IndexLockedError    another build holds the index

Bad digest *entries* are not exceptions: the parser reports them as
:class:`searchidx.records.ParseProblem` records and goes on.
"""

from __future__ import annotations

__all__ = [
    "SearchidxError",
    "InputError",
    "QueryError",
    "PaperNotFoundError",
    "AnalysisError",
    "IndexProblem",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexCorruptError",
    "IndexLockedError",
]

REBUILD_HINT = "run `searchidx build DIR` again"


class SearchidxError(Exception):
    """Base class of every error searchidx raises on purpose."""


class InputError(SearchidxError):
    """Raised when a file or directory to read does not exist or cannot be read."""


class QueryError(SearchidxError):
    """Raised when a query string or a search option cannot be used."""


class PaperNotFoundError(QueryError):
    """Raised when the index holds no paper with the arXiv id asked for."""

    def __init__(self, arxiv_id: str) -> None:
        super().__init__(f"no paper with arXiv id {arxiv_id} in the index")
        self.arxiv_id = arxiv_id


class AnalysisError(SearchidxError):
    """Raised when a build's analysis stops: Kiwi could not load (a user word it refuses)
    or its process died."""


class IndexProblem(SearchidxError):
    """Base class of errors about the on-disk index."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class IndexNotFoundError(IndexProblem):
    """Raised when there is no index at the location to read."""


class IndexVersionError(IndexProblem):
    """Raised when the index was written with another format version."""

    def __init__(self, path: str, found: object, expected: object) -> None:
        super().__init__(
            f"index at {path} has format {found}, this searchidx reads {expected}; "
            + REBUILD_HINT,
            path,
        )
        self.found = found
        self.expected = expected


class IndexCorruptError(IndexProblem):
    """Raised when files inside the index are missing, truncated or not searchidx's."""


class IndexLockedError(IndexProblem):
    """Raised when another build is writing the same index."""
