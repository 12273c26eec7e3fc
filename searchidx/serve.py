"""``searchidx serve``: the search application (:mod:`searchidx.server`) on the standard
library's :mod:`wsgiref` server, a thread per connection, for one local user without extra
dependencies.

Bound to a loopback address the server answers only requests for loopback names; bound to
another address it answers any host name. Errors wsgiref finds itself (a bad request line,
headers too long) are JSON like the application's, and idle connections time out.
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
from http import HTTPStatus
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from searchidx.search import SearchIndex
from searchidx.server import ANY_HOST, JSON, LOOPBACK_NAMES, SECURITY_HEADERS, SearchApp, error_body, log

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "SearchServer", "make_server"]

#: Where ``searchidx serve`` listens unless told otherwise.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds an idle or slow connection may hold a thread of ``searchidx serve``.
CONNECTION_TIMEOUT = 30


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
    """Whether ``host`` (a name or an address to bind) is this machine only."""
    try:
        return host.lower() in LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
