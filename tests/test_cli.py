"""The build and query commands, driven through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from searchidx.cli import cli

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "search.schema.json"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "idx")
    result = CliRunner().invoke(cli, ["build", str(fixtures_dir / "search"), "--index", path], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def test_build_prints_a_summary(index_dir: str, fixtures_dir: Path) -> None:
    result = run("build", str(fixtures_dir / "search"), "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("indexed 7 papers from 8 entries in 3 files (1 merged duplicates, 0 problems)")


def test_build_reports_problems_with_file_and_line(tmp_path: Path) -> None:
    digest = tmp_path / "2024" / "01" / "02.md"
    digest.parent.mkdir(parents=True)
    digest.write_text(
        "## Daily Papers (2024-01-02)\n\n### A heading with no link\n\n- 본문\n\n"
        "### [Good Paper](https://arxiv.org/abs/2401.00002)\n\n- 좋은 논문입니다.\n",
        encoding="utf-8",
    )
    result = run("build", str(tmp_path / "2024"), "--index", str(tmp_path / "idx"))
    assert result.exit_code == 0
    assert "indexed 1 papers" in result.stdout
    assert f"{digest}:3:" in result.stderr


def test_query_prints_ranked_hits_plainly_when_piped(index_dir: str) -> None:
    result = run("query", "KV cache 압축", "--index", index_dir)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == " 1. A Simple and Effective $L_2$ Norm-Based Strategy for KV Cache Compression"
    assert "2024-06-17 · 21 votes · Alessio Devoto, Yu Zhao, Simone Scardapane +1" in lines[1]
    assert lines[2].strip() == "https://arxiv.org/abs/2406.11430"
    assert "\x1b[" not in result.stdout
    assert result.stderr == ""


def test_query_json_matches_the_schema(index_dir: str) -> None:
    result = run("query", "KV cache 압축", "--index", index_dir, "--json", "-n", "3")
    document = orjson.loads(result.stdout)
    Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert document["query"] == "KV cache 압축"
    assert document["hits"][0]["arxiv_id"] == "2406.11430"
    for hit in document["hits"]:
        for snippet in hit["snippets"]:
            for start, end in snippet["highlights"]:
                assert 0 <= start < end <= len(snippet["text"])


def test_index_from_environment_variable(index_dir: str) -> None:
    result = run("query", "2406.11430", "--json", env={"SEARCHIDX_INDEX": index_dir})
    assert [h["arxiv_id"] for h in orjson.loads(result.stdout)["hits"]] == ["2406.11430"]


def test_query_without_index_says_how_to_build(tmp_path: Path) -> None:
    result = run("query", "KV", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no index at {tmp_path / 'none'}; build one with `searchidx build DIR`\n"


@pytest.mark.parametrize("args", [["--since", "someday"], ["-n", "0"], ["--min-votes", "-1"]])
def test_bad_query_options_give_one_line_and_status_2(index_dir: str, args: list[str]) -> None:
    result = run("query", "KV", "--index", index_dir, *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_explain_shows_analysed_words(index_dir: str) -> None:
    result = run("query", "압축하는 KV캐시를", "--index", index_dir, "--explain")
    assert result.exit_code == 0
    assert "압축" in result.stdout and "캐시" in result.stdout


def test_commands_have_help() -> None:
    for name in cli.commands:
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout
