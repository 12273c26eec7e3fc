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
from searchidx.search import Hit, SearchIndex, SearchResult, open_index
from searchidx.highlight import Snippet
from searchidx.writer import BuildReport, build
from searchidx.parse import ParseResult, parse_paths

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "build",
    "BuildReport",
    "open_index",
    "SearchIndex",
    "SearchResult",
    "Hit",
    "Snippet",
    "parse_paths",
    "ParseResult",
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
