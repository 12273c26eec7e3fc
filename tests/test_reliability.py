"""Crash safety and concurrency with real processes: killed builds, racing readers, a second build.

Builds run as ``python -m searchidx build`` processes over generated digests. The
``SEARCHIDX_PAUSE_AT`` hook (:func:`searchidx.durable.pause_point`) stops a process at a named
stage, so each test kills or resumes it at an exact point instead of guessing with timers.
The digests are in English: their words are known by rule, so no process here spends a second
loading Kiwi, whose analysis is not what these tests kill or race.
"""

from __future__ import annotations

import datetime as _dt
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from searchidx.analysis_thread import BATCH_SIZE
from searchidx.checksums import verify_checksums
from searchidx.fields import texts_to_analyze
from searchidx.index import current_generation
from searchidx.parse import parse_paths
from searchidx.search import open_index
from searchidx.writer import build

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches /proc to see a process stop"),
]

QUERIES = ("model", "cache compression", "alpha", "beta")
TOPICS = ("language model", "cache compression", "video generation", "reinforcement learning", "speech recognition",
          "code generation")
WAIT_SECONDS = 120
#: Small digests, yet an incremental build analyses more than one batch: "analysing" stops it midway.
PER_DAY, OLD_DAYS, ADDED_DAYS = 4, 20, 20
NEW_PAPERS = PER_DAY * (OLD_DAYS + ADDED_DAYS)


def write_digests(root: Path, days: int, *, first_day: int = 0, tag: str = "alpha") -> Path:
    """Generated digests ``root/YYYY/MM/DD.md``: :data:`PER_DAY` papers a day, each with ``tag`` in its title."""
    start = _dt.date(2024, 1, 1)
    for day in range(first_day, first_day + days):
        date = start + _dt.timedelta(days=day)
        lines = [f"## Daily Papers ({date.isoformat()})", ""]
        for n in range(PER_DAY):
            number = day * PER_DAY + n
            topic = TOPICS[number % len(TOPICS)]
            lines += [
                f"### [{tag.title()} {topic} study {number}](https://arxiv.org/abs/2401.{number + 1:05d})",
                "",
                f"Vote: {number % 50}",
                "",
                f"Authors: Author {number % 7}, Writer {number % 11}",
                "",
                f"- This paper takes on {topic} with the {tag} method.",
                f"- In experiment {number} it beats earlier {topic} models.",
                "",
            ]
        path = root / f"{date:%Y/%m/%d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    return root


def snapshot(index_path: Path, analyzer) -> dict[str, tuple[int, tuple[str, ...]]]:
    """What each of :data:`QUERIES` answers: (total, arXiv ids of the first page)."""
    index = open_index(index_path, analyzer=analyzer)
    return {q: _answer(index.search(q, snippets=0).to_dict()) for q in QUERIES}


def _answer(result: dict) -> tuple[int, tuple[str, ...]]:
    return result["total"], tuple(hit["arxiv_id"] for hit in result["hits"])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory, analyzer) -> dict:
    """Two digest sets (B adds days to A and retags nothing), an index of A, and each one's answers."""
    base = tmp_path_factory.mktemp("reliability")
    old = write_digests(base / "old", OLD_DAYS)
    new = write_digests(write_digests(base / "new", OLD_DAYS), ADDED_DAYS, first_day=OLD_DAYS, tag="beta")
    added = [paper for paper in parse_paths([new]).papers if paper.title.startswith("Beta")]
    assert sum(len(texts_to_analyze(paper)) for paper in added) > BATCH_SIZE
    old_index, new_index = base / "old-index", base / "new-index"
    build([old], old_index, analyzer=analyzer)
    build([new], new_index, analyzer=analyzer)
    answers = {"old": snapshot(old_index, analyzer), "new": snapshot(new_index, analyzer)}
    assert answers["old"] != answers["new"]
    return {"old": old, "new": new, "old_index": old_index, "answers": answers}


@pytest.fixture()
def index_of_old(corpora: dict, tmp_path: Path) -> Path:
    """A private copy of the index of the old digests."""
    path = tmp_path / "idx"
    shutil.copytree(corpora["old_index"], path)
    return path


def start(*args: str, pause: str | None = None) -> subprocess.Popen:
    """``python -m searchidx ARGS`` as a child process, optionally stopping at stage ``pause``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SEARCHIDX_PAUSE_AT", None)
    if pause:
        env["SEARCHIDX_PAUSE_AT"] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "searchidx", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def wait_paused(proc: subprocess.Popen, stage: str) -> None:
    """Block until ``proc`` reports it paused at ``stage`` and is stopped."""
    deadline = time.monotonic() + WAIT_SECONDS
    seen = b""
    while f"searchidx: paused at {stage}".encode() not in seen:
        ready, _, _ = select.select([proc.stderr], [], [], max(deadline - time.monotonic(), 0))
        line = proc.stderr.readline() if ready else b""
        if not line:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"process never paused at {stage}: {(seen + err).decode(errors='replace')}")
        seen += line
    while _state(proc.pid) != "T":
        assert time.monotonic() < deadline, f"process did not stop at {stage}"
        time.sleep(0.01)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=WAIT_SECONDS)
    assert proc.returncode == -signal.SIGKILL


def resume(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=WAIT_SECONDS)
    return proc.returncode, out.decode(), err.decode()


BUILD_STAGES = ["locked", "analysing", "committed", "publish", "published"]


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
@pytest.mark.parametrize("stage", BUILD_STAGES)
def test_killed_build_leaves_a_usable_index_and_the_next_build_succeeds(
    corpora: dict, index_of_old: Path, analyzer, stage: str, full: bool
) -> None:
    if stage == "locked" and not full:
        pytest.skip("a build killed before reading anything does not depend on the mode")
    proc = start("build", str(corpora["new"]), "--index", str(index_of_old), *(["--full"] if full else []), pause=stage)
    wait_paused(proc, stage)
    kill(proc)

    # Killed after the switch, the new index is complete and current; before it, the old one is.
    expected = "new" if stage == "published" else "old"
    assert snapshot(index_of_old, analyzer) == corpora["answers"][expected]
    verify_checksums(current_generation(index_of_old))
    if stage == "publish":
        assert (index_of_old / "CURRENT.tmp").exists()

    report = build([corpora["new"]], index_of_old, analyzer=analyzer, full=full)
    assert report.papers == NEW_PAPERS
    assert snapshot(index_of_old, analyzer) == corpora["answers"]["new"]
    generations = sorted(p.name for p in index_of_old.glob("gen-*"))
    assert len(generations) == 2 and generations[-1] == current_generation(index_of_old).name
    assert not (index_of_old / "CURRENT.tmp").exists()


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(corpora: dict, index_of_old: Path, analyzer) -> None:
    for full in (True, False):  # leftovers of both kinds: a generation of its own, one linked to the current
        proc = start("build", str(corpora["new"]), "--index", str(index_of_old), *(["--full"] if full else []),
                     pause="committed")
        wait_paused(proc, "committed")
        kill(proc)
    (index_of_old / "CURRENT.tmp").write_bytes(b"gen-999999")  # a stale temporary is harmless
    before = current_generation(index_of_old)
    # The second build already removed what the first left; its own half-written generation remains.
    assert len(list(index_of_old.glob("gen-*"))) == 2
    assert snapshot(index_of_old, analyzer) == corpora["answers"]["old"]

    build([corpora["new"]], index_of_old, analyzer=analyzer)
    assert sorted(index_of_old.glob("gen-*")) == sorted([before, current_generation(index_of_old)])


def test_second_build_stops_at_once_with_one_line_and_the_first_finishes(corpora: dict, index_of_old: Path, analyzer) -> None:
    first = start("build", str(corpora["new"]), "--index", str(index_of_old), pause="locked")
    wait_paused(first, "locked")
    second = subprocess.run(
        [sys.executable, "-m", "searchidx", "build", str(corpora["new"]), "--index", str(index_of_old)],
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert second.returncode == 1
    assert second.stderr == (
        f"Error: another build is writing the index at {index_of_old}; wait for it to finish\n"
    )
    code, out, err = resume(first)
    assert code == 0, err
    assert out.startswith(f"indexed {NEW_PAPERS} papers")
    assert snapshot(index_of_old, analyzer) == corpora["answers"]["new"]


def test_reader_that_loses_the_race_with_two_builds_retries(corpora: dict, index_of_old: Path, analyzer) -> None:
    reader = start("query", "alpha", "--json", "--index", str(index_of_old), pause="open")
    wait_paused(reader, "open")  # it has read CURRENT; two builds now publish and remove that generation
    gone = current_generation(index_of_old)
    build([corpora["new"]], index_of_old, analyzer=analyzer)
    build([corpora["new"]], index_of_old, analyzer=analyzer, full=True)
    assert not gone.exists()
    reader.send_signal(signal.SIGCONT)
    wait_paused(reader, "open")  # the second attempt, with the new CURRENT
    code, out, err = resume(reader)
    assert code == 0, err
    assert _answer(orjson.loads(out)) == corpora["answers"]["new"]["alpha"]


def test_long_lived_reader_keeps_answering_after_its_generation_is_removed(
    corpora: dict, index_of_old: Path, analyzer
) -> None:
    index = open_index(index_of_old, analyzer=analyzer)
    before = {q: index.search(q).to_dict() for q in QUERIES}
    build([corpora["new"]], index_of_old, analyzer=analyzer)
    build([corpora["new"]], index_of_old, analyzer=analyzer, full=True)
    assert not index.snapshot.generation.exists()
    assert {q: index.search(q).to_dict() for q in QUERIES} == before
    assert index.get("2401.00001") is not None
    assert index.refresh() is True
    assert {q: _answer(index.search(q).to_dict()) for q in QUERIES} == corpora["answers"]["new"]


def test_queries_keep_answering_while_builds_run_back_to_back(corpora: dict, index_of_old: Path, analyzer) -> None:
    answers = corpora["answers"]
    allowed = {q: {answers["old"][q], answers["new"][q]} for q in QUERIES}
    live = open_index(index_of_old, analyzer=analyzer)
    cli_queries: list[subprocess.Popen] = []
    library_answers = 0
    for source, full in [("new", False), ("old", True)]:
        builder = start("build", str(corpora[source]), "--index", str(index_of_old), *(["--full"] if full else []))
        cli_queries.append(start("query", "cache compression", "--json", "-n", "10", "--index", str(index_of_old)))
        while builder.poll() is None:
            live.refresh()
            for q in QUERIES:
                assert _answer(live.search(q, snippets=0).to_dict()) in allowed[q]
            fresh = open_index(index_of_old, analyzer=analyzer)
            assert _answer(fresh.search("alpha", snippets=0).to_dict()) in allowed["alpha"]
            library_answers += 1
            time.sleep(0.05)  # leave the builds some CPU
        out, err = builder.communicate()
        assert builder.returncode == 0, err.decode()
    for proc in cli_queries:
        out, err = proc.communicate(timeout=WAIT_SECONDS)
        assert proc.returncode == 0, err.decode()
        assert _answer(orjson.loads(out)) in allowed["cache compression"]
    assert library_answers > 0
    assert snapshot(index_of_old, analyzer) == answers["old"]
    verify_checksums(current_generation(index_of_old))
