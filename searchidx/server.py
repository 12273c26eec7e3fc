"""The search page and the JSON API as a WSGI application, and ``searchidx serve``.

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
without extra dependencies. Safety rests on a few rules: requests must name an allowed
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

import datetime as _dt
import ipaddress
import logging
import os
import re
import socket
import socketserver
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from xml.etree import ElementTree

import orjson

from searchidx.arxiv import parse_arxiv_id
from searchidx.errors import IndexProblem, QueryError
from searchidx.options import DEFAULT_LIMIT, DEFAULT_MATCH, DEFAULT_SORT, FACETS, MATCH_MODES, SORT_ORDERS
from searchidx.results import SearchResult
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS
from searchidx.search import SearchIndex, open_index

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_API_LIMIT",
    "MAX_QUERY_CHARS",
    "SearchApp",
    "SearchServer",
    "create_app",
    "is_loopback_host",
    "make_server",
    "search_options",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Most hits one API request may ask for.
MAX_API_LIMIT = 100
#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1000
#: Seconds an idle or slow connection may hold a thread of ``searchidx serve``.
CONNECTION_TIMEOUT = 30
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
)
_INTEGER_PARAMS = frozenset({"limit", "offset", "min_votes"})
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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
        elif name in ("expand", "prefix"):
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
            return Response(HTTPStatus.OK, orjson.dumps(self._search(text, options).to_dict()))
        if path.startswith("/api/papers/"):
            return Response(HTTPStatus.OK, orjson.dumps(self._paper(path[len("/api/papers/") :])))
        if path.startswith("/api/similar/"):
            return Response(HTTPStatus.OK, orjson.dumps(self._similar(path[len("/api/similar/") :], query)))
        if path == "/feed.atom":
            text, options = search_options(query)
            options = {"limit": FEED_LIMIT, **options, "sort": "date", "offset": 0, "facets": ()}
            result = self._search(text, options)
            return Response(HTTPStatus.OK, atom_feed(result, _base_url(environ), query), "application/atom+xml; charset=utf-8")
        raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {path}")

    def _search(self, text: str, options: dict[str, Any]) -> SearchResult:
        with self._lock:
            self._index.refresh()
            return self._index.search(text, **options)

    def _paper(self, text: str) -> dict[str, Any]:
        arxiv_id = _arxiv_id(text)
        with self._lock:
            self._index.refresh()
            paper = self._index.get(arxiv_id)
        if paper is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"no paper with arXiv id {arxiv_id}")
        return paper.to_dict()

    def _similar(self, text: str, query: str) -> dict[str, Any]:
        arxiv_id = _arxiv_id(text)
        limit = DEFAULT_LIMIT
        for name, value in parse_qsl(query, keep_blank_values=True, max_num_fields=2):
            if name != "limit":
                raise QueryError(f"unknown parameter {name!r}; use limit")
            limit = int(_number("limit", value)) if value else limit
        if limit > MAX_API_LIMIT:
            raise QueryError(f"limit must be at most {MAX_API_LIMIT}, not {limit}")
        with self._lock:
            self._index.refresh()
            if self._index.get(arxiv_id) is None:
                raise HTTPError(HTTPStatus.NOT_FOUND, f"no paper with arXiv id {arxiv_id}")
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


def _arxiv_id(text: str) -> str:
    """The arXiv id in a path segment, in any form a query accepts."""
    arxiv_id = parse_arxiv_id(text)
    if arxiv_id is None:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"not an arXiv id: {text[:100]!r} (expected like 2406.11430)")
    return arxiv_id


def atom_feed(result: SearchResult, base_url: str, query: str) -> bytes:
    """An Atom 1.0 feed of ``result``'s hits, newest first; ``query`` is the search's query string."""
    atom = "http://www.w3.org/2005/Atom"
    ElementTree.register_namespace("", atom)

    def add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, f"{{{atom}}}{tag}", attributes)
        if text is not None:
            child.text = _XML_UNSAFE.sub("", text)
        return child

    def stamp(day: _dt.date | None) -> str:
        return f"{day.isoformat()}T00:00:00Z" if day else "1970-01-01T00:00:00Z"

    feed = ElementTree.Element(f"{{{atom}}}feed")
    add(feed, "title", f"searchidx: {result.query}")
    add(feed, "id", f"{base_url}/feed.atom?{query}")
    add(feed, "link", rel="self", href=f"{base_url}/feed.atom?{query}")
    add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/?{query}")
    add(feed, "updated", stamp(max((h.dates[-1] for h in result.hits if h.dates), default=None)))
    add(add(feed, "author"), "name", "searchidx")
    add(feed, "generator", "searchidx")
    for hit in result.hits:
        entry = add(feed, "entry")
        add(entry, "title", hit.title)
        add(entry, "id", f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "link", rel="alternate", type="text/html", href=f"{base_url}/paper/{hit.arxiv_id}")
        add(entry, "link", rel="related", href=f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "updated", stamp(hit.dates[-1] if hit.dates else None))
        for name in hit.authors:
            add(add(entry, "author"), "name", name)
        sections = hit.paper.sections
        add(entry, "summary", "\n\n".join(f"{s.name}: {s.text}" for s in sections[:1]) or hit.title)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="utf-8", xml_declaration=False)


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


class RequestHandler(WSGIRequestHandler):
    """wsgiref's handler with JSON errors for what it rejects itself, a timeout and logging."""

    timeout = CONNECTION_TIMEOUT
    disable_nagle_algorithm = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before the application runs (bad request line, too-long headers) as JSON."""
        status = HTTPStatus(code)
        body = error_body(message or status.phrase)
        self.close_connection = True
        self.send_response(status)
        for name, value in {"Content-Type": JSON, "Content-Length": str(len(body)), **SECURITY_HEADERS}.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        log.info("%s %s", self.address_string(), format % args)


class SearchServer(socketserver.ThreadingMixIn, WSGIServer):
    """``searchidx serve``: the application on wsgiref, one thread per connection."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops the connections of a burst, which the
    # clients then retry only after a second.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: SearchApp) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)
        self.set_app(app)

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"


def make_server(index: SearchIndex, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> SearchServer:
    """A server for ``index`` bound to ``host:port`` (port 0 picks a free one), Kiwi loaded.

    Bound to a loopback address it answers only requests for loopback names; bound to
    another address it shares the index with the network and answers any host name.
    Call ``serve_forever()`` on it (``shutdown()`` from another thread stops it).
    """
    _ = index.analyzer.kiwi  # load Kiwi now rather than on the first search
    return SearchServer((host, port), SearchApp(index, hosts=None if _is_loopback_address(host) else [ANY_HOST]))


def _is_loopback_address(host: str) -> bool:
    try:
        return host.lower() in LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
