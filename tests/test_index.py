"""The on-disk index lifecycle: generations, atomic publish, version and damage checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from searchidx import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
)
from searchidx.index import build_lock, current_generation, resolve_index_path
from searchidx.search import open_index
from searchidx.writer import build


@pytest.fixture()
def built(tmp_path: Path, search_index_dir: Path) -> Path:
    """A private copy of the index of tests/fixtures/search, for tests that change it."""
    return Path(shutil.copytree(search_index_dir, tmp_path / "idx"))


def test_missing_index_says_how_to_build_one(tmp_path: Path, analyzer) -> None:
    with pytest.raises(IndexNotFoundError, match="searchidx build"):
        open_index(tmp_path / "nowhere", analyzer=analyzer)


def test_rebuild_publishes_a_new_generation_and_keeps_the_previous(built: Path, fixtures_dir: Path, analyzer) -> None:
    first = current_generation(built)
    build([fixtures_dir / "search"], built, analyzer=analyzer)
    second = current_generation(built)
    build([fixtures_dir / "search"], built, analyzer=analyzer)
    assert second != first and current_generation(built) != second
    assert sorted(p.name for p in built.glob("gen-*")) == [second.name, current_generation(built).name]


def test_reader_opened_before_a_rebuild_keeps_answering_and_refreshes(built: Path, fixtures_dir: Path, analyzer) -> None:
    index = open_index(built, analyzer=analyzer)
    before = index.search("KV 캐시").total
    build([fixtures_dir / "search" / "2024" / "06" / "18.md"], built, analyzer=analyzer)
    assert index.search("KV 캐시").total == before
    assert index.refresh() is True
    assert index.search("KV 캐시").total == 0
    assert index.refresh() is False


def test_other_format_version_asks_for_a_rebuild(built: Path, analyzer) -> None:
    meta_path = current_generation(built) / "searchidx.json"
    meta = orjson.loads(meta_path.read_bytes())
    meta_path.write_bytes(orjson.dumps({**meta, "format_version": 0}))
    with pytest.raises(IndexVersionError, match="searchidx build") as info:
        open_index(built, analyzer=analyzer)
    assert info.value.found == 0


@pytest.mark.parametrize("damage", ["current-garbage", "current-missing", "meta-truncated", "tantivy-meta-missing"])
def test_damaged_index_gives_a_clear_error(built: Path, analyzer, damage: str) -> None:
    generation = current_generation(built)
    if damage == "current-garbage":
        (built / "CURRENT").write_bytes(b"\xff\x00junk")
    elif damage == "current-missing":
        (built / "CURRENT").unlink()
    elif damage == "meta-truncated":
        (generation / "searchidx.json").write_bytes(b'{"format_')
    else:
        (generation / "meta.json").unlink()
    with pytest.raises(IndexCorruptError, match="searchidx build"):
        open_index(built, analyzer=analyzer)


def test_second_build_while_one_runs_stops_with_a_clear_message(built: Path, fixtures_dir: Path, analyzer) -> None:
    with build_lock(built):
        with pytest.raises(IndexLockedError, match="another build"):
            build([fixtures_dir / "search"], built, analyzer=analyzer)
    build([fixtures_dir / "search"], built, analyzer=analyzer)


def test_index_location_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEARCHIDX_INDEX", raising=False)
    assert resolve_index_path() == Path(".searchidx")
    monkeypatch.setenv("SEARCHIDX_INDEX", "/tmp/elsewhere")
    assert resolve_index_path() == Path("/tmp/elsewhere")
    assert resolve_index_path("given") == Path("given")
