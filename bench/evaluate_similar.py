"""Related-papers benchmark: does ``searchidx similar`` find the rest of a judged topic?

Run from the repository root::

    .venv/bin/python bench/evaluate_similar.py
    .venv/bin/python bench/evaluate_similar.py --index /tmp/idx --systems similar,searchidx-title

Every topical query of ``bench/queries.jsonl`` judges a set of papers. Each paper judged 2
(what the topic is about) is used once as the seed: the system ranks the other papers for
it, and the topic's other judged papers are the relevant ones (the seed itself is left out
of the ranking and the judgments). Metrics are the evaluator's (``metrics.py``) plus
average precision at 100, averaged over all (topic, seed) pairs.

Peers get what a user without ``similar`` would type: the seed's title as the query, any
word matching (all words would find only the seed): SQLite FTS5 (``unicode61``,
``trigram``), plain BM25 over Kiwi morphemes, and ``searchidx query`` itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit.corpus import DEFAULT_CORPUS, load_papers  # noqa: E402
from kit.fts5 import Fts5Peer  # noqa: E402
from kit.peers import build_peer, open_searchidx  # noqa: E402
from metrics import METRICS, score_query  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "queries.jsonl"
SYSTEMS = ("fts5-unicode61", "fts5-trigram", "bm25s-kiwi", "searchidx-title", "similar")
DEPTH = 100
ALL_METRICS = (*METRICS, "AP@100")

Ranker = Callable[[str], list[str]]


def average_precision(ranked: Sequence[str], judged: Mapping[str, int], k: int = DEPTH) -> float:
    """Mean of the precision at each relevant paper's rank within ``k``, over all relevant papers."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def seed_pairs(queries: Sequence[dict[str, Any]]) -> list[tuple[str, str, dict[str, int]]]:
    """(topic id, seed, judgments of the other papers) for every paper judged 2 of a topic."""
    pairs = []
    for q in queries:
        if q["kind"] != "topical":
            continue
        for seed, grade in sorted(q["judgments"].items()):
            if grade == 2:
                pairs.append((q["id"], seed, {a: g for a, g in q["judgments"].items() if a != seed}))
    return pairs


def make_rankers(wanted: Sequence[str], papers: list, index_path: Path | None) -> dict[str, Ranker]:
    titles = {p.arxiv_id: p.title for p in papers}
    rankers: dict[str, Ranker] = {}
    index = None
    if {"searchidx-title", "similar"} & set(wanted):
        if index_path is not None:
            import searchidx

            index = searchidx.open_index(index_path)
        else:
            index, _ = open_searchidx(DEFAULT_CORPUS, {}, keep=True)
    for name in wanted:
        if name in ("fts5-unicode61", "fts5-trigram"):  # the title's words joined by OR
            fts5 = Fts5Peer.build(papers, name.removeprefix("fts5-"))
            rankers[name] = lambda seed, s=fts5: s.search(titles[seed], DEPTH + 1, match="any")
        elif name == "bm25s-kiwi":
            bm25 = build_peer(name, papers)
            rankers[name] = lambda seed, s=bm25: s.search(titles[seed], DEPTH + 1)
        elif name == "searchidx-title":
            rankers[name] = lambda seed: [
                h.arxiv_id for h in index.search(titles[seed], limit=DEPTH + 1, match="any", snippets=0).hits
            ]
        elif name == "similar":
            rankers[name] = lambda seed: [h.arxiv_id for h in index.similar(seed, limit=DEPTH, snippets=0).hits]
        else:
            raise SystemExit(f"error: unknown system {name!r}")
    return rankers


def evaluate(rank: Ranker, pairs: Sequence[tuple[str, str, dict[str, int]]]) -> dict[str, Any]:
    started = time.perf_counter()
    rows = []
    for topic, seed, judged in pairs:
        ranked = [doc for doc in rank(seed) if doc != seed][:DEPTH]
        row = score_query(ranked, judged)
        row["AP@100"] = average_precision(ranked, judged)
        rows.append({"topic": topic, "seed": seed, "metrics": row})
    overall = {m: sum(r["metrics"][m] for r in rows) / max(len(rows), 1) for m in ALL_METRICS}
    return {"overall": overall, "ms_per_seed": 1000 * (time.perf_counter() - started) / max(len(rows), 1), "seeds": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=QUERIES, help="judged queries (JSON Lines)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated: " + ", ".join(SYSTEMS))
    parser.add_argument("--index", type=Path, help="an existing searchidx index of the corpus (else built under bench/out)")
    parser.add_argument("--json", type=Path, help="write all metrics here")
    args = parser.parse_args(argv)

    queries = [json.loads(line) for line in args.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = seed_pairs(queries)
    papers, loader = load_papers()
    rankers = make_rankers(args.systems.split(","), papers, args.index)
    results = {name: evaluate(rank, pairs) for name, rank in rankers.items()}
    topics = len({topic for topic, _, _ in pairs})
    print(f"corpus: {len(papers)} papers read by {loader}; {len(pairs)} seeds in {topics} topics\n")
    print("| system | " + " | ".join(ALL_METRICS) + " | ms/seed |")
    print("|---" * (len(ALL_METRICS) + 2) + "|")
    for name, r in results.items():
        cells = " | ".join(f"{r['overall'][m]:.3f}" for m in ALL_METRICS)
        print(f"| {name} | {cells} | {r['ms_per_seed']:.1f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
