"""``redis-boundary report FILE.json``: render a JSON report as text, markdown or SARIF."""

from __future__ import annotations

import argparse
import json

from .common import EXIT_OK, Subparsers, usage


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
    from ..core.reports import ReportInvalid, load_report, to_markdown, to_sarif, to_text

    try:
        report = load_report(args.file)
    except ReportInvalid as err:
        return usage(str(err))
    if args.format == "sarif":
        print(json.dumps(to_sarif(report), indent=2))
    elif args.format == "markdown":
        print(to_markdown(report), end="")
    else:
        print(to_text(report), end="")
    return EXIT_OK
