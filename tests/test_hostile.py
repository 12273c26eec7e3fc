"""Hostile input and hostile machines, each built for real: no crash, no hang, no silent loss.

Permission tests run the CLI in a child process that permission bits bind: as root (CI runs
as root), a child without the two capabilities that let root ignore them
(``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``); they skip, saying why, where even that is
not possible. Full-disk and read-only-mount tests mount a small tmpfs when the machine
allows it and skip otherwise; the full disk is also simulated, always, at the three places
a build meets it (Python, SQLite, Tantivy).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import orjson
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from test_server import request, serving

from searchidx.arxiv import arxiv_id_from_url, id_order, parse_arxiv_id
from searchidx.cli import cli
from searchidx.errors import IndexProblem, QueryError
from searchidx.files import MAX_FILE_BYTES, find_digests
from searchidx.highlight import Snippet
from searchidx.index import current_generation
from searchidx.manifest import read_manifest
from searchidx.parse import parse_file, parse_paths, parse_text
from searchidx.records import MAX_VOTES, Paper, ParseProblem
from searchidx.render import render_result, terminal_safe
from searchidx.results import Hit, SearchResult
from searchidx.search import open_index
from searchidx.writer import build

pytestmark = pytest.mark.slow

CHILD_SECONDS = 300  # a guard against a hang, not a timing assertion
#: A summary of words known by rule: a child process that indexes only such words loads no Kiwi.
ENGLISH_SUMMARY = "A cache compression method."
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def entry(number: int, *, votes: object = 3, title: str | None = None, link: str | None = None,
          summary: str = "캐시 압축 방법을 제안합니다.") -> str:
    link = link or f"https://arxiv.org/abs/2401.{number:05d}"
    return f"### [{title or f'Paper {number}'}]({link})\n\nVote: {votes}\n\n- {summary}\n\n"


def digest(*entries: str, date: str = "2024-01-02") -> str:
    return f"## Daily Papers ({date})\n\n" + "".join(entries)


def ids(papers: object) -> list[str]:
    return [p.arxiv_id for p in papers]  # type: ignore[attr-defined]


# --- processes that permission bits bind, and small file systems -------------------------


def _drop_root_file_access() -> None:
    """In a child about to exec: give up the capabilities that let root ignore permission bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_bound(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m searchidx ARGS`` in a process that permission bits bind."""
    return subprocess.run(
        [sys.executable, "-m", "searchidx", *args],
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        cwd=ROOT,
        preexec_fn=_drop_root_file_access if os.geteuid() == 0 else None,
    )


@pytest.fixture(scope="module")
def permission_bits_bind(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip unless a child process can really be refused a file by its permission bits."""
    locked = tmp_path_factory.mktemp("bits") / "locked"
    locked.write_text("x")
    locked.chmod(0)
    try:
        child = subprocess.run(
            [sys.executable, "-c", f"open({str(locked)!r}).read()"],
            capture_output=True,
            timeout=CHILD_SECONDS,
            preexec_fn=_drop_root_file_access if os.geteuid() == 0 else None,
        )
    except subprocess.SubprocessError as error:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE here: {error}")
    finally:
        locked.chmod(0o600)
    if b"PermissionError" not in child.stderr:
        pytest.skip("permission bits do not bind a child process here")


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` mounted at ``path``; skips where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False) if shutil.which("mount") else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() if mounted else 'no mount command'}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


# --- 1. vote counts beyond any integer ---------------------------------------------------


@pytest.mark.parametrize("votes", [2**63, 2**64, 10**400, MAX_VOTES + 1])
def test_a_vote_count_too_large_is_a_problem_and_its_neighbours_are_kept(tmp_path: Path, analyzer, votes: int) -> None:
    (tmp_path / "votes.md").write_text(digest(entry(1), entry(2, votes=votes), entry(3)), encoding="utf-8")
    result = parse_paths([tmp_path])
    assert ids(result.papers) == ["2401.00001", "2401.00002", "2401.00003"]
    assert result.papers[1].votes is None
    [problem] = result.problems
    assert (problem.path, problem.line) == (str(tmp_path / "votes.md"), 11)
    assert f"beyond {MAX_VOTES:,}" in problem.reason

    report = build([tmp_path], tmp_path / "idx", analyzer=analyzer)
    assert report.papers == 3 and len(report.problems) == 1
    assert open_index(tmp_path / "idx", analyzer=analyzer).search("캐시", sort="votes").total == 3


def test_the_largest_vote_count_believed_is_indexed(tmp_path: Path, analyzer) -> None:
    (tmp_path / "votes.md").write_text(digest(entry(1, votes=MAX_VOTES), entry(2)), encoding="utf-8")
    build([tmp_path], tmp_path / "idx", analyzer=analyzer)
    hits = open_index(tmp_path / "idx", analyzer=analyzer).search("캐시", sort="votes").hits
    assert [(h.arxiv_id, h.votes) for h in hits] == [("2401.00001", MAX_VOTES), ("2401.00002", 3)]


# --- 2. file names that are not UTF-8 ------------------------------------------------------


def test_file_and_directory_names_that_are_not_utf8_are_indexed_and_rebuilt(tmp_path: Path, analyzer) -> None:
    folder = os.path.join(os.fsencode(tmp_path), "자료".encode("cp949"))
    os.mkdir(folder)
    for number in (1, 2):
        name = os.path.join(folder, f"논문{number}.md".encode("cp949"))
        with open(name, "wb") as handle:
            handle.write(digest(entry(number)).encode())
    source = Path(os.fsdecode(folder))
    index = tmp_path / "idx"

    report = build([source], index, analyzer=analyzer)
    assert report.papers == 2 and not report.problems
    assert build([source], index, analyzer=analyzer).mode == "unchanged"
    keys = read_manifest(current_generation(index)).files
    assert len(keys) == 2 and all("\\x" in key for key in keys)
    result = CliRunner().invoke(cli, ["build", str(source), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert open_index(index, analyzer=analyzer).search("캐시").total == 2


# --- 3. NUL bytes, UTF-16, a CP949 entry in a UTF-8 file -----------------------------------


def test_a_nul_byte_costs_only_its_line(tmp_path: Path) -> None:
    text = digest(entry(1), entry(2, summary="두 번째 요약입니다."), entry(3))
    data = text.encode().replace("두 번째".encode(), "두 번\x00째".encode())
    (tmp_path / "nul.md").write_bytes(data)
    papers, problems = parse_file(tmp_path / "nul.md")
    assert papers == parse_text(text, str(tmp_path / "nul.md"))[0]
    assert problems == [ParseProblem(str(tmp_path / "nul.md"), 13, "NUL bytes removed")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_a_bom_is_read_as_text(tmp_path: Path, encoding: str) -> None:
    text = digest(entry(1), entry(2, title="모델 Model"))
    path = tmp_path / "wide.md"
    path.write_bytes(("\ufeff" if encoding != "utf-16" else "").encode(encoding) + text.encode(encoding))
    assert parse_file(path) == (parse_text(text, str(path))[0], [])


def test_a_cp949_entry_inside_a_utf8_file_is_decoded_and_reported(tmp_path: Path) -> None:
    legacy = entry(2, title="옛 논문", summary="옛 인코딩으로 쓴 요약입니다.")
    data = digest(entry(1)).encode() + legacy.encode("cp949") + (entry(3) + entry(4)).encode()
    path = tmp_path / "mixed.md"
    path.write_bytes(data)
    papers, problems = parse_file(path)
    assert papers == parse_text(digest(entry(1), legacy, entry(3), entry(4)), str(path))[0]
    reason = "CP949 text in a UTF-8 file, decoded as such"
    assert problems == [ParseProblem(str(path), 9, reason), ParseProblem(str(path), 13, reason)]


def test_a_cp949_file_stays_cp949_with_one_damaged_line(tmp_path: Path) -> None:
    text = digest(entry(1), entry(2, summary="두 번째 요약입니다."), entry(3))
    data = text.encode("cp949").replace("두 번째".encode("cp949"), b"\xff\xff")
    (tmp_path / "old.md").write_bytes(data)
    papers, problems = parse_file(tmp_path / "old.md")
    assert ids(papers) == ["2401.00001", "2401.00002", "2401.00003"]
    assert papers[0] == parse_text(text, str(tmp_path / "old.md"))[0][0]
    assert problems == [ParseProblem(str(tmp_path / "old.md"), 13, "undecodable bytes removed")]


def test_undecodable_bytes_in_a_heading_keep_the_entries_apart(tmp_path: Path) -> None:
    text = digest(entry(1), entry(2), entry(3))
    data = text.encode().replace(b"### [Paper 2]", b"\xff### [Pa\xfe\x00per 2]")
    path = tmp_path / "heading.md"
    path.write_bytes(data)
    papers, problems = parse_file(path)
    assert papers == parse_text(text, str(path))[0]
    assert [p.line for p in problems] == [9]


# --- 4. a directory that cannot be read ------------------------------------------------


def test_an_unreadable_directory_is_reported_like_an_unreadable_file(tmp_path: Path, permission_bits_bind: None) -> None:
    root = tmp_path / "digests"
    (root / "open").mkdir(parents=True)
    (root / "closed").mkdir()
    (root / "open" / "a.md").write_text(digest(entry(1, summary=ENGLISH_SUMMARY)), encoding="utf-8")
    (root / "closed" / "b.md").write_text(digest(entry(2)), encoding="utf-8")
    (root / "locked.md").write_text(digest(entry(3)), encoding="utf-8")
    (root / "closed").chmod(0)
    (root / "locked.md").chmod(0)
    try:
        parsed = run_bound("parse", str(root))
        built = run_bound("build", str(root), "--index", str(tmp_path / "idx"))
    finally:
        (root / "closed").chmod(0o700)
        (root / "locked.md").chmod(0o600)
    assert parsed.returncode == 1
    assert [json.loads(line)["arxiv_id"] for line in parsed.stdout.splitlines()] == ["2401.00001"]
    assert sorted(parsed.stderr.splitlines()) == [
        f"{root / 'closed'}: skipped: cannot read directory: Permission denied",
        f"{root / 'locked.md'}: skipped: cannot read: Permission denied",
    ]
    assert built.returncode == 0, built.stderr
    assert f"warning: {root / 'closed'}: skipped: cannot read directory: Permission denied" in built.stderr.splitlines()
    assert "indexed 1 papers" in built.stdout


# --- 5. FIFOs, devices, huge sparse files -----------------------------------------------


def test_only_regular_files_are_read_and_never_past_the_limit(tmp_path: Path) -> None:
    root = tmp_path / "digests"
    root.mkdir()
    (root / "good.md").write_text(digest(entry(1, summary=ENGLISH_SUMMARY)), encoding="utf-8")
    os.mkfifo(root / "fifo.md")
    os.symlink("/dev/zero", root / "zero.md")
    with open(root / "sparse.md", "wb") as handle:
        handle.truncate(4 * 2**30)
    fifo, zero, sparse = (str(root / name) for name in ("fifo.md", "zero.md", "sparse.md"))
    not_regular = [f"{fifo}: skipped: not a regular file", f"{zero}: skipped: not a regular file"]
    too_big = [f"{sparse}: skipped: larger than {MAX_FILE_BYTES // 2**20} MB, too big for a digest"]
    walked = [f"{fifo}: skipped: not a regular file",
              f"{zero}: skipped: symbolic link to /dev/zero, outside the directories to read"]
    cases = [
        (["parse", fifo, zero, sparse], not_regular + too_big),
        (["parse", str(root)], walked + too_big),
        (["build", str(root), fifo, "--index", str(tmp_path / "idx")], walked + too_big),
    ]
    for args, expected in cases:
        # A child process, so that a hang is a failed test instead of a stuck run.
        child = subprocess.run([sys.executable, "-m", "searchidx", *args], capture_output=True, text=True,
                               timeout=CHILD_SECONDS, cwd=ROOT)
        problems = [line.removeprefix("warning: ") for line in child.stderr.splitlines()]
        assert sorted(problems) == sorted(expected), child.stderr
        assert child.returncode == (0 if args[0] == "build" else 1)


# --- 6. a full disk ------------------------------------------------------------------------


def write_many(folder: Path, papers: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        entry(n, summary=f"캐시 압축 방법 {n}번을 제안합니다 word{n} other{n * 7} 모델 {n % 97}.")
        for n in range(1, papers + 1)
    )
    (folder / "many.md").write_text(digest(body), encoding="utf-8")
    return folder


def test_a_full_disk_is_named_and_leaves_the_old_index_answering(tmp_path: Path, analyzer) -> None:
    with tmpfs(tmp_path / "small", "400k") as disk:
        index = disk / "idx"
        build([FIXTURES / "search"], index, analyzer=analyzer)
        before = sorted(p.name for p in index.iterdir())
        used = shutil.disk_usage(disk).used
        with pytest.raises(IndexProblem) as raised:
            build([write_many(tmp_path / "big", 1000)], index, analyzer=analyzer)
        assert str(raised.value).startswith("no space left on device at ")
        assert str(raised.value).endswith("; the previous index is unchanged")
        assert sorted(p.name for p in index.iterdir()) == before
        assert shutil.disk_usage(disk).used <= used
        assert open_index(index, analyzer=analyzer).search("model").total > 0

        result = CliRunner().invoke(cli, ["build", str(tmp_path / "big"), "--index", str(index)])
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1].startswith("Error: no space left on device at ")


def _fails_with(error: BaseException):  # noqa: ANN202 - a stand-in for any writer function
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/full/glossary-counts")


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("save_counts", ENOSPC),
        ("save_glossary", sqlite3.OperationalError("database or disk is full")),
        ("make_document", ValueError("An IO error occurred: 'No space left on device (os error 28)'")),
    ],
    ids=["python", "sqlite", "tantivy"],
)
def test_a_simulated_full_disk_is_named_wherever_it_is_met(
    search_index_copy: Path, analyzer, monkeypatch: pytest.MonkeyPatch, where: str, error: BaseException
) -> None:
    index = search_index_copy
    before = sorted(p.name for p in index.iterdir())
    monkeypatch.setattr(f"searchidx.writer.{where}", _fails_with(error))
    with pytest.raises(IndexProblem, match="^no space left on device at ") as raised:
        build([FIXTURES / "search", FIXTURES / "glossary"], index, analyzer=analyzer, full=True)
    place = "/full/glossary-counts" if error is ENOSPC else str(index)
    assert str(raised.value) == f"no space left on device at {place}; the previous index is unchanged"
    assert sorted(p.name for p in index.iterdir()) == before
    assert open_index(index, analyzer=analyzer).search("model").total > 0


# --- 7. an index on a read-only location -------------------------------------------------


def _read_only_tree(path: Path, *, writable: bool) -> None:
    for top, dirs, files in os.walk(path):
        for name in files:
            os.chmod(os.path.join(top, name), 0o644 if writable else 0o444)
        os.chmod(top, 0o755 if writable else 0o555)


def test_a_read_only_index_answers_and_only_builds_need_write_access(
    search_index_copy: Path, analyzer, permission_bits_bind: None
) -> None:
    index = search_index_copy
    expected = CliRunner().invoke(cli, ["query", "--json", "--index", str(index), "model"]).stdout
    _read_only_tree(index, writable=False)
    try:
        queried = run_bound("query", "--json", "--index", str(index), "model")
        built = run_bound("build", str(FIXTURES / "search"), "--index", str(index))
    finally:
        _read_only_tree(index, writable=True)
    assert queried.returncode == 0, queried.stderr
    assert queried.stdout == expected
    assert built.returncode == 1
    refused = f"Error: cannot write the index at {index}: Permission denied; the previous index is unchanged"
    assert built.stderr.splitlines() == [refused]


def test_an_index_on_a_read_only_mount_answers(tmp_path: Path, analyzer) -> None:
    views = set(Path(tempfile.gettempdir()).glob("searchidx-view-*"))
    with tmpfs(tmp_path / "mount", "8m") as disk:
        build([FIXTURES / "search"], disk / "idx", analyzer=analyzer)
        writable = open_index(disk / "idx", analyzer=analyzer)
        searched, related = writable.search("model"), writable.similar("2406.11430")
        assert related.total > 0
        remount_read_only(disk)
        index = open_index(disk / "idx", analyzer=analyzer)
        result = index.search("model")
        assert [h.arxiv_id for h in result.hits] == [h.arxiv_id for h in searched.hits]
        assert index.get(result.hits[0].arxiv_id) is not None
        assert index.similar("2406.11430").to_dict() == related.to_dict()
        with serving(disk / "idx", analyzer) as server:
            status, _, body = request(server, "/api/search?q=model")
            assert status == 200 and orjson.loads(body)["total"] == result.total
        with pytest.raises(IndexProblem, match="Read-only file system"):
            build([FIXTURES / "search"], disk / "idx", analyzer=analyzer)
    assert set(Path(tempfile.gettempdir()).glob("searchidx-view-*")) == views


# --- 8. a view opened before later builds -------------------------------------------------


def test_a_view_keeps_its_glossary_after_two_builds(tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    build([FIXTURES / "glossary"], index, analyzer=analyzer)
    view = open_index(index, analyzer=analyzer)
    before = view.search("hallucination")
    assert before.expansions
    generation = view.snapshot.generation
    build([FIXTURES / "glossary"], index, analyzer=analyzer, full=True)
    build([FIXTURES / "glossary"], index, analyzer=analyzer, full=True)
    assert not generation.exists()
    after = view.search("hallucination")
    assert (after.total, after.expansions, ids(after.hits)) == (before.total, before.expansions, ids(before.hits))
    assert view.refresh() and view.search("hallucination").total == before.total


# --- 9. escape sequences in titles -----------------------------------------------------------

HOSTILE_TEXT = "\x1b[2J\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\b\b\u202egnp.exe\x9b31m"


def _unsafe(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    for code in allowed:
        text = text.replace(code, "")
    return [ch for ch in text if ch != "\n" and terminal_safe(ch) != ch]


@pytest.mark.parametrize("color", [True, False])
def test_control_characters_never_reach_the_terminal(color: bool) -> None:
    paper = Paper(arxiv_id="2401.00001", url="https://arxiv.org/abs/2401.00001" + HOSTILE_TEXT,
                  title="Title " + HOSTILE_TEXT, authors=("Author " + HOSTILE_TEXT,), votes=1,
                  dates=(_dt.date(2024, 1, 2),))
    snippet = Snippet("summary" + HOSTILE_TEXT, "text " + HOSTILE_TEXT + " more", ((0, 4),))
    result = SearchResult("q", 1, (Hit(paper, 1.0, (snippet,)),), notes=("note" + HOSTILE_TEXT,))
    lines = list(render_result(result, 80, color=color))
    assert _unsafe("\n".join(lines), allowed=("\x1b[1m", "\x1b[2m", "\x1b[0m") if color else ()) == []
    assert "Title" in lines[0] and "\ufffd" in lines[0]


def test_a_hostile_title_is_plain_text_from_digest_to_terminal(tmp_path: Path, analyzer) -> None:
    (tmp_path / "evil.md").write_text(digest(entry(1, title="Evil " + HOSTILE_TEXT + " model")), encoding="utf-8")
    [paper] = parse_paths([tmp_path]).papers
    assert set(_unsafe(paper.title)) == {"\u202e"}  # a bidi override is text; only the terminal layer defuses it
    build([tmp_path], tmp_path / "idx", analyzer=analyzer)
    result = CliRunner().invoke(cli, ["query", "--index", str(tmp_path / "idx"), "캐시"])
    assert result.exit_code == 0 and "Evil" in result.stdout
    assert _unsafe(result.stdout) == []


def test_problems_naming_hostile_files_are_printed_safely(tmp_path: Path) -> None:
    (tmp_path / "\x1b]0;owned\x07.md").write_text("no entries here\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", str(tmp_path)])
    assert result.exit_code == 1 and "no paper entries found" in result.stderr
    assert _unsafe(result.stderr) == []


# --- 10. queries made only of operators ----------------------------------------------------

OPERATOR_ONLY = ['"', '""', "-", "- -", "title:", "author:", 'title:""', '-"', "au: ti:", "-title:"]


@pytest.mark.parametrize("text", OPERATOR_ONLY)
def test_an_operator_only_query_is_the_empty_query_error(search_index, text: str) -> None:
    with pytest.raises(QueryError, match="the query is empty"):
        search_index.search(text)
    result = CliRunner().invoke(cli, ["query", "--index", str(search_index.root), "--", text])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the query is empty") and len(result.stderr.splitlines()) == 1


def test_the_api_answers_an_operator_only_query_with_400(search_index, analyzer) -> None:
    with serving(search_index.root, analyzer) as server:
        for text in ("%22", "-", "title%3A", "author%3A"):
            status, _, body = request(server, f"/api/search?q={text}")
            assert status == 400 and "the query is empty" in orjson.loads(body)["error"]


def test_excluding_a_word_still_lists_the_other_papers(search_index) -> None:
    assert 0 < search_index.search("-캐시").total < len(search_index)


# --- 12. old-style arXiv ids ---------------------------------------------------------------

OLD_STYLE = digest(
    entry(0, title="Old theory paper", link="https://arxiv.org/abs/hep-th/9901001v2"),
    entry(0, title="Old topology paper", link="http://arxiv.org/pdf/math.GT/0309136.pdf",
          summary="캐시 압축 방법을 위상수학으로 제안합니다."),
    entry(3),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hep-th/9901001", "hep-th/9901001"),
        ("arXiv:hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
        ("MATH.gt/0309136", "math.GT/0309136"),
        ("https://huggingface.co/papers/2406.11430", "2406.11430"),
        ("2406.11430v2", "2406.11430"),
        ("hep-th/990100", None),
        ("hep-th", None),
        ("../9901001", None),
    ],
)
def test_one_parser_reads_both_id_schemes(text: str, expected: str | None) -> None:
    assert parse_arxiv_id(text) == expected


def test_id_order_follows_submission_and_keeps_ids_apart() -> None:
    ordered = ["hep-th/9108001", "hep-th/9901001", "math/9901001", "math.GT/0309136", "0704.0001", "1501.00001",
               "2406.11430", "2406.11431"]
    assert sorted(ordered, key=id_order) == ordered
    assert len({id_order(i) for i in ordered}) == len(ordered) and max(map(id_order, ordered)) < 2**32
    assert arxiv_id_from_url("https://arxiv.org/abs/hep-th/9901001v2") == "hep-th/9901001"
    assert id_order("not an id") == 0 < id_order("hep-th/9108001")


def test_old_style_ids_work_wherever_new_ones_do(tmp_path: Path, analyzer) -> None:
    (tmp_path / "old.md").write_text(OLD_STYLE, encoding="utf-8")
    build([tmp_path], tmp_path / "idx", analyzer=analyzer)
    index = open_index(tmp_path / "idx", analyzer=analyzer)
    for text, expected in [("hep-th/9901001", "hep-th/9901001"), ("https://arxiv.org/abs/math.GT/0309136v1", "math.GT/0309136")]:
        assert ids(index.search(text).hits) == [expected]
        assert index.get(expected).url == f"https://arxiv.org/abs/{expected}"
        assert expected not in ids(index.similar(text).hits)
        result = CliRunner().invoke(cli, ["similar", "--index", str(tmp_path / "idx"), text])
        assert result.exit_code == 0, result.output
    schemas = {name: json.loads((ROOT / "schema" / f"{name}.schema.json").read_text()) for name in ("paper", "search")}
    jsonschema.validate(index.search("hep-th/9901001").to_dict(), schemas["search"])
    jsonschema.validate(index.get("math.GT/0309136").to_dict(), schemas["paper"])
    with serving(tmp_path / "idx", analyzer) as server:
        status, _, body = request(server, "/api/papers/math.GT/0309136")
        assert status == 200 and orjson.loads(body)["title"] == "Old topology paper"
        status, _, _ = request(server, "/api/papers/hep-th%2F9901001")
        assert status == 200
        status, _, _ = request(server, "/api/papers/hep-th/990100")
        assert status == 400


# --- 13. ties under --sort votes / --sort date -------------------------------------------------


def _tied_day(folder: Path, day: int, numbers: range) -> None:
    path = folder / f"2024/01/{day:02d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(digest(*(entry(n, votes=7) for n in numbers), date=f"2024-01-{day:02d}"), encoding="utf-8")


def _orders(index_path: Path, analyzer) -> dict[str, list[str]]:
    index = open_index(index_path, analyzer=analyzer)
    return {sort: [h.arxiv_id for page in range(0, 12, 5) for h in index.search("캐시", sort=sort, limit=5, offset=page).hits]
            for sort in ("votes", "date")}


def test_ties_are_broken_by_arxiv_id_in_full_and_incremental_builds(tmp_path: Path, analyzer) -> None:
    corpus = tmp_path / "digests"
    _tied_day(corpus, 3, range(7, 13))  # the later day first: an incremental build appends the earlier one
    build([corpus], tmp_path / "step", analyzer=analyzer)
    _tied_day(corpus, 2, range(1, 7))
    assert build([corpus], tmp_path / "step", analyzer=analyzer).mode == "append"
    build([corpus], tmp_path / "full", analyzer=analyzer, full=True)

    newest_id_first = [f"2401.{n:05d}" for n in range(12, 0, -1)]
    assert _orders(tmp_path / "full", analyzer) == {"votes": newest_id_first, "date": newest_id_first}
    assert _orders(tmp_path / "step", analyzer) == _orders(tmp_path / "full", analyzer)


# --- 14. symbolic links leaving the tree ----------------------------------------------------


def test_links_leaving_the_given_directories_are_reported_not_followed(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "day").mkdir(parents=True)
    (tree / "day" / "a.md").write_text(digest(entry(1)), encoding="utf-8")
    (tmp_path / "outside.md").write_text(digest(entry(2)), encoding="utf-8")
    os.symlink("/", tree / "root")
    os.symlink(tmp_path / "outside.md", tree / "outside.md")
    os.symlink("day", tree / "same-day")  # inside: followed, its file read once
    files, problems = find_digests([tree])
    assert files == [tree / "day" / "a.md"]
    assert sorted(str(p) for p in problems) == [
        f"{tree / 'outside.md'}: skipped: symbolic link to {tmp_path / 'outside.md'}, outside the directories to read",
        f"{tree / 'root'}: skipped: symbolic link to /, outside the directories to read",
    ]
    assert ids(parse_paths([tree]).papers) == ["2401.00001"]
    assert ids(parse_paths([tree, tmp_path / "outside.md"]).papers) == ["2401.00001", "2401.00002"]


def test_a_digest_given_by_a_link_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text(digest(entry(1)), encoding="utf-8")
    os.symlink(tmp_path / "real.md", tmp_path / "link.md")
    assert stat.S_ISLNK(os.lstat(tmp_path / "link.md").st_mode)
    assert ids(parse_paths([tmp_path / "link.md"]).papers) == ["2401.00001"]
