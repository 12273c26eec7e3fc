"""Forgiving queries: Success@1 on mistyped and wrong-layout queries, next to the same queries untouched.

Run from the repository root::

    .venv/bin/python bench/typos.py                      # all systems, markdown tables
    .venv/bin/python bench/typos.py --systems searchidx --show 20

A seeded sample of known-item queries is drawn from the corpus, each aimed at the paper it
was taken from:

- ``title3``: three words in a row of an English title;
- ``ko_phrase``: two or three Korean words in a row of a summary, as written;
- ``en_word``: one English title word of 5+ letters that at most 20 papers use;
- ``ko_word``: one Korean term of 2+ syllables that a summary glosses, ``환각(hallucination)``,
  and that at most 20 papers use.

Each gets one random edit (insert, delete, substitute or swap two neighbours) in one word
of 5+ letters or 2+ Hangul syllables; a Hangul word is edited on its 2-set keystrokes and
composed again, as the keyboard would. ``layout`` queries are Korean queries of the sample
typed with the keyboard in English mode (강화 학습 -> ``rkdghk gkrtmq``). Every system
answers the untouched and the altered queries; the report is Success@1 of both and their
ratio. ``searchidx[no corrections]`` is the same index without its spelling table.
"""

from __future__ import annotations

import argparse
import atexit
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit.corpus import DEFAULT_CORPUS, load_papers  # noqa: E402
from kit.peers import SearchidxSystem, System, build_peer, open_searchidx  # noqa: E402

from searchidx.correct import SPELLING_FILE  # noqa: E402
from searchidx.keyboard import from_keystrokes, keystrokes  # noqa: E402
from searchidx.records import Paper  # noqa: E402

KINDS = {"title3": 100, "ko_phrase": 100, "en_word": 50, "ko_word": 50}
LAYOUT_QUERIES = 100
MAX_PAPERS = 20
PEERS = ("fts5-unicode61", "fts5-trigram", "bm25s-kiwi")

_LATIN = re.compile(r"[A-Za-z]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_GLOSSED = re.compile(r"([\uac00-\ud7a3]{2,})\(")
_KEYS = "abcdefghijklmnopqrstuvwxyz"


def editable(word: str) -> bool:
    """A word the typo set may alter: 5+ Latin letters or 2+ Hangul syllables."""
    return bool(_LATIN.fullmatch(word) and len(word) >= 5 or _HANGUL.fullmatch(word) and len(word) >= 2)


def mistype(word: str, rng: random.Random) -> str:
    """``word`` with one random edit, on its 2-set keystrokes when it is Hangul."""
    hangul = bool(_HANGUL.fullmatch(word))
    keys = keystrokes(word) if hangul else word
    assert keys is not None
    while True:
        i = rng.randrange(len(keys))
        operation = rng.choice(("insert", "delete", "substitute", "transpose"))
        if operation == "insert":
            edited = keys[:i] + rng.choice(_KEYS) + keys[i:]
        elif operation == "delete":
            edited = keys[:i] + keys[i + 1 :]
        elif operation == "substitute":
            edited = keys[:i] + rng.choice(_KEYS.replace(keys[i].lower(), "")) + keys[i + 1 :]
        else:
            i = min(i, len(keys) - 2)
            edited = keys[:i] + keys[i + 1] + keys[i] + keys[i + 2 :]
        typed = from_keystrokes(edited) if hangul else edited
        if typed != word and typed.strip():
            return typed


def paper_counts(papers: list[Paper]) -> Counter[str]:
    """How many papers use each word (Latin lower-cased)."""
    counts: Counter[str] = Counter()
    for paper in papers:
        text = " ".join((paper.title, paper.text))
        counts.update({w.lower() for w in _LATIN.findall(text)} | set(_HANGUL.findall(text)))
    return counts


def draw(kind: str, paper: Paper, counts: Counter[str], rng: random.Random) -> str | None:
    """One query of ``kind`` from ``paper``, or ``None`` when the paper has none."""
    if kind == "title3":
        words = paper.title.split()
        starts = [i for i in range(len(words) - 2)
                  if all(_LATIN.fullmatch(w) for w in words[i : i + 3]) and any(editable(w) for w in words[i : i + 3])]
        return " ".join(words[(i := rng.choice(starts)) : i + 3]) if starts else None
    if kind == "en_word":
        words = [w for w in _LATIN.findall(paper.title) if editable(w) and counts[w.lower()] <= MAX_PAPERS]
        return rng.choice(words) if words else None
    if kind == "ko_word":
        words = [w for w in _GLOSSED.findall(paper.text) if counts[w] <= MAX_PAPERS]
        return rng.choice(words) if words else None
    sentences = [s.split() for s in re.split(r"[.\n]", paper.text)]
    runs = [s[i : i + n] for s in sentences for n in (2, 3) for i in range(len(s) - n + 1)]
    runs = [r for r in runs if all(_HANGUL.fullmatch(w) for w in r) and any(editable(w) for w in r)
            and min(counts[w] for w in r) <= MAX_PAPERS]
    return " ".join(rng.choice(runs)) if runs else None


def make_queries(papers: list[Paper], seed: int) -> list[dict[str, Any]]:
    """The typo and layout query set: kind, untouched query, altered query, target paper."""
    rng = random.Random(seed)
    counts = paper_counts(papers)
    queries = []
    for kind, wanted in KINDS.items():
        made = 0
        for paper in rng.sample(papers, len(papers)):
            query = draw(kind, paper, counts, rng)
            if query is None:
                continue
            words = query.split()
            i = rng.choice([i for i, w in enumerate(words) if editable(w)])
            words[i] = mistype(words[i], rng)
            queries.append({"kind": kind, "query": query, "typed": " ".join(words), "target": paper.arxiv_id})
            made += 1
            if made == wanted:
                break
    korean = [q for q in queries if q["kind"] in ("ko_phrase", "ko_word")]
    for q in rng.sample(korean, LAYOUT_QUERIES):
        typed = " ".join(keystrokes(w) or w for w in q["query"].split())
        queries.append({"kind": "layout", "query": q["query"], "typed": typed, "target": q["target"]})
    return queries


def success_at_1(system: System, queries: list[dict[str, Any]], field: str) -> list[bool]:
    return [system.search(q[field], 1)[:1] == [q["target"]] for q in queries]


def without_spelling(index_path: Path) -> Any:
    """A copy of the index at ``index_path`` with no spelling table: searchidx without corrections."""
    import searchidx

    scratch = tempfile.mkdtemp(prefix="searchidx-typos-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    copy = Path(scratch) / "index"
    shutil.copytree(index_path, copy)
    (searchidx.open_index(copy).snapshot.generation / SPELLING_FILE).unlink()
    return searchidx.open_index(copy)


def build_systems(names: list[str], papers: list[Paper], corpus: Path, keep: bool) -> list[System]:
    systems: list[System] = []
    for name in names:
        if name == "searchidx":
            index, seconds = open_searchidx(corpus, {}, keep)
            systems.append(SearchidxSystem(index, {}, seconds))
            plain = SearchidxSystem(without_spelling(index.root), {}, seconds)
            plain.name = "searchidx[no corrections]"
            systems.append(plain)
        else:
            systems.append(build_peer(name, papers))
    return systems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="digest folder to index")
    parser.add_argument("--systems", default=",".join((*PEERS, "searchidx")))
    parser.add_argument("--seed", type=int, default=20251201, help="seed of the query sample and the edits")
    parser.add_argument("--build-once", action="store_true", help="keep the searchidx index under bench/out")
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="print N altered queries searchidx misses but answers untouched")
    args = parser.parse_args(argv)

    papers, _ = load_papers(args.corpus)
    queries = make_queries(papers, args.seed)
    systems = build_systems(args.systems.split(","), papers, args.corpus, args.build_once)
    kinds = [*KINDS, "layout"]
    counts = Counter(q["kind"] for q in queries)
    print(f"- {len(queries)} queries (seed {args.seed}): "
          + ", ".join(f"{kind} {counts[kind]}" for kind in kinds) + "\n")
    print("| system | " + " | ".join(f"{k} ({counts[k]})" for k in kinds) + " | typo kept | layout kept | ms/query |")
    print("|---" * (len(kinds) + 4) + "|")
    for system in systems:
        started = time.perf_counter()
        untouched = success_at_1(system, queries, "query")
        typed = success_at_1(system, queries, "typed")
        ms = 1000 * (time.perf_counter() - started) / (2 * len(queries))
        rates: dict[str, tuple[float, float]] = {}
        for kind in [*kinds, "typo"]:
            rows = [i for i, q in enumerate(queries) if q["kind"] == kind or kind == "typo" and q["kind"] != "layout"]
            rates[kind] = (sum(untouched[i] for i in rows) / len(rows), sum(typed[i] for i in rows) / len(rows))
        cells = [f"{rates[k][1]:.3f} / {rates[k][0]:.3f}" for k in kinds]
        kept = [f"{rates[k][1] / rates[k][0]:.0%}" if rates[k][0] else "-" for k in ("typo", "layout")]
        print(f"| {system.name} | " + " | ".join(cells) + f" | {' | '.join(kept)} | {ms:.1f} |")
        if args.show and system.name == "searchidx":
            missed = [q for q, u, t in zip(queries, untouched, typed) if u and not t]
            by_kind: dict[str, int] = defaultdict(int)
            for q in missed:
                by_kind[q["kind"]] += 1
            print(f"\nmissed by searchidx only when altered: {dict(by_kind)}")
            for q in missed[: args.show]:
                print(f"  {q['kind']}: {q['typed']!r} (for {q['query']!r}, {q['target']})")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
