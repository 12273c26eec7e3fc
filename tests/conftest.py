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
