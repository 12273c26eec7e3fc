"""Relevance benchmark: every system over the same corpus, judged queries and a title check.

Run from the repository root::

    .venv/bin/python bench/evaluate.py                       # all systems, markdown tables
    .venv/bin/python bench/evaluate.py --sets dev,generated --systems searchidx --sweep vote_weight=0,0.3
    .venv/bin/python bench/evaluate.py --json bench/out/run.json --failures 15

Three query sets, each reported on its own: ``dev`` and ``test``, the two halves of the
judged set ``bench/queries.jsonl`` (its ``split`` field, drawn per kind with a fixed seed:
tune on ``dev``, report ``test``; a file given with ``--queries`` that has no ``split`` field
is reported as one set named by the file), and ``generated``, the simulated known-item queries of
``make_queries.py``, regenerated from the corpus on every run. Metrics (see ``metrics.py``)
are reported per set, overall and per query kind. The known-item check queries the exact
English title of a seeded random sample of papers and expects that paper first.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit.corpus import DEFAULT_CORPUS, load_papers  # noqa: E402
from kit.peers import PEERS, Bm25sSystem, System, build_peer, searchidx_systems  # noqa: E402
from kit.timing import cpu_model  # noqa: E402
from make_queries import generated_queries  # noqa: E402
from metrics import METRICS, bootstrap_interval, mean, reciprocal_rank, score_query  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "queries.jsonl"
SETS = ("dev", "test", "generated")
DEPTH = 100


def parse_value(text: str) -> Any:
    """An option value from the command line: bool, None, int, float or string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_pairs(items: list[str], multi: bool) -> dict[str, Any]:
    """``KEY=VALUE`` (or ``KEY=V1,V2`` with ``multi``) items as a dict."""
    pairs: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: expected KEY=VALUE, got {item!r}")
        values = [parse_value(v) for v in value.split(",")]
        pairs[key.replace("-", "_")] = values if multi else values[0]
    return pairs


def load_queries(path: Path, kinds: set[str] | None) -> list[dict[str, Any]]:
    """The judged queries, optionally only those of the given kinds."""
    queries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in queries if not kinds or q["kind"] in kinds]


def build_systems(args: argparse.Namespace, papers: list, notes: list[str]) -> list[System]:
    """The requested systems, each built over ``papers`` (searchidx from the corpus path)."""
    wanted = args.systems.split(",")
    systems: list[System] = []
    for name in wanted:
        if name == "searchidx":
            fixed = parse_pairs(args.opt, multi=False)
            sweep = parse_pairs(args.sweep, multi=True)
            configs = [fixed | dict(zip(sweep, combo)) for combo in itertools.product(*sweep.values())]
            systems.extend(searchidx_systems(args.corpus, parse_pairs(args.build_opt, multi=False),
                                             configs, keep=args.build_once))
        else:
            peer = build_peer(name, papers)
            if isinstance(peer, Bm25sSystem):
                notes.append(f"{name} analyzer: {peer.analyzer_name}")
            systems.append(peer)
    return systems


def run_system(system: System, queries: list[dict[str, Any]], titles: list[tuple[str, str]]) -> dict[str, Any]:
    """Rankings and metrics of one system on the judged queries and the title check."""
    started = time.perf_counter()
    per_query = []
    for q in queries:
        ranked = system.search(q["query"], DEPTH)
        per_query.append({"id": q["id"], "set": q["set"], "kind": q["kind"], "query": q["query"],
                          "top": ranked[:10], "metrics": score_query(ranked, q["judgments"])})
    query_seconds = time.perf_counter() - started
    title_rr = [reciprocal_rank(system.search(title, 10), {aid: 1}) for aid, title in titles]
    sets = {}
    for name in dict.fromkeys(row["set"] for row in per_query):
        rows = [row for row in per_query if row["set"] == name]
        by_kind: dict[str, list] = defaultdict(list)
        for row in rows:
            by_kind[row["kind"]].append(row["metrics"])
        sets[name] = {"overall": mean([r["metrics"] for r in rows]),
                      "kinds": {kind: mean(ms) for kind, ms in sorted(by_kind.items())}}
    return {
        "name": system.name,
        "build_seconds": system.build_seconds,
        "ms_per_query": 1000 * query_seconds / max(len(queries), 1),
        "sets": sets,
        "titles": {"S@1": sum(rr == 1.0 for rr in title_rr) / max(len(title_rr), 1),
                   "MRR@10": sum(title_rr) / max(len(title_rr), 1), "n": len(title_rr)},
        "queries": per_query,
    }


def environment() -> dict[str, str]:
    """Date, machine, versions and source revision, for the results table."""
    mem_kb = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    versions = {}
    for package in ("searchidx", "tantivy", "kiwipiepy", "kiwipiepy_model", "bm25s", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "-"
    root = Path(__file__).resolve().parent.parent
    revision = _git(root, "rev-parse", "--short", "HEAD")
    if revision and _git(root, "status", "--porcelain", "--", "searchidx"):
        revision += " (searchidx/ has uncommitted changes)"
    import sqlite3

    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": (
            f"{os.cpu_count()} CPUs ({cpu_model()}), {mem_kb / 2**20:.0f} GiB RAM, {platform.system()} {platform.release()}"
        ),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "revision": revision or "unknown",
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _git(root: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def markdown(results: list[dict[str, Any]], queries: list[dict[str, Any]]) -> str:
    """The result tables in markdown: titles and speed, then each query set."""
    def f(x: float) -> str:
        return f"{x:.3f}"

    n_titles = results[0]["titles"]["n"] if results else 0
    lines = [f"Title check ({n_titles} papers) and speed", "",
             "| system | title S@1 | title MRR@10 | build s | ms/query |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['name']} | {f(r['titles']['S@1'])} | {f(r['titles']['MRR@10'])}"
                     f" | {r['build_seconds']:.1f} | {r['ms_per_query']:.1f} |")
    for name in dict.fromkeys(q["set"] for q in queries):
        rows = [q for q in queries if q["set"] == name]
        kinds = sorted({q["kind"] for q in rows})
        counts = {k: sum(q["kind"] == k for q in rows) for k in kinds}
        lines += ["", f"### Set `{name}` ({len(rows)} queries)", "",
                  "| system | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
        for r in results:
            overall = r["sets"][name]["overall"]
            lines.append(f"| {r['name']} | " + " | ".join(f(overall[m]) for m in METRICS) + " |")
        for metric in ("nDCG@10", "MRR@10", "S@1"):
            lines += ["", f"{metric} per kind, set `{name}`", "",
                      "| system | " + " | ".join(f"{k} ({counts[k]})" for k in kinds) + " |",
                      "|---" * (len(kinds) + 1) + "|"]
            for r in results:
                per_kind = r["sets"][name]["kinds"]
                lines.append(f"| {r['name']} | " + " | ".join(f(per_kind[k][metric]) for k in kinds) + " |")
    return "\n".join(lines)


def margins(results: list[dict[str, Any]], queries: list[dict[str, Any]]) -> str:
    """The first searchidx row against the best peer of each set and kind: nDCG@10 margin and its
    95 % bootstrap interval over the queries (paired: both systems answer the same queries)."""
    ours = next((r for r in results if r["name"].startswith("searchidx")), None)
    peers = [r for r in results if not r["name"].startswith("searchidx")]
    if ours is None or not peers:
        return ""
    per_query = {r["name"]: {q["id"]: q["metrics"]["nDCG@10"] for q in r["queries"]} for r in results}
    lines = [f"Margin of {ours['name']} over the best peer (nDCG@10, 95 % bootstrap interval over queries)", "",
             "| set | kind | queries | searchidx | best peer | margin | interval |", "|---|---|---|---|---|---|---|"]
    for name in dict.fromkeys(q["set"] for q in queries):
        rows = [q for q in queries if q["set"] == name]
        for kind in ["all", *sorted({q["kind"] for q in rows})]:
            ids = [q["id"] for q in rows if kind in ("all", q["kind"])]
            score = {r["name"]: (r["sets"][name]["overall"] if kind == "all" else r["sets"][name]["kinds"][kind])["nDCG@10"]
                     for r in results}
            best = max((r["name"] for r in peers), key=score.__getitem__)
            low, high = bootstrap_interval([per_query[ours["name"]][i] - per_query[best][i] for i in ids])
            lines.append(f"| {name} | {kind} | {len(ids)} | {score[ours['name']]:.3f} | {score[best]:.3f} ({best})"
                         f" | {score[ours['name']] - score[best]:+.3f} | {low:+.3f} to {high:+.3f} |")
    return "\n".join(lines)


def failures(result: dict[str, Any], queries: list[dict[str, Any]], n: int) -> str:
    """The ``n`` lowest-nDCG queries of one system with its top results, for error analysis."""
    judged = {q["id"]: q["judgments"] for q in queries}
    worst = sorted(result["queries"], key=lambda r: r["metrics"]["nDCG@10"])[:n]
    lines = [f"Worst {n} queries for {result['name']}:"]
    for row in worst:
        marks = " ".join(f"{aid}({judged[row['id']].get(aid, 0)})" for aid in row["top"][:5])
        lines.append(f"  {row['id']} nDCG={row['metrics']['nDCG@10']:.2f} {row['query']!r}: {marks}")
    return "\n".join(lines)


def differences(results: list[dict[str, Any]], names: str, threshold: float = 0.1) -> str:
    """Queries whose nDCG@10 differs by more than ``threshold`` between two named systems."""
    first, _, second = names.partition(",")
    by_name = {r["name"]: r for r in results}
    if first not in by_name or second not in by_name:
        raise SystemExit(f"error: --diff needs two of: {', '.join(by_name)}")
    a = {q["id"]: q for q in by_name[first]["queries"]}  # ids are unique across sets
    b = {q["id"]: q for q in by_name[second]["queries"]}
    changed = sorted(
        (b[i]["metrics"]["nDCG@10"] - a[i]["metrics"]["nDCG@10"], i) for i in a
        if abs(b[i]["metrics"]["nDCG@10"] - a[i]["metrics"]["nDCG@10"]) > threshold
    )
    lines = [f"nDCG@10 from {first} to {second} (changes over {threshold}):"]
    lines += [f"  {delta:+.2f} {i} {a[i]['query']!r}" for delta, i in changed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="digest folder to index")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="judged queries (JSON Lines)")
    parser.add_argument("--systems", default=",".join((*PEERS, "searchidx")),
                        help="comma-separated: " + ", ".join((*PEERS, "searchidx")))
    parser.add_argument("--sets", default=",".join(SETS), help="query sets to run: " + ", ".join(SETS))
    parser.add_argument("--kinds", default="", help="only these query kinds (comma-separated)")
    parser.add_argument("--generated-seed", type=int, default=None,
                        help="seed of the generated set (default: make_queries.SEED)")
    parser.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                        help="searchidx search() keyword, e.g. vote_weight=0.3 (repeatable)")
    parser.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2",
                        help="search() keyword values to sweep; the product of all sweeps is run")
    parser.add_argument("--build-opt", action="append", default=[], metavar="KEY=VALUE",
                        help="searchidx build() keyword (repeatable)")
    parser.add_argument("--build-once", action="store_true",
                        help="keep the searchidx index under bench/out and reuse it while the source is unchanged")
    parser.add_argument("--titles", type=int, default=300, help="papers in the exact-title check")
    parser.add_argument("--seed", type=int, default=20250509, help="seed of the title-check sample")
    parser.add_argument("--failures", type=int, default=0, metavar="N",
                        help="print the N worst queries of every searchidx configuration")
    parser.add_argument("--diff", metavar="SYSTEM_A,SYSTEM_B",
                        help="list the queries whose nDCG@10 changes between two systems of this run")
    parser.add_argument("--json", type=Path, help="write all metrics and rankings here")
    args = parser.parse_args(argv)

    wanted_sets = [name for name in args.sets.split(",") if name]
    if unknown := set(wanted_sets) - set(SETS):
        raise SystemExit(f"error: unknown query sets {sorted(unknown)}; known: {', '.join(SETS)}")
    kinds_wanted = set(filter(None, args.kinds.split(",")))
    papers, reader = load_papers(args.corpus)
    notes = [f"corpus: {len(papers)} papers read by {reader}"]
    # A set without a dev/test split (``--queries bench/queries_crosslingual.jsonl``) is one set, named by its file.
    loaded = [{**q, "set": q.get("split", args.queries.stem)} for q in load_queries(args.queries, kinds_wanted)]
    queries = [q for q in loaded if q["set"] in wanted_sets or "split" not in q]
    if "generated" in wanted_sets:
        seed = {} if args.generated_seed is None else {"seed": args.generated_seed}
        generated = [{**q, "set": "generated"} for q in generated_queries(papers, **seed)]
        queries += [q for q in generated if not kinds_wanted or q["kind"] in kinds_wanted]
    ids = sorted(p.arxiv_id for p in papers)
    by_id = {p.arxiv_id: p for p in papers}
    titles = [(aid, by_id[aid].title) for aid in random.Random(args.seed).sample(ids, min(args.titles, len(ids)))]
    systems = build_systems(args, papers, notes)
    results = [run_system(s, queries, titles) for s in systems]

    env = environment()
    print("\n".join(f"- {key}: {value}" for key, value in env.items()))
    print("\n".join(f"- {note}" for note in notes) + "\n")
    print(markdown(results, queries))
    if table := margins(results, queries):
        print("\n" + table)
    for r in results:
        if args.failures and r["name"].startswith("searchidx"):
            print("\n" + failures(r, queries, args.failures))
    if args.diff:
        print("\n" + differences(results, args.diff))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        meta = {**env, "notes": notes, "argv": sys.argv[1:]}
        args.json.write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
