"""``redis-boundary surfaces``: the runtime paths no contract surface in ``docs/contracts/``
claims."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, add_config_options, usage
from .runtime_paths import SurfacesProblem, add_surfaces_option, check_surfaces, surfaces_folder


def add_surfaces_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "surfaces",
        help="list the runtime modules, endpoints and key shapes no contract surface claims",
        description="Read the contract surfaces (Markdown files whose front matter claims "
        "modules, endpoints and key shapes) and list every runtime path none of them claims: "
        "the modules under the rq_retirement contracts' runtime_modules (from the import "
        "graph), and the endpoints and key shapes written from runtime code of a JSON report. "
        "Exit 1 when a path is unclaimed, 0 otherwise, 2 on bad input.",
    )
    add_surfaces_option(parser)
    add_config_options(parser)
    parser.add_argument(
        "--report", metavar="REPORT.json", default=None, help="a JSON report of the test suite"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(handler=_surfaces)


def _surfaces(args: argparse.Namespace) -> int:
    from ..core.reports import ReportInvalid, load_report
    from ..core.reports.surfaces_view import surfaces_text

    report: dict[str, Any] | None = None
    if args.report is not None:
        try:
            report = load_report(args.report)
        except ReportInvalid as err:
            return usage(str(err))
    try:
        check = check_surfaces(
            surfaces_folder(args)[0],
            config=args.config,
            report=report,
            report_name=args.report,
            no_cache=args.no_cache,
            cache_dir=args.cache_dir,
        )
    except SurfacesProblem as err:
        return usage(str(err))
    if len(check.paths.not_checked) == 3:
        return usage(
            "nothing to check: no import-linter config was found and no report was given; pass "
            "--config FILE (for the runtime modules) or --report REPORT.json (for endpoints and "
            "key shapes)."
        )
    if args.format == "json":
        print(json.dumps(check.to_json(), indent=2))
    else:
        print(surfaces_text(check), end="")
    return EXIT_VIOLATIONS if check.unclaimed else EXIT_OK
