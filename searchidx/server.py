"""``searchidx serve``: a local search page and a JSON API over one index.

Routes (GET or HEAD only; anything else is a JSON error)::

    /                          the search page (searchidx/static/index.html)
    /static/app.js, style.css  its script and style sheet
    /api/search?q=TEXT&...     the document of ``searchidx query --json``
    /api/papers/ARXIV_ID       one paper (schema/paper.schema.json)

``/api/search`` takes the options of ``searchidx query`` as parameters (``q``, ``limit``,
``offset``, ``since``, ``until``, ``min_votes``, ``sort``, ``vote_weight``, ``match``);
this module only turns the strings into numbers, and :meth:`SearchIndex.search` validates
the values, so the API and the CLI accept and reject the same things. Errors are JSON
``{"error": "..."}``: 400 for a bad query or parameter, 404 for an unknown path or paper,
503 when the index cannot be read.

The server is the standard library's :class:`~http.server.ThreadingHTTPServer`: a search
is a few milliseconds of synchronous Tantivy and Kiwi work, so an async framework would add
dependencies without making a local, single-user tool faster. Safety rests on a few rules:
it binds 127.0.0.1 unless told otherwise and then answers only requests addressed to a
loopback name (a guard against DNS rebinding); request bodies are refused; ``limit`` and
the query length are capped; corpus text leaves only as JSON strings, which the page
inserts as text nodes, under a Content-Security-Policy that forbids inline script.

Each request first calls :meth:`SearchIndex.refresh` (one small file read), so a rebuilt
index is served without a restart. Requests use the index one at a time, because a refresh
must not swap the searcher under a search that is still reading hits.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

from searchidx.arxiv import parse_arxiv_id
from searchidx.errors import IndexProblem, QueryError
from searchidx.search import SearchIndex

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_API_LIMIT",
    "MAX_QUERY_CHARS",
    "SearchServer",
    "make_server",
    "search_options",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Most hits one API request may ask for.
MAX_API_LIMIT = 100
#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1000
#: Seconds an idle or slow connection may hold a thread.
CONNECTION_TIMEOUT = 30

SEARCH_PARAMS = ("q", "limit", "offset", "since", "until", "min_votes", "sort", "vote_weight", "match")
_INTEGER_PARAMS = frozenset({"limit", "offset", "min_votes"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "127.0.0.1", "::1"})

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


class HTTPError(Exception):
    """A request that gets a JSON error response instead of a result."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


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
        if value:
            options[name] = _number(name, value) if name in _INTEGER_PARAMS or name == "vote_weight" else value
    if options.get("limit", 0) > MAX_API_LIMIT:
        raise QueryError(f"limit must be at most {MAX_API_LIMIT}, not {options['limit']}")
    return text, options


def _number(name: str, value: str) -> int | float:
    try:
        return int(value) if name in _INTEGER_PARAMS else float(value)
    except ValueError:
        kind = "a whole number" if name in _INTEGER_PARAMS else "a number"
        raise QueryError(f"{name} must be {kind}, not {value!r}") from None


class SearchServer(ThreadingHTTPServer):
    """An HTTP server answering searches from one :class:`SearchIndex`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], index: SearchIndex) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)
        self._index = index
        self._lock = threading.Lock()
        self.static = {
            path: ((resources.files("searchidx") / "static" / name).read_bytes(), content_type)
            for path, (name, content_type) in STATIC_FILES.items()
        }
        self.loopback_only = _is_loopback(address[0])

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    @contextlib.contextmanager
    def index(self) -> Iterator[SearchIndex]:
        """The index, switched to its newest generation, held by one request at a time."""
        with self._lock:
            self._index.refresh()
            yield self._index


class RequestHandler(BaseHTTPRequestHandler):
    """Routes one request; every response body is JSON or a file of searchidx/static."""

    server: SearchServer
    protocol_version = "HTTP/1.1"
    timeout = CONNECTION_TIMEOUT
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive
    # client's delayed ACK would stall every response by ~40 ms.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        try:
            self._check_request()
            with _http_errors():
                status, body, content_type = self._route()
        except HTTPError as error:
            status, body, content_type = error.status, _error_body(str(error)), JSON
        except Exception:
            log.exception("error answering %s", self.path)
            status, body, content_type = HTTPStatus.INTERNAL_SERVER_ERROR, _error_body("internal error"), JSON
        self._send(status, body, content_type)

    do_HEAD = do_GET

    def _refuse_method(self) -> None:
        self.close_connection = True
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, _error_body("only GET is supported"), JSON, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server finds itself (bad request line, too-long headers) as JSON."""
        self.close_connection = True
        self._send(HTTPStatus(code), _error_body(message or HTTPStatus(code).phrase), JSON)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        log.info("%s %s", self.address_string(), format % args)

    def _check_request(self) -> None:
        if self.server.loopback_only and not _is_loopback(_host_name(self.headers.get("Host", ""))):
            raise HTTPError(HTTPStatus.FORBIDDEN, "this server answers only requests for localhost")
        if self.headers.get("Content-Length", "0").strip() != "0" or "Transfer-Encoding" in self.headers:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request bodies are not accepted")

    def _route(self) -> tuple[HTTPStatus, bytes, str]:
        url = urlsplit(self.path)
        if url.path in self.server.static:
            body, content_type = self.server.static[url.path]
            return HTTPStatus.OK, body, content_type
        if url.path == "/api/search":
            text, options = search_options(url.query)
            with self.server.index() as index:
                result = index.search(text, **options)
            return HTTPStatus.OK, orjson.dumps(result.to_dict()), JSON
        if url.path.startswith("/api/papers/"):
            return HTTPStatus.OK, orjson.dumps(self._paper(unquote(url.path[len("/api/papers/"):]))), JSON
        raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {url.path}")

    def _paper(self, arxiv_id: str) -> dict[str, Any]:
        if parse_arxiv_id(arxiv_id) != arxiv_id:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"not an arXiv id: {arxiv_id!r} (expected like 2406.11430 or hep-th/9901001)")
        with self.server.index() as index:
            paper = index.get(arxiv_id)
        if paper is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"no paper with arXiv id {arxiv_id}")
        return paper.to_dict()

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache" if status == HTTPStatus.OK else "no-store")
        for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def _http_errors() -> Iterator[None]:
    """Library errors as HTTP errors: a bad query is the client's, an unreadable index the server's."""
    try:
        yield
    except QueryError as error:
        raise HTTPError(HTTPStatus.BAD_REQUEST, str(error)) from error
    except IndexProblem as error:
        raise HTTPError(HTTPStatus.SERVICE_UNAVAILABLE, str(error)) from error


def _error_body(message: str) -> bytes:
    return orjson.dumps({"error": message})


def _host_name(host: str) -> str:
    """The name part of a Host header (``[::1]:8765`` -> ``::1``)."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(index: SearchIndex, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> SearchServer:
    """A server for ``index`` bound to ``host:port`` (port 0 picks a free one), Kiwi loaded.

    Call ``serve_forever()`` on it (``shutdown()`` from another thread stops it).
    """
    _ = index.analyzer.kiwi  # load Kiwi now rather than on the first search
    return SearchServer((host, port), index)
