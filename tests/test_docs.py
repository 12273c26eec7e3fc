"""The README stays true: its commands exist and its library example runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from searchidx.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


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
