"""Building an index: digests -> papers -> analysed terms -> a new index generation.

This is the only module that holds a Tantivy ``IndexWriter``. Papers are analysed in
batches (one batched Kiwi call per batch keeps both cores busy and memory bounded by the
batch, not the corpus), added, committed, and the finished generation is published
atomically by :func:`searchidx.index.publish`.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from searchidx.analysis import Analyzer, default_analyzer
from searchidx.fields import make_document, texts_to_analyze
from searchidx.glossary import mine_glossary, save_glossary
from searchidx.index import (
    build_lock,
    create_generation_index,
    new_generation,
    publish,
    resolve_index_path,
    tantivy_errors,
    write_meta,
)
from searchidx.parse import parse_paths
from searchidx.records import Paper, ParseProblem

__all__ = ["BuildReport", "build"]

#: Papers analysed per batch; bounds the build's memory.
BATCH_SIZE = 256
WRITER_HEAP = 64_000_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build read and wrote.

    ``entries`` counts paper entries in the digests, ``papers`` distinct papers, and
    ``merged`` entries folded into a paper seen on another day.
    """

    index_path: Path
    files: int
    entries: int
    papers: int
    merged: int
    problems: tuple[ParseProblem, ...]
    seconds: float


def build(
    paths: Iterable[str | os.PathLike[str]],
    index_path: str | os.PathLike[str] | None = None,
    *,
    analyzer: Analyzer | None = None,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Parse the digests under ``paths`` and index them as the new current generation.

    ``index_path`` defaults to ``$SEARCHIDX_INDEX`` or ``./.searchidx``. ``progress`` is
    called with (papers done, papers total). Raises :class:`searchidx.InputError` for a
    path that cannot be read and :class:`searchidx.IndexLockedError` when another build
    is writing the same index.
    """
    started = time.perf_counter()
    root = resolve_index_path(index_path)
    sources = [Path(p) for p in paths]
    parsed = parse_paths(sources)
    papers = parsed.papers
    with build_lock(root):
        generation = new_generation(root)
        write_papers(generation, papers, analyzer or default_analyzer(), progress)
        save_glossary(generation, mine_glossary(papers, analyzer or default_analyzer()))
        write_meta(
            generation,
            {
                "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "papers": len(papers),
                "sources": [str(p.resolve()) for p in sources],
            },
        )
        publish(root, generation)
    return BuildReport(
        index_path=root,
        files=parsed.files,
        entries=parsed.entries,
        papers=len(papers),
        merged=parsed.duplicates,
        problems=tuple(parsed.problems),
        seconds=time.perf_counter() - started,
    )


def write_papers(
    generation: Path,
    papers: Sequence[Paper],
    analyzer: Analyzer,
    progress: ProgressCallback | None = None,
) -> None:
    """Analyse ``papers`` in batches and commit them into a new index in ``generation``."""
    index = create_generation_index(generation)
    with tantivy_errors(generation.parent):
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        for start in range(0, len(papers), BATCH_SIZE):
            batch = papers[start : start + BATCH_SIZE]
            texts = [texts_to_analyze(paper) for paper in batch]
            flat = analyzer.analyze_many([t for paper_texts in texts for t in paper_texts])
            cursor = 0
            for paper, paper_texts in zip(batch, texts):
                writer.add_document(make_document(paper, flat[cursor : cursor + len(paper_texts)]))
                cursor += len(paper_texts)
            if progress:
                progress(start + len(batch), len(papers))
        writer.commit()
        writer.wait_merging_threads()
