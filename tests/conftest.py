"""Shared fixtures: the real corpus (skipped when absent) and hand-written digests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_DATA = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real digest collection, read in place; skips the test when it is absent."""
    path = CORPUS / "daily_papers_ko"
    if not path.is_dir():
        pytest.skip(f"real corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small hand-written digests, one per format variant."""
    return FIXTURES


@pytest.fixture(scope="session")
def analyzer():
    """One real Kiwi-backed analyzer for the whole test session (Kiwi takes ~1 s to load)."""
    from searchidx.analysis import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def search_index(tmp_path_factory: pytest.TempPathFactory, analyzer):
    """A read-only index of tests/fixtures/search, built once per session."""
    from searchidx.search import open_index
    from searchidx.writer import build

    path = tmp_path_factory.mktemp("search-index")
    build([FIXTURES / "search"], path, analyzer=analyzer)
    return open_index(path, analyzer=analyzer)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, analyzer):
    """An index of the whole real corpus, built once per session (skips when it is absent)."""
    from searchidx.search import open_index
    from searchidx.writer import build

    path = tmp_path_factory.mktemp("corpus-index")
    build([corpus_dir], path, analyzer=analyzer)
    return open_index(path, analyzer=analyzer)


@pytest.fixture(scope="session")
def glossary_index_dir(tmp_path_factory: pytest.TempPathFactory, analyzer) -> Path:
    """A read-only index of tests/fixtures/glossary (papers glossing terms in two languages)."""
    from searchidx.writer import build

    path = tmp_path_factory.mktemp("glossary-index")
    build([FIXTURES / "glossary"], path, analyzer=analyzer)
    return path


@pytest.fixture(scope="session")
def glossary_index(glossary_index_dir: Path, analyzer):
    """The searchable view of :func:`glossary_index_dir`."""
    from searchidx.search import open_index

    return open_index(glossary_index_dir, analyzer=analyzer)
