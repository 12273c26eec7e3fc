"""The systems compared on relevance: three peers a user could reach for, and searchidx.

Every system is built from the same list of :class:`~searchidx.records.Paper` records and
answers ``search(query, k)`` with arXiv ids, best first.

- ``fts5-unicode61`` / ``fts5-trigram``: SQLite FTS5 (:class:`kit.fts5.Fts5Peer`).
- ``bm25s-kiwi``: plain BM25 (``bm25s``) over the Kiwi morphemes searchidx itself indexes
  (``searchidx.analysis.default_analyzer``), title, authors and body in one field.
- ``bm25s-kiwi-word``: the same BM25, but every whitespace word is analysed alone (Kiwi
  without its neighbours, cached by word), documents and queries alike.
- ``searchidx``: the product, built through its library API.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from kit.corpus import OUT
from kit.fts5 import Fts5Peer
from searchidx.records import Paper
from searchidx.terms import Mode


class System(Protocol):
    """A built search system."""

    name: str
    build_seconds: float

    def search(self, query: str, k: int) -> list[str]:
        """The ids of the best ``k`` papers for ``query``, best first."""
        ...


def load_analyzer() -> tuple[Callable[[str, Mode], list[str]], str]:
    """searchidx's analyzer as ``(text, mode) -> terms``, and a name that changes with its source."""
    from searchidx import analysis

    analyzer = analysis.default_analyzer()

    def analyze(text: str, mode: Mode) -> list[str]:
        return [term.text for term in analyzer.analyze(text, mode)]

    source = Path(analysis.__file__)
    version = hashlib.sha1(source.read_bytes())
    for part in ("words.py", "terms.py"):  # the steps analysis puts together
        version.update((source.parent / part).read_bytes())
    for extra in sorted(source.parent.glob("*.txt")):
        version.update(extra.read_bytes())
    return analyze, f"searchidx.analysis@{version.hexdigest()[:10]}"


def word_by_word(analyze: Callable[[str, Mode], list[str]]) -> Callable[[str, Mode], list[str]]:
    """``analyze`` applied to each whitespace word alone, memoised per (word, mode)."""
    memo: dict[tuple[str, Mode], list[str]] = {}

    def analyze_words(text: str, mode: Mode) -> list[str]:
        terms: list[str] = []
        for word in text.split():
            key = (word, mode)
            if key not in memo:
                memo[key] = analyze(word, mode)
            terms.extend(memo[key])
        return terms

    return analyze_words


class Bm25sSystem:
    """Plain BM25 (bm25s, Lucene variant, k1=1.5, b=0.75) over analysed morphemes.

    The build time includes analysing the corpus, unless an earlier run with the same analyzer
    source left the terms in bench/out.
    """

    def __init__(self, papers: Sequence[Paper], analyze: Callable[[str, Mode], list[str]],
                 analyzer_name: str, name: str = "bm25s-kiwi") -> None:
        import bm25s

        started = time.perf_counter()
        self.name = name
        self.analyzer_name = analyzer_name
        self._analyze = analyze
        self._ids = [p.arxiv_id for p in papers]
        texts = ["\n".join((p.title, ", ".join(p.authors), p.text)) for p in papers]
        tokens = _cached(("bm25s-tokens", name, analyzer_name, texts),
                         lambda: [analyze(t, "index") for t in texts])
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        self.build_seconds = time.perf_counter() - started

    def search(self, query: str, k: int) -> list[str]:
        terms = self._analyze(query, "query")
        if not terms:
            return []
        docs, scores = self._bm25.retrieve([terms], k=min(k, len(self._ids)),
                                           show_progress=False, n_threads=1)
        return [self._ids[d] for d, s in zip(docs[0], scores[0]) if s > 0]


#: The peers, by name.
PEERS = ("fts5-unicode61", "fts5-trigram", "bm25s-kiwi", "bm25s-kiwi-word")


def build_peer(name: str, papers: Sequence[Paper]) -> Fts5Peer | Bm25sSystem:
    """The peer called ``name`` (one of :data:`PEERS`), built over ``papers``."""
    if name in ("fts5-unicode61", "fts5-trigram"):
        return Fts5Peer.build(papers, name.removeprefix("fts5-"))
    if name in ("bm25s-kiwi", "bm25s-kiwi-word"):
        analyze, analyzer_name = load_analyzer()
        if name == "bm25s-kiwi-word":
            analyze = word_by_word(analyze)
        return Bm25sSystem(papers, analyze, analyzer_name, name)
    raise SystemExit(f"error: unknown system {name!r}")


def _cached(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, memoised on disk under bench/out by a digest of ``key``."""
    path = OUT / f"cache-{hashlib.sha1(pickle.dumps(key)).hexdigest()[:16]}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = compute()
    OUT.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(value))
    return value


#: Named ``field_weights`` for searchidx runs (``--sweep field_weights=flat,title3``).
FIELD_WEIGHT_PRESETS: dict[str, dict[str, float]] = {
    "flat": {"title": 1.0, "authors": 1.0, "body": 1.0},
    "title3": {"title": 3.0, "authors": 2.0, "body": 1.0, "sec_new": 0.5},
    "title2": {"title": 2.0, "authors": 2.0, "body": 1.0},
    "title1": {"title": 1.0, "authors": 2.0, "body": 1.0, "sec_new": 0.25},
    "new1": {"title": 2.0, "authors": 2.0, "body": 1.0, "sec_new": 1.0},
    "body": {"body": 1.0},
    # One combined field (title written twice, authors, summary): BM25F with integer weights.
    "all": {"all": 1.0},
    "all_authors": {"all": 1.0, "authors": 1.0},
    "all_title": {"all": 1.0, "title": 1.0, "authors": 1.0},
}


class SearchidxSystem:
    """searchidx through its library API, with keyword overrides for ``search``.

    Snippets are switched off (``snippets=0``) unless an override asks for them: ranking is
    what is measured, and making snippets for 100 hits would dominate the query time.
    ``field_weights`` may name a preset of :data:`FIELD_WEIGHT_PRESETS`. Any option given as
    ``default`` is left out, so ``--sweep match=default,any`` compares the library's default
    with an explicit choice.
    """

    def __init__(self, index: Any, options: dict[str, Any], build_seconds: float) -> None:
        self._index = index
        self.build_seconds = build_seconds
        chosen = {k: v for k, v in options.items() if v != "default"}
        shown = ",".join(f"{k}={v}" for k, v in chosen.items())
        self.name = f"searchidx[{shown}]" if shown else "searchidx"
        self._options = {"snippets": 0, **chosen}
        preset = self._options.pop("field_weights", "default")
        if preset != "default":
            if preset not in FIELD_WEIGHT_PRESETS:
                raise SystemExit(f"error: unknown field_weights preset {preset!r}; known: default, "
                                 + ", ".join(FIELD_WEIGHT_PRESETS))
            self._options["field_weights"] = FIELD_WEIGHT_PRESETS[preset]

    def search(self, query: str, k: int) -> list[str]:
        result = self._index.search(query, limit=k, **self._options)
        return [hit.arxiv_id for hit in result.hits]


#: Modules that only read an index: changing them does not make a kept index stale.
QUERY_TIME_MODULES = frozenset(
    {"query.py", "search.py", "spacing.py", "highlight.py", "render.py", "cli.py", "server.py", "similar.py"}
)


def open_searchidx(corpus: Path, build_options: dict[str, Any], keep: bool) -> tuple[Any, float]:
    """Build (or with ``keep``, reuse from bench/out) a searchidx index; ``(index, seconds)``.

    A kept index is keyed by the corpus path, the build options and the searchidx source, so
    a code change rebuilds it; when another run is building the same one, this waits for it.
    """
    import searchidx

    source = Path(searchidx.__file__).parent
    digest = hashlib.sha1(repr((str(corpus), sorted(build_options.items()))).encode())
    for path in sorted((*source.rglob("*.py"), *source.rglob("*.txt"))):
        if path.name not in QUERY_TIME_MODULES:
            digest.update(path.read_bytes())
    if keep:
        target = OUT / f"index-{digest.hexdigest()[:16]}"
    else:
        scratch = tempfile.mkdtemp(prefix="searchidx-bench-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        target = Path(scratch) / "index"
    complete = target.with_name(target.name + ".complete")
    started = time.perf_counter()
    if not (keep and complete.exists()):
        try:
            searchidx.build([corpus], target, **build_options)
            complete.touch()
        except searchidx.IndexLockedError:
            _wait_for(complete)
    seconds = time.perf_counter() - started
    return searchidx.open_index(target), seconds


def _wait_for(marker: Path, timeout: float = 1800.0) -> None:
    """Wait for another run building the same kept index to finish it."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"error: gave up waiting for another run to build {marker.with_suffix('')}")
        time.sleep(2.0)


def searchidx_systems(corpus: Path, build_options: dict[str, Any],
                      configs: Iterable[dict[str, Any]], keep: bool) -> list[System]:
    """One searchidx system per search-option configuration, sharing one built index."""
    index, seconds = open_searchidx(corpus, build_options, keep)
    return [SearchidxSystem(index, config, seconds) for config in configs]
