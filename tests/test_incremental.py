"""Incremental builds: only what changed is analysed, and the index equals a full rebuild."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchidx.cli import cli
from searchidx.correct import SPELLING_FILE
from searchidx.index import current_generation
from searchidx.search import open_index
from searchidx.writer import build

QUERIES = ("KV 캐시", "캐시 압축", "diffusion", "토큰 병합", "모델", "scaling laws", "Yu Zhao", "벤치마크", "양자화")

NEW_DAY = """## Daily Papers (2024-07-02)

### [Sparse Cache Routing for Long Context](https://arxiv.org/abs/2407.30001)

Vote: 12

Authors: Hana Kim, Yu Zhao

- ***What's New***: 긴 문맥에서 KV 캐시 항목을 희소하게 골라 읽는 라우팅 방법을 제안합니다.
- ***Technical Details***: 항목마다 점수를 매겨 상위 일부만 어텐션에 넣습니다.

### [Token Merging for Faster Diffusion Transformers](https://arxiv.org/abs/2406.20002)

Vote: 40

Authors: Wei Zhao, Yu Li

- ***What's New***: 디퓨전(diffusion) 트랜스포머에서 비슷한 토큰을 합쳐 생성 속도를 높이는 방법을 소개합니다.
- ***Technical Details***: 토큰 병합은 학습 없이 적용되며 이미지 품질 손실이 거의 없습니다.
"""


def snapshot(index_path: Path, analyzer) -> tuple[dict[str, dict], dict[str, dict[str, float]], dict, dict, list]:
    """Every paper's record, every hit's score for each of the queries, the glossary, the
    mined translations and the spelling table."""
    index = open_index(index_path, analyzer=analyzer)
    ids = {hit.arxiv_id for q in QUERIES for hit in index.search(q, limit=100, match="any").hits}
    papers = {arxiv_id: index.get(arxiv_id).to_dict() for arxiv_id in ids}
    scores = {
        q: {hit.arxiv_id: round(hit.score or 0.0, 4) for hit in index.search(q, limit=100, match="any").hits}
        for q in QUERIES
    }
    db = sqlite3.connect(index.snapshot.generation / SPELLING_FILE)
    try:
        spelling = db.execute("SELECT * FROM words ORDER BY keys, hangul").fetchall()
    finally:
        db.close()
    return papers, scores, index.snapshot.glossary.to_dict(), index.snapshot.translations.to_dict(), spelling


def assert_same_as_full_rebuild(digests: Path, incremental: Path, tmp_path: Path, analyzer) -> None:
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    report = build([digests], full, analyzer=analyzer)
    assert report.mode == "full"
    assert len(open_index(incremental, analyzer=analyzer)) == report.papers
    assert snapshot(incremental, analyzer) == snapshot(full, analyzer)


@pytest.fixture()
def digests(tmp_path: Path, fixtures_dir: Path) -> Path:
    target = tmp_path / "digests"
    shutil.copytree(fixtures_dir / "search", target)
    return target


def test_new_day_appends_only_its_papers_and_remerges_repeats(digests: Path, tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    assert build([digests], index, analyzer=analyzer).mode == "full"
    (digests / "2024" / "07" / "02.md").write_text(NEW_DAY, encoding="utf-8")
    report = build([digests], index, analyzer=analyzer)
    # 2406.20002 is listed again with the same texts: re-indexed from stored terms, not analysed.
    assert (report.mode, report.analysed) == ("reindex", 1)
    paper = open_index(index, analyzer=analyzer).get("2406.20002")
    assert paper is not None and paper.votes == 40 and [d.isoformat() for d in paper.dates] == ["2024-06-17", "2024-07-02"]
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


def test_a_day_of_new_papers_is_appended_to_the_previous_segments(digests: Path, tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    before = current_generation(index)
    new_only = NEW_DAY.split("### [Token Merging")[0]
    (digests / "2024" / "07" / "02.md").write_text(new_only, encoding="utf-8")
    report = build([digests], index, analyzer=analyzer)
    assert (report.mode, report.analysed) == ("append", 1)
    assert current_generation(index) != before
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_a_missing_or_damaged_spelling_table_is_written_again_in_full(
    digests: Path, tmp_path: Path, analyzer, damage: str
) -> None:
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    table = current_generation(index) / SPELLING_FILE
    if damage == "delete":
        table.unlink()
    else:
        table.write_bytes(b"not a database" * 100)
    (digests / "2024" / "07" / "02.md").write_text(NEW_DAY.split("### [Token Merging")[0], encoding="utf-8")
    assert build([digests], index, analyzer=analyzer).mode == "append"
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


def test_changed_and_deleted_files(digests: Path, tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    day = digests / "2024" / "06" / "17.md"
    changed = day.read_text(encoding="utf-8").replace("Vote: 21", "Vote: 99").replace("단순한 전략", "간단한 규칙")
    day.write_text(changed, encoding="utf-8")
    (digests / "2024" / "07" / "01.md").unlink()
    report = build([digests], index, analyzer=analyzer)
    assert (report.mode, report.analysed) == ("reindex", 1)
    searched = open_index(index, analyzer=analyzer)
    assert searched.get("2406.11430").votes == 99
    assert searched.search("간단한 규칙").total >= 1
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


def test_nothing_changed_analyses_nothing(digests: Path, tmp_path: Path, analyzer) -> None:
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    report = build([digests], index, analyzer=analyzer)
    assert (report.mode, report.analysed) == ("unchanged", 0)
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


def test_full_flag_rebuilds(digests: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "idx")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(digests), "--index", index]).exit_code == 0
    again = runner.invoke(cli, ["build", str(digests), "--index", index])
    assert again.exit_code == 0 and "(unchanged: 0 papers analysed)" in again.stdout
    forced = runner.invoke(cli, ["build", str(digests), "--index", index, "--full"])
    assert forced.exit_code == 0 and "analysed)" not in forced.stdout


def test_real_corpus_days_added_one_by_one_equal_a_full_build(corpus_dir: Path, tmp_path: Path, analyzer) -> None:
    days = sorted(corpus_dir.rglob("*.md"))[:12]
    digests = tmp_path / "real"
    digests.mkdir()
    def add(day: Path) -> None:
        target = digests / day.relative_to(corpus_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(day, target)

    for day in days[:10]:
        add(day)
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    for day in days[10:]:
        add(day)
        assert build([digests], index, analyzer=analyzer).mode in ("append", "reindex")
    assert_same_as_full_rebuild(digests, index, tmp_path, analyzer)


def test_another_analyzer_forces_a_full_build(tmp_path: Path, analyzer) -> None:
    from searchidx.analysis import Analyzer, load_user_dictionary

    # English words are known by rule: the other analyzer rebuilds without loading a Kiwi of its own.
    digests = tmp_path / "digests"
    digests.mkdir()
    (digests / "day.md").write_text(NEW_DAY.split("- ***What")[0] + "- A sparse cache routing method.\n", encoding="utf-8")
    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    other = Analyzer(user_words=[*load_user_dictionary(), ("스케일링법칙", "NNG")])
    assert build([digests], index, analyzer=other).mode == "full"


def test_an_incremental_build_sends_kiwi_only_words_it_has_never_seen(digests: Path, tmp_path: Path, analyzer) -> None:
    from searchidx.analysis import ruled
    from searchidx.fields import texts_to_analyze
    from searchidx.lexicon import LEXICON_FILE, Lexicon, words_of
    from searchidx.parse import parse_paths

    index = tmp_path / "idx"
    first = build([digests], index, analyzer=analyzer)
    known = {word for word, _ in Lexicon(current_generation(index) / LEXICON_FILE).vocabulary()}
    assert first.kiwi_words == sum(1 for w in known if ruled(w) is None)
    (digests / "2024" / "07" / "02.md").write_text(NEW_DAY, encoding="utf-8")
    report = build([digests], index, analyzer=analyzer)
    [paper] = [p for p in parse_paths([digests / "2024" / "07" / "02.md"]).papers if p.arxiv_id == "2407.30001"]
    new_words = words_of(texts_to_analyze(paper)) - known
    assert 0 < report.kiwi_words == sum(1 for w in new_words if ruled(w) is None)
    assert {word for word, _ in Lexicon(current_generation(index) / LEXICON_FILE).vocabulary()} == known | new_words


def test_kiwi_in_a_child_process_gives_the_same_index(digests: Path, tmp_path: Path, analyzer) -> None:
    """A build whose Kiwi is not loaded yet runs it (and writes the lexicon) in a child
    process; the index, lexicon and counts are those of a build that runs it in process."""
    from searchidx.analysis import Analyzer
    from searchidx.lexicon import LEXICON_FILE

    def lexicon_rows(index: Path) -> dict[str, list]:
        db = sqlite3.connect(current_generation(index) / LEXICON_FILE)
        try:
            return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("words", "stems", "endings")}
        finally:
            db.close()

    in_process, child = tmp_path / "in-process", tmp_path / "child"
    new_day = digests / "2024" / "07" / "02.md"
    reports = []
    for step in ("full", "add a day", "remove it"):  # the last needs no Kiwi: the child is stopped
        if step == "add a day":
            new_day.write_text(NEW_DAY, encoding="utf-8")
        elif step == "remove it":
            new_day.unlink()
        fresh = Analyzer()
        reports.append((build([digests], in_process, analyzer=analyzer), build([digests], child, analyzer=fresh)))
        assert not fresh.loaded
        assert snapshot(child, analyzer) == snapshot(in_process, analyzer)
        assert lexicon_rows(child) == lexicon_rows(in_process)
    for ours, theirs in reports:
        assert (theirs.mode, theirs.kiwi_words) == (ours.mode, ours.kiwi_words)
    assert reports[1][1].kiwi_words > 0


def test_kiwi_is_needed_only_for_words_neither_ruled_nor_in_the_lexicon(digests: Path, tmp_path: Path, analyzer) -> None:
    from searchidx.kiwi_process import needs_kiwi
    from searchidx.lexicon import LEXICON_FILE

    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    lexicon = current_generation(index) / LEXICON_FILE
    assert not needs_kiwi(["KV cache compression (2-bit), GPT-4o"], None)
    assert needs_kiwi(["KV cache 압축"], None)
    assert not needs_kiwi(["KV 추론", "데이터 모델의"], lexicon)
    assert needs_kiwi(["KV 추론", "라우팅하는 희소하게"], lexicon)
    assert not needs_kiwi([], None)


def test_a_failing_kiwi_process_fails_the_build_and_keeps_the_index(digests: Path, tmp_path: Path, analyzer) -> None:
    from searchidx.analysis import Analyzer
    from searchidx.errors import AnalysisError

    index = tmp_path / "idx"
    build([digests], index, analyzer=analyzer)
    before = snapshot(index, analyzer)
    (digests / "2024" / "07" / "02.md").write_text(NEW_DAY, encoding="utf-8")
    broken = Analyzer(user_words=[("캐시", "NOT-A-TAG")])  # Kiwi refuses the tag in the child
    with pytest.raises(AnalysisError, match="^the Kiwi process stopped .*NOT-A-TAG"):
        build([digests], index, analyzer=broken, full=True)
    assert not broken.loaded
    assert snapshot(index, analyzer) == before


def test_an_index_of_the_previous_format_asks_for_a_rebuild_in_one_line(digests: Path, tmp_path: Path) -> None:
    import orjson

    index = tmp_path / "idx"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(digests), "--index", str(index)]).exit_code == 0
    meta_path = current_generation(index) / "searchidx.json"
    meta_path.write_bytes(orjson.dumps({**orjson.loads(meta_path.read_bytes()), "format_version": 3}))
    result = runner.invoke(cli, ["query", "캐시", "--index", str(index)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "searchidx build" in result.stderr and "format 3" in result.stderr
    rebuilt = runner.invoke(cli, ["build", str(digests), "--index", str(index)])
    assert rebuilt.exit_code == 0 and "analysed)" not in rebuilt.stdout  # a full build, not an incremental one
    assert runner.invoke(cli, ["query", "캐시", "--index", str(index)]).exit_code == 0
