"""The benchmark corpus: where it is, and the same :class:`~searchidx.records.Paper` list for every system.

Papers are read by searchidx's own parser, so the peers and the product index identical
documents.
"""

from __future__ import annotations

from pathlib import Path

from searchidx.parse import parse_paths
from searchidx.records import Paper

ROOT = Path(__file__).resolve().parent.parent.parent
#: Where benchmarks keep what they write (ignored by git).
OUT = ROOT / "bench" / "out"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko"


def load_papers(corpus: Path = DEFAULT_CORPUS) -> tuple[list[Paper], str]:
    """All distinct papers under ``corpus``, and the name of the reader that parsed them."""
    if not corpus.is_dir():
        raise SystemExit(f"error: no corpus at {corpus} (give one with --corpus)")
    return list(parse_paths([corpus]).papers), "searchidx.parse"
