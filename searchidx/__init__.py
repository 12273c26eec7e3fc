"""searchidx: full-text search for Korean digests of Hugging Face Daily Papers.

The public API is the names in ``__all__``; everything else may change.
"""

from __future__ import annotations

from searchidx.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexProblem,
    IndexVersionError,
    InputError,
    QueryError,
    SearchidxError,
)
from searchidx.records import Paper, ParseProblem, Section

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Paper",
    "Section",
    "ParseProblem",
    "SearchidxError",
    "InputError",
    "QueryError",
    "IndexProblem",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexCorruptError",
    "IndexLockedError",
]
