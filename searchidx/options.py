"""What a search may be asked: sort orders, match modes, page bounds and facets, their
defaults, and the checks and date bounds that turn a caller's options into valid ones.

The CLI and the web server read their defaults and choices from here, so every layer offers
the same ones as :meth:`searchidx.search.SearchIndex.search`.
"""

from __future__ import annotations

import calendar
import datetime as _dt
from typing import Literal

from searchidx.errors import QueryError
from searchidx.query import MatchMode
from searchidx.records import MAX_VOTES
from searchidx.scoring import VOTE_WEIGHTS

__all__ = [
    "SortOrder",
    "SORT_ORDERS",
    "DEFAULT_SORT",
    "MATCH_MODES",
    "DEFAULT_MATCH",
    "DEFAULT_LIMIT",
    "FACETS",
    "VOTE_STEPS",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "check_options",
    "date_bound",
]

SortOrder = Literal["relevance", "votes", "date"]
SORT_ORDERS: tuple[str, ...] = ("relevance", "votes", "date")
DEFAULT_SORT: SortOrder = "relevance"
MATCH_MODES: tuple[str, ...] = ("all", "any", "blend")
#: How plain words combine by default (chosen on bench/queries.jsonl; see bench/RESULTS.md).
DEFAULT_MATCH: MatchMode = "blend"
#: Hits per page unless asked otherwise.
DEFAULT_LIMIT = 10
#: What :meth:`searchidx.search.SearchIndex.search` can count over every match: papers
#: listed in each month (what ``since``/``until`` spanning that month keeps), and papers with
#: at least N votes for each N of :data:`VOTE_STEPS` (what ``min_votes=N`` keeps).
FACETS: tuple[str, ...] = ("month", "votes")
VOTE_STEPS = (10, 50, 100)
MAX_LIMIT = 1000
MAX_OFFSET = 100_000


def check_options(
    text: str, limit: int, offset: int, sort: str, weight: float, match: str, min_votes: int | None
) -> None:
    """Raise :class:`QueryError` naming the first option of a search that is out of range."""
    if not text.strip():
        raise QueryError("the query is empty; give some words to search for")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}")
    if sort not in SORT_ORDERS:
        raise QueryError(f"sort must be one of {', '.join(SORT_ORDERS)}, not {sort!r}")
    if weight not in VOTE_WEIGHTS:
        supported = ", ".join(f"{w:g}" for w in VOTE_WEIGHTS)
        raise QueryError(f"vote weight {weight:g} is not supported; use one of {supported}")
    if match not in MATCH_MODES:
        raise QueryError(f"match must be one of {', '.join(MATCH_MODES)}, not {match!r}")
    if min_votes is not None and not 0 <= min_votes <= MAX_VOTES:
        raise QueryError(f"min votes must be 0 or more (at most {MAX_VOTES}), not {min_votes}")


def date_bound(value: str | _dt.date, *, end: bool) -> _dt.date:
    """A date from a ``date`` or a ``YYYY[-MM[-DD]]`` string; a partial date spans its period."""
    if isinstance(value, _dt.date):
        return value
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return _dt.date(numbers[0], 12, 31) if end else _dt.date(numbers[0], 1, 1)
        if len(numbers) == 2:
            year, month = numbers
            last = calendar.monthrange(year, month)[1]
            return _dt.date(year, month, last if end else 1)
        if len(numbers) == 3:
            return _dt.date(*numbers)
    except (ValueError, OverflowError):
        pass
    raise QueryError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
