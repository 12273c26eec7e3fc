"""What a search may be asked: sort orders, match modes, page bounds and facets, their
defaults, and the checks and date bounds that turn a caller's options into valid ones.

The CLI and the web server read their defaults and choices from here, so every layer offers
the same ones as :meth:`searchidx.search.SearchIndex.search`.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import Literal

from searchidx.errors import QueryError
from searchidx.fields import TEXT_FIELDS
from searchidx.query import DEFAULT_FIELD_WEIGHTS, MatchMode
from searchidx.records import MAX_VOTES
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS

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
    "day_range",
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
    text: str,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    sort: str = DEFAULT_SORT,
    vote_weight: float = DEFAULT_VOTE_WEIGHT,
    match: str = DEFAULT_MATCH,
    min_votes: int | None = None,
    field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
    expansion_weight: float = 0.0,
    coverage: float = 0.0,
    snippets: int = 0,
    facets: Sequence[str] = (),
) -> None:
    """Raise :class:`QueryError` naming the first option of a search that is out of range.

    Every value a caller gives is checked here, so that none reaches Tantivy as a field it
    does not have or a number of the wrong kind.
    """
    if not isinstance(text, str):
        raise QueryError(f"the query must be text, not {text!r}")
    if not text.strip():
        raise QueryError("the query is empty; give some words to search for")
    _check_whole("limit", limit, 1, MAX_LIMIT)
    _check_whole("offset", offset, 0, MAX_OFFSET)
    if sort not in SORT_ORDERS:
        raise QueryError(f"sort must be one of {', '.join(SORT_ORDERS)}, not {sort!r}")
    if vote_weight not in VOTE_WEIGHTS:
        supported = ", ".join(f"{w:g}" for w in VOTE_WEIGHTS)
        raise QueryError(f"vote_weight {vote_weight!r} is not supported; use one of {supported}")
    if match not in MATCH_MODES:
        raise QueryError(f"match must be one of {', '.join(MATCH_MODES)}, not {match!r}")
    if min_votes is not None:
        _check_whole("min_votes", min_votes, 0, MAX_VOTES)
    unknown = [name for name in field_weights if name not in TEXT_FIELDS]
    if unknown:
        raise QueryError(f"unknown field {unknown[0]!r} in field_weights; fields: {', '.join(TEXT_FIELDS)}")
    for name, weight in (*((f"field_weights[{k!r}]", w) for k, w in field_weights.items()),
                         ("expansion_weight", expansion_weight), ("coverage", coverage)):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight < math.inf:
            raise QueryError(f"{name} must be a number, 0 or more, not {weight!r}")
    _check_whole("snippets", snippets, 0, MAX_LIMIT)
    if isinstance(facets, str):
        raise QueryError(f"facets must be a sequence of names among {', '.join(FACETS)}, not {facets!r}")
    unknown = sorted(set(facets) - set(FACETS))
    if unknown:
        raise QueryError(f"facets must be among {', '.join(FACETS)}, not {', '.join(map(str, unknown))}")


def _check_whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low} and {high}, not {value}")


def day_range(since: str | _dt.date | None, until: str | _dt.date | None) -> tuple[_dt.date | None, _dt.date | None]:
    """The first and last day of papers to keep (``None``: no bound); a partial date spans its period."""
    first = None if since is None else date_bound(since, end=False)
    last = None if until is None else date_bound(until, end=True)
    if first is not None and last is not None and first > last:
        raise QueryError(f"since ({since}) is after until ({until})")
    return first, last


def date_bound(value: str | _dt.date, *, end: bool) -> _dt.date:
    """A date from a ``date`` or a ``YYYY[-MM[-DD]]`` string; a partial date spans its period."""
    if isinstance(value, _dt.date):
        return value
    try:
        numbers = [int(p) for p in value.strip().split("-")]
        if len(numbers) == 1:
            return _dt.date(numbers[0], 12, 31) if end else _dt.date(numbers[0], 1, 1)
        if len(numbers) == 2:
            year, month = numbers
            last = calendar.monthrange(year, month)[1]
            return _dt.date(year, month, last if end else 1)
        if len(numbers) == 3:
            return _dt.date(*numbers)
    except (ValueError, OverflowError, AttributeError):  # AttributeError: not a string
        pass
    raise QueryError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
