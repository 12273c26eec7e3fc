"""How precise the glossary's pairs are on the corpus, and which ones queries may use.

For every key of the glossary (either side of a pair) and each of its translations, the
precision is the share of the papers holding the key that gloss it as that translation
(``searchidx.glossary.MIN_PRECISION`` is the least a query uses); a key in more than
``searchidx.query.COMMON_SHARE`` of the papers is common and never expanded. Run from the
repository root on a built index::

    .venv/bin/python bench/glossary_precision.py bench/out/index-...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import searchidx
from searchidx.glossary import MAX_TRANSLATIONS, MIN_PRECISION

EXAMPLES = ("방법", "모델", "결과", "사용", "가속", "추론", "환각", "hallucin", "llm", "강화 학습", "선호 최적")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    args = parser.parse_args(argv)
    index = searchidx.open_index(args.index)
    now = index.snapshot  # the opened generation: its glossary and document counts
    glossary = now.glossary
    papers = len(index)
    kept = dropped = common = 0
    for key in glossary.keys():
        entries = glossary.lookup(key)[:MAX_TRANSLATIONS]
        if now.common(key):
            common += len(entries)
            continue
        holding = max(now.papers_with(key.split(" ")), 1)
        for entry in entries:
            if entry.count / holding >= MIN_PRECISION:
                kept += 1
            else:
                dropped += 1
    total = kept + dropped + common
    print(f"{papers} papers, {len(glossary)} pairs; {total} (key, translation) uses among the first "
          f"{MAX_TRANSLATIONS} of each key:")
    print(f"  kept {kept} ({kept / total:.0%}), imprecise {dropped} ({dropped / total:.0%}), "
          f"common key {common} ({common / total:.0%})")
    print("\n| key | papers holding it | translation: glosses, precision |\n|---|---|---|")
    for key in EXAMPLES:
        holding = now.papers_with(key.split(" "))
        shown = ", ".join(f"{e.target}: {e.count}, {e.count / max(holding, 1):.3f}"
                          for e in glossary.lookup(key)[:MAX_TRANSLATIONS])
        flag = " (common)" if now.common(key) else ""
        print(f"| {key} | {holding} ({holding / papers:.0%}){flag} | {shown or '-'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
