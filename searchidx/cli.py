"""The ``searchidx`` command line: a thin layer over the library.

Each command parses its options, makes one library call and formats the result. Only
:class:`searchidx.SearchidxError` is turned into a one-line ``Error:`` message; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import click
import orjson

from searchidx import __version__
from searchidx.parse import parse_paths

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


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
    result = parse_paths(paths)
    out = click.get_binary_stream("stdout")
    out.write(b"".join(orjson.dumps(paper.to_dict()) + b"\n" for paper in result.papers))
    out.flush()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        ctx.exit(1)
