"""The ``searchidx`` command line: a thin layer over the library.

Each command parses its options, makes one library call and formats the result. Only
:class:`searchidx.SearchidxError` is turned into a one-line ``Error:`` message; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import click

from searchidx import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="searchidx")
def cli() -> None:
    """Search Korean digests of Hugging Face Daily Papers."""
