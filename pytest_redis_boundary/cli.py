"""The ``redis-boundary`` command line (SPEC section 9).

Exit status: 0 clean, 1 violations, 2 usage error (bad arguments, config, policy or a missing
file: one message on stderr, never a traceback).

Each subcommand is one ``add_*_command(subparsers)`` function that builds its parser and sets
``handler`` to a function ``(args) -> int``; ``SUBCOMMANDS`` lists them in help order. ``diff``
and ``report`` are added by appending their ``add_*_command`` to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATIONS", "SUBCOMMANDS", "build_parser", "main"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2

Subparsers = Any  # argparse's _SubParsersAction, which has no public name
Handler = Callable[[argparse.Namespace], int]


def _usage(message: str) -> int:
    print(f"redis-boundary: {message}", file=sys.stderr)
    return EXIT_USAGE


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="the import-linter config file (default: import-linter's own search for "
        "setup.cfg, .importlinter, then pyproject.toml in the current directory)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not use grimp's graph cache")
    parser.add_argument("--cache-dir", metavar="DIR", default=None, help="grimp's cache directory")


# check
# -----


def add_check_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the import-linter contracts and the rq_retirement policies",
        description="Run every contract of the config (ours and import-linter's built-in ones) "
        "and validate each rq_retirement contract's policy and baseline.",
    )
    _add_config_options(parser)
    parser.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    parser.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from .contracts.formats import to_json, to_sarif
    from .contracts.run import UsageProblem, render_text, run_contracts
    from .core.imports import parse_today

    try:
        today = parse_today(os.environ.get("REDIS_BOUNDARY_TODAY"), default=datetime.date.today())
    except ValueError as err:
        return _usage(str(err))
    try:
        run = run_contracts(
            args.config, no_cache=args.no_cache, cache_dir=args.cache_dir, quiet=True
        )
    except UsageProblem as err:
        return _usage(str(err))
    if args.format == "json":
        print(json.dumps(to_json(run, today=today), indent=2))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(run), indent=2))
    else:
        render_text(run)
    return EXIT_OK if run.kept else EXIT_VIOLATIONS


# freeze
# ------


def add_freeze_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "freeze",
        help="write the current rq chains as the baseline (RB502 ratchet)",
        description="Rewrite each rq_retirement contract's baseline file to the chains found "
        "now (chains active exceptions allow are left out). Prints what was added and removed.",
    )
    _add_config_options(parser)
    parser.add_argument(
        "--output",
        metavar="PATH",
        default=None,
        help="write here instead of each contract's baseline = file",
    )
    parser.set_defaults(handler=_freeze)


def _freeze(args: argparse.Namespace) -> int:
    from .contracts.run import UsageProblem, freeze

    try:
        written = freeze(
            args.config,
            output_path=args.output,
            no_cache=args.no_cache,
            cache_dir=args.cache_dir,
        )
    except UsageProblem as err:
        return _usage(str(err))
    for result in written:
        print("\n".join(result.summary()))
    return EXIT_OK


# diff, report: registered by their own add_*_command (see the module docstring)
# ---------------------------------------------------------------------------

SUBCOMMANDS: list[Callable[[Subparsers], None]] = [add_check_command, add_freeze_command]


# diff
# ----


def add_diff_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="the pull-request gate over two JSON reports",
        description="Compare the JSON report of a pull request (HEAD) with its base branch's "
        "(BASE). Exit 1 when HEAD adds Redis business semantics (a new RB1xx/RB2xx/RB3xx finding "
        "by rule, key shape, site file and function) or a new rq dependency that no active "
        "exception covers; print the contract's enforcement checklist.",
    )
    parser.add_argument("base", metavar="BASE.json", help="the base branch's report")
    parser.add_argument("head", metavar="HEAD.json", help="the pull request's report")
    parser.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    from .core.gate import diff_reports, render
    from .core.reports import ReportInvalid, load_report

    try:
        base = load_report(args.base)
        head = load_report(args.head)
    except ReportInvalid as err:
        return _usage(str(err))
    result = diff_reports(base, head)
    print(render(result), end="")
    return EXIT_VIOLATIONS if result.blocking else EXIT_OK


SUBCOMMANDS.append(add_diff_command)


# report
# ------


def add_report_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="render a JSON report as text, markdown or SARIF",
        description="Render a JSON report (pytest --redis-boundary-report) for people (markdown "
        "for a pull-request comment) or for code scanning (SARIF 2.1.0).",
    )
    parser.add_argument("file", metavar="FILE.json", help="the JSON report")
    parser.add_argument(
        "--format", choices=("text", "markdown", "sarif"), default="text", help="output format"
    )
    parser.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from .core.reports import ReportInvalid, load_report, to_markdown, to_sarif, to_text

    try:
        report = load_report(args.file)
    except ReportInvalid as err:
        return _usage(str(err))
    if args.format == "sarif":
        print(json.dumps(to_sarif(report), indent=2))
    elif args.format == "markdown":
        print(to_markdown(report), end="")
    else:
        print(to_text(report), end="")
    return EXIT_OK


SUBCOMMANDS.append(add_report_command)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .build import engine_build

    # argparse itself exits 2 (EXIT_USAGE) on bad arguments.
    parser = argparse.ArgumentParser(
        prog="redis-boundary",
        description="Keep Redis/RQ to bounded-TTL operational work: architecture contracts, "
        "baselines and reports.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (engine: {engine_build()})"
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
    return handler(args)
