"""The ``searchidx`` command line: a thin layer over the library.

Each command parses its options, makes one library call and formats the result. Only
:class:`searchidx.SearchidxError` is turned into a one-line ``Error:`` message; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import orjson

from searchidx import __version__
from searchidx.errors import QueryError, SearchidxError
from searchidx.options import DEFAULT_LIMIT, DEFAULT_MATCH, DEFAULT_SORT, MATCH_MODES, SORT_ORDERS
from searchidx.render import render_result, terminal_safe
from searchidx.scoring import DEFAULT_VOTE_WEIGHT, VOTE_WEIGHTS
from searchidx.search import open_index

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
MAX_WIDTH = 100


class CommandError(click.ClickException):
    """A library error shown as one ``Error:`` line, exit status 1."""


class BadQueryError(CommandError):
    """A query or option the library rejected: one ``Error:`` line, exit status 2."""

    exit_code = 2


@contextlib.contextmanager
def library_errors() -> Iterator[None]:
    """Turn :class:`SearchidxError` into a one-line CLI error; let bugs through."""
    try:
        yield
    except QueryError as error:
        raise BadQueryError(terminal_safe(str(error))) from error
    except SearchidxError as error:
        raise CommandError(terminal_safe(str(error))) from error


def use_color() -> bool:
    """Color only on a terminal, and never when ``NO_COLOR`` is set or ``TERM=dumb``."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def write_bytes(data: bytes) -> None:
    """Write UTF-8 bytes (orjson output) to stdout without a decode/encode round trip."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=str),
    help="Index location [default: $SEARCHIDX_INDEX, else ./.searchidx].",
)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="searchidx")
def cli() -> None:
    """Search Korean digests of Hugging Face Daily Papers."""


@cli.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str)
)
@click.pass_context
def parse(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Print the papers of digest files or directories (every *.md) as JSON Lines.

    One JSON object per distinct paper; a paper found on several days is printed once,
    with all its dates. Problems go to stderr as PATH:LINE: REASON; the exit status is 1
    when there were any.

    \b
    Example:
        searchidx parse data/ > papers.jsonl
    """
    from searchidx.parse import parse_paths

    result = parse_paths(paths)
    write_bytes(b"".join(orjson.dumps(paper.to_dict()) + b"\n" for paper in result.papers))
    for problem in result.problems:
        click.echo(terminal_safe(str(problem)), err=True)
    if result.problems:
        ctx.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating what changed.")
@click.option("--publish", "publish_to", metavar="DIR", type=click.Path(file_okay=False, path_type=str),
              help="Then copy the new index to the index location DIR too (a share replicas serve from).")
def build(paths: tuple[str, ...], index_path: str | None, full: bool, publish_to: str | None) -> None:
    """Index digest files or directories (every *.md below them).

    The new index replaces the old one only when it is complete; problems in the digests
    are listed on stderr as PATH:LINE: REASON and the entries concerned are skipped.
    Building again over an index analyses only papers that are new or changed. With
    --publish the finished index is copied to DIR and replaces the one there in one step,
    so servers reading DIR (even a read-only copy of it) switch to it on their next request.

    \b
    Examples:
        searchidx build data/
        searchidx build data/ --publish /srv/share/searchidx
    """
    from searchidx.index import publish_copy
    from searchidx.writer import build as build_index

    with library_errors(), _progress() as progress:
        report = build_index(paths, index_path, progress=progress, full=full)
    for problem in report.problems:
        click.echo(f"warning: {terminal_safe(str(problem))}", err=True)
    click.echo(
        f"indexed {report.papers} papers from {report.entries} entries in {report.files} files "
        f"({report.merged} merged duplicates, {len(report.problems)} problems) "
        f"into {report.index_path} in {report.seconds:.1f}s"
        + ("" if report.mode == "full" else f" ({report.mode}: {report.analysed} papers analysed)")
    )
    if publish_to is not None:
        with library_errors():
            generation = publish_copy(report.index_path, Path(publish_to))
        click.echo(f"published {generation.name} to {publish_to}")


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr when it is a terminal, else silent."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label="analysing", file=sys.stderr) as bar:

        def update(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield update


@cli.command()
@click.argument("text")
@index_option
@click.option("-n", "--limit", default=DEFAULT_LIMIT, show_default=True, help="Hits to show.")
@click.option("--offset", default=0, show_default=True, help="Hits to skip (paging).")
@click.option("--since", metavar="DATE", help="Only papers listed on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only papers listed on or before DATE.")
@click.option("--min-votes", type=int, metavar="N", help="Only papers with at least N votes.")
@click.option("--sort", type=click.Choice(SORT_ORDERS), default=DEFAULT_SORT, show_default=True,
              help="votes and date sort the papers holding every word (as --match all does).")
@click.option(
    "--vote-weight",
    type=click.Choice([f"{w:g}" for w in VOTE_WEIGHTS]),
    default=f"{DEFAULT_VOTE_WEIGHT:g}",
    show_default=True,
    help="How much votes lift a paper: 0 ranks by text alone.",
)
@click.option("--match", type=click.Choice(MATCH_MODES), default=DEFAULT_MATCH, show_default=True,
              help="all: every word; any: any word; blend: any word, papers with every word first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (schema/search.schema.json).")
@click.option("--explain", is_flag=True, help="Show what the query became instead of searching.")
@click.option("--no-expand", is_flag=True,
              help="Only the words as typed: no glossary translations, other spellings or corrections.")
def query(
    text: str,
    index_path: str | None,
    limit: int,
    offset: int,
    since: str | None,
    until: str | None,
    min_votes: int | None,
    sort: str,
    vote_weight: str,
    match: str,
    as_json: bool,
    explain: bool,
    no_expand: bool,
) -> None:
    """Search the index for TEXT (Korean, English or both).

    TEXT may hold "exact phrases", -excluded words, title:word, author:name and arXiv ids.

    \b
    Examples:
        searchidx query "KV cache 압축"
        searchidx query '"preference optimization" -survey' --since 2024-06
        searchidx query 'author:"Yu Zhao"' --sort date --json
    """
    with library_errors():
        index = open_index(index_path)
        if explain:
            plan = index.plan(text, match=match, expand=not no_expand)  # type: ignore[arg-type]
            click.echo(f"words: {[list(w) for w in plan.words]}")
            click.echo(f"expansions: {[list(e) for e in plan.expansions]}")
            click.echo(f"query: {plan.query!r}")
            return
        result = index.search(
            text,
            limit=limit,
            offset=offset,
            since=since,
            until=until,
            min_votes=min_votes,
            sort=sort,  # type: ignore[arg-type]
            vote_weight=float(vote_weight),
            match=match,  # type: ignore[arg-type]
            expand=not no_expand,
        )
    if as_json:
        write_bytes(orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        return
    width = min(shutil.get_terminal_size((88, 24)).columns, MAX_WIDTH)
    for line in render_result(result, width, color=use_color(), offset=offset):
        click.echo(line)


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; a non-loopback address shares the index with the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
def serve(index_path: str | None, host: str, port: int) -> None:
    """Serve a search page and a JSON API over the index until Ctrl-C.

    The API answers GET /api/search?q=TEXT with the options of `query` as parameters
    (limit, offset, since, until, min_votes, sort, vote_weight, match, expand, and
    facets=month,votes) and the JSON of `query --json`, GET /api/papers/ARXIV_ID with
    one paper, GET /api/similar/ARXIV_ID with `similar --json`, and /feed.atom?q=TEXT
    with an Atom feed of the newest matches. A rebuilt index is picked up without a
    restart. This is one process for one user; to serve many, run the same application
    under gunicorn (README: Deploying).

    \b
    Example:
        searchidx serve        # then open http://127.0.0.1:8765/
    """
    import logging

    from searchidx.serve import make_server  # imported here: wsgiref slows every other command

    with library_errors():
        index = open_index(index_path)
        try:
            server = make_server(index, host, port)
        except OSError as error:
            raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    click.echo(f"searching {len(index)} papers in {index.root} at {server.url} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.argument("term")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def glossary(ctx: click.Context, term: str, index_path: str | None, as_json: bool) -> None:
    """Show what TERM is glossed as in the digests, Korean <-> English, with counts.

    The glossary is mined from the digests when the index is built ("환각(hallucination)",
    "LLM(대형 언어 모델)", ...); `query` adds these translations to its words unless
    --no-expand is given. Terms are shown as index terms (stemmed, particles dropped)
    next to their most frequent written form. Exit status 1 when TERM has no entry.

    \b
    Examples:
        searchidx glossary hallucination
        searchidx glossary "선호 최적화"
    """
    with library_errors():
        index = open_index(index_path)
        found = index.snapshot.glossary.translate(term, index.analyzer)
    if as_json:
        matches = [{"words": key, "translations": [e.to_dict() for e in entries]} for key, entries in found]
        write_bytes(orjson.dumps({"term": term, "matches": matches}, option=orjson.OPT_APPEND_NEWLINE))
    else:
        for key, entries in found:
            click.echo(terminal_safe(f"{key}:"))
            for entry in entries:
                click.echo(terminal_safe(f"  {entry.form}  [{entry.target}]  {entry.count}x"))
    if not found:
        click.echo(terminal_safe(f"no glossary entry for {term!r}"), err=True)
        ctx.exit(1)


@cli.command()
@click.argument("arxiv_id")
@index_option
@click.option("-n", "--limit", default=DEFAULT_LIMIT, show_default=True, help="Papers to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (schema/search.schema.json).")
def similar(arxiv_id: str, index_path: str | None, limit: int, as_json: bool) -> None:
    """List the papers most related to the paper ARXIV_ID (an id or an arXiv / Hugging Face URL).

    Related means sharing the paper's most telling terms, those of its title and What's
    New weighing most; the snippets show the shared terms.

    \b
    Example:
        searchidx similar 2405.21060 -n 5
    """
    with library_errors():
        result = open_index(index_path).similar(arxiv_id, limit=limit)
    if as_json:
        write_bytes(orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        return
    width = min(shutil.get_terminal_size((88, 24)).columns, MAX_WIDTH)
    for line in render_result(result, width, color=use_color()):
        click.echo(line)
