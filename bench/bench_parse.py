"""Time parsing the whole real corpus: median wall time of a few runs of ``parse_paths``.

Usage: python bench/bench_parse.py [DIR] [--runs N]
DIR defaults to ../shared/corpus/daily_papers_ko (next to the repository).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit.corpus import DEFAULT_CORPUS  # noqa: E402

from searchidx.parse import parse_paths  # noqa: E402

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.path.exists():
        print(f"corpus not found at {args.path}", file=sys.stderr)
        return 2
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = parse_paths([args.path])
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"parsed {result.files} files, {result.entries} entries, {len(result.papers)} papers, "
        f"{len(result.problems)} problems"
    )
    print(
        f"median {median:.3f} s over {args.runs} runs "
        f"(min {min(times):.3f}, max {max(times):.3f}); target < {TARGET_SECONDS:.1f} s: "
        + ("ok" if median < TARGET_SECONDS else "MISSED")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
