"""The public API: every exported name exists and errors share one base."""

from __future__ import annotations

import inspect

import searchidx


def test_every_public_name_imports() -> None:
    for name in searchidx.__all__:
        assert hasattr(searchidx, name), name


def test_errors_share_one_base() -> None:
    errors = [getattr(searchidx, n) for n in searchidx.__all__ if n.endswith("Error") or n == "IndexProblem"]
    assert errors
    for error in errors:
        assert inspect.isclass(error) and issubclass(error, searchidx.SearchidxError)


def test_library_round_trip(tmp_path, fixtures_dir, analyzer) -> None:
    report = searchidx.build([fixtures_dir / "search"], tmp_path / "idx", analyzer=analyzer)
    assert (report.files, report.entries, report.papers, report.merged) == (3, 8, 7, 1)
    index = searchidx.open_index(tmp_path / "idx", analyzer=analyzer)
    hit = index.search("KV cache 압축", limit=1).hits[0]
    assert isinstance(hit, searchidx.Hit) and hit.arxiv_id == "2406.11430"
