"""``redis-boundary check``: every import-linter contract plus policy and baseline validation."""

from __future__ import annotations

import argparse
import datetime
import json
import os

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, add_config_options, usage


def add_check_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the import-linter contracts and the rq_retirement policies",
        description="Run every contract of the config (ours and import-linter's built-in ones) "
        "and validate each rq_retirement contract's policy and baseline.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    parser.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from ..contracts.formats import to_json, to_sarif
    from ..contracts.run import UsageProblem, render_text, run_contracts
    from ..core.imports import parse_today

    try:
        today = parse_today(os.environ.get("REDIS_BOUNDARY_TODAY"), default=datetime.date.today())
    except ValueError as err:
        return usage(str(err))
    try:
        run = run_contracts(
            args.config, no_cache=args.no_cache, cache_dir=args.cache_dir, quiet=True
        )
    except UsageProblem as err:
        return usage(str(err))
    if args.format == "json":
        print(json.dumps(to_json(run, today=today), indent=2))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(run), indent=2))
    else:
        render_text(run)
    return EXIT_OK if run.kept else EXIT_VIOLATIONS
