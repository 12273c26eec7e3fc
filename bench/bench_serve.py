"""The search API on the real corpus: one client's latency, then throughput under concurrent clients.

Builds an index of the corpus (or reuses one that opens). Part one starts ``searchidx
serve`` on a free loopback port in a child process, sends every query once to warm up,
then times ``--rounds`` passes over ~20 mixed queries (Korean, English, phrases, fields,
filters, sorts, paging) one after another, and prints a table. Part two runs the same
queries from ``--clients`` concurrent clients (threads of this process, each sending
``--requests`` requests, a new connection each) against ``searchidx serve`` and against
``gunicorn -w 1`` and ``-w 2`` over ``searchidx.server:create_app``, and prints requests
per second, p50 and p99, the CPU the clients themselves used (cores busy; they share
the machine with the server), the server's CPU time per request (which other jobs on the
machine hardly change, unlike the wall-clock figures) and the two-worker speed-up. Times are wall-clock as the client
sees them: HTTP, query analysis, search, snippets and JSON. The load average is printed
with the figures: other jobs on the machine inflate them.

Usage: python bench/bench_serve.py [--corpus DIR] [--index DIR] [--rounds N] [--clients N]
                                   [--requests N] [--rebuild]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit.corpus import DEFAULT_CORPUS, OUT  # noqa: E402
from kit.timing import percentile  # noqa: E402

from searchidx.errors import IndexProblem  # noqa: E402
from searchidx.search import open_index  # noqa: E402
from searchidx.writer import build  # noqa: E402

DEFAULT_INDEX = OUT / "serve-index"
TARGET_P50_MS = 20.0
#: Two workers on two cores: at least this many times one worker's requests per second.
TARGET_SPEEDUP = 1.7
#: Under the concurrent clients, every server's p99 should stay below this.
TARGET_P99_MS = 100.0
STARTUP_SECONDS = 120

#: (query text, extra API parameters)
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("KV cache 압축", {}),
    ("강화학습 보상 모델", {}),
    ("diffusion 모델 가속", {}),
    ("멀티모달 대규모 언어 모델 환각", {}),
    ("retrieval augmented generation", {}),
    ("RAG 검색 증강 생성", {}),
    ('"preference optimization"', {}),
    ("양자화 -survey", {}),
    ('author:"Song Han"', {}),
    ("title:transformer", {}),
    ("비디오 생성", {"sort": "votes"}),
    ("에이전트 벤치마크", {"sort": "date"}),
    ("LLM 추론", {"since": "2024-06", "until": "2024-12"}),
    ("코드 생성", {"min_votes": "20"}),
    ("mixture of experts", {"match": "any"}),
    ("음성 인식", {"offset": "10"}),
    ("GPT-4o 평가", {}),
    ("2406.11430", {}),
    ("로봇 조작 정책 학습", {"limit": "50"}),
    ("존재하지않는낱말조합", {}),
]


def ensure_index(corpus: Path, index: Path, rebuild: bool) -> None:
    """Reuse the index at ``index`` when it opens with this searchidx; else build it."""
    if not rebuild:
        try:
            open_index(index)
            return
        except IndexProblem:
            pass
    print(f"building an index of {corpus} into {index} ...", file=sys.stderr)
    report = build([corpus], index)
    print(f"indexed {report.papers} papers in {report.seconds:.0f} s", file=sys.stderr)


def start_server(index: Path) -> tuple[subprocess.Popen[str], str, int]:
    """``searchidx serve`` on a free port; returns the process, host and port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "searchidx", "serve", "--index", str(index), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "searching N papers in PATH at URL (Ctrl-C stops)"
    url = next((word for word in line.split() if word.startswith("http://")), None)
    if url is None:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    address = urlsplit(url)
    return process, str(address.hostname), int(address.port or 80)


def start_gunicorn(index: Path, workers: int) -> tuple[subprocess.Popen[str], str, int]:
    """``gunicorn -w WORKERS`` over ``create_app(INDEX)`` on a free port; returns the process, host and port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", "127.0.0.1:0", "--backlog", "64",
         f"searchidx.server:create_app({str(index)!r})"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    booted = 0
    port = None
    for line in process.stderr:
        listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        port = int(listening[1]) if listening else port
        booted += "Booting worker" in line
        if port is not None and booted == workers:
            return process, "127.0.0.1", port
    process.kill()
    raise SystemExit("gunicorn did not start (pip install 'searchidx[server]')")


@contextmanager
def running(process: subprocess.Popen[str]) -> Iterator[None]:
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def warm(host: str, port: int, paths: Sequence[str], workers: int) -> None:
    """Answer every query in every worker once (each worker loads Kiwi and opens the index itself)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with ThreadPoolExecutor(max_workers=2 * workers) as pool:
                list(pool.map(lambda path: one_request(host, port, path), list(paths) * workers * 2))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def one_request(host: str, port: int, path: str) -> float:
    """Milliseconds for one GET on a new connection; raises on anything but 200."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=STARTUP_SECONDS)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return (time.perf_counter() - start) * 1000


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its living children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for process in [str(pid), *children]:
            fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    except OSError:
        return float("nan")
    return total


def load_test(host: str, port: int, paths: Sequence[str], clients: int, requests: int) -> dict[str, float]:
    """``clients`` concurrent clients, each sending ``requests`` GETs in turn; throughput and latency."""

    def client(number: int) -> tuple[list[float], int]:
        times, errors = [], 0
        for i in range(requests):
            try:
                times.append(one_request(host, port, paths[(number + i) % len(paths)]))
            except (OSError, RuntimeError):
                errors += 1
        return times, errors

    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    seconds = time.perf_counter() - start
    client_cpu = time.process_time() - cpu
    every = [t for times, _ in results for t in times]
    return {
        "requests": len(every),
        "errors": sum(errors for _, errors in results),
        "rps": len(every) / seconds,
        "p50": statistics.median(every),
        "p99": percentile(every, 0.99),
        "client_cores": client_cpu / seconds,
    }


def throughput(index: Path, paths: Sequence[str], clients: int, requests: int) -> None:
    """Part two: ``searchidx serve`` and gunicorn with one and two workers under concurrent clients."""
    print(f"\n{clients} concurrent clients x {requests} requests each, a new connection per request; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    print(f"{'server':<22} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'client cores':>12} "
          f"{'server CPU ms/req':>14}")
    rows = {}
    for name, workers in [("searchidx serve", 0), ("gunicorn -w 1", 1), ("gunicorn -w 2", 2)]:
        process, host, port = start_gunicorn(index, workers) if workers else start_server(index)
        with running(process):
            warm(host, port, paths, max(workers, 1))
            before = cpu_seconds(process.pid)
            row = rows[name] = load_test(host, port, paths, clients, requests)
            row["server_cpu_ms"] = (cpu_seconds(process.pid) - before) * 1000 / max(1, row["requests"])
        print(f"{name:<22} {row['rps']:>7.1f} {row['p50']:>7.1f} {row['p99']:>7.1f} {row['errors']:>6.0f} "
              f"{row['client_cores']:>12.2f} {row['server_cpu_ms']:>14.2f}")
    speedup = rows["gunicorn -w 2"]["rps"] / rows["gunicorn -w 1"]["rps"]
    p99 = rows["gunicorn -w 2"]["p99"]
    print(
        f"two workers: {speedup:.2f}x one worker's requests/s (target >= {TARGET_SPEEDUP}: "
        f"{'ok' if speedup >= TARGET_SPEEDUP else 'MISSED'}), p99 {p99:.1f} ms (target < {TARGET_P99_MS:.0f}: "
        f"{'ok' if p99 < TARGET_P99_MS else 'MISSED'}); load average after: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    cost = rows["gunicorn -w 2"]["server_cpu_ms"]
    print(f"server CPU per request {cost:.2f} ms: {os.cpu_count()} idle CPUs would answer about "
          f"{1000 * (os.cpu_count() or 1) / cost:.0f} requests/s")


def timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, dict]:
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed, orjson.loads(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--rounds", type=int, default=10, help="timed passes over the queries (max 100)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in part two (max 64)")
    parser.add_argument("--requests", type=int, default=100, help="requests per client in part two (max 1000)")
    parser.add_argument("--rebuild", action="store_true", help="build the index even if one opens")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    rounds = max(1, min(args.rounds, 100))
    ensure_index(args.corpus, args.index, args.rebuild)
    process, host, port = start_server(args.index)
    try:
        connection = http.client.HTTPConnection(host, port, timeout=STARTUP_SECONDS)
        paths = [f"/api/search?{urlencode({'q': text, **extra}, quote_via=quote)}" for text, extra in QUERIES]
        totals = [timed_get(connection, path)[1]["total"] for path in paths]  # warm-up
        times: list[list[float]] = [[] for _ in paths]
        for _ in range(rounds):
            for i, path in enumerate(paths):
                times[i].append(timed_get(connection, path)[0])
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"{'p50 ms':>7} {'max ms':>7} {'hits':>5}  query (options)")
    for (text, extra), total, samples in zip(QUERIES, totals, times):
        options = " ".join(f"{k}={v}" for k, v in extra.items())
        query = f"{text} ({options})" if options else text
        print(f"{statistics.median(samples):>7.1f} {max(samples):>7.1f} {total:>5}  {query}")
    every = [t for samples in times for t in samples]
    p50, p99 = statistics.median(every), percentile(every, 0.99)
    verdict = "ok" if p50 <= TARGET_P50_MS else "MISSED"
    print(
        f"\n{len(every)} requests ({rounds} rounds x {len(paths)} queries, warm): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(every):.1f} ms; target p50 <= {TARGET_P50_MS:.0f} ms: {verdict}"
    )
    throughput(args.index, paths, max(1, min(args.clients, 64)), max(1, min(args.requests, 1000)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
