"""``redis-boundary inventory REPORT.json``: the report's key inventory as text, markdown, JSON,
or a starter policy."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, usage

FORMATS = ("text", "markdown", "json", "policy")


def add_inventory_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "inventory",
        help="list the key shapes a run wrote or read, or write a starter policy from them",
        description="Render the key inventory of a JSON report (pytest --redis-boundary-report): "
        "every key shape the run wrote or read and what it needs (business, rq, persistent, "
        "unclassified, untenanted), or a starter redis-boundary.yaml proposing a class per "
        "unclassified shape. Exit 1 when a shape needs a decision, 0 otherwise, 2 on bad input.",
    )
    parser.add_argument("file", metavar="REPORT.json", help="the JSON report")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.set_defaults(handler=_inventory)


def _inventory(args: argparse.Namespace) -> int:
    from ..core.reports import ReportInvalid, load_report
    from ..core.reports.document import inventory_of
    from ..core.reports.inventory_view import (
        inventory_json,
        inventory_markdown,
        inventory_text,
        need_of,
    )
    from ..core.starter_policy import starter_policy

    try:
        report = load_report(args.file)
    except ReportInvalid as err:
        return usage(str(err))
    if "inventory" not in report:
        return usage(
            f'{args.file}: the report has no "inventory" (a report written before 1.1 lacks '
            "it): rerun pytest with --redis-boundary-report=PATH under pytest-redis-boundary "
            "1.1 or later."
        )
    entries = inventory_of(report)
    if args.format == "policy":
        print(starter_policy(entries, source=args.file), end="")
    elif args.format == "json":
        print(inventory_json(entries), end="")
    elif args.format == "markdown":
        print(inventory_markdown(entries, report.get("read_through_classes", ())), end="")
    else:
        print(inventory_text(entries, report.get("read_through_classes", ())), end="")
    return EXIT_VIOLATIONS if any(need_of(entry) is not None for entry in entries) else EXIT_OK
