"""Build and query performance on the real corpus, against the contextual Kiwi floor and an FTS5 peer.

Usage: .venv/bin/python bench/bench_build.py [--corpus DIR] [--json PATH] [--runs N]

In one run, each step in its own child process:

1. the floor: Kiwi alone, loaded and run over the text of every paper *in context* (each
   title and summary whole, one stream, the same number of workers as a build), as a
   build analysed text before words were analysed alone; and Kiwi alone on what a build
   now gives it, each distinct word of the collection once;
2. a full ``searchidx build --full`` of a temporary copy of the corpus: wall time, peak RSS;
3. incremental builds: the latest day whose papers appear in no other digest, removed
   (re-index from stored terms); then a full build without that day and the day added to it
   (append, its new words analysed by Kiwi): wall time of each against the full build;
4. cold queries, each a new ``searchidx query --json`` process (modules byte-compiled first,
   as an install would), ``--runs`` times each, the median per query kept: the
   :func:`descriptions` (multi-word Korean descriptions of a paper made from the corpus),
   the Korean known-item queries of ``bench/queries.jsonl`` and 20 mixed queries. For each
   query, whether it needs Kiwi (a word neither in the lexicon nor an inflection of one),
   and the peak RSS of its process;
5. warm queries: the same queries in one process, 10 rounds (p50, p99);
6. index size;
7. the SQLite FTS5 (unicode61) peer: build, size, cold and warm queries (mixed queries).

The corpus copy lives in a temporary directory that is removed afterwards. Prints a table
and writes JSON (default ``bench/out/build.json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit.corpus import DEFAULT_CORPUS, OUT, ROOT  # noqa: E402
from kit.fts5 import Fts5Peer  # noqa: E402
from kit.timing import (  # noqa: E402
    CONSOLE_SCRIPT,
    FTS5_PROGRAM,
    MIXED_QUERIES,
    PYTHON,
    cold_runs,
    dir_bytes,
    machine,
    precompile,
    run_child,
    summary_ms,
    warm_seconds,
)

DEFAULT_JSON = OUT / "build.json"

#: 20 mixed queries: Korean and English words, phrases, mixed script, field syntax, an id.
MIXED = (*MIXED_QUERIES[:15], "2406.11430", *MIXED_QUERIES[15:])
#: How many :func:`descriptions` are timed, and the seed that draws them.
DESCRIPTIONS = 45
SEED = 11
QUERY_SET = ROOT / "bench" / "queries.jsonl"

FLOOR = """
import json, resource, sys, time
from searchidx.analysis import Analyzer, ruled
from searchidx.words import normalize
from searchidx.fields import texts_to_analyze
from searchidx.lexicon import words_of
from searchidx.parse import parse_paths
papers = parse_paths([sys.argv[1]]).papers
texts = [normalize(t)[0] for p in papers for t in texts_to_analyze(p)]
words = sorted(w for w in words_of(texts) if ruled(w) is None)
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
                  "kiwi_words": report.kiwi_words, "seconds": report.seconds, "stages": dict(report.stages)}))
"""

TARGETS = {
    "build_vs_floor": 0.6,
    "incremental_vs_full": 0.10,
    "cold_median_ms": 150.0,
    "cold_p95_ms": 300.0,
    "kiwi_share": 0.05,
    "cold_rss_mb": 120.0,
}
#: Particles and endings a description puts after a noun, by whether the noun ends in a
#: consonant; one is drawn per word ("" leaves it bare).
_AFTER_CONSONANT = ("", "", "을", "은", "이", "의", "과", "으로", "에서", "하는", "에")
_AFTER_VOWEL = ("", "", "를", "는", "가", "의", "와", "로", "에서", "하는", "에")


def descriptions(corpus: Path, count: int, seed: int = SEED) -> list[str]:
    """Multi-word Korean descriptions of papers, the way someone half remembering one types.

    Procedure (``random.Random(seed)``): draw a paper with a summary; take the Hangul nouns
    of two syllables or more of its first section (Kiwi's NNG and NNP morphemes of its words),
    without repeats and without the 100 terms most papers have; keep 3-6 of them in a
    shuffled order; write each with a particle or ending drawn from a fixed list, so most
    are in another form than the summary's. A paper with fewer than three such terms is
    drawn again.
    """
    import random
    import re
    from collections import Counter

    from searchidx.analysis import Analyzer
    from searchidx.parse import parse_paths
    from searchidx.words import normalize, split_words

    hangul = re.compile(r"[\uac00-\ud7a3]{2,}")
    papers = [p for p in parse_paths([corpus]).papers if p.sections]
    analyzer = Analyzer()
    words = [[w for _, w in split_words(normalize(p.sections[0].text)[0])] for p in papers]
    morphs = analyzer.lookup({w for section in words for w in section})
    nouns = [
        list(dict.fromkeys(m.form for w in section for m in morphs[w] if m.tag in ("NNG", "NNP") and hangul.fullmatch(m.form)))
        for section in words
    ]
    common = {t for t, _ in Counter(t for terms in nouns for t in terms).most_common(100)}
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        terms = [t for t in nouns[rng.randrange(len(papers))] if t not in common]
        if len(terms) < 3:
            continue
        picked = rng.sample(terms, min(len(terms), rng.randint(3, 6)))
        words = []
        for term in picked:
            consonant = (ord(term[-1]) - 0xAC00) % 28 != 0
            words.append(term + rng.choice(_AFTER_CONSONANT if consonant else _AFTER_VOWEL))
        out.append(" ".join(words))
    return out


def known_item_queries() -> list[str]:
    """The Korean known-item queries of the judged set."""
    rows = [orjson.loads(line) for line in QUERY_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["query"] for row in rows if row["kind"] == "ko_known"]


def needs_kiwi(index_path: Path, queries: list[str]) -> dict[str, bool]:
    """Per query: does a search for it (planning and snippets) call Kiwi, starting cold?"""
    from searchidx.analysis import Analyzer
    from searchidx.search import open_index

    class Counting(Analyzer):
        calls = 0

        def morphs(self, words):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().morphs(words)

    out = {}
    for query in queries:
        before = Counting.calls
        open_index(index_path, analyzer=Counting()).search(query)
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


def fts5_peer(corpus: Path, work: Path, runs: int) -> dict[str, object]:
    """Build, size, cold and warm query figures of the FTS5 unicode61 peer."""
    db = work / "fts5.sqlite"
    built = run_child([PYTHON, FTS5_PROGRAM, "build", str(corpus), str(db)])
    if built.returncode != 0:
        raise SystemExit(f"FTS5 build failed: {built.stderr}")
    cold = cold_runs(lambda query: [PYTHON, FTS5_PROGRAM, "query", str(db), query], MIXED, runs)
    warm = warm_seconds(Fts5Peer.open(str(db)).hits, MIXED)
    return {
        "build_seconds": round(built.seconds, 2),
        "build_max_rss_mb": round(built.max_rss_mb, 1),
        "index_bytes": db.stat().st_size,
        "cold_ms": summary_ms([seconds for seconds, _ in cold.values()]),
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
        if removed.returncode != 0:
            raise SystemExit(f"incremental build failed: {removed.stderr}")
        # Adding the day to an index that never saw it: its new words go to Kiwi.
        print("incremental: latest day added to a full build without it ...", file=sys.stderr)
        shutil.rmtree(index)
        without = run_child([PYTHON, "-c", BUILD, str(corpus), str(index), "full"])
        shutil.move(saved, latest)
        added = run_child([PYTHON, "-c", BUILD, str(corpus), str(index), "incremental"])
        if without.returncode != 0 or added.returncode != 0:
            raise SystemExit(f"incremental build failed: {without.stderr}{added.stderr}")

        from searchidx.index import current_generation
        from searchidx.search import open_index

        generation = current_generation(index)
        sizes = {
            "total": dir_bytes(generation),
            "tantivy": sum(f.stat().st_size for f in generation.iterdir() if f.name.split(".")[0].isalnum() and len(f.name.split(".")[0]) == 32),
            "lexicon": (generation / "lexicon.sqlite").stat().st_size,
        }

        print("cold queries ...", file=sys.stderr)
        precompile()
        groups = {"descriptions": descriptions(corpus, DESCRIPTIONS), "known_item": known_item_queries(), "mixed": list(MIXED)}
        queries = list(dict.fromkeys(q for group in groups.values() for q in group))
        kiwi = needs_kiwi(index, queries)
        cold = cold_runs(lambda q: [CONSOLE_SCRIPT, "query", q, "--index", str(index), "--json"], queries, args.runs)
        print("warm queries ...", file=sys.stderr)
        warm = warm_seconds(open_index(index).search, queries)  # with snippets
        print("FTS5 peer ...", file=sys.stderr)
        peer = fts5_peer(corpus, work, args.runs)

    timed = groups["descriptions"] + groups["known_item"]  # the headline set: descriptions of papers
    result.update(
        {
            "corpus": {
                "texts": floor["texts"],
                "chars": floor["chars"],
                "distinct_words_for_kiwi": floor["words"],
                "distinct_word_chars": floor["word_chars"],
            },
            "floor": {
                "seconds": round(floor_seconds, 2),
                "kiwi_load": round(floor["load"], 2),
                "analyse": round(floor["analyse"], 2),
                "cpu_seconds": round(floor["cpu"], 2),
                "max_rss_mb": round(floor_run.max_rss_mb, 1),
                "words_alone_seconds": round(floor["extra"], 2),
                "words_alone_cpu_seconds": round(floor["extra_cpu"], 2),
            },
            "build": {
                "seconds": round(full.seconds, 2),
                "cpu_seconds": round(full.cpu_seconds, 2),
                "max_rss_mb": round(full.max_rss_mb, 1),
                "vs_floor": round(full.seconds / floor_seconds, 3),
                "cpu_vs_floor_cpu": round(full.cpu_seconds / floor["cpu"], 3),
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
                "add_day_cpu_vs_full_cpu": round(added.cpu_seconds / full.cpu_seconds, 3),
            },
            "index_bytes": sizes,
            "cold_ms": {
                **{name: summary_ms([cold[q][0] for q in group]) for name, group in groups.items()},
                "descriptions_and_known_item": summary_ms([cold[q][0] for q in timed]),
                "all": summary_ms([cold[q][0] for q in queries]),
            },
            "cold_kiwi_share": {
                **{name: round(sum(kiwi[q] for q in group) / len(group), 3) for name, group in groups.items()},
                "descriptions_and_known_item": round(sum(kiwi[q] for q in timed) / len(timed), 3),
            },
            "cold_peak_rss_mb": {
                "median": round(statistics.median(cold[q][1] for q in queries), 1),
                "max": round(max(cold[q][1] for q in queries), 1),
                "max_without_kiwi": round(max((cold[q][1] for q in queries if not kiwi[q]), default=0.0), 1),
            },
            "queries": {q: {"ms": round(cold[q][0] * 1000, 1), "rss_mb": cold[q][1], "kiwi": kiwi[q]} for q in queries},
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
    share, rss = r["cold_kiwi_share"], r["cold_peak_rss_mb"]
    headline = cold["descriptions_and_known_item"]
    mb = 1024 * 1024

    def ok(flag: bool) -> str:
        return "met" if flag else "NOT MET"

    rows = [
        ("contextual Kiwi floor (load + every text in context)", f"{f['seconds']:.1f} s (load {f['kiwi_load']:.1f} s), {f['cpu_seconds']:.1f} CPU s", "", ""),
        ("Kiwi on each distinct word alone (what a build gives it)", f"{f['words_alone_seconds']:.1f} s, {f['words_alone_cpu_seconds']:.1f} CPU s ({r['corpus']['distinct_words_for_kiwi']:,} words)", "", ""),
        ("full build", f"{b['seconds']:.1f} s, {b['cpu_seconds']:.1f} CPU s, peak RSS {b['max_rss_mb']:.0f} MB", f"{peer['build_seconds']:.1f} s, {peer['build_max_rss_mb']:.0f} MB", ""),
        ("build / contextual floor (wall; CPU)", f"**{b['vs_floor']:.3f}**; {b['cpu_vs_floor_cpu']:.3f}", "", f"<= 0.6: {ok(b['vs_floor'] <= TARGETS['build_vs_floor'])}"),
        ("build stages (s; Kiwi thread and writer overlap)", ", ".join(f"{k} {v:.1f}" for k, v in b["report"]["stages"].items()), "", ""),
        (
            f"add one day (incremental: {inc['day']}, {inc['add_day_report']['analysed']} papers, {inc['add_day_report']['kiwi_words']} new words to Kiwi)",
            f"{inc['add_day_seconds']:.2f} s = **{inc['add_day_vs_full']:.1%}** of full"
            f" (CPU {inc['add_day_cpu_vs_full_cpu']:.1%})",
            "",
            f"<= 10%: {ok(inc['add_day_vs_full'] <= TARGETS['incremental_vs_full'])}",
        ),
        ("remove one day (incremental)", f"{inc['remove_day_seconds']:.2f} s", "", ""),
        ("index size", f"{r['index_bytes']['total'] / mb:.1f} MB (Tantivy {r['index_bytes']['tantivy'] / mb:.1f}, lexicon {r['index_bytes']['lexicon'] / mb:.1f})", f"{peer['index_bytes'] / mb:.1f} MB", ""),
        (
            f"cold query, {len(r['queries']) - 20} descriptions and known-item queries: median / p95",
            f"**{headline['median']:.0f} / {headline['p95']:.0f} ms**",
            "",
            f"<= 150 / 300 ms: {ok(headline['median'] <= TARGETS['cold_median_ms'] and headline['p95'] <= TARGETS['cold_p95_ms'])}",
        ),
        ("of them, queries that loaded Kiwi", f"**{share['descriptions_and_known_item']:.1%}** (descriptions {share['descriptions']:.1%}, known-item {share['known_item']:.1%})", "", f"< 5%: {ok(share['descriptions_and_known_item'] < TARGETS['kiwi_share'])}"),
        ("cold query peak RSS: median / max (max without Kiwi)", f"{rss['median']:.0f} / {rss['max']:.0f} MB ({rss['max_without_kiwi']:.0f} MB)", "", f"< 120 MB: {ok(rss['max_without_kiwi'] < TARGETS['cold_rss_mb'])}"),
        ("cold, 20 mixed queries: median / p95", f"{cold['mixed']['median']:.0f} / {cold['mixed']['p95']:.0f} ms (Kiwi loaded by {share['mixed']:.0%})", f"{peer['cold_ms']['median']:.0f} / {peer['cold_ms']['p95']:.0f} ms", ""),
        ("warm query p50 / p99", f"{warm['median']:.1f} / {warm['p99']:.1f} ms", f"{peer['warm_ms']['median']:.1f} / {peer['warm_ms']['p99']:.1f} ms", ""),
    ]
    print(f"\nmeasured {r['date']} on {r['machine']['cpu']} ({r['machine']['cores']} cores); load average {r['machine']['load_average_at_start']} -> {r['load_average_at_end']}\n")
    print("| measure | searchidx | FTS5 unicode61 | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
