"""The ``redis-boundary`` command line (docs/reference/cli.md).

Exit status: 0 clean, 1 violations, 2 usage error (bad arguments, config, policy or a missing
file: one message on stderr, never a traceback).

Each command lives in its own module as one ``add_*_command(subparsers)`` function that builds
its parser and sets ``handler`` to a function ``(args) -> int``; ``SUBCOMMANDS`` lists them in
help order. ``main`` is the console script's entry point (``pytest_redis_boundary.cli:main``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from .check import add_check_command
from .common import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, Handler, Subparsers
from .diff import add_diff_command
from .freeze import add_freeze_command
from .inventory import add_inventory_command
from .merge import add_merge_command
from .report import add_report_command
from .scorecard import add_scorecard_command
from .surfaces import add_surfaces_command

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATIONS", "SUBCOMMANDS", "build_parser", "main"]

EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command its reader stopped early (128 + SIGPIPE), as for the
command-line tools that die of SIGPIPE there."""

SUBCOMMANDS: list[Callable[[Subparsers], None]] = [
    add_check_command,
    add_freeze_command,
    add_diff_command,
    add_report_command,
    add_inventory_command,
    add_merge_command,
    add_surfaces_command,
    add_scorecard_command,
]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__
    from ..build import engine_summary

    # argparse itself exits 2 (EXIT_USAGE) on bad arguments.
    parser = argparse.ArgumentParser(
        prog="redis-boundary",
        description="Keep Redis/RQ to bounded-TTL operational work: architecture contracts, "
        "baselines and reports.",
    )
    engine = engine_summary().replace("%", "%%")  # argparse formats the text
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (engine: {engine})"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_command in SUBCOMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader stopped early (`| head`): stop quietly, without a traceback, and keep the
        # interpreter's final flush from failing again on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
