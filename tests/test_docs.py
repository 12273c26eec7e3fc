"""The README stays true: its commands exist, and its library and shell examples run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from jsonschema import Draft202012Validator

from searchidx.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAPER_SCHEMA = Draft202012Validator(orjson.loads((ROOT / "schema" / "paper.schema.json").read_bytes()))


def shell_examples(text: str) -> dict[str, list[str] | None]:
    """Each command of a ```sh block or after a ``$`` prompt, with the output shown (None: none shown)."""
    examples: dict[str, list[str] | None] = {}
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        if language == "sh":
            for command in (c for line in body.splitlines() for c in line.split(" && ")):
                examples.setdefault(command.strip().removeprefix(".venv/bin/"), None)
        elif not language and body.startswith("$ "):
            for shown in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, _, output = shown.partition("\n")
                examples[command.strip()] = output.rstrip("\n").split("\n") if output.strip() else None
    return examples


EXAMPLES = shell_examples(README)
#: Examples whose output comes from the real digest collection, not the sample in data/.
CORPUS_EXAMPLES = {"searchidx glossary hallucination", "searchidx similar 2405.21060 -n 5", 'searchidx query "rkdghk gkrtmq"'}


def run_example(command: str) -> tuple[int, str, str]:
    """Run a README command line through the CLI in the current directory: (status, stdout, stderr)."""
    words = shlex.split(command)
    target = None
    if ">" in words:
        words, target = words[: words.index(">")], words[words.index(">") + 1]
    assert words[0] == "searchidx", command
    result = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
    if target is not None:
        Path(target).write_text(result.stdout, encoding="utf-8")
        return result.exit_code, "", result.stderr
    return result.exit_code, result.stdout, result.stderr


def line_pattern(shown: str) -> str:
    """A shown output line as a regex: "..." and "…" stand for any text, "1.9s" for any duration."""
    parts = re.split(r"\.\.\.|…|\d+\.\d+s\b", shown)
    gaps = re.findall(r"\.\.\.|…|\d+\.\d+s\b", shown)
    pattern = re.escape(parts[0])
    for gap, part in zip(gaps, parts[1:]):
        pattern += (r"\d+(\.\d+)?s" if gap.endswith("s") else ".*") + re.escape(part)
    return pattern


def matches_shown(shown: list[str], printed: list[str]) -> bool:
    """Whether printed lines are what the README shows; a line of "..." alone stands for any lines."""
    if not shown:
        return not printed
    if shown[0].strip() == "...":
        return any(matches_shown(shown[1:], printed[i:]) for i in range(len(printed) + 1))
    first = bool(printed) and re.fullmatch(line_pattern(shown[0]), printed[0]) is not None
    return first and matches_shown(shown[1:], printed[1:])


def keys(document: object) -> set[str]:
    """Every object key anywhere in a JSON document."""
    if isinstance(document, dict):
        return set(document) | {k for value in document.values() for k in keys(value)}
    if isinstance(document, list):
        return {k for value in document for k in keys(value)}
    return set()


def check_example(command: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("SEARCHIDX_INDEX", raising=False)
    monkeypatch.setenv("COLUMNS", "88")  # the README shows output at the width of a terminal that is not one
    status, stdout, stderr = run_example(command)
    assert status == 0, stderr
    shown = EXAMPLES[command]
    if " > " in command:  # parse's JSON Lines, one valid paper record a line
        records = [orjson.loads(line) for line in Path(shlex.split(command)[-1]).read_text(encoding="utf-8").splitlines()]
        assert records and all(not list(PAPER_SCHEMA.iter_errors(record)) for record in records)
    elif shown and shown[0].startswith("{"):  # JSON, abridged in the README: the keys it shows
        assert set(re.findall(r'"(\w+)":', "\n".join(shown))) <= keys(orjson.loads(stdout))
    elif shown is not None:
        assert matches_shown(shown, stdout.rstrip("\n").split("\n")), stdout
    else:
        assert stdout.strip(), f"{command} printed nothing"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a copy of data/ and, as README's commands leave it, its index in .searchidx."""
    cwd = tmp_path_factory.mktemp("readme")
    shutil.copytree(SAMPLE_DATA, cwd / "data")
    result = CliRunner().invoke(cli, ["build", "data/", "--index", str(cwd / ".searchidx")], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return cwd


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_shell_example_runs_on_the_sample(command: str, sample_dir: Path, tmp_path: Path, monkeypatch) -> None:
    if not command.startswith("searchidx "):
        pytest.skip("sets up or tests the checkout; .ci/run runs it")
    if command in CORPUS_EXAMPLES:
        pytest.skip("shows the real digest collection: test_shell_example_runs_on_the_corpus")
    if command.startswith("searchidx build"):  # a first build, as on a fresh checkout
        shutil.copytree(sample_dir / "data", tmp_path / "data")
        sample_dir = tmp_path
    check_example(command, sample_dir, monkeypatch)


@pytest.mark.parametrize("command", sorted(CORPUS_EXAMPLES))
def test_shell_example_runs_on_the_corpus(command: str, corpus_index_dir: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".searchidx").symlink_to(corpus_index_dir)
    check_example(command, tmp_path, monkeypatch)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name: str) -> None:
    assert f"searchidx {name}" in README


def test_install_and_test_commands_match_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[test]'" in README and ".venv/bin/pip install -e '.[test]'" in ci
    assert ".venv/bin/python -m pytest" in README and ".venv/bin/python -m pytest" in ci


def test_library_example_runs_on_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    example = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(ROOT)
    example = example.replace("/tmp/papers-index", os.fspath(tmp_path / "idx"))
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("2406.11430 ")
