"""Property-based tests (hypothesis): the parser and the query path never let an exception escape.

The normal run tries ``SEARCHIDX_FUZZ_EXAMPLES`` examples per property (default 40), the same
ones every time (see tests/conftest.py); a longer run, which draws new ones, is
``SEARCHIDX_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from conftest import CORPUS, FIXTURES, SAMPLE_DATA
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from searchidx import QueryError
from searchidx.arxiv import parse_arxiv_id
from searchidx.cli import cli
from searchidx.parse import HEADING, parse_file, parse_paths, parse_text
from searchidx.records import Paper
from searchidx.render import terminal_safe

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=int(os.environ.get("SEARCHIDX_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

DIGESTS = sorted(
    [*SAMPLE_DATA.rglob("*.md"), *FIXTURES.rglob("*.md"), *sorted((CORPUS / "daily_papers_ko").rglob("*.md"))[:40]]
)
_BLOCK_HEADING = 2


# --- parser -----------------------------------------------------------------------------


@FUZZ
@given(st.text())
@example("## Daily Papers (2024-01-01)\n### [a\x1b[2Jb](https://arxiv.org/abs/2401.00001)\nAuthors: X\x07Y\n- 요\x00약\x7f")
@example("### [t](https://arxiv.org/abs/hep-th/9901001)\nVote: 99999999999999999999\n\r\n- \x85\u2028")
def test_parser_takes_any_text(text: str) -> None:
    papers, problems = parse_text(text, "fuzz.md")
    assert all(p.path == "fuzz.md" and 0 <= p.line <= len(text.splitlines()) + 1 for p in problems)
    for paper in papers:
        assert parse_arxiv_id(paper.arxiv_id) == paper.arxiv_id and paper.title.strip()
        assert not _control_characters(paper), paper


def _control_characters(paper: Paper) -> set[str]:
    """Control characters other than tab and line break in a paper's text (the parser removes them)."""
    texts = [paper.title, *paper.authors, *(part for s in paper.sections for part in (s.name, s.text))]
    return {c for text in texts for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n"}


@FUZZ
@given(st.binary(max_size=4096))
@example(b"\xef\xbb\xbf## Daily Papers (2024-01-01)\n### [a](https://arxiv.org/abs/2401.00001)\n\xff\xfe")
@example("## Daily Papers (2024-01-01)\n### [모델](https://arxiv.org/abs/2401.00001)\n- 요약".encode("cp949"))
@example(b"\x01\r\x00")  # a lone CR ends a line too
def test_parser_takes_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "2024", "01", "02.md")
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        papers, problems = parse_file(path)
        result = parse_paths([folder])
    assert [p.arxiv_id for p in result.papers] == list(dict.fromkeys(p.arxiv_id for p in papers))
    assert all(p.path == str(path) and 0 <= p.line <= len(data.splitlines()) + 1 for p in problems)
    assert not [paper for paper in papers if _control_characters(paper)]


line_text = st.text(st.characters(blacklist_characters="\r\n"), max_size=40) | st.sampled_from(
    ["## Daily Papers (2024-13-45)", "### [", "- ", "Vote: x", "Authors: ['a', ", "## License", "#", "***a:*** b"]
)
mutation = st.tuples(st.sampled_from(["delete", "duplicate", "garble", "insert"]), st.integers(0, 10_000), line_text)


@FUZZ
@given(st.sampled_from(DIGESTS), st.lists(mutation, max_size=8))
def test_mutated_digests_keep_every_intact_entry(source: Path, mutations: list[tuple[str, int, str]]) -> None:
    text = source.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    original = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[tuple[int | None, str]] = list(enumerate(original))
    for op, where, new in mutations:
        at = where % (len(lines) + 1)
        if op == "insert":
            lines.insert(at, (None, new))
        elif at < len(lines):
            if op == "delete":
                del lines[at]
            elif op == "duplicate":
                lines.insert(at + 1, (None, lines[at][1]))
            else:
                lines[at] = (None, new)
    path = str(source)  # its YYYY/MM/DD ending dates entries outside a dated block
    found = parse_text("\n".join(t for _, t in lines), path)[0]
    for expected in _intact_entries(original, lines, path):
        assert expected in found


def _level(line: str) -> int:
    heading = HEADING.match(line)
    return len(heading[1]) if heading else 0


def _intact_entries(original: list[str], lines: list[tuple[int | None, str]], path: str) -> list[Paper]:
    """Papers of original entries whose lines, end and governing block header all survived."""
    position = {origin: i for i, (origin, _) in enumerate(lines) if origin is not None}
    intact = []
    for start, line in enumerate(original):
        if _level(line) != 3:
            continue
        end = next((i for i in range(start + 1, len(original)) if _level(original[i])), len(original))
        if start not in position:
            continue
        first = position[start]
        span = lines[first : first + end - start]
        if [origin for origin, _ in span] != list(range(start, end)):
            continue
        after = first + end - start
        if after < len(lines) and not _level(lines[after][1]):
            continue
        header_before = next((original[i] for i in range(start - 1, -1, -1) if 0 < _level(original[i]) <= _BLOCK_HEADING), None)
        header_now = next((lines[i][1] for i in range(first - 1, -1, -1) if 0 < _level(lines[i][1]) <= _BLOCK_HEADING), None)
        if header_before != header_now:
            continue
        context = [header_before] if header_before is not None else []
        intact.extend(parse_text("\n".join([*context, *original[start:end]]), path)[0])
    return intact


# --- bytes spliced into real digests ----------------------------------------------------------

#: Damage as it happens to files: NULs, invalid UTF-8, UTF-16 pieces, control characters.
#: Line breaks are left out: they change a file's structure, not its bytes' meaning.
DAMAGE = [
    b"\x00", b"\x00\x00\x00\x00", b"\xff", b"\xfe\xff", b"\xff\xfe", b"\x80", b"\xc3", b"\xe0\xa0", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xc0\xaf", b"a\x00", b"\x00\xd8", b"\x3d\xd8\x00\xde", b"\x1b[2J", b"\x1b]0;t\x07",
    b"\x08", b"\x0c", b"\x7f", b"\xc2\x9b", b"\xb0\xa1", b"\t",
]
damage_bytes = st.sampled_from(DAMAGE) | st.lists(
    st.integers(0, 255).filter(lambda b: b not in b"\n\r" and not 0x20 <= b < 0x7F), min_size=1, max_size=4
).map(bytes)
MAX_SPLICES = 8


def _sound_utf8(path: Path) -> bool:
    """Digests the byte fuzz starts from: UTF-8 with enough lines that splices stay a minority."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\r" not in text and sum(1 for line in text.split("\n") if line.strip()) > 4 * MAX_SPLICES


BYTE_DIGESTS = [path for path in DIGESTS if _sound_utf8(path)]


@FUZZ
@given(st.sampled_from(BYTE_DIGESTS), st.lists(st.tuples(st.integers(0, 10**7), damage_bytes), max_size=MAX_SPLICES))
@example(next(p for p in BYTE_DIGESTS if p.read_bytes().startswith(b"## Daily Papers")), [(4, b"\t")])  # in the header
def test_damaged_bytes_cost_only_the_lines_they_hit(source: Path, splices: list[tuple[int, bytes]]) -> None:
    data = source.read_bytes()
    touched: set[int] = set()
    damaged = data
    for where, piece in sorted(((w % (len(data) + 1), p) for w, p in splices), reverse=True):
        touched.add(data.count(b"\n", 0, where))
        damaged = damaged[:where] + piece + damaged[where:]
    original = data.decode("utf-8").lstrip("\ufeff").split("\n")
    lines = [
        (None, raw.decode("utf-8", errors="replace")) if number in touched else (number, original[number])
        for number, raw in enumerate(damaged.split(b"\n"))
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, *source.parts[-3:])  # the same YYYY/MM/DD ending dates the same entries
        path.parent.mkdir(parents=True)
        path.write_bytes(damaged)
        found, problems = parse_file(path)
        before = {problem.line for problem in parse_text(data.decode("utf-8"), str(path))[1]}
        for expected in _intact_entries(original, lines, str(path)):
            assert expected in found
    assert {problem.line for problem in problems} <= {number + 1 for number in touched} | before


# --- query path -------------------------------------------------------------------------

QUERY_PIECES = [
    '"', "'", "-", "+", ":", "title:", "author:", "votes:", "(", ")", "AND", "OR", "NOT", "*", "?", "^2", "~",
    "\\", "\x00", "\x1b[31m", "\t", "\u200b", "\ufeff", "🙂", "🚀👩‍🔬", "KV", "캐시", "압축하는", "attention",
    "2406.11430", "arXiv:2406.11430", "GPT-4o", "모델의", "a" * 300, "",
]
query_text = st.text(max_size=60) | st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map(" ".join) | st.lists(
    st.sampled_from(QUERY_PIECES), max_size=12
).map("".join)
#: Texts every query surface must survive, tried before the generated ones.
EXAMPLES = ['"KV cache', "AND", "OR NOT", "a AND", "-", "- -", "- - -", "*", "title:", "author:", 'author:"', "모델:",
            "(MoE)", "C++", "을", "\x00", "\x00\x07", "\x1b[2J", "\t", "🙂", "   ", "", "¯", "´", "x" * 5000,
            " ".join(["모델"] * 10_000), '"' * 1001, "title:" * 500]


def _with_examples(test):
    for text in EXAMPLES:
        test = example(text)(test)
    return test


@pytest.mark.parametrize("match", ["blend", "all", "any"])
@FUZZ
@given(query_text)
@_with_examples
def test_any_query_text_gives_the_same_results_or_error_in_the_library_and_the_cli(search_index, match: str, text: str) -> None:
    args = ["query", "--json", "--match", match, "--index", str(search_index.root), "--", text]  # text may start with "-"
    printed = CliRunner().invoke(cli, args, catch_exceptions=False)
    try:
        result = search_index.search(text, match=match)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
        assert (printed.exit_code, printed.stdout) == (2, "")
        assert printed.stderr.splitlines() == [f"Error: {terminal_safe(str(error))}"]
        return
    assert 0 <= len(result.hits) <= result.total
    assert printed.exit_code == 0, printed.stderr
    assert orjson.loads(printed.stdout) == orjson.loads(orjson.dumps(result.to_dict()))
