"""``searchidx parse``: JSON Lines on stdout, problems on stderr, exit status 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import orjson
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_DATA

from searchidx.cli import cli
from searchidx.parse import parse_paths

SCHEMA = json.loads((ROOT / "schema" / "paper.schema.json").read_text(encoding="utf-8"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["parse", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_parse_prints_one_json_object_per_distinct_paper() -> None:
    code, out, err = run(str(SAMPLE_DATA))
    assert (code, err) == (0, "")
    records = [orjson.loads(line) for line in out.splitlines()]
    assert records == [paper.to_dict() for paper in parse_paths([SAMPLE_DATA]).papers]
    assert len(records) == 19
    for record in records:
        jsonschema.validate(record, SCHEMA)
    twice = next(r for r in records if r["arxiv_id"] == "2305.18290")
    assert (twice["dates"], twice["votes"]) == (["2025-01-23", "2025-01-24"], 95)


def test_parse_accepts_several_files_and_keeps_korean_unescaped(fixtures_dir: Path) -> None:
    digests = fixtures_dir / "digests"
    code, out, err = run(str(digests / "videos.md"), str(digests / "links.md"))
    assert (code, err) == (0, "")
    ids = [orjson.loads(line)["arxiv_id"] for line in out.splitlines()]
    assert ids == ["2312.00041", "2312.00042", "2312.00043"] + [
        "2402.00071",
        "2402.00072",
        "2402.00073",
        "2402.00074",
    ]
    assert "사진 한 장으로" in out


def test_problems_go_to_stderr_and_exit_1(fixtures_dir: Path, tmp_path: Path) -> None:
    bad = fixtures_dir / "malformed" / "bad_entries.md"
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    code, out, err = run(str(bad), str(empty))
    assert code == 1
    assert [orjson.loads(line)["arxiv_id"] for line in out.splitlines()] == [
        "2405.00091",
        "2405.00092",
        "2405.00093",
    ]
    assert err.splitlines() == [
        f"{bad}:9: entry heading has no link: '### A Heading Without Any Link'",
        f"{bad}:17: vote count is not a number: 'lots'",
        f"{bad}:23: entry link is not an arXiv paper: 'https://example.org/paper/123'",
        f"{empty}: skipped: empty file",
    ]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nope"))
    assert code == 2 and out == ""
    missing = tmp_path / "nope"
    assert err.splitlines()[-1] == (
        f"Error: Invalid value for 'PATHS...': Path '{missing}' does not exist."
    )


def test_no_path_is_a_usage_error() -> None:
    code, _, err = run()
    assert code == 2 and "Missing argument 'PATHS...'" in err
