"""`python -m searchidx` runs the command-line interface."""

from searchidx.cli import cli

cli()
