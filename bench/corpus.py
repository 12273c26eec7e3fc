"""Loading the benchmark corpus: the same :class:`~searchidx.records.Paper` list for every system.

Uses searchidx's own parser when it is importable, so peers and the product see identical
documents; otherwise a small regex reader of the digest headings stands in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from searchidx.records import Paper, Section

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko"

_HEADING = re.compile(r"^### \[(.*)\]\((https?://arxiv\.org/abs/([^)\s]+))\)\s*$", re.M)
_AUTHORS = re.compile(r"^Authors:\s*(.*)$", re.M)
_VOTES = re.compile(r"^Vote:\s*(\d+)", re.M)
_BULLET = re.compile(r"^\s*-\s+(?:\*{2,3}([^*]+?):?\*{2,3}:?\s*)?(.*)$")


def load_papers(corpus: Path = DEFAULT_CORPUS) -> tuple[list[Paper], str]:
    """All distinct papers under ``corpus`` and the name of the loader that read them."""
    try:
        from searchidx.parse import parse_paths
    except ImportError:
        return _regex_papers(corpus), "bench regex reader"
    result = parse_paths([corpus])
    return list(result.papers), "searchidx.parse"


def _regex_papers(corpus: Path) -> list[Paper]:
    papers: dict[str, Paper] = {}
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        heads = list(_HEADING.finditer(text))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            block = text[head.end() : end]
            papers[head.group(3)] = Paper(
                arxiv_id=head.group(3),
                url=head.group(2),
                title=head.group(1),
                authors=_authors(block),
                votes=int(m.group(1)) if (m := _VOTES.search(block)) else None,
                sections=tuple(_sections(block)),
            )
    return list(papers.values())


def _authors(block: str) -> tuple[str, ...]:
    match = _AUTHORS.search(block)
    if not match:
        return ()
    raw = match.group(1).strip()
    if raw.startswith("["):
        try:
            return tuple(str(a) for a in ast.literal_eval(raw))
        except (ValueError, SyntaxError):
            raw = raw.strip("[]")
    return tuple(a.strip().strip("'\"") for a in raw.split(",") if a.strip())


def _sections(block: str) -> list[Section]:
    sections = []
    for line in block.splitlines():
        match = _BULLET.match(line)
        if match and match.group(2).strip():
            sections.append(Section((match.group(1) or "summary").strip(), match.group(2).strip()))
    return sections
