"""The cross-lingual query set: queries whose words the target papers state only in the other language.

``bench/crosslingual_concepts.json`` lists hand-written queries, half Korean -> English and
half English -> Korean, each with the phrases (in the other language) that say the same
thing. Run from the repository root::

    .venv/bin/python bench/check_crosslingual.py --write   # judge: write bench/queries_crosslingual.jsonl
    .venv/bin/python bench/check_crosslingual.py           # check the written set

Judging reads every paper's analysed terms from a searchidx index of the corpus (built
under bench/out, or ``--index PATH``). A paper about the concept is one whose text
states one of the concept phrases in the other language (their terms in a row), or the
query's terms in a row in the query's language. It is graded 2, a target, when it states a
concept phrase and shares **no** content term with the query in the query's language
(Hangul terms of the summaries for a Korean query, English terms of the title and
summaries for an English one); any other paper about the concept is graded 1.
Queries with no grade-2 paper, or more than :data:`MAX_TARGETS`, are left out.

The check re-analyses every query and confirms, paper by paper, that no grade-2 paper
shares a term with it in the query's language; it exits 1 on any violation and also
requires at least 30 queries per direction.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit.corpus import DEFAULT_CORPUS  # noqa: E402

HERE = Path(__file__).resolve().parent
CONCEPTS = HERE / "crosslingual_concepts.json"
QUERIES = HERE / "queries_crosslingual.jsonl"
MAX_TARGETS = 30
MIN_PER_DIRECTION = 30
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[a-z]")


def paper_texts(index: Any) -> dict[str, dict[str, list[list[str]]]]:
    """Per paper, the first-alternative terms of each text, split by language."""
    import tantivy

    from searchidx.fields import ANALYSIS_FIELD, paper_terms, stored_paper, texts_to_analyze
    from searchidx.termstore import decode_terms

    searcher = index.snapshot.searcher
    out = {}
    for _, address in searcher.search(tantivy.Query.all_query(), searcher.num_docs).hits:
        doc = searcher.doc(address)
        paper = stored_paper(doc)
        by_part = paper_terms(paper, decode_terms(texts_to_analyze(paper), doc[ANALYSIS_FIELD][0]))
        texts = [by_part.title, *by_part.sections]
        runs: list[list[str]] = []
        for text in texts:
            seen: set[int] = set()
            runs.append([t.text for t in text if not (t.position in seen or seen.add(t.position))])  # type: ignore[func-returns-value]
        out[paper.arxiv_id] = {
            "ko": [[t for t in run if _HANGUL.search(t)] for run in runs],
            "en": [[t for t in run if _LATIN.match(t)] for run in runs],
        }
    return out


def analyse(analyzer: Any, text: str, language: str) -> list[str]:
    """The query-mode terms of ``text`` in one language."""
    pattern = _HANGUL if language == "ko" else _LATIN
    return [t.text for t in analyzer.analyze(text, "query") if pattern.search(t.text)]


def states(runs: list[list[str]], phrase: list[str]) -> bool:
    """True if ``phrase`` occurs in a row in one of the texts."""
    n = len(phrase)
    return bool(n) and any(run[i : i + n] == phrase for run in runs for i in range(len(run) - n + 1))


def judge(concepts: dict[str, list], papers: dict[str, dict[str, list[list[str]]]], analyzer: Any) -> list[dict[str, Any]]:
    """Queries with their graded papers (see the module docstring)."""
    queries = []
    for direction, items in concepts.items():
        source, target = ("ko", "en") if direction == "ko->en" else ("en", "ko")
        for n, (query, phrases) in enumerate(items, 1):
            sequence = analyse(analyzer, query, source)
            query_terms = set(sequence)
            concept = [analyse(analyzer, p, target) for p in phrases]
            judgments = {}
            for arxiv_id, texts in papers.items():
                if any(states(texts[target], c) for c in concept):
                    own = {t for run in texts[source] for t in run}
                    judgments[arxiv_id] = 1 if query_terms & own else 2
                elif states(texts[source], sequence):
                    judgments[arxiv_id] = 1
            targets = sum(g == 2 for g in judgments.values())
            if 1 <= targets <= MAX_TARGETS:
                kind = "xl_ko_en" if source == "ko" else "xl_en_ko"
                queries.append({"id": f"{kind}-{n:03d}", "kind": kind, "query": query, "judgments": judgments,
                                "note": f"grade 2: states {' / '.join(phrases)} but no query term"})
    return queries


def check(queries: list[dict[str, Any]], papers: dict[str, dict[str, list[list[str]]]], analyzer: Any) -> list[str]:
    """Every violation of the set's rules, as lines."""
    problems = []
    for q in queries:
        source = "ko" if q["kind"] == "xl_ko_en" else "en"
        query_terms = set(analyse(analyzer, q["query"], source))
        if not query_terms:
            problems.append(f"{q['id']}: no {source} term in {q['query']!r}")
        for arxiv_id, grade in q["judgments"].items():
            shared = query_terms & {t for run in papers[arxiv_id][source] for t in run}
            if grade == 2 and shared:
                problems.append(f"{q['id']}: target {arxiv_id} shares {sorted(shared)}")
    for kind in ("xl_ko_en", "xl_en_ko"):
        count = sum(q["kind"] == kind for q in queries)
        if count < MIN_PER_DIRECTION:
            problems.append(f"only {count} {kind} queries (need {MIN_PER_DIRECTION})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, help="a searchidx index of the corpus (default: build one under bench/out)")
    parser.add_argument("--write", action="store_true", help="judge the concepts and write the query set")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    from kit.peers import open_searchidx

    import searchidx
    from searchidx.analysis import default_analyzer

    index = searchidx.open_index(args.index) if args.index else open_searchidx(args.corpus, {}, keep=True)[0]
    papers = paper_texts(index)
    analyzer = default_analyzer()
    if args.write:
        queries = judge(json.loads(CONCEPTS.read_text(encoding="utf-8")), papers, analyzer)
        QUERIES.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
        print(f"wrote {len(queries)} queries to {QUERIES}")
    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems = check(queries, papers, analyzer)
    print("\n".join(problems) or f"ok: {len(queries)} queries, no grade-2 paper shares a query term in the query's language")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
