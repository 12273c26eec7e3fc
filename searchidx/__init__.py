"""searchidx: full-text search for Korean digests of Hugging Face Daily Papers.

The public API is the names in ``__all__``; everything else may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from searchidx.errors import (
    AnalysisError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexProblem,
    IndexVersionError,
    InputError,
    PaperNotFoundError,
    QueryError,
    SearchidxError,
)

if TYPE_CHECKING:
    from searchidx.highlight import Snippet
    from searchidx.parse import ParseResult, parse_paths
    from searchidx.records import Paper, ParseProblem, Section
    from searchidx.results import Hit, SearchResult
    from searchidx.search import SearchIndex, open_index
    from searchidx.writer import BuildReport, build

# Submodules load on first use, so a command pays only for what it runs (a query never
# imports the build machinery).
_LAZY = {
    "Paper": "records",
    "ParseProblem": "records",
    "Section": "records",
    "Hit": "results",
    "SearchIndex": "search",
    "SearchResult": "results",
    "open_index": "search",
    "Snippet": "highlight",
    "BuildReport": "writer",
    "build": "writer",
    "ParseResult": "parse",
    "parse_paths": "parse",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'searchidx' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"searchidx.{module}"), name)
    globals()[name] = value
    return value

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
    # The error family of searchidx.errors:
    "SearchidxError", "InputError", "QueryError", "PaperNotFoundError", "AnalysisError",
    "IndexProblem", "IndexNotFoundError", "IndexVersionError", "IndexCorruptError", "IndexLockedError",
]
