"""Building an index: digests -> papers -> analysed terms -> a new index generation.

This is the only module that holds a Tantivy ``IndexWriter``. Analysis works word by word,
usually in a child process started before the digests are parsed
(:mod:`searchidx.kiwi_process`), fed by a background thread
(:mod:`searchidx.analysis_thread`) which hands analysed batches of papers to the calling
thread; it turns them into Tantivy documents, counts the glossary's glosses
(:mod:`searchidx.glossary`) and what translation mining reads
(:mod:`searchidx.translations`), and commits while the new words are stored in the lexicon
(:mod:`searchidx.lexicon`). The spelling table (:mod:`searchidx.correct`) is written on a
thread of its own meanwhile.

A build over an existing index is incremental unless ``full=True``. The manifest
(:mod:`searchidx.manifest`) says which files and papers changed since the current
generation; only papers whose texts changed are analysed, and of their words only those
the previous lexicon lacks go to Kiwi. When papers were only added, the new generation
starts as hard links to the current one's immutable segment files and the new papers are
appended. When papers changed or went away, the generation is re-indexed from the terms
stored with each paper (:mod:`searchidx.termstore`), without Kiwi: deleting in place would
leave the deleted papers in Tantivy's BM25 statistics until a merge, and the index must
score exactly as a full build would. When papers were only added, the spelling table
(:mod:`searchidx.correct`) is the previous one plus their words. The finished generation is
published atomically by :func:`searchidx.index.publish`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import tantivy

from searchidx import translations
from searchidx.analysis import Analyzer, default_analyzer
from searchidx.analysis_thread import AnalysisThread
from searchidx.checksums import verify_checksums
from searchidx.correct import write_spelling
from searchidx.errors import SearchidxError
from searchidx.fields import ANALYSIS_FIELD, make_document, paper_terms, stored_paper, texts_to_analyze
from searchidx.files import find_digests
from searchidx.glossary import GlossaryCounts, load_counts, save_counts, save_glossary
from searchidx.index import (
    build_lock,
    building,
    create_generation_index,
    current_generation,
    open_generation,
    publish,
    read_meta,
    resolve_index_path,
    tantivy_errors,
    write_meta,
)
from searchidx.kiwi_process import KiwiProcess, TextAnalysis, needs_kiwi, open_text_analysis
from searchidx.lexicon import LEXICON_FILE
from searchidx.manifest import (
    Manifest,
    PaperPrint,
    paper_print,
    path_key,
    read_manifest,
    scan_files,
    write_manifest,
)
from searchidx.parse import parse_files
from searchidx.records import Paper, ParseProblem
from searchidx.terms import Term
from searchidx.termstore import decode_terms

__all__ = ["BuildReport", "build"]

WRITER_HEAP = 64_000_000

ProgressCallback = Callable[[int, int], None]
#: The current generation with what an incremental build reads of it: manifest, glossary
#: counts and translation counts.
Previous = tuple[Path, Manifest, GlossaryCounts, translations.TranslationCounts]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build read and wrote.

    ``entries`` counts paper entries in the digests, ``papers`` distinct papers, and
    ``merged`` entries folded into a paper seen on another day. ``mode`` is how the index
    was written: ``"full"``, ``"append"`` (new papers added to the previous generation),
    ``"reindex"`` (re-indexed from stored terms) or ``"unchanged"``; ``analysed`` counts the
    papers analysed, ``kiwi_words`` the distinct words among them that no earlier build had
    seen and Kiwi analysed (each alone). ``stages`` are seconds spent per stage: ``parse``, on
    the Kiwi thread ``analyse`` (papers) and ``lexicon``, and on the writing thread
    ``commit`` (after the last batch arrived), ``glossary`` (selecting and saving the
    pairs) and ``translations`` (mining and saving them); the two threads overlap.
    ``spelling`` follows them (:mod:`searchidx.correct`).
    """

    index_path: Path
    files: int
    entries: int
    papers: int
    merged: int
    problems: tuple[ParseProblem, ...]
    seconds: float
    mode: str = "full"
    analysed: int = 0
    kiwi_words: int = 0
    stages: tuple[tuple[str, float], ...] = ()


def build(
    paths: Iterable[str | os.PathLike[str]],
    index_path: str | os.PathLike[str] | None = None,
    *,
    analyzer: Analyzer | None = None,
    progress: ProgressCallback | None = None,
    full: bool = False,
) -> BuildReport:
    """Parse the digests under ``paths`` and index them as the new current generation.

    ``index_path`` defaults to ``$SEARCHIDX_INDEX`` or ``./.searchidx``. ``progress`` is
    called with (papers done, papers total). Over an existing index only what changed is
    analysed again; ``full`` rebuilds from scratch. Raises :class:`searchidx.InputError`
    for a path that cannot be read and :class:`searchidx.IndexLockedError` when another
    build is writing the same index.
    """
    started = time.perf_counter()
    root = resolve_index_path(index_path)
    sources = [Path(p) for p in paths]
    files, walk_problems = find_digests(sources)
    analyzer = analyzer or default_analyzer()
    with build_lock(root), _no_cycle_collection():
        scanned = scan_files(files)
        fingerprint = analyzer.fingerprint
        previous = None if full else _previous(root, fingerprint)
        base = previous[0] / LEXICON_FILE if previous is not None else None
        # The one place a build's Tantivy and OS errors become searchidx errors; inside it
        # ``building`` sees them first, to clean up and recognise a full disk. Kiwi's side
        # starts before parsing: a child process loads Kiwi while the digests are parsed,
        # and is stopped if no text to analyse turns out to need Kiwi.
        with (
            tantivy_errors(root),
            building(root) as generation,
            open_text_analysis(analyzer, generation / LEXICON_FILE, base) as analysis,
        ):
            parse_started = time.perf_counter()
            parsed = parse_files(files)
            stages = {"parse": time.perf_counter() - parse_started}
            papers = parsed.papers
            prints = {paper.arxiv_id: paper_print(paper) for paper in papers}
            plan = _plan(previous, papers, prints)
            if isinstance(analysis, KiwiProcess) and not needs_kiwi(
                (text for paper in plan.to_add for text in texts_to_analyze(paper)), base
            ):
                analysis.without_kiwi()
            with ThreadPoolExecutor(1, thread_name_prefix="searchidx-spelling") as spelling:
                # The spelling table needs only the papers' text: written while Kiwi works.
                spelled = spelling.submit(_write_spelling, generation, papers, plan, previous, stages)
                kiwi_words = _write(generation, plan, previous, analysis, progress, stages)
                spelled.result()
            write_manifest(generation, Manifest(scanned, prints))
            write_meta(
                generation,
                {
                    "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                    "papers": len(papers),
                    "sources": [path_key(p.resolve()) for p in sources],
                    "analyzer": fingerprint,
                },
            )
            publish(root, generation)
    return BuildReport(
        index_path=root,
        files=parsed.files,
        entries=parsed.entries,
        papers=len(papers),
        merged=parsed.duplicates,
        problems=(*walk_problems, *parsed.problems),
        seconds=time.perf_counter() - started,
        mode=plan.mode,
        analysed=len(plan.to_add),
        kiwi_words=kiwi_words,
        stages=tuple((name, round(seconds, 3)) for name, seconds in stages.items()),
    )


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for the build, then restore it.

    A build allocates millions of small tuples (terms, tokens) that form no cycles; each
    full collection would walk all of them again, a third of the build's Python time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _previous(root: Path, fingerprint: str) -> Previous | None:
    """The current generation, its manifest and glossary counts, if it can seed an
    incremental build.

    It cannot when it was analysed differently (``fingerprint`` of the analyzer): its stored
    terms and lexicon would not be what this analyzer gives.
    """
    try:
        generation = current_generation(root)
        if read_meta(generation).get("analyzer") != fingerprint:
            return None
        verify_checksums(generation)  # damaged files must not be linked into the next generation
        open_generation(generation)
    except SearchidxError:
        return None
    manifest = read_manifest(generation)
    counts = load_counts(generation)
    mined = translations.load_counts(generation)
    if manifest is None or counts is None or mined is None:
        return None
    return generation, manifest, counts, mined


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a build writes: ``mode`` (see :class:`BuildReport`), the papers to analyse and
    those re-indexed from their stored terms (``keep``, by id)."""

    mode: str
    to_add: Sequence[Paper]
    keep: dict[str, Paper]


def _plan(previous: Previous | None, papers: Sequence[Paper], prints: dict[str, PaperPrint]) -> _Plan:
    """Analyse every paper without a previous generation; else only papers whose texts
    changed, re-indexing the others from their stored terms when papers changed or went
    away (deleting in place would leave them in BM25's statistics), or appending."""
    if previous is None:
        return _Plan("full", papers, {})
    old = previous[1].papers
    added = [p for p in papers if p.arxiv_id not in old]
    changed = {p.arxiv_id for p in papers if p.arxiv_id in old and old[p.arxiv_id] != prints[p.arxiv_id]}
    if not changed and not old.keys() - prints.keys():
        return _Plan("append" if added else "unchanged", added, {})
    reusable = {p.arxiv_id: p for p in papers if p.arxiv_id in old and old[p.arxiv_id].texts == prints[p.arxiv_id].texts}
    return _Plan("reindex", [p for p in papers if p.arxiv_id not in reusable], reusable)


def _write(
    generation: Path,
    plan: _Plan,
    previous: Previous | None,
    analysis: TextAnalysis,
    progress: ProgressCallback | None,
    stages: dict[str, float],
) -> int:
    """Write the papers of ``plan`` into ``generation``: appended to the previous generation's
    segments, or a new index; the glossary and translations, and the lexicon (``analysis``).

    Adds the seconds spent per stage to ``stages`` (see :class:`BuildReport`); returns the
    number of words Kiwi analysed.
    """
    if previous is not None and plan.mode in ("append", "unchanged"):
        _link_generation(previous[0], generation)
        index = open_generation(generation)
        counts, mined = previous[2], previous[3]
    else:
        index = create_generation_index(generation)
        counts, mined = GlossaryCounts(), translations.TranslationCounts()
    with AnalysisThread(plan.to_add, analysis) as kiwi_side:
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        if previous is not None and plan.keep:
            for paper, stored in _stored_terms(previous[0], plan.keep):
                writer.add_document(make_document(paper, stored))
                counts.add(paper, paper_terms(paper, stored).sections)
                mined.add(paper, stored)
        _write_analysed(generation, writer, kiwi_side, len(plan.to_add), progress, counts, mined)
    stages.update(kiwi_side.seconds)
    return kiwi_side.kiwi_words


def _write_analysed(
    generation: Path,
    writer: tantivy.IndexWriter,
    kiwi_side: AnalysisThread,
    total: int,
    progress: ProgressCallback | None,
    counts: GlossaryCounts,
    mined: translations.TranslationCounts,
) -> None:
    """Add papers as Kiwi's side hands them over and count their glosses into ``counts``
    and what translation mining reads into ``mined``; then commit and save the glossary
    and the translations (all timed)."""
    done = 0
    for batch, terms in kiwi_side.batches():
        for paper, analysed in zip(batch, terms):
            writer.add_document(make_document(paper, analysed))
            counts.add(paper, paper_terms(paper, analysed).sections)
            mined.add(paper, analysed)
        done += len(batch)
        if progress:
            progress(done, total)
    committing = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    kiwi_side.seconds["commit"] = time.perf_counter() - committing
    selecting = time.perf_counter()
    glossary = counts.glossary()
    save_glossary(generation, glossary)
    save_counts(generation, counts)
    kiwi_side.seconds["glossary"] = time.perf_counter() - selecting
    mining = time.perf_counter()
    translations.save_translations(generation, translations.Translations.mine(mined, glossary))
    translations.save_counts(generation, mined)
    kiwi_side.seconds["translations"] = time.perf_counter() - mining


def _write_spelling(
    generation: Path, papers: Sequence[Paper], plan: _Plan, previous: Previous | None, stages: dict[str, float]
) -> None:
    """Write the spelling table of ``papers``: when papers were only added, the previous
    table plus their words (unless it cannot be read), else from every paper (timed)."""
    started = time.perf_counter()
    try:
        if previous is not None and plan.mode == "append":
            try:
                write_spelling(generation, plan.to_add, base=previous[0])
                return
            except (OSError, sqlite3.Error):
                pass
        write_spelling(generation, papers)
    finally:
        stages["spelling"] = time.perf_counter() - started


def _stored_terms(generation: Path, wanted: dict[str, Paper]) -> Iterator[tuple[Paper, list[list[Term]]]]:
    """The papers of ``wanted`` (by id) with the terms stored for them in ``generation``."""
    index = open_generation(generation)
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1)).hits
    addresses = sorted((address.segment_ord, address.doc) for _, address in hits)
    for segment, doc_id in addresses:
        doc = searcher.doc(tantivy.DocAddress(segment, doc_id))
        paper = wanted.get(stored_paper(doc).arxiv_id)
        if paper is not None:
            yield paper, decode_terms(texts_to_analyze(paper), doc[ANALYSIS_FIELD][0])


def _link_generation(source: Path, target: Path) -> None:
    """Hard-link the Tantivy files of ``source`` into ``target``.

    Segment files never change once written and Tantivy replaces ``meta.json`` and
    ``.managed.json`` by a rename, which breaks the link, so ``source`` stays as it was.
    """
    for entry in source.iterdir():
        if entry.name in _TANTIVY_META or _SEGMENT_FILE.fullmatch(entry.name):
            os.link(entry, target / entry.name)


_TANTIVY_META = frozenset({"meta.json", ".managed.json"})
_SEGMENT_FILE = re.compile(r"[0-9a-f]{32}(?:\.\d+)?\.\w+")
