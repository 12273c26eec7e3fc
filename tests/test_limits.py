"""Limits: huge files, huge lines, many files and symlink loops stay bounded and are reported."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchidx.cli import cli
from searchidx.files import MAX_FILE_BYTES
from searchidx.manifest import scan_files
from searchidx.parse import MAX_LINE_CHARS, parse_paths, parse_text
from searchidx.search import open_index
from searchidx.writer import build

pytestmark = pytest.mark.slow


def entry(number: int, summary: str = "캐시 압축 방법을 제안합니다.") -> str:
    return f"### [Paper {number}](https://arxiv.org/abs/2401.{number:05d})\n\nVote: 3\n\n- {summary}\n\n"


def digest(*entries: str, date: str = "2024-01-02") -> str:
    return f"## Daily Papers ({date})\n\n" + "".join(entries)


def test_a_100_mb_file_is_skipped_with_a_problem_reading_only_the_limit(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(digest(entry(1)), encoding="utf-8")
    block = digest(*(entry(n) for n in range(2, 200))).encode()
    with open(tmp_path / "huge.md", "wb") as handle:
        handle.writelines(block for _ in range(100 * 2**20 // len(block) + 1))
    assert (tmp_path / "huge.md").stat().st_size > 100 * 2**20

    tracemalloc.start()
    try:
        result = parse_paths([tmp_path])
        scanned = scan_files([tmp_path / "huge.md"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.arxiv_id for p in result.papers] == ["2401.00001"]
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'huge.md'}: skipped: larger than {MAX_FILE_BYTES // 2**20} MB, too big for a digest"
    ]
    assert scanned[str(tmp_path / "huge.md")] == (-1, "")  # skipped unread, not hashed
    assert peak < MAX_FILE_BYTES * 2.5  # the bounded read, decoded at most once; never the whole file


def test_a_1_mb_line_is_skipped_and_its_neighbours_kept(tmp_path: Path, analyzer) -> None:
    long_bullet = entry(1) + "- " + "가나다라 " * 250_000 + "\n\n- 두 번째 요약 문장입니다.\n\n"
    long_heading = "### [" + "x" * 2**20 + "](https://arxiv.org/abs/2401.00002)\n\n- 버려지는 줄\n\n"
    (tmp_path / "lines.md").write_text(digest(long_bullet, long_heading, entry(3)), encoding="utf-8")

    papers, problems = parse_text((tmp_path / "lines.md").read_text(encoding="utf-8"), "lines.md")
    assert [p.arxiv_id for p in papers] == ["2401.00001", "2401.00003"]
    assert papers[0].sections[0].text == "캐시 압축 방법을 제안합니다.\n두 번째 요약 문장입니다."
    assert [p.line for p in problems] == [9, 13]
    assert all(f"(limit {MAX_LINE_CHARS:,})" in p.reason for p in problems)

    report = build([tmp_path], tmp_path / "idx", analyzer=analyzer)
    assert report.papers == 2 and len(report.problems) == 2
    assert open_index(tmp_path / "idx", analyzer=analyzer).search("두 번째 요약").total == 1


def test_a_directory_of_10000_files(tmp_path: Path, analyzer) -> None:
    corpus = tmp_path / "many"
    for n in range(10_000):
        folder = corpus / f"{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n:05d}.md").write_text(digest(entry(n + 1, f"요약 {n}")), encoding="utf-8")
    report = build([corpus], tmp_path / "idx", analyzer=analyzer)
    assert report.files == 10_000 and report.papers == 10_000 and not report.problems
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    assert len(index) == 10_000
    assert index.search("2401.09999").hits[0].arxiv_id == "2401.09999"


def test_symlink_loops_end_and_are_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "one.md").write_text(digest(entry(1)), encoding="utf-8")
    os.symlink(corpus, corpus / "sub" / "back-to-top")
    os.symlink(".", corpus / "here")
    os.symlink("self.md", corpus / "self.md")
    os.symlink("pong.md", corpus / "ping.md")
    os.symlink("ping.md", corpus / "pong.md")

    result = parse_paths([corpus])
    assert [p.arxiv_id for p in result.papers] == ["2401.00001"]
    assert sorted((Path(p.path).name, p.reason) for p in result.problems) == [
        ("ping.md", "skipped: cannot read: Too many levels of symbolic links"),
        ("pong.md", "skipped: cannot read: Too many levels of symbolic links"),
        ("self.md", "skipped: cannot read: Too many levels of symbolic links"),
    ]

    cli_result = CliRunner().invoke(cli, ["parse", str(corpus / "self.md")])
    assert cli_result.exit_code == 2
    assert "does not exist" in cli_result.stderr
