"""The HTTP API of ``searchidx serve``, against a real server on an ephemeral port."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit
from xml.etree import ElementTree

import orjson
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_DATA
from jsonschema import Draft202012Validator

from searchidx.cli import cli
from searchidx.errors import IndexNotFoundError, QueryError
from searchidx.options import DEFAULT_LIMIT, DEFAULT_MATCH, DEFAULT_SORT, MATCH_MODES, SORT_ORDERS
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS
from searchidx.search import open_index
from searchidx.serve import DEFAULT_HOST, DEFAULT_PORT, SearchServer, make_server
from searchidx.server import FEED_LIMIT, MAX_QUERY_CHARS, SearchApp, create_app, search_options
from searchidx.writer import build

SEARCH_SCHEMA = Draft202012Validator(orjson.loads((ROOT / "schema" / "search.schema.json").read_bytes()))
PAPER_SCHEMA = Draft202012Validator(orjson.loads((ROOT / "schema" / "paper.schema.json").read_bytes()))

#: A digest whose title, authors and summary carry markup that must stay text.
HOSTILE_DIGEST = """## Daily Papers (2024-07-01)

### [<script>window.injected = "title"</script> Hostile Markup Title](https://arxiv.org/abs/2407.00001)

Vote: 5

Authors: Mallory <b>Markup</b>, Eve <img src=x onerror="window.injected = 'author'">

- **What's New**: 이 요약에는 <script>window.injected = "summary"</script> 태그와 \
<img src=x onerror="window.injected = 'image'"> 그림이 들어 있는 적대적 마크업 논문입니다.
"""
HOSTILE_TITLE = '<script>window.injected = "title"</script> Hostile Markup Title'


def write_hostile_digest(directory: Path) -> Path:
    """Write :data:`HOSTILE_DIGEST` as a one-day collection under ``directory``."""
    digest = directory / "2024" / "07" / "01.md"
    digest.parent.mkdir(parents=True, exist_ok=True)
    digest.write_text(HOSTILE_DIGEST, encoding="utf-8")
    return directory


def before_and_after(directory: Path) -> tuple[Path, Path]:
    """Two one-day collections under ``directory``: the hostile digest, then it retitled "Replacement Title"."""
    first, second = write_hostile_digest(directory / "first"), write_hostile_digest(directory / "second")
    (second / "2024" / "07" / "01.md").write_text(
        HOSTILE_DIGEST.replace("Hostile Markup Title", "Replacement Title"), encoding="utf-8"
    )
    return first, second


#: How often a test server's loop checks for shutdown: ``serve_forever``'s default, half a
#: second, would be waited out at the end of every test that starts one.
SHUTDOWN_POLL_SECONDS = 0.02


@contextlib.contextmanager
def serving(index_path: Path, analyzer, host: str = DEFAULT_HOST) -> Iterator[SearchServer]:
    """A server for the index at ``index_path`` on a free port of ``host``, in a thread."""
    server = make_server(open_index(index_path, analyzer=analyzer), host=host, port=0)
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory, analyzer) -> Path:
    """The sample collection plus the hostile digest."""
    path = tmp_path_factory.mktemp("serve") / "idx"
    hostile = write_hostile_digest(tmp_path_factory.mktemp("hostile"))
    build([SAMPLE_DATA, hostile], path, analyzer=analyzer)
    return path


@pytest.fixture(scope="module")
def server(index_path: Path, analyzer) -> Iterator[SearchServer]:
    with serving(index_path, analyzer) as server:
        yield server


def request(
    server: SearchServer, path: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get_json(server: SearchServer, path: str) -> tuple[int, dict]:
    status, headers, body = request(server, path)
    assert headers["Content-Type"] == "application/json"
    return status, orjson.loads(body)


def search_path(**params: object) -> str:
    return "/api/search?" + urlencode(params, quote_via=quote)


def test_search_answers_what_query_json_prints(server: SearchServer, index_path: Path) -> None:
    options = {"limit": "3", "offset": "0", "since": "2024", "until": "2024-12-31", "min_votes": "1",
               "sort": "relevance", "vote_weight": "0.3", "match": "any"}
    status, api = get_json(server, search_path(q="KV cache 압축", **options))
    argv = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    printed = CliRunner().invoke(cli, ["query", "KV cache 압축", "--index", str(index_path), "--json", *argv])
    assert status == 200
    assert printed.exit_code == 0, printed.output
    assert api == orjson.loads(printed.stdout)
    SEARCH_SCHEMA.validate(api)
    assert api["hits"][0]["arxiv_id"] == "2406.11430"


def test_search_defaults_match_the_cli(server: SearchServer, index_path: Path) -> None:
    _, api = get_json(server, search_path(q="압축"))
    printed = CliRunner().invoke(cli, ["query", "압축", "--index", str(index_path), "--json"])
    assert api == orjson.loads(printed.stdout)


def test_empty_parameters_count_as_not_given(server: SearchServer) -> None:
    _, with_blanks = get_json(server, "/api/search?q=%EC%95%95%EC%B6%95&since=&until=&min_votes=&sort=&match=")
    _, without = get_json(server, search_path(q="압축"))
    assert with_blanks == without


def test_paging_with_offset(server: SearchServer) -> None:
    _, first = get_json(server, search_path(q="모델", limit=2, match="any"))
    _, second = get_json(server, search_path(q="모델", limit=2, offset=2, match="any"))
    assert first["total"] == second["total"] > 4
    assert not {h["arxiv_id"] for h in first["hits"]} & {h["arxiv_id"] for h in second["hits"]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=", "the query is empty"),
        ("limit=5", "the query is empty"),
        ("q=x&limit=abc", "limit must be a whole number, not 'abc'"),
        ("q=x&limit=101", "limit must be at most 100, not 101"),
        ("q=x&limit=0", "limit must be between"),
        ("q=x&offset=-1", "offset must be between"),
        ("q=x&min_votes=-3", "min_votes must be between 0 and"),
        ("q=x&min_votes=1.5", "min_votes must be a whole number"),
        ("q=x&sort=best", "sort must be one of relevance, votes, date"),
        ("q=x&match=some", "match must be"),
        ("q=x&vote_weight=0.7", "vote_weight 0.7 is not supported"),
        ("q=x&vote_weight=heavy", "vote_weight must be a number"),
        ("q=x&since=2024-13", "not a date: '2024-13'"),
        ("q=x&since=2025&until=2024", "since (2025) is after until (2024)"),
        ("q=x&color=red", "unknown parameter 'color'"),
        ("q=x&q=y", "parameter 'q' is given more than once"),
        ("q=" + "x" * (MAX_QUERY_CHARS + 1), f"the limit is {MAX_QUERY_CHARS}"),
        ("&".join(f"q{i}=1" for i in range(40)), "too many parameters"),
    ],
)
def test_bad_parameters_get_400_with_a_json_error(server: SearchServer, query: str, message: str) -> None:
    status, body = get_json(server, "/api/search?" + query)
    assert status == 400
    assert list(body) == ["error"]
    assert message in body["error"]


def test_search_options_convert_types_and_leave_checks_to_the_library() -> None:
    text, options = search_options("q=a+b&limit=5&min_votes=2&vote_weight=0.5&sort=votes&since=2024-06")
    assert text == "a b"
    assert options == {"limit": 5, "min_votes": 2, "vote_weight": 0.5, "sort": "votes", "since": "2024-06"}
    with pytest.raises(QueryError):
        search_options("limit=x")


def test_paper_by_arxiv_id(server: SearchServer) -> None:
    status, paper = get_json(server, "/api/papers/2406.11430")
    assert status == 200
    PAPER_SCHEMA.validate(paper)
    assert paper["title"].endswith("KV Cache Compression")
    assert [s["name"] for s in paper["sections"]][0] == "What's New"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/papers/2401.99999", 404, "no paper with arXiv id 2401.99999"),
        ("/api/papers/..%2F..%2Fetc", 400, "not an arXiv id"),
        ("/api/papers/", 400, "not an arXiv id"),
        ("/api/nothing", 404, "no such page: /api/nothing"),
        ("/static/../server.py", 404, "no such page"),
        ("/index.html", 404, "no such page"),
        ("/api/similar/2401.99999", 404, "no paper with arXiv id 2401.99999"),
        ("/api/similar/nonsense", 400, "not an arXiv id"),
        ("/api/similar/2406.11430?limit=500", 400, "limit must be at most 100"),
        ("/api/similar/2406.11430?limit=x", 400, "limit must be a whole number"),
        ("/api/similar/2406.11430?color=red", 400, "unknown parameter 'color'"),
    ],
)
def test_unknown_papers_and_paths_get_json_errors(server: SearchServer, path: str, status: int, message: str) -> None:
    got, body = get_json(server, path)
    assert got == status
    assert message in body["error"]


def test_the_page_and_its_files_are_served_with_a_strict_policy(server: SearchServer) -> None:
    status, headers, body = request(server, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<html lang="ko">' in body and b"/static/app.js" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    for path, kind in [("/static/app.js", "text/javascript"), ("/static/style.css", "text/css")]:
        status, headers, body = request(server, path)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body


def test_the_page_references_nothing_outside_the_server() -> None:
    static = ROOT / "searchidx" / "static"
    for path in static.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "//cdn" not in text and "fonts.googleapis" not in text and "@import" not in text
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text


def test_head_sends_headers_only(server: SearchServer) -> None:
    status, headers, body = request(server, "/", method="HEAD")
    assert status == 200 and int(headers["Content-Length"]) > 0 and body == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_is_allowed(server: SearchServer, method: str) -> None:
    status, headers, body = request(server, "/api/search?q=x", method=method)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"
    assert orjson.loads(body) == {"error": "only GET is supported"}


def test_request_bodies_are_refused(server: SearchServer) -> None:
    status, _, body = request(server, "/api/search?q=x", body=b"x" * 1000)
    assert status == 413
    assert orjson.loads(body) == {"error": "request bodies are not accepted"}


def test_a_huge_request_line_is_refused_as_json(server: SearchServer) -> None:
    status, _, body = request(server, "/api/search?q=" + "x" * 70_000)
    assert status == 414
    assert "error" in orjson.loads(body)


@pytest.mark.parametrize("host", ["localhost:8765", "127.0.0.1", "[::1]:8765", "127.0.0.2:80"])
def test_loopback_host_names_are_answered(server: SearchServer, host: str) -> None:
    status, _, _ = request(server, "/", headers={"Host": host})
    assert status == 200


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        "attacker.example:8765",
        "192.168.1.5:8765",
        "",
        "localhost:80@evil.com",
        "127.0.0.1:1, evil.com",
        "localhost.evil.com",
        "127.0.0.1.evil.com",
        "::1",
        "[127.0.0.1]",
        "localhost:",
        "localhost:8765:1",
        "[::1]evil.com",
    ],
)
def test_other_host_names_are_refused(server: SearchServer, host: str) -> None:
    status, _, body = request(server, "/api/search?q=x", headers={"Host": host})
    assert status == 403
    assert orjson.loads(body) == {"error": "this server answers only requests for localhost"}


def test_a_server_shared_with_the_network_answers_any_host_name(index_path: Path, analyzer) -> None:
    with serving(index_path, analyzer, host="0.0.0.0") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
        connection.request("GET", "/api/config", headers={"Host": "papers.example.org"})
        assert connection.getresponse().status == 200


def test_two_host_headers_are_refused(server: SearchServer) -> None:
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), port), timeout=30) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n")
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.0 403 ")


def test_markup_in_the_corpus_comes_back_as_json_strings(server: SearchServer) -> None:
    status, headers, raw = request(server, search_path(q="적대적 마크업"))
    result = orjson.loads(raw)
    assert status == 200 and headers["Content-Type"] == "application/json"
    hit = result["hits"][0]
    assert hit["title"] == HOSTILE_TITLE
    assert hit["authors"][1] == "Eve <img src=x onerror=\"window.injected = 'author'\">"
    assert '<script>window.injected = "summary"</script>' in hit["snippets"][0]["text"]
    _, paper = get_json(server, "/api/papers/2407.00001")
    assert paper["title"] == HOSTILE_TITLE


def test_a_rebuilt_index_is_served_without_a_restart(tmp_path: Path, analyzer) -> None:
    first, second = before_and_after(tmp_path)
    index = tmp_path / "idx"
    build([first], index, analyzer=analyzer)
    with serving(index, analyzer) as server:
        _, before = get_json(server, search_path(q="Replacement"))
        build([second], index, analyzer=analyzer)
        _, after = get_json(server, search_path(q="Replacement"))
        _, paper = get_json(server, "/api/papers/2407.00001")
    assert before["total"] == 0
    assert after["total"] == 1 and after["hits"][0]["title"].endswith("Replacement Title")
    assert paper["title"].endswith("Replacement Title")


def test_a_missing_index_gets_503(tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    build([write_hostile_digest(tmp_path / "digests")], index, analyzer=analyzer)
    with serving(index, analyzer) as server:
        (index / "CURRENT").unlink()
        status, body = get_json(server, search_path(q="x"))
    assert status == 503
    assert "index" in body["error"]


def test_serve_command_reports_a_missing_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no index at ")


def test_serve_command_defaults_are_the_servers() -> None:
    defaults = {param.name: param.default for param in cli.commands["serve"].params}
    assert (defaults["host"], defaults["port"]) == (DEFAULT_HOST, DEFAULT_PORT)


def test_the_app_is_a_plain_wsgi_application(index_path: Path, analyzer) -> None:
    app = SearchApp(open_index(index_path, analyzer=analyzer))
    started: list[tuple[str, list[tuple[str, str]]]] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/papers/2406.11430", "QUERY_STRING": "", "HTTP_HOST": "localhost"}
    body = b"".join(app(environ, lambda status, headers: started.append((status, headers))))
    status, headers = started[0]
    assert status == "200 OK"
    assert dict(headers)["Content-Length"] == str(len(body))
    assert orjson.loads(body)["arxiv_id"] == "2406.11430"


@pytest.mark.parametrize(
    ("hosts", "host", "status"),
    [
        (["search.example.org"], "search.example.org", 200),
        (["search.example.org"], "SEARCH.example.org:443", 200),
        (["search.example.org"], "localhost", 403),
        (["search.example.org"], "search.example.org@evil.com", 403),
        (["*"], "anything.example", 200),
    ],
)
def test_an_app_behind_a_proxy_answers_the_host_names_it_is_given(
    index_path: Path, analyzer, hosts: list[str], host: str, status: int
) -> None:
    app = SearchApp(open_index(index_path, analyzer=analyzer), hosts=hosts)
    assert app.respond("GET", "/", "", {"HTTP_HOST": host}).status == status


def test_create_app_reports_a_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        create_app(tmp_path / "none")


@contextlib.contextmanager
def gunicorn(index: Path, workers: int, access_log: Path) -> Iterator[tuple[str, int]]:
    """``gunicorn -w WORKERS 'searchidx.server:create_app("INDEX")'`` on a free loopback port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", "127.0.0.1:0",
         "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s",
         f"searchidx.server:create_app({str(index)!r})"],
        stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if listening:
                break
        else:
            pytest.fail("gunicorn did not start")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep its pipe drained
        yield "127.0.0.1", int(listening[1])
    finally:
        process.terminate()
        process.wait(timeout=30)


def get_many(address: tuple[str, int], path: str, count: int) -> list[dict]:
    """``count`` concurrent GETs of ``path``, so that every worker answers some."""

    def get(_: int) -> dict:
        connection = http.client.HTTPConnection(*address, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            return orjson.loads(response.read())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(get, range(count)))


def answering_workers(access_log: Path, since_line: int) -> set[str]:
    return {line.split()[0] for line in access_log.read_text().splitlines()[since_line:]}


@pytest.mark.slow
def test_every_gunicorn_worker_serves_a_rebuilt_index_from_its_next_request(tmp_path: Path, analyzer) -> None:
    first, second = before_and_after(tmp_path)
    index, access_log = tmp_path / "idx", tmp_path / "access.log"
    build([first], index, analyzer=analyzer)
    with gunicorn(index, 2, access_log) as address:
        deadline = time.monotonic() + 60  # which worker accepts a connection is the kernel's choice
        while time.monotonic() < deadline:  # until both workers have booted and answered
            assert all(r["total"] == 0 for r in get_many(address, search_path(q="Replacement"), 16))
            if len(answering_workers(access_log, 0)) == 2:
                break
        before = len(access_log.read_text().splitlines())
        assert len(answering_workers(access_log, 0)) == 2
        build([second], index, analyzer=analyzer)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            after = get_many(address, search_path(q="Replacement"), 16)
            assert all(r["total"] == 1 and r["hits"][0]["title"].endswith("Replacement Title") for r in after)
            if len(answering_workers(access_log, before)) == 2:
                break
        assert len(answering_workers(access_log, before)) == 2


def read_only(directory: Path) -> list[str]:
    """A command prefix that runs a command with ``directory`` read-only, or skip the test."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(directory)], check=True)
        return []
    unshare = shutil.which("unshare")
    probe = [unshare or "unshare", "-m", "sh", "-c", f"mount --bind -o ro {directory} {directory} && exec true"]
    if unshare is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a read-only directory")
    return [unshare, "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(directory)]


def publish(digests: Path, index: Path, share: Path) -> None:
    """``searchidx build DIGESTS --publish SHARE``, writing to a share that replicas see read-only."""
    if os.geteuid() != 0 and share.exists():
        subprocess.run(["chmod", "-R", "u+w", str(share)], check=True)
    built = CliRunner().invoke(cli, ["build", str(digests), "--index", str(index), "--publish", str(share)])
    assert built.exit_code == 0, built.output
    assert f"to {share}" in built.output
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(share)], check=True)


@pytest.mark.slow
def test_a_read_only_replica_serves_each_published_generation(tmp_path: Path) -> None:
    (first, second), index, share = before_and_after(tmp_path), tmp_path / "idx", tmp_path / "share"
    publish(first, index, share)
    replica = subprocess.Popen(
        [*read_only(share), sys.executable, "-m", "searchidx", "serve", "--index", str(share), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert replica.stdout is not None and replica.stderr is not None
    try:
        line = replica.stdout.readline()
        assert " at http://" in line, replica.stderr.read()
        url = urlsplit(line.split(" at ")[1].split()[0])
        address = (str(url.hostname), int(url.port or 80))
        assert get_many(address, "/api/papers/2407.00001", 1)[0]["title"] == HOSTILE_TITLE
        publish(second, index, share)
        assert get_many(address, "/api/papers/2407.00001", 1)[0]["title"].endswith("Replacement Title")
    finally:
        replica.terminate()
        replica.wait(timeout=30)


def test_config_serves_the_librarys_defaults_and_choices(server: SearchServer) -> None:
    status, config = get_json(server, "/api/config")
    assert status == 200
    assert config["defaults"] == {
        "limit": DEFAULT_LIMIT, "sort": DEFAULT_SORT, "match": DEFAULT_MATCH, "vote_weight": DEFAULT_VOTE_WEIGHT, "expand": True,
    }
    assert config["choices"]["match"] == list(MATCH_MODES) and config["choices"]["sort"] == list(SORT_ORDERS)
    assert config["choices"]["vote_weight"] == list(VOTE_WEIGHTS)
    assert config["max_query_chars"] == MAX_QUERY_CHARS
    query = cli.commands["query"]
    cli_defaults = {param.name: param.default for param in query.params}
    assert (cli_defaults["limit"], cli_defaults["sort"], cli_defaults["match"]) == (DEFAULT_LIMIT, DEFAULT_SORT, DEFAULT_MATCH)


def test_expand_false_is_the_clis_no_expand(server: SearchServer, index_path: Path) -> None:
    _, api = get_json(server, search_path(q="양자화", expand="false"))
    printed = CliRunner().invoke(cli, ["query", "양자화", "--index", str(index_path), "--json", "--no-expand"])
    assert api == orjson.loads(printed.stdout)
    assert api["expansions"] == []
    _, expanded = get_json(server, search_path(q="양자화"))
    assert expanded["expansions"]
    status, body = get_json(server, search_path(q="양자화", expand="maybe"))
    assert status == 400 and "expand must be true or false" in body["error"]


def test_explain_answers_what_the_clis_explain_shows(server: SearchServer, index_path: Path) -> None:
    _, plan = get_json(server, search_path(q="KV cache 압축", explain="true"))
    printed = CliRunner().invoke(cli, ["query", "KV cache 압축", "--index", str(index_path), "--explain"])
    assert f"words: {plan['words']}" in printed.stdout
    assert plan["words"] == [["kv"], ["cach"], ["압축"]] and "hits" not in plan
    assert plan["plan"] and plan["query"] == "KV cache 압축"
    status, body = get_json(server, search_path(q="-", explain="true"))
    assert status == 400 and "empty" in body["error"]


def test_notes_reach_the_api(server: SearchServer) -> None:
    _, result = get_json(server, search_path(q="압축 존재하지않는낱말", match="all"))
    assert result["notes"] == ["no paper has every word; showing papers with some of them"]
    SEARCH_SCHEMA.validate(result)


def test_month_and_vote_facets_count_every_match(server: SearchServer) -> None:
    _, result = get_json(server, search_path(q="모델", match="any", limit=1, facets="month,votes"))
    SEARCH_SCHEMA.validate(result)
    months = result["facets"]["month"]
    assert sum(m["count"] for m in months) >= result["total"] > 1  # a paper listed in two months counts twice
    assert [m["value"] for m in months] == sorted(m["value"] for m in months)
    for month in months:
        since = month["value"]
        _, within = get_json(server, search_path(q="모델", match="any", since=since, until=since))
        assert within["total"] == month["count"]
    votes = {v["value"]: v["count"] for v in result["facets"]["votes"]}
    for at_least, count in votes.items():
        assert get_json(server, search_path(q="모델", match="any", min_votes=at_least))[1]["total"] == count
    _, plain = get_json(server, search_path(q="모델", match="any", limit=1))
    assert "facets" not in plain
    status, body = get_json(server, search_path(q="모델", facets="color"))
    assert status == 400 and "facets must be among month, votes" in body["error"]


@pytest.mark.parametrize(
    "given",
    ["2406.11430", "2406.11430v2", "arXiv:2406.11430", "https://arxiv.org/abs/2406.11430v1",
     "https://arxiv.org/pdf/2406.11430.pdf", "https://huggingface.co/papers/2406.11430"],
)
def test_papers_and_similar_take_any_id_form_a_query_takes(server: SearchServer, index_path: Path, given: str) -> None:
    status, paper = get_json(server, "/api/papers/" + quote(given, safe=""))
    assert status == 200 and paper["arxiv_id"] == "2406.11430"
    status, similar = get_json(server, "/api/similar/" + quote(given, safe="") + "?limit=3")
    printed = CliRunner().invoke(cli, ["similar", given, "--index", str(index_path), "--json", "-n", "3"])
    assert status == 200 and similar == orjson.loads(printed.stdout)
    SEARCH_SCHEMA.validate(similar)


@pytest.mark.parametrize("text", ['"', "-", "title:", "author:", '- "" title: author:""'])
def test_a_query_of_operators_only_is_the_empty_query(server: SearchServer, text: str) -> None:
    status, body = get_json(server, search_path(q=text))
    assert status == 400 and "the query is empty" in body["error"]


def test_a_papers_page_is_the_search_page(server: SearchServer) -> None:
    status, headers, body = request(server, "/paper/2406.11430")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == request(server, "/")[2]


def test_the_feed_is_atom_of_the_newest_matches(server: SearchServer) -> None:
    status, headers, body = request(server, "/feed.atom?" + urlencode({"q": "모델", "match": "any"}))
    assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(body)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{atom}{required}") is not None, required
    entries = root.findall(f"{atom}entry")
    assert len(entries) == min(FEED_LIMIT, get_json(server, search_path(q="모델", match="any"))[1]["total"])
    updated = [e.findtext(f"{atom}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        for required in ("id", "title", "updated", "summary"):
            assert entry.findtext(f"{atom}{required}"), required
        assert entry.find(f"{atom}link[@rel='alternate']").get("href").startswith("http://")
    status, _, body = request(server, "/feed.atom?q=")
    assert status == 400


def test_markup_in_the_feed_stays_text(server: SearchServer) -> None:
    _, _, body = request(server, "/feed.atom?" + urlencode({"q": "적대적 마크업"}))
    entry = ElementTree.fromstring(body).find("{http://www.w3.org/2005/Atom}entry")
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == HOSTILE_TITLE
    assert b"<script>" not in body


def test_prefix_matches_the_last_word_as_the_start_of_words(server: SearchServer) -> None:
    _, typed = get_json(server, search_path(q="quant", prefix="true"))
    _, plain = get_json(server, search_path(q="quant"))
    assert plain["total"] == 0 < typed["total"]
    assert {"word": "quant", "term": "quantiz", "weight": 1.0} in typed["expansions"]
    _, finished = get_json(server, search_path(q="quant ", prefix="true"))
    assert finished["total"] == 0
