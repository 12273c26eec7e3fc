"""The digest parser: every format variant, bad input, merging, and the real corpus."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import CORPUS, ROOT, SAMPLE_DATA

from searchidx.errors import InputError
from searchidx.files import read_digest
from searchidx.parse import (
    ParseResult,
    parse_file,
    parse_paths,
    parse_text,
)
from searchidx.records import Paper, ParseProblem, Section

TRIO = ["What's New", "Technical Details", "Performance Highlights"]
SCHEMA = json.loads((ROOT / "schema" / "paper.schema.json").read_text(encoding="utf-8"))


def one_file(path: Path) -> dict[str, Paper]:
    papers, problems = parse_file(path)
    assert problems == []
    return {paper.arxiv_id: paper for paper in papers}


def section_names(paper: Paper) -> list[str]:
    return [section.name for section in paper.sections]


def validate(papers: list[Paper] | tuple[Paper, ...]) -> None:
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for paper in papers:
        validator.validate(json.loads(json.dumps(paper.to_dict())))


# --- format variants ----------------------------------------------------------------------


def test_plain_bullets_form_one_summary_with_continuations(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "plain_bullets.md")
    bare = papers["2311.00001"]
    assert bare.title == "Sparse Mixture Routers for Tiny Language Models"
    assert (bare.authors, bare.votes, bare.thumbnail, bare.video) == ((), None, None, None)
    assert bare.dates == (dt.date(2023, 11, 20),)
    assert section_names(bare) == ["summary"]
    lines = bare.sections[0].text.split("\n")
    assert len(lines) == 6  # four bullets, two nested bullets joined to the third
    assert lines[3].startswith("- (1)") and lines[-1].startswith("코드는")

    counted = papers["2311.00002"]
    assert counted.authors == ("Mina Park", "Joon Lee")  # trailing comma is not a name
    assert counted.thumbnail.endswith("/uploads/sample/counting.png")
    assert counted.sections[0].text.split("\n")[-2:] == [
        "1) 추정 오차의 상한을 증명합니다.",
        "2) 추정기를 빠르게 구현합니다.",
    ]


def test_bold_named_bullets_become_sections(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "bold_sections.md")
    paper = papers["2407.00011"]
    assert section_names(paper) == [
        "What's New",
        "Technical Details",
        "Performance Highlights",
        "Limitations",
    ]
    assert paper.sections[0].text.startswith("디코딩 중 일부 층을")
    assert (paper.votes, paper.authors) == (14, ("Sora Kim", "Daniel Evans"))


def test_curly_apostrophe_and_odd_bold_name_the_usual_sections(fixtures_dir: Path) -> None:
    paper = one_file(fixtures_dir / "digests" / "bold_sections.md")["2407.00012"]
    assert section_names(paper) == TRIO[:2] + ["비전 인코더 (Vision Encoder)"]
    assert paper.sections[1].text.startswith("굵게 표시가")


def test_bold_italic_named_bullets_and_indented_continuation(fixtures_dir: Path) -> None:
    paper = one_file(fixtures_dir / "digests" / "bold_italic_sections.md")["2505.00021"]
    assert section_names(paper) == TRIO
    assert paper.sections[1].text.endswith("\n보상은 형식 점수와 정답 점수의 합입니다.")
    assert paper.votes == 75
    assert paper.thumbnail == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2505.00021.png"
    )


def test_authors_as_list_literal_dedupe_and_truncation_marker(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "authors_list.md")
    assert papers["2410.00031"].authors == ("Ana Lima", "Sean O'Neil", "Kenji Sato")
    assert papers["2410.00031"].votes == 9
    dash = papers["2410.00032"]
    assert dash.votes is None  # "Vote: -"
    assert dash.authors == ("Kenji Sato", "Maria Rossi", "Tom Becker")


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Authors: A Kim, B Lee, A Kim, +, C Park,", ("A Kim", "B Lee", "C Park")),
        ("Authors: ['A Kim', \"D O'Hara\"]", ("A Kim", "D O'Hara")),
        ("Authors: ['A Kim', 'D O'Hara']", ("A Kim", "D O'Hara")),  # not valid Python
        ("Authors: []", ()),
        ("Authors:", ()),
    ],
)
def test_author_lines(line: str, authors: tuple[str, ...]) -> None:
    papers, problems = parse_text(f"### [T](https://arxiv.org/abs/2401.00001)\n{line}\n")
    assert (papers[0].authors, problems) == (authors, [])


def test_video_links_in_every_spelling(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "videos.md")
    base = "https://cdn-uploads.huggingface.co/production/uploads/sample/"
    assert papers["2312.00041"].video == base + "dance.mp4"  # [Watch Video](url)
    assert papers["2312.00042"].video == base + "camera.mp4"  # [Watch Video]url
    assert papers["2312.00043"].video == base + "motion.mp4"  # <video src='...'>
    assert all(p.thumbnail is None for p in papers.values())
    assert papers["2312.00041"].sections == (
        Section("summary", "사진 한 장으로 춤추는 아바타 영상을 만듭니다."),
    )


def test_each_block_dates_its_own_entries(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "two_blocks.md")
    assert papers["2410.00051"].dates == (dt.date(2024, 10, 18),)
    assert papers["2410.00052"].dates == (dt.date(2024, 10, 19),)


def test_readme_text_outside_digest_blocks_is_not_papers(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "readme.md")
    assert list(papers) == ["2505.00062"]
    assert papers["2505.00062"].sections[0].text.endswith("논문입니다.")  # License not appended


def test_links_are_normalised_and_titles_kept_verbatim(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "digests" / "links.md")
    assert list(papers) == ["2402.00071", "2402.00072", "2402.00073", "2402.00074"]
    assert {p.url for p in papers.values()} == {
        f"https://arxiv.org/abs/{i}" for i in papers
    }
    assert papers["2402.00074"].title == (
        "I Can't Say: Modeling Refusal with a [REFUSE] Token (and Friends)"
    )


def test_date_falls_back_to_the_file_path(fixtures_dir: Path) -> None:
    papers = one_file(fixtures_dir / "dated" / "2024" / "03" / "05.md")
    assert papers["2403.00081"].dates == (dt.date(2024, 3, 5),)


def test_date_is_unknown_without_header_or_dated_path() -> None:
    papers, problems = parse_text("### [Undated](https://arxiv.org/abs/2401.00001)\n- 본문\n")
    assert problems == []
    assert papers[0].dates == ()
    assert papers[0].date is None


def test_header_date_beats_path_date() -> None:
    text = "## Daily Papers (2024-01-02)\n### [T](https://arxiv.org/abs/2401.00001)\n"
    papers, _ = parse_text(text, "digests/2023/12/31.md")
    assert papers[0].dates == (dt.date(2024, 1, 2),)


def test_bad_header_date_is_reported_and_path_date_used() -> None:
    text = "## Daily Papers (2024-13-40)\n### [T](https://arxiv.org/abs/2401.00001)\n"
    papers, problems = parse_text(text, "d/2024/01/03.md")
    assert papers[0].dates == (dt.date(2024, 1, 3),)
    assert [str(p) for p in problems] == [
        "d/2024/01/03.md:1: bad date in header: '## Daily Papers (2024-13-40)'"
    ]


@pytest.mark.parametrize("header", ["## D\taily Papers (2024-01-02)", "## Dai\ufffdly Papers (2024-01-0\t2)"])
def test_stray_characters_in_a_header_are_reported_and_its_entries_kept(header: str) -> None:
    text = f"{header}\n### [T](https://arxiv.org/abs/2401.00001)\n- 요약\n"
    papers, problems = parse_text(text, "d/2024/01/03.md")
    assert [(p.arxiv_id, p.dates) for p in papers] == [("2401.00001", (dt.date(2024, 1, 2),))]
    assert [str(p) for p in problems] == [
        "d/2024/01/03.md:1: stray characters in header, read as '## Daily Papers (2024-01-02)'"
    ]


def test_another_section_with_a_symbol_is_still_not_papers() -> None:
    papers, problems = parse_text("## License \u00a9\n### [T](https://arxiv.org/abs/2401.00001)\n- x\n", "x.md")
    assert papers == [] and problems == []


def test_bom_and_crlf_are_read_like_plain_utf8(tmp_path: Path, fixtures_dir: Path) -> None:
    source = (fixtures_dir / "digests" / "bold_sections.md").read_text(encoding="utf-8")
    path = tmp_path / "crlf.md"
    path.write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode("utf-8"))
    assert read_digest(path) == source.replace("\n", "\r\n")
    assert parse_file(path)[0] == parse_text(source)[0]


def test_cp949_file_is_decoded(tmp_path: Path, fixtures_dir: Path) -> None:
    source = (fixtures_dir / "digests" / "plain_bullets.md").read_text(encoding="utf-8")
    path = tmp_path / "legacy.md"
    path.write_bytes(source.encode("cp949"))
    assert read_digest(path) == source
    papers, problems = parse_file(path)
    assert problems == [] and len(papers) == 2
    assert papers[0].sections[0].text.startswith("작은 언어 모델에서")


# --- bad input ------------------------------------------------------------------------------


def test_malformed_entries_are_reported_once_and_neighbours_kept(fixtures_dir: Path) -> None:
    path = fixtures_dir / "malformed" / "bad_entries.md"
    papers, problems = parse_file(path)
    assert [p.arxiv_id for p in papers] == ["2405.00091", "2405.00092", "2405.00093"]
    assert [p.votes for p in papers] == [10, None, 20]  # broken vote line: kept, votes null
    assert papers[1].authors == ("Iris Moon",)
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [
        (9, "entry heading has no link"),
        (17, "vote count is not a number"),
        (23, "entry link is not an arXiv paper"),
    ]
    assert all(p.path == str(path) for p in problems)


def test_damaged_utf8_loses_only_its_bad_bytes_and_the_line_is_reported(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    source = (fixtures_dir / "digests" / "bold_sections.md").read_bytes()
    cut = source.index("Technical".encode())
    path = tmp_path / "damaged.md"
    path.write_bytes(source[:cut] + b"\xff" + source[cut:])
    papers, problems = parse_file(path)
    assert len(papers) == 2
    assert papers[0].sections[1].text.startswith("각 층의")
    line = source[:cut].count(b"\n") + 1
    assert problems == [ParseProblem(str(path), line, "undecodable bytes removed")]
    assert papers == parse_text(source.decode(), str(path))[0]


def test_heading_shapes() -> None:
    text = (
        "###[Tight](https://arxiv.org/abs/2401.00001)\n"
        "### [Trailing](https://arxiv.org/abs/2401.00002) extra\n"
        "#### [Deeper](https://arxiv.org/abs/2401.00003)\n"
    )
    papers, problems = parse_text(text, "h.md")
    assert [p.arxiv_id for p in papers] == ["2401.00001"]
    assert papers[0].sections == ()  # the #### line is not text of a rejected entry
    assert [str(p) for p in problems] == [
        "h.md:2: entry heading is not '### [title](link)': "
        "'### [Trailing](https://arxiv.org/abs/2401.00002) extra'"
    ]


def test_empty_title_is_a_problem() -> None:
    papers, problems = parse_text("### [](https://arxiv.org/abs/2401.00001)\n", "x.md")
    assert papers == []
    assert [str(p) for p in problems] == ["x.md:1: entry heading has an empty title"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "skipped: empty file"),
        (b"\xef\xbb\xbf \r\n\n", "skipped: empty file"),
        (bytes(range(256)) * 4, "skipped: binary data, not a text digest"),
        (b"\xff\xfe\x81\x20" * 50, "skipped: binary data, not a text digest"),
        ("## 메모\n논문이 없습니다.\n".encode(), "no paper entries found"),
    ],
    ids=["empty", "blank", "binary", "undecodable", "no-entries"],
)
def test_unreadable_files_are_one_problem_each(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    assert parse_file(path) == ([], [ParseProblem(str(path), 0, reason)])


def test_bad_files_do_not_stop_the_run(tmp_path: Path, fixtures_dir: Path) -> None:
    (tmp_path / "a_empty.md").write_bytes(b"")
    (tmp_path / "b_binary.md").write_bytes(b"\x00\x01\x02garbage\x00")
    (tmp_path / "c_good.md").write_bytes((fixtures_dir / "digests" / "two_blocks.md").read_bytes())
    result = parse_paths([tmp_path])
    assert [p.arxiv_id for p in result.papers] == ["2410.00051", "2410.00052"]
    assert [Path(p.path).name for p in result.problems] == ["a_empty.md", "b_binary.md"]
    assert (result.files, result.entries) == (3, 2)


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory: .*nope"):
        parse_paths([tmp_path / "nope"])


def test_read_digest_of_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_digest(tmp_path / "nope.md")


# --- collections ----------------------------------------------------------------------------


def test_directories_are_walked_recursively_sorted_and_md_only(tmp_path: Path) -> None:
    layout = [("b/2.md", "2401.00002"), ("a/1.md", "2401.00001"), ("c.md", "2401.00003")]
    for rel, arxiv_id in layout:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"### [P](https://arxiv.org/abs/{arxiv_id})\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("### [X](https://arxiv.org/abs/2401.00009)\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.md").write_text("### [X](https://arxiv.org/abs/2401.00008)\n")
    result = parse_paths([tmp_path])
    assert [p.arxiv_id for p in result.papers] == ["2401.00001", "2401.00002", "2401.00003"]


def test_a_file_reached_twice_is_read_once(fixtures_dir: Path) -> None:
    digests = fixtures_dir / "digests"
    result = parse_paths([digests / "videos.md", digests, digests / "videos.md"])
    assert result.files == len(list(digests.glob("*.md")))
    assert result.duplicates == 0


def test_symlink_loop_terminates(tmp_path: Path, fixtures_dir: Path) -> None:
    (tmp_path / "d.md").write_bytes((fixtures_dir / "digests" / "videos.md").read_bytes())
    os.symlink(tmp_path, tmp_path / "loop", target_is_directory=True)
    result = parse_paths([tmp_path])
    assert (result.files, len(result.papers), result.problems) == (1, 3, ())


def test_merge_keeps_one_record_with_all_dates_and_latest_fields(tmp_path: Path) -> None:
    entry = "### [{title}](https://arxiv.org/abs/2401.00001)\n\nVote: {votes}\n\n- {body}\n"
    appearances = [("10", "Old Title", 5), ("03", "Older Title", 1), ("12", "New Title", 9)]
    for day, title, votes in appearances:
        path = tmp_path / "2024" / "01" / f"{day}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(entry.format(title=title, votes=votes, body=title), encoding="utf-8")
    result = parse_paths([tmp_path])
    assert (result.entries, len(result.papers), result.duplicates) == (3, 1, 2)
    (paper,) = result.papers
    assert paper.dates == (dt.date(2024, 1, 3), dt.date(2024, 1, 10), dt.date(2024, 1, 12))
    assert (paper.title, paper.votes, paper.text) == ("New Title", 9, "New Title")


def test_sample_data_is_complete_and_valid() -> None:
    result = parse_paths([SAMPLE_DATA])
    assert result.problems == ()
    assert (result.files, result.entries, len(result.papers)) == (5, 20, 19)
    papers = {p.arxiv_id: p for p in result.papers}
    kv = papers["2406.11430"]
    assert kv.title == "A Simple and Effective L_2 Norm-Based Strategy for KV Cache Compression"
    assert "KV 캐시(KV cache)" in kv.text and "압축" in kv.text
    assert papers["2305.18290"].dates == (dt.date(2025, 1, 23), dt.date(2025, 1, 24))
    assert papers["2305.18290"].votes == 95
    assert sum("Song Han" in p.authors for p in result.papers) == 3
    assert {p.votes for p in result.papers} >= {0, 200, None}
    validate(result.papers)


def test_parse_result_counts() -> None:
    result = ParseResult(papers=(), problems=(), files=2, entries=0)
    assert result.duplicates == 0


# --- the real corpus ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> ParseResult:
    return parse_paths([corpus_dir])


@pytest.fixture(scope="module")
def corpus_papers(corpus: ParseResult) -> dict[str, Paper]:
    return {paper.arxiv_id: paper for paper in corpus.papers}


def test_corpus_counts(corpus: ParseResult) -> None:
    assert corpus.problems == ()
    assert (corpus.files, corpus.entries, len(corpus.papers), corpus.duplicates) == (
        357,
        5488,
        5487,
        1,
    )
    assert all(p.title and p.arxiv_id and len(p.dates) >= 1 for p in corpus.papers)
    assert sum(p.votes is None for p in corpus.papers) == 117  # 85 without a line, 32 "-"
    assert sum(not p.authors for p in corpus.papers) == 11  # the 2023-11-20 digest has none
    assert all(p.sections for p in corpus.papers)


def test_corpus_vote_and_author_lines_are_all_read(
    corpus_dir: Path, corpus: ParseResult
) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus_dir.rglob("*.md"))
    numeric_votes = sum(
        1 for line in text.split("\n") if line.startswith("Vote: ") and line[6:].isdigit()
    )
    author_lines = text.count("\nAuthors: ")
    assert sum(p.votes is not None for p in corpus.papers) == numeric_votes - 1  # one merged
    assert sum(bool(p.authors) for p in corpus.papers) == author_lines - 1


@pytest.mark.parametrize(
    ("arxiv_id", "date", "votes", "n_authors", "first_author", "sections", "starts"),
    [
        # 2023-11: no image, no vote, no authors; plain bullets
        ("2311.10122", "2023-11-20", None, 0, None, ["summary"], "대규모 비전-언어"),
        # plain bullets under an image and an author line, no vote line
        ("2311.10770", "2023-11-21", None, 2, "Peter Belcak", ["summary"], "언어 모델은"),
        # nested "  - (1)" bullets continue the bullet above
        ("2311.10125", "2023-11-20", None, 0, None, ["summary"], "현재 인공지능"),
        # [Watch Video](url) + <div><video>
        ("2311.12052", "2023-11-22", None, 9, "Di Chang", ["summary"], "본 연구에서는"),
        # <video src='...'> instead of an image
        ("2311.10982", "2023-11-21", None, 7, "Yan Zeng", ["summary"], "본 논문은"),
        # [Watch Video]url without parentheses
        ("2312.02201", "2023-12-06", 16, 2, "Peng Wang", ["summary"], '"ImageDream"'),
        # **What's New**: bullets
        ("2406.11833", "2024-06-18", 56, 11, "Zijian Liang", TRIO, "MMDU는"),
        # "+" truncation marker inside the author line
        ("2406.11794", "2024-06-18", 38, 22, "Mitchell Wortsman", TRIO, "이 논문은"),
        # What’s New with a curly apostrophe
        ("2406.07057", "2024-07-19", 4, 13, "Yao Huang", TRIO, "이번 아카이브"),
        # unindented "1)" continuation lines under Technical Details
        ("2407.10973", "2024-07-16", 7, 6, "Tingqiang Xu", TRIO, "이번 논문에서는"),
        # authors as a Python list literal, second "## Daily Papers" block of the file
        ("2410.13852", "2024-10-18", 1, 6, "Yiwei Chen", TRIO, "RESPECT"),
        # ***What's New***: bullets
        ("2505.04921", "2025-05-09", 75, 22, "Lanqing Hong", TRIO, "이 논문은"),
    ],
)
def test_corpus_entries_field_by_field(
    corpus_papers: dict[str, Paper],
    arxiv_id: str,
    date: str,
    votes: int | None,
    n_authors: int,
    first_author: str | None,
    sections: list[str],
    starts: str,
) -> None:
    paper = corpus_papers[arxiv_id]
    assert paper.url == f"https://arxiv.org/abs/{arxiv_id}"
    assert [d.isoformat() for d in paper.dates] == [date]
    assert paper.votes == votes
    assert len(paper.authors) == n_authors
    assert (paper.authors[0] if paper.authors else None) == first_author
    assert section_names(paper) == sections
    assert paper.sections[0].text.startswith(starts)


def test_corpus_variant_details(corpus_papers: dict[str, Paper]) -> None:
    assert corpus_papers["2311.12052"].video.endswith("/QPqDXcHNhksZaqkYOjZNQ.mp4")
    assert corpus_papers["2312.02201"].video.endswith("/d0VHat4w8gM400SkeWPP7.mp4")
    assert corpus_papers["2311.10982"].video.endswith("/D-WQoAl7gR1AwRZ0RXNkW.mp4")
    assert corpus_papers["2311.10125"].sections[0].text.count("\n- (") == 4
    assert corpus_papers["2407.10973"].sections[1].text.count("\n") == 4
    assert "+" not in corpus_papers["2406.11794"].authors
    assert corpus_papers["2410.21276"].authors.count("Ian O'Connell") == 1  # list literal
    repeated = corpus_papers["2312.08723"]  # its author line names three people twice
    assert len(repeated.authors) == len(set(repeated.authors)) == 9
    assert "[IDK]" in next(p.title for p in corpus_papers.values() if "IDK" in p.title)
    limits = [p for p in corpus_papers.values() if "Limitations" in section_names(p)]
    assert len(limits) == 2


def test_corpus_paper_on_two_days_is_merged(corpus_papers: dict[str, Paper]) -> None:
    paper = corpus_papers["2410.09342"]
    assert paper.dates == (dt.date(2024, 10, 16), dt.date(2024, 10, 18))
    assert paper.title.startswith("LLMtimesMapReduce")  # the 2024-10-18 spelling
    assert paper.votes == 34


def test_corpus_two_block_files_keep_every_entry(corpus_dir: Path) -> None:
    for rel, count in [("2024/10/18.md", 9), ("2024/10/21.md", 50), ("2025/02/19.md", 68)]:
        papers, problems = parse_file(corpus_dir / rel)
        assert (len(papers), problems) == (count, [])


def test_readme_embedded_yields_exactly_its_digest(corpus_dir: Path) -> None:
    readme = CORPUS / "readme_embedded" / "README.md"
    result = parse_paths([readme])
    digest, _ = parse_file(corpus_dir / "2025" / "05" / "09.md")
    assert result.problems == ()
    assert [p.arxiv_id for p in result.papers] == [p.arxiv_id for p in digest]
    assert all(p.dates == (dt.date(2025, 5, 9),) for p in result.papers)


def test_corpus_sample_matches_schema(corpus: ParseResult) -> None:
    validate(corpus.papers[::25])
