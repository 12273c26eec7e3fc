"""Damage inside the index directory: every file truncated, emptied, deleted or replaced.

Each case either still answers (the file was not needed) or raises an
:class:`~searchidx.IndexProblem` whose message names the fix (rebuild); never another
exception, never a Rust panic. The CLI shows such damage as one ``Error:`` line, exit 1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchidx import IndexProblem
from searchidx.cli import cli
from searchidx.index import current_generation
from searchidx.search import open_index
from searchidx.writer import build

QUERIES = ("KV 캐시", "attention", "author:Zhao")


def _flip_middle(data: bytes) -> bytes:
    middle = bytearray(data)
    for i in range(len(middle) // 3, len(middle) // 3 + min(64, len(middle) // 3)):
        middle[i] ^= 0xFF
    return bytes(middle)


DAMAGE: dict[str, Callable[[bytes], bytes | None]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "emptied": lambda data: b"",
    "deleted": lambda data: None,
    "random bytes": lambda data: os.urandom(max(len(data), 16)),
    "bytes flipped": _flip_middle,
    "foreign text": lambda data: b'{"hello": "not an index file"}\n',
}


@pytest.fixture(scope="module")
def template(search_index_dir: Path) -> Path:
    """The index every test damages a copy of."""
    return search_index_dir


def exercise(path: Path, analyzer) -> None:
    """Open, search (with snippets) and fetch a paper, as a user would."""
    index = open_index(path, analyzer=analyzer)
    for q in QUERIES:
        for hit in index.search(q).hits:
            index.get(hit.arxiv_id)


def damaged_copy(template: Path, tmp_path: Path, name: str, damage: Callable[[bytes], bytes | None]) -> Path:
    path = tmp_path / name.replace("/", "_")
    shutil.copytree(template, path)
    target = path / name
    replacement = damage(target.read_bytes())
    if replacement is None:
        target.unlink()
    else:
        target.write_bytes(replacement)
    return path


def damage_targets(template: Path) -> list[str]:
    generation = current_generation(template)
    names = [f"{generation.name}/{p.name}" for p in sorted(generation.iterdir()) if p.is_file()]
    return ["CURRENT", *names]


@pytest.mark.parametrize("how", DAMAGE)
def test_every_damaged_file_gives_a_clear_error_or_still_answers(template: Path, tmp_path: Path, analyzer, how: str) -> None:
    unclear = []
    for name in damage_targets(template):
        path = damaged_copy(template, tmp_path, name, DAMAGE[how])
        try:
            exercise(path, analyzer)
        except IndexProblem as error:
            if "searchidx build" not in str(error):
                unclear.append(f"{name}: {error}")
        except BaseException as error:  # noqa: BLE001 - a Rust panic is a BaseException
            unclear.append(f"{name}: {type(error).__name__}: {error}")
    assert unclear == []


@pytest.mark.parametrize("suffix", [".store", ".idx", ".term", ".pos", ".fast", ".fieldnorm"])
def test_damage_after_opening_is_an_error_at_search_time(template: Path, tmp_path: Path, analyzer, suffix: str) -> None:
    path = tmp_path / "idx"
    shutil.copytree(template, path)
    index = open_index(path, analyzer=analyzer)
    segment_file = next(current_generation(path).glob(f"*{suffix}"))
    with open(segment_file, "r+b") as handle:  # in place: the open index maps this very file
        data = handle.read()
        handle.seek(0)
        handle.write(_flip_middle(data[:-64]) + data[-64:])
    try:
        for q in QUERIES:
            for hit in index.search(q).hits:
                index.get(hit.arxiv_id)
    except IndexProblem as error:
        assert "searchidx build" in str(error)
    with pytest.raises(IndexProblem, match="searchidx build"):
        open_index(path, analyzer=analyzer)


@pytest.mark.parametrize(
    "current",
    [b"gen-999999", b"../../etc", b"", b"\xff\xfe", b"gen-000001\x00junk", b"x" * 100_000],
    ids=["missing generation", "path escape", "empty", "not utf-8", "nul", "huge"],
)
def test_foreign_current_file(template: Path, tmp_path: Path, analyzer, current: bytes) -> None:
    path = tmp_path / "idx"
    shutil.copytree(template, path)
    (path / "CURRENT").write_bytes(current)
    with pytest.raises(IndexProblem, match="searchidx build"):
        open_index(path, analyzer=analyzer)


def test_a_directory_that_is_not_an_index(tmp_path: Path, analyzer) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(IndexProblem, match="searchidx build"):
        open_index(tmp_path, analyzer=analyzer)
    file = tmp_path / "notes.txt"
    with pytest.raises(IndexProblem):
        open_index(file, analyzer=analyzer)


def test_building_into_a_file_is_an_error_not_a_traceback(tmp_path: Path, fixtures_dir: Path, analyzer) -> None:
    file = tmp_path / "not-a-dir"
    file.write_text("x")
    with pytest.raises(IndexProblem, match="cannot write the index"):
        build([fixtures_dir / "search"], file, analyzer=analyzer)


@pytest.mark.parametrize("how", ["random bytes", "bytes flipped"])
def test_rebuild_repairs_any_damage(template: Path, tmp_path: Path, fixtures_dir: Path, analyzer, how: str) -> None:
    for name in damage_targets(template):
        path = damaged_copy(template, tmp_path, name, DAMAGE[how])
        build([fixtures_dir / "search"], path, analyzer=analyzer)
        exercise(path, analyzer)


@pytest.mark.parametrize("name", ["CURRENT", "meta.json", "searchidx.json", ".store"])
def test_cli_reports_damage_in_one_line(template: Path, tmp_path: Path, name: str) -> None:
    target = "CURRENT" if name == "CURRENT" else next(
        f"{current_generation(template).name}/{p.name}" for p in current_generation(template).iterdir() if p.name.endswith(name)
    )
    path = damaged_copy(template, tmp_path, target, DAMAGE["truncated"])
    result = CliRunner().invoke(cli, ["query", "KV 캐시", "--index", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "searchidx build" in lines[0]
