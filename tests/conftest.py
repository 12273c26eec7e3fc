"""Shared fixtures: the real corpus (skipped when absent), hand-written digests, cached indexes.

Every test that reaches the real corpus through the ``corpus_dir`` fixture, directly or through
a fixture built on it such as ``corpus_index``, is marked ``corpus`` at collection, so
``pytest -m "not corpus"`` never indexes it. Indexes shared by many tests come from
:mod:`index_cache`: built once, reused by later runs until the package, the engines or the
digests change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from index_cache import cached_index, tree_state, unchanged

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_DATA = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus"


#: Property tests draw the same examples on every normal run, so a run's verdict depends only on
#: the code; a longer fuzzing run (``SEARCHIDX_FUZZ_EXAMPLES``, see tests/test_fuzz.py) draws new ones.
settings.register_profile("searchidx", derandomize="SEARCHIDX_FUZZ_EXAMPLES" not in os.environ)
settings.load_profile("searchidx")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``corpus`` every test whose fixtures reach the real corpus, in any test file."""
    for item in items:
        if "corpus_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


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
    """The process-wide Kiwi-backed analyzer, also used by in-process CLI calls (Kiwi takes ~1 s to load)."""
    from searchidx.analysis import default_analyzer

    return default_analyzer()


def shared_index(sources: list[Path], analyzer) -> Iterator[Path]:
    """A cached index of ``sources`` for a session fixture; fails at teardown if a test wrote it."""
    path = cached_index(sources, analyzer)
    before = tree_state(path)
    yield path
    unchanged(path, before)


@pytest.fixture(scope="session")
def search_index_dir(analyzer) -> Iterator[Path]:
    """A read-only index of tests/fixtures/search."""
    yield from shared_index([FIXTURES / "search"], analyzer)


@pytest.fixture()
def search_index_copy(tmp_path: Path, search_index_dir: Path) -> Path:
    """A private copy of :func:`search_index_dir` at ``tmp_path / "idx"``, for a test that changes it."""
    return Path(shutil.copytree(search_index_dir, tmp_path / "idx"))


@pytest.fixture(scope="session")
def search_index(search_index_dir: Path, analyzer):
    """The searchable view of :func:`search_index_dir`."""
    from searchidx.search import open_index

    return open_index(search_index_dir, analyzer=analyzer)


@pytest.fixture(scope="session")
def corpus_index_dir(corpus_dir: Path, analyzer) -> Iterator[Path]:
    """A read-only index of the whole real corpus (skips when it is absent); copy it to change it."""
    yield from shared_index([corpus_dir], analyzer)


@pytest.fixture(scope="session")
def corpus_index(corpus_index_dir: Path, analyzer):
    """The searchable view of :func:`corpus_index_dir`."""
    from searchidx.search import open_index

    return open_index(corpus_index_dir, analyzer=analyzer)


@pytest.fixture(scope="session")
def glossary_index_dir(analyzer) -> Iterator[Path]:
    """A read-only index of tests/fixtures/glossary (papers glossing terms in two languages)."""
    yield from shared_index([FIXTURES / "glossary"], analyzer)


@pytest.fixture(scope="session")
def glossary_index(glossary_index_dir: Path, analyzer):
    """The searchable view of :func:`glossary_index_dir`."""
    from searchidx.search import open_index

    return open_index(glossary_index_dir, analyzer=analyzer)
