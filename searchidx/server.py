"""The search page and the JSON API as a WSGI application.

Routes (GET or HEAD only; anything else is a JSON error)::

    /, /paper/ARXIV_ID         the search page and a paper's page (searchidx/static/index.html)
    /static/app.js, style.css  their script and style sheet
    /api/config                the defaults and choices of the search options
    /api/search?q=TEXT&...     the document of ``searchidx query --json``
    /api/papers/ARXIV_ID       one paper (schema/paper.schema.json)
    /api/similar/ARXIV_ID      the document of ``searchidx similar --json`` (``limit``)
    /feed.atom?q=TEXT&...      an Atom feed of the newest papers matching a search

``/api/search`` takes the options of ``searchidx query`` as parameters (``q``, ``limit``,
``offset``, ``since``, ``until``, ``min_votes``, ``sort``, ``vote_weight``, ``match``,
``expand``), ``facets`` (``month``, ``votes``, comma-separated) and ``prefix`` (the last
word matches as the start of words, for results as one types); this module only turns
the strings into numbers, and :meth:`SearchIndex.search` validates the values, so the API
and the CLI accept and reject the same things. ARXIV_ID takes any form a query accepts
(``2406.11430v2``, ``arXiv:2406.11430``, an arXiv or Hugging Face URL). Errors are JSON
``{"error": "..."}``: 400 for a bad query or parameter, 404 for an unknown path or paper,
503 when the index cannot be read.

:func:`create_app` returns a plain WSGI application, so any WSGI server can run it; many
worker processes (``gunicorn -w 2 'searchidx.server:create_app("IDX")'``) each open the
index and answer on their own. ``searchidx serve`` runs the same application on the
standard library's :mod:`wsgiref` server with a thread per request, for one local user
without extra dependencies (:mod:`searchidx.serve`); the feed is written by
:mod:`searchidx.feed`. Safety rests on a few rules: requests must name an allowed
host (by default only exact loopback names and addresses, a guard against DNS rebinding);
request bodies are refused; ``limit`` and the query length are capped; corpus text leaves
only as JSON strings, which the page inserts as text nodes, under a
Content-Security-Policy that forbids inline script.

Each request first calls :meth:`SearchIndex.refresh` (one small file read), so every
worker serves a rebuilt index from its next request on, without a restart. Within one
process requests use the index one at a time, because a refresh must not swap the
searcher under a search that is still reading hits; processes share nothing.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

import orjson

from searchidx.errors import IndexProblem, PaperNotFoundError, QueryError
from searchidx.feed import atom_feed
from searchidx.options import DEFAULT_LIMIT, DEFAULT_MATCH, DEFAULT_SORT, FACETS, MATCH_MODES, SORT_ORDERS
from searchidx.results import SearchResult
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS
from searchidx.search import SearchIndex, open_index

__all__ = [
    "MAX_API_LIMIT",
    "MAX_QUERY_CHARS",
    "SearchApp",
    "create_app",
    "is_loopback_host",
    "search_options",
]

#: Most hits one API request may ask for.
MAX_API_LIMIT = 100
#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1000
#: Host names a loopback-only application answers (besides loopback addresses).
LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
#: ``hosts`` entry that lets an application answer requests for any host name.
ANY_HOST = "*"

#: Page sizes the search page offers.
PAGE_SIZES = (10, 20, 50)
#: Entries in an Atom feed unless ``limit`` says otherwise.
FEED_LIMIT = 30

SEARCH_PARAMS = (
    "q", "limit", "offset", "since", "until", "min_votes", "sort", "vote_weight", "match", "expand", "facets", "prefix",
    "explain",
)
_INTEGER_PARAMS = frozenset({"limit", "offset", "min_votes"})
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
#: A Host header: a name or an IPv4 address, or an IPv6 address in brackets; then maybe a port.
_HOST_HEADER = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::[0-9]{1,5})?")

JSON = "application/json"
#: URL path -> (file in searchidx/static, content type).
STATIC_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


class HTTPError(Exception):
    """A request that gets a JSON error response instead of a result."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True, slots=True)
class Response:
    """What the application answers: status, body, content type and extra headers."""

    status: HTTPStatus
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def search_options(query_string: str) -> tuple[str, dict[str, Any]]:
    """The query text and :meth:`SearchIndex.search` options of an ``/api/search`` request.

    Empty values count as not given (as an HTML form sends them). Raises
    :class:`QueryError` for unknown or repeated parameters, non-numbers where numbers are
    due, and values beyond the API's caps.
    """
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=2 * len(SEARCH_PARAMS))
    except ValueError:
        raise QueryError("too many parameters") from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in SEARCH_PARAMS:
            raise QueryError(f"unknown parameter {name!r}; use {', '.join(SEARCH_PARAMS)}")
        if name in values:
            raise QueryError(f"parameter {name!r} is given more than once")
        values[name] = value
    text = values.pop("q", "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    options: dict[str, Any] = {}
    for name, value in values.items():
        if not value:
            continue
        if name in _INTEGER_PARAMS or name == "vote_weight":
            options[name] = _number(name, value)
        elif name in ("expand", "prefix", "explain"):
            if value.lower() not in _BOOLEANS:
                raise QueryError(f"{name} must be true or false, not {value!r}")
            options[name] = _BOOLEANS[value.lower()]
        elif name == "facets":
            options[name] = tuple(part.strip() for part in value.split(",") if part.strip())
        else:
            options[name] = value
    if options.get("limit", 0) > MAX_API_LIMIT:
        raise QueryError(f"limit must be at most {MAX_API_LIMIT}, not {options['limit']}")
    return text, options


def _number(name: str, value: str) -> int | float:
    try:
        return int(value) if name in _INTEGER_PARAMS else float(value)
    except ValueError:
        kind = "a whole number" if name in _INTEGER_PARAMS else "a number"
        raise QueryError(f"{name} must be {kind}, not {value!r}") from None


def is_loopback_host(host: str) -> bool:
    """Whether a Host header names this machine exactly: a loopback name or address, maybe a port.

    ``localhost:8765``, ``127.0.0.2`` and ``[::1]:80`` are; ``localhost:80@evil.com``,
    ``127.0.0.1:1, evil.com`` and ``localhost.evil.com`` are not.
    """
    match = _HOST_HEADER.fullmatch(host)
    if match is None:
        return False
    name = match["ipv6"] or match["name"]
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    # An IPv6 address outside brackets, or an IPv4 one inside them, is malformed.
    return address.is_loopback and (address.version == 6) == bool(match["ipv6"])


class SearchApp:
    """The search page and the JSON API over one index, as a WSGI application.

    ``hosts`` are the Host header names to answer (any port); ``None`` answers only
    loopback names and addresses (:func:`is_loopback_host`), ``"*"`` any host, for a
    server behind a proxy or load balancer that checks names itself.
    """

    def __init__(self, index: SearchIndex, *, hosts: Collection[str] | None = None) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._hosts = None if hosts is None else frozenset(h.lower() for h in hosts)
        self._static = {
            path: ((resources.files("searchidx") / "static" / name).read_bytes(), content_type)
            for path, (name, content_type) in STATIC_FILES.items()
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        response = self.respond(method, _path(environ), environ.get("QUERY_STRING", ""), environ)
        headers = {
            "Content-Type": response.content_type,
            "Content-Length": str(len(response.body)),
            "Cache-Control": "no-cache" if response.status == HTTPStatus.OK else "no-store",
            **SECURITY_HEADERS,
            **response.headers,
        }
        start_response(f"{response.status.value} {response.status.phrase}", list(headers.items()))
        return [b"" if method == "HEAD" else response.body]

    def respond(self, method: str, path: str, query: str, environ: dict[str, Any]) -> Response:
        """The response to one request; never raises."""
        try:
            self._check_request(method, environ)
            try:
                return self._route(path, query, environ)
            except PaperNotFoundError as error:
                raise HTTPError(HTTPStatus.NOT_FOUND, str(error)) from error
            except QueryError as error:
                raise HTTPError(HTTPStatus.BAD_REQUEST, str(error)) from error
            except IndexProblem as error:
                raise HTTPError(HTTPStatus.SERVICE_UNAVAILABLE, str(error)) from error
        except HTTPError as error:
            return Response(error.status, error_body(str(error)), headers=error.headers)
        except Exception:
            log.exception("error answering %s", path)
            return Response(HTTPStatus.INTERNAL_SERVER_ERROR, error_body("internal error"))

    def _check_request(self, method: str, environ: dict[str, Any]) -> None:
        if method not in ("GET", "HEAD"):
            raise HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, "only GET is supported", {"Allow": "GET, HEAD"})
        host = environ.get("HTTP_HOST", "")
        if self._hosts is None:
            if not is_loopback_host(host):
                raise HTTPError(HTTPStatus.FORBIDDEN, "this server answers only requests for localhost")
        elif ANY_HOST not in self._hosts:
            match = _HOST_HEADER.fullmatch(host)
            if match is None or (match["ipv6"] or match["name"]).lower() not in self._hosts:
                raise HTTPError(HTTPStatus.FORBIDDEN, "this server does not answer requests for this host name")
        if environ.get("CONTENT_LENGTH", "0").strip() not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request bodies are not accepted")

    def _route(self, path: str, query: str, environ: dict[str, Any]) -> Response:
        if path in self._static or path.startswith("/paper/"):
            body, content_type = self._static.get(path) or self._static["/"]
            return Response(HTTPStatus.OK, body, content_type)
        if path == "/api/config":
            return Response(HTTPStatus.OK, orjson.dumps(search_config()))
        if path == "/api/search":
            text, options = search_options(query)
            if options.pop("explain", False):
                return Response(HTTPStatus.OK, orjson.dumps(self._explain(text, options)))
            return Response(HTTPStatus.OK, orjson.dumps(self._search(text, options).to_dict()))
        if path.startswith("/api/papers/"):
            return Response(HTTPStatus.OK, orjson.dumps(self._paper(path[len("/api/papers/") :])))
        if path.startswith("/api/similar/"):
            return Response(HTTPStatus.OK, orjson.dumps(self._similar(path[len("/api/similar/") :], query)))
        if path == "/feed.atom":
            text, options = search_options(query)
            options = {"limit": FEED_LIMIT, **options, "sort": "date", "offset": 0, "facets": ()}
            options.pop("explain", None)
            result = self._search(text, options)
            return Response(HTTPStatus.OK, atom_feed(result, _base_url(environ), query), "application/atom+xml; charset=utf-8")
        raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {path}")

    def _search(self, text: str, options: dict[str, Any]) -> SearchResult:
        with self._lock:
            self._index.refresh()
            return self._index.search(text, **options)

    def _explain(self, text: str, options: dict[str, Any]) -> dict[str, Any]:
        """What ``searchidx query --explain`` shows: the analysed words, the expansions, the query."""
        planning = {name: options[name] for name in ("match", "expand", "prefix") if name in options}
        with self._lock:
            self._index.refresh()
            plan = self._index.plan(text, **planning)
        return {
            "query": text,
            "words": [list(word) for word in plan.words],
            "expansions": [{"word": w, "term": t, "weight": x} for w, t, x in plan.expansions],
            "plan": repr(plan.query),
        }

    def _paper(self, arxiv_id: str) -> dict[str, Any]:
        with self._lock:
            self._index.refresh()
            return self._index.get(arxiv_id).to_dict()

    def _similar(self, arxiv_id: str, query: str) -> dict[str, Any]:
        limit = DEFAULT_LIMIT
        for name, value in parse_qsl(query, keep_blank_values=True, max_num_fields=2):
            if name != "limit":
                raise QueryError(f"unknown parameter {name!r}; use limit")
            limit = int(_number("limit", value)) if value else limit
        if limit > MAX_API_LIMIT:
            raise QueryError(f"limit must be at most {MAX_API_LIMIT}, not {limit}")
        with self._lock:
            self._index.refresh()
            return self._index.similar(arxiv_id, limit=limit).to_dict()


def search_config() -> dict[str, Any]:
    """The defaults and choices of the search options, as the library defines them (``/api/config``)."""
    return {
        "defaults": {
            "limit": DEFAULT_LIMIT,
            "sort": DEFAULT_SORT,
            "match": DEFAULT_MATCH,
            "vote_weight": DEFAULT_VOTE_WEIGHT,
            "expand": True,
        },
        "choices": {
            "limit": list(PAGE_SIZES),
            "sort": list(SORT_ORDERS),
            "match": list(MATCH_MODES),
            "vote_weight": list(VOTE_WEIGHTS),
            "facets": list(FACETS),
        },
        "max_limit": MAX_API_LIMIT,
        "max_query_chars": MAX_QUERY_CHARS,
    }


def _base_url(environ: dict[str, Any]) -> str:
    """The scheme and host a request was sent to (its Host header was checked before)."""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST') or 'localhost'}"


def create_app(index_path: str | os.PathLike[str] | None = None, *, hosts: Collection[str] | None = None) -> SearchApp:
    """The WSGI application over the index at ``index_path``, Kiwi loaded.

    For ``gunicorn 'searchidx.server:create_app("IDX")'``; each worker process calls it
    and so opens the index itself. ``hosts``: see :class:`SearchApp`. Raises
    :class:`IndexProblem` when there is no usable index.
    """
    index = open_index(index_path)
    _ = index.analyzer.kiwi  # load Kiwi now rather than on the first search
    return SearchApp(index, hosts=hosts)


def error_body(message: str) -> bytes:
    """The JSON body of an error response."""
    return orjson.dumps({"error": message})


def _path(environ: dict[str, Any]) -> str:
    """The request path as text: WSGI servers hand it over as UTF-8 bytes decoded as Latin-1."""
    return str(environ.get("PATH_INFO", "")).encode("latin-1", "replace").decode("utf-8", "replace")


