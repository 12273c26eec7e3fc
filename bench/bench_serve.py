"""Warm latency of ``searchidx serve``'s /api/search on the real corpus: p50 and p99.

Builds an index of the corpus (or reuses one that opens), starts ``searchidx serve`` on a
free loopback port in a child process, sends every query once to warm up, then times
``--rounds`` passes over ~20 mixed queries (Korean, English, phrases, fields, filters,
sorts, paging) over one keep-alive connection, and prints a table. Times are wall-clock
as the client sees them: HTTP, query analysis, search, snippets and JSON.

Usage: python bench/bench_serve.py [--corpus DIR] [--index DIR] [--rounds N] [--rebuild]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import orjson

from searchidx.errors import IndexProblem
from searchidx.search import open_index
from searchidx.writer import build

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko"
DEFAULT_INDEX = ROOT / "bench" / "out" / "serve-index"
TARGET_P50_MS = 20.0
STARTUP_SECONDS = 60

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


def timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, dict]:
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed, orjson.loads(body)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--rounds", type=int, default=10, help="timed passes over the queries (max 100)")
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
    p50, p99 = statistics.median(every), percentile(every, 99)
    verdict = "ok" if p50 <= TARGET_P50_MS else "MISSED"
    print(
        f"\n{len(every)} requests ({rounds} rounds x {len(paths)} queries, warm): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(every):.1f} ms; target p50 <= {TARGET_P50_MS:.0f} ms: {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
