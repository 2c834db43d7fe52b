"""``redis-boundary diff BASE.json HEAD.json``: the pull-request gate over two JSON reports.

With ``--changed-files`` it also answers the enforcement checklist's third question: are the
contract surfaces claiming what changed at runtime updated in the same pull request?
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, add_config_options, usage
from .runtime_paths import SurfacesProblem, add_surfaces_option, runtime_modules, surfaces_folder

if TYPE_CHECKING:
    from ..core.findings import Finding
    from ..core.surfaces import DocsCheck


class _Problem(Exception):
    """An input of the docs check that cannot be read: the usage error to print."""


def add_diff_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="the pull-request gate over two JSON reports",
        description="Compare the JSON report of a pull request (HEAD) with its base branch's "
        "(BASE). Exit 1 when HEAD adds Redis business semantics (a new RB1xx/RB2xx/RB3xx finding "
        "by rule, key shape, site file and function) or a new rq dependency that no active "
        "exception covers; print the contract's enforcement checklist. With --changed-files it "
        "also checks that every contract surface claiming what changed at runtime (a new "
        "finding, a new key shape, a changed runtime module) has its file among the changed "
        "files.",
    )
    parser.add_argument("base", metavar="BASE.json", help="the base branch's report")
    parser.add_argument("head", metavar="HEAD.json", help="the pull request's report")
    parser.add_argument(
        "--changed-files",
        metavar="FILE",
        default=None,
        help="the pull request's changed files, one path per line as git diff --name-only "
        "BASE...HEAD prints them, relative to the current directory ('-': read stdin)",
    )
    add_surfaces_option(parser, when_missing="; the docs question is not checked without it")
    parser.add_argument(
        "--require-docs",
        action="store_true",
        help="exit 1 when the surfaces claiming what changed are not updated (needs "
        "--changed-files)",
    )
    add_config_options(parser)
    parser.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    from ..core.gate import diff_reports, render
    from ..core.reports import ReportInvalid, load_report

    if args.require_docs and args.changed_files is None:
        return usage(
            "--require-docs needs --changed-files FILE (or - for stdin): without the changed "
            "files the docs question cannot be answered. Pass e.g. git diff --name-only "
            "BASE...HEAD | redis-boundary diff BASE.json HEAD.json --changed-files - "
            "--require-docs."
        )
    try:
        base = load_report(args.base)
        head = load_report(args.head)
    except ReportInvalid as err:
        return usage(str(err))
    result = diff_reports(base, head)
    folder, absent = surfaces_folder(args)
    if args.changed_files is not None and absent is not None:
        if args.require_docs:
            return usage(
                f"--require-docs needs contract surfaces, and there is {absent}: add the "
                "surfaces there (docs/reference/surfaces.md in pytest-redis-boundary's docs), "
                "or pass --surfaces DIR."
            )
        why = f"{absent}: add contract surfaces there, or pass --surfaces DIR"
        result = replace(result, docs_not_checked=why)
    elif args.changed_files is not None:
        try:
            result = replace(result, docs=_check_docs(args, folder, base, head, result.added))
        except (_Problem, SurfacesProblem) as err:
            return usage(str(err))
    print(render(result, require_docs=args.require_docs), end="")
    if result.blocking:
        return EXIT_VIOLATIONS
    if args.require_docs and result.docs is not None and not result.docs.answer:
        return EXIT_VIOLATIONS
    return EXIT_OK


def _check_docs(
    args: argparse.Namespace,
    folder: str,
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    added: Sequence[Finding],
) -> DocsCheck:
    from ..core.inventory import InventoryEntry
    from ..core.reports.document import inventory_of
    from ..core.surfaces import (
        SurfacesInvalid,
        check_docs,
        load_surfaces,
        module_candidates,
        runtime_changes,
    )
    from ..core.surfaces.claims import is_test_file

    changed = _read_changed_files(args.changed_files)
    try:
        surfaces = load_surfaces(folder)
    except SurfacesInvalid as err:
        raise _Problem(str(err)) from None
    notes: list[str] = []
    inventories: dict[str, list[InventoryEntry]] = {}
    for name, report in ((args.base, base), (args.head, head)):
        if "inventory" in report:
            inventories[name] = inventory_of(report)
        else:
            notes.append(f"Key shapes not compared: {name} has no inventory (written before 1.1).")
    known: frozenset[str] = frozenset()
    if any(module_candidates(path) and not is_test_file(path) for path in changed):
        modules, source = runtime_modules(
            args.config, no_cache=args.no_cache, cache_dir=args.cache_dir
        )
        if modules is None:
            notes.append(
                f"Runtime modules not known: {source}; a changed file counts only when a "
                "surface claims its module."
            )
        else:
            known = frozenset(modules)

    def is_runtime_module(module: str) -> bool:
        return module in known or any(surface.claims_module(module) for surface in surfaces)

    changes = runtime_changes(
        added,
        base_inventory=inventories.get(args.base),
        head_inventory=inventories.get(args.head),
        changed_files=changed,
        is_runtime_module=is_runtime_module,
    )
    changed_here = {os.path.realpath(path) for path in changed}
    updated = {s.path for s in surfaces if os.path.realpath(s.path) in changed_here}
    return check_docs(folder, changes, surfaces, updated, notes)


def _read_changed_files(source: str) -> tuple[str, ...]:
    from ..core.changed_files import ChangedFilesInvalid, parse_changed_files

    name = "stdin" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except FileNotFoundError:
        raise _Problem(
            f"{source}: no such changed-files list. Fix: write it with git diff --name-only "
            f"BASE...HEAD > {source}, or pass --changed-files - to read it from stdin."
        ) from None
    except OSError as err:
        raise _Problem(
            f"{name}: cannot read the changed-files list: {err.strerror or err}. Fix: pass a "
            "readable file with one path per line, or - for stdin."
        ) from None
    try:
        return parse_changed_files(data, name)
    except ChangedFilesInvalid as err:
        raise _Problem(str(err)) from None
