"""Build and query performance on the real corpus, against the Kiwi floor and an FTS5 peer.

Usage: .venv/bin/python bench/bench_build.py [--corpus DIR] [--json PATH] [--runs N]

In one run, each step in its own child process:

1. the floor: Kiwi alone (load + analysing the text of every paper, one stream, the same
   number of workers as a build); and Kiwi alone on the rest of what a build gives Kiwi,
   the lexicon's words (each analysed alone);
2. a full ``searchidx build --full`` of a temporary copy of the corpus: wall time, peak RSS;
3. incremental builds: the latest day whose papers appear in no other digest, removed
   (re-index from stored terms), then added back (append): wall time of each against the
   full build;
4. cold queries: 20 mixed queries, each a new ``searchidx query --json`` process (console
   script and ``python -m searchidx``, modules byte-compiled first as an install would),
   ``--runs`` times each; the median per query is kept;
5. warm queries: the same queries in one process, 10 rounds (p50, p99);
6. index size;
7. the SQLite FTS5 (unicode61) peer: build, size, cold and warm queries.

The corpus copy lives in a temporary directory that is removed afterwards. Prints a table
and writes JSON (default ``bench/out/build.json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perfkit import (  # noqa: E402
    CONSOLE_SCRIPT,
    DEFAULT_CORPUS,
    FTS5_BUILD,
    FTS5_QUERY,
    MIXED_QUERIES,
    PYTHON,
    ROOT,
    dir_bytes,
    fts5_search_function,
    open_fts5,
    precompile,
    run_child,
    summary_ms,
)

DEFAULT_JSON = ROOT / "bench" / "out" / "build.json"

#: 20 mixed queries: Korean and English words, phrases, mixed script, field syntax, an id.
QUERIES = (*MIXED_QUERIES[:15], "2406.11430", *MIXED_QUERIES[15:])

FLOOR = """
import json, resource, sys, time
from searchidx.analysis import Analyzer, _clean
from searchidx.fields import texts_to_analyze
from searchidx.lexicon import chunks_of, ruled
from searchidx.parse import parse_paths
papers = parse_paths([sys.argv[1]]).papers
texts = [_clean(t)[0] for p in papers for t in texts_to_analyze(p)]
words = sorted(w for w in chunks_of(texts) if ruled(w) is None)
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
analyzer = Analyzer()
analyzer.kiwi
loaded = time.perf_counter()
for _ in analyzer.tokenize_raw(texts):
    pass
done, cpu_done = time.perf_counter(), cpu()
for _ in analyzer.tokenize_raw(words):
    pass
extra, cpu_extra = time.perf_counter(), cpu()
print(json.dumps({"load": loaded - started, "analyse": done - loaded, "cpu": cpu_done - cpu_started,
                  "extra": extra - done, "extra_cpu": cpu_extra - cpu_done, "texts": len(texts),
                  "chars": sum(map(len, texts)), "words": len(words), "word_chars": sum(map(len, words))}))
"""

BUILD = """
import json, sys
from searchidx.writer import build
report = build([sys.argv[1]], sys.argv[2], full=sys.argv[3] == "full")
print(json.dumps({"papers": report.papers, "mode": report.mode, "analysed": report.analysed,
                  "seconds": report.seconds, "stages": dict(report.stages)}))
"""

TARGETS = {"build_vs_floor": 1.15, "incremental_vs_full": 0.10, "cold_median_ms": 150.0}


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def needs_kiwi(index_path: Path) -> dict[str, bool]:
    """Per query: does planning it call Kiwi (a word outside the lexicon, a Korean phrase)?"""
    from searchidx.analysis import Analyzer
    from searchidx.search import open_index

    class Counting(Analyzer):
        calls = 0

        def analyze(self, text, mode="index"):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().analyze(text, mode)

    index = open_index(index_path, analyzer=Counting())
    out = {}
    for query in QUERIES:
        before = Counting.calls
        index.plan(query)
        out[query] = Counting.calls > before
    return out


def latest_day(corpus: Path) -> Path:
    """The latest digest whose papers appear in no other file: removing it removes papers."""
    from searchidx.parse import parse_paths

    files = sorted(corpus.rglob("*.md"))
    ids = {path: {paper.arxiv_id for paper in parse_paths([path]).papers} for path in files}
    for path in reversed(files):
        elsewhere = set().union(*(found for other, found in ids.items() if other != path))
        if ids[path] and not ids[path] <= elsewhere:
            return path
    raise SystemExit("no digest with papers of its own")


def cold_queries(argv_prefix: list[str], index_path: Path, runs: int) -> dict[str, float]:
    """Median wall seconds per query, each run a new process."""
    per_query = {}
    for query in QUERIES:
        times = []
        for _ in range(runs):
            run = run_child([*argv_prefix, "query", query, "--index", str(index_path), "--json"])
            if run.returncode != 0:
                raise SystemExit(f"query {query!r} failed: {run.stderr}")
            times.append(run.seconds)
        per_query[query] = statistics.median(times)
    return per_query


def warm_queries(index_path: Path, rounds: int = 10) -> list[float]:
    """Seconds per search (with snippets) in one process, after one warm-up round."""
    from searchidx.search import open_index

    index = open_index(index_path)
    for query in QUERIES:
        index.search(query)
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query)
            times.append(time.perf_counter() - started)
    return times


def fts5_peer(corpus: Path, work: Path, runs: int) -> dict[str, object]:
    """Build, size, cold and warm query figures of the FTS5 unicode61 peer."""
    db = work / "fts5.sqlite"
    built = run_child([PYTHON, "-c", FTS5_BUILD, str(corpus), str(db)])
    if built.returncode != 0:
        raise SystemExit(f"FTS5 build failed: {built.stderr}")
    cold = {}
    for query in QUERIES:
        times = [run_child([PYTHON, "-c", FTS5_QUERY, str(db), query]).seconds for _ in range(runs)]
        cold[query] = statistics.median(times)
    search = fts5_search_function()
    connection = open_fts5(db)
    for query in QUERIES:
        search(connection, query)  # type: ignore[operator]
    warm = []
    for _ in range(10):
        for query in QUERIES:
            started = time.perf_counter()
            search(connection, query)  # type: ignore[operator]
            warm.append(time.perf_counter() - started)
    return {
        "build_seconds": round(built.seconds, 2),
        "build_max_rss_mb": round(built.max_rss_mb, 1),
        "index_bytes": db.stat().st_size,
        "cold_ms": summary_ms(list(cold.values())),
        "warm_ms": summary_ms(warm),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--runs", type=int, default=3, help="cold runs per query")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    result: dict[str, object] = {"date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="searchidx-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        shutil.copytree(args.corpus, corpus)
        index = work / "index"

        print("floor: Kiwi alone ...", file=sys.stderr)
        floor_run = run_child([PYTHON, "-c", FLOOR, str(corpus)])
        floor = orjson.loads(floor_run.stdout)
        floor_seconds = floor["load"] + floor["analyse"]

        print("full build ...", file=sys.stderr)
        full = run_child([PYTHON, "-c", BUILD, str(corpus), str(index), "full"])
        if full.returncode != 0:
            raise SystemExit(f"build failed: {full.stderr}")

        latest = latest_day(corpus)
        saved = work / "latest.md"
        shutil.move(latest, saved)
        print("incremental: latest day removed ...", file=sys.stderr)
        removed = run_child([PYTHON, "-c", BUILD, str(corpus), str(index), "incremental"])
        shutil.move(saved, latest)
        if removed.returncode != 0:
            raise SystemExit(f"incremental build failed: {removed.stderr}")
        print("incremental: latest day added ...", file=sys.stderr)
        added = run_child([PYTHON, "-c", BUILD, str(corpus), str(index), "incremental"])
        if added.returncode != 0:
            raise SystemExit(f"incremental build failed: {added.stderr}")

        from searchidx.index import current_generation

        generation = current_generation(index)
        sizes = {
            "total": dir_bytes(generation),
            "tantivy": sum(f.stat().st_size for f in generation.iterdir() if f.name.split(".")[0].isalnum() and len(f.name.split(".")[0]) == 32),
            "lexicon": (generation / "lexicon.sqlite").stat().st_size,
        }

        print("cold queries ...", file=sys.stderr)
        precompile()
        kiwi = needs_kiwi(index)
        cold_script = cold_queries([CONSOLE_SCRIPT], index, args.runs)
        cold_module = cold_queries([PYTHON, "-m", "searchidx"], index, args.runs)
        print("warm queries ...", file=sys.stderr)
        warm = warm_queries(index)
        print("FTS5 peer ...", file=sys.stderr)
        peer = fts5_peer(corpus, work, args.runs)

    lexicon_only = [q for q in QUERIES if not kiwi[q]]
    result.update(
        {
            "corpus": {
                "texts": floor["texts"],
                "chars": floor["chars"],
                "lexicon_words_analysed": floor["words"],
                "lexicon_word_chars": floor["word_chars"],
            },
            "floor": {
                "seconds": round(floor_seconds, 2),
                "kiwi_load": round(floor["load"], 2),
                "analyse": round(floor["analyse"], 2),
                "cpu_seconds": round(floor["cpu"], 2),
                "max_rss_mb": round(floor_run.max_rss_mb, 1),
                "lexicon_kiwi_seconds": round(floor["extra"], 2),
                "lexicon_kiwi_cpu_seconds": round(floor["extra_cpu"], 2),
                "all_kiwi_seconds": round(floor_seconds + floor["extra"], 2),
                "all_kiwi_cpu_seconds": round(floor["cpu"] + floor["extra_cpu"], 2),
            },
            "build": {
                "seconds": round(full.seconds, 2),
                "cpu_seconds": round(full.cpu_seconds, 2),
                "max_rss_mb": round(full.max_rss_mb, 1),
                "vs_floor": round(full.seconds / floor_seconds, 3),
                "cpu_vs_floor_cpu": round(full.cpu_seconds / floor["cpu"], 3),
                "vs_all_kiwi": round(full.seconds / (floor_seconds + floor["extra"]), 3),
                "cpu_vs_all_kiwi_cpu": round(full.cpu_seconds / (floor["cpu"] + floor["extra_cpu"]), 3),
                "report": orjson.loads(full.stdout),
            },
            "incremental": {
                "day": str(latest.relative_to(corpus)),
                "remove_day_seconds": round(removed.seconds, 2),
                "remove_day_report": orjson.loads(removed.stdout),
                "add_day_seconds": round(added.seconds, 2),
                "add_day_cpu_seconds": round(added.cpu_seconds, 2),
                "add_day_report": orjson.loads(added.stdout),
                "add_day_vs_full": round(added.seconds / full.seconds, 3),
            },
            "index_bytes": sizes,
            "cold_ms": {
                "console_script": summary_ms(list(cold_script.values())),
                "python_m": summary_ms(list(cold_module.values())),
                "console_script_lexicon_only": summary_ms([cold_script[q] for q in lexicon_only]),
                "console_script_needing_kiwi": summary_ms([cold_script[q] for q in QUERIES if kiwi[q]]) if len(lexicon_only) < len(QUERIES) else None,
                "per_query": {q: {"ms": round(cold_script[q] * 1000, 1), "kiwi": kiwi[q]} for q in QUERIES},
            },
            "warm_ms": summary_ms(warm),
            "fts5_unicode61": peer,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print_table(result)
    return 0


def print_table(r: dict) -> None:  # type: ignore[type-arg]
    """The headline figures as a Markdown table."""
    b, f, inc, cold, warm, peer = r["build"], r["floor"], r["incremental"], r["cold_ms"], r["warm_ms"], r["fts5_unicode61"]
    mb = 1024 * 1024
    spare = (TARGETS["build_vs_floor"] - 1) * f["seconds"] * (r["machine"]["cores"] or 1)

    def ok(flag: bool) -> str:
        return "met" if flag else "NOT MET"

    rows = [
        ("Kiwi floor (load + analyse)", f"{f['seconds']:.1f} s (load {f['kiwi_load']:.1f} s)", "", ""),
        ("full build", f"{b['seconds']:.1f} s, peak RSS {b['max_rss_mb']:.0f} MB", f"{peer['build_seconds']:.1f} s, {peer['build_max_rss_mb']:.0f} MB", ""),
        ("build / floor (wall)", f"{b['vs_floor']:.3f}", "", f"<= 1.15: {ok(b['vs_floor'] <= TARGETS['build_vs_floor'])}"),
        ("build / floor (CPU seconds)", f"{b['cpu_seconds']:.1f} / {f['cpu_seconds']:.1f} = {b['cpu_vs_floor_cpu']:.3f}", "", ""),
        (
            "why: CPU s a build spends beyond the floor / CPU s that 1.15 x the floor leaves on these cores",
            f"{b['cpu_seconds'] - f['cpu_seconds']:.1f} / {spare:.1f} (Kiwi on the lexicon's words alone: "
            f"{f['lexicon_kiwi_cpu_seconds']:.1f})",
            "",
            "",
        ),
        (
            "build / all Kiwi work of a build (papers + lexicon words): wall, CPU",
            f"{b['vs_all_kiwi']:.3f}, {b['cpu_vs_all_kiwi_cpu']:.3f}",
            "",
            "",
        ),
        ("build stages (s; Kiwi thread and writer overlap)", ", ".join(f"{k} {v:.1f}" for k, v in b["report"]["stages"].items()), "", ""),
        (
            f"add one day (incremental: {inc['day']}, {inc['add_day_report']['analysed']} papers analysed)",
            f"{inc['add_day_seconds']:.2f} s = {inc['add_day_vs_full']:.1%} of full",
            "",
            f"<= 10%: {ok(inc['add_day_vs_full'] <= TARGETS['incremental_vs_full'])}",
        ),
        ("remove one day (incremental)", f"{inc['remove_day_seconds']:.2f} s", "", ""),
        ("index size", f"{r['index_bytes']['total'] / mb:.1f} MB (Tantivy {r['index_bytes']['tantivy'] / mb:.1f}, lexicon {r['index_bytes']['lexicon'] / mb:.1f})", f"{peer['index_bytes'] / mb:.1f} MB", ""),
        ("cold query, console script: median / p95", f"{cold['console_script']['median']:.0f} / {cold['console_script']['p95']:.0f} ms", f"{peer['cold_ms']['median']:.0f} / {peer['cold_ms']['p95']:.0f} ms", f"<= 150 ms: {ok(cold['console_script']['median'] <= TARGETS['cold_median_ms'])}"),
        ("cold query, python -m searchidx: median / p95", f"{cold['python_m']['median']:.0f} / {cold['python_m']['p95']:.0f} ms", "", ""),
        ("cold, queries answered by the lexicon: median", f"{cold['console_script_lexicon_only']['median']:.0f} ms", "", ""),
    ]
    if cold["console_script_needing_kiwi"]:
        rows.append(("cold, queries needing Kiwi: median", f"{cold['console_script_needing_kiwi']['median']:.0f} ms", "", ""))
    rows.append(("warm query p50 / p99", f"{warm['median']:.1f} / {warm['p99']:.1f} ms", f"{peer['warm_ms']['median']:.1f} / {peer['warm_ms']['p99']:.1f} ms", ""))
    print(f"\nmeasured {r['date']} on {r['machine']['cpu']} ({r['machine']['cores']} cores); load average {r['machine']['load_average_at_start']} -> {r['load_average_at_end']}\n")
    print("| measure | searchidx | FTS5 unicode61 | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
