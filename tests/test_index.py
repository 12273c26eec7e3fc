"""The on-disk index lifecycle: generations, atomic publish, version and damage checks."""

from __future__ import annotations

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


def test_missing_index_says_how_to_build_one(tmp_path: Path, analyzer) -> None:
    with pytest.raises(IndexNotFoundError, match="searchidx build"):
        open_index(tmp_path / "nowhere", analyzer=analyzer)


def test_rebuild_publishes_a_new_generation_and_keeps_the_previous(
    search_index_copy: Path, fixtures_dir: Path, analyzer
) -> None:
    first = current_generation(search_index_copy)
    build([fixtures_dir / "search"], search_index_copy, analyzer=analyzer)
    second = current_generation(search_index_copy)
    build([fixtures_dir / "search"], search_index_copy, analyzer=analyzer)
    assert second != first and current_generation(search_index_copy) != second
    generations = sorted(p.name for p in search_index_copy.glob("gen-*"))
    assert generations == [second.name, current_generation(search_index_copy).name]


def test_reader_opened_before_a_rebuild_keeps_answering_and_refreshes(
    search_index_copy: Path, fixtures_dir: Path, analyzer
) -> None:
    index = open_index(search_index_copy, analyzer=analyzer)
    before = index.search("KV 캐시").total
    build([fixtures_dir / "search" / "2024" / "06" / "18.md"], search_index_copy, analyzer=analyzer)
    assert index.search("KV 캐시").total == before
    assert index.refresh() is True
    assert index.search("KV 캐시").total == 0
    assert index.refresh() is False


def test_other_format_version_asks_for_a_rebuild(search_index_copy: Path, analyzer) -> None:
    meta_path = current_generation(search_index_copy) / "searchidx.json"
    meta = orjson.loads(meta_path.read_bytes())
    meta_path.write_bytes(orjson.dumps({**meta, "format_version": 0}))
    with pytest.raises(IndexVersionError, match="searchidx build") as info:
        open_index(search_index_copy, analyzer=analyzer)
    assert info.value.found == 0


@pytest.mark.parametrize("damage", ["current-garbage", "current-missing", "meta-truncated", "tantivy-meta-missing"])
def test_damaged_index_gives_a_clear_error(search_index_copy: Path, analyzer, damage: str) -> None:
    generation = current_generation(search_index_copy)
    if damage == "current-garbage":
        (search_index_copy / "CURRENT").write_bytes(b"\xff\x00junk")
    elif damage == "current-missing":
        (search_index_copy / "CURRENT").unlink()
    elif damage == "meta-truncated":
        (generation / "searchidx.json").write_bytes(b'{"format_')
    else:
        (generation / "meta.json").unlink()
    with pytest.raises(IndexCorruptError, match="searchidx build"):
        open_index(search_index_copy, analyzer=analyzer)


def test_second_build_while_one_runs_stops_with_a_clear_message(
    search_index_copy: Path, fixtures_dir: Path, analyzer
) -> None:
    with build_lock(search_index_copy):
        with pytest.raises(IndexLockedError, match="another build"):
            build([fixtures_dir / "search"], search_index_copy, analyzer=analyzer)
    build([fixtures_dir / "search"], search_index_copy, analyzer=analyzer)


def test_index_location_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEARCHIDX_INDEX", raising=False)
    assert resolve_index_path() == Path(".searchidx")
    monkeypatch.setenv("SEARCHIDX_INDEX", "/tmp/elsewhere")
    assert resolve_index_path() == Path("/tmp/elsewhere")
    assert resolve_index_path("given") == Path("given")
