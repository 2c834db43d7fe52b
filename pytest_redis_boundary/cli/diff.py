"""``redis-boundary diff BASE.json HEAD.json``: the pull-request gate over two JSON reports."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, usage


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
    from ..core.gate import diff_reports, render
    from ..core.reports import ReportInvalid, load_report

    try:
        base = load_report(args.base)
        head = load_report(args.head)
    except ReportInvalid as err:
        return usage(str(err))
    result = diff_reports(base, head)
    print(render(result), end="")
    return EXIT_VIOLATIONS if result.blocking else EXIT_OK
