"""``redis-boundary freeze``: write the current rq chains as the baseline (the RB502 ratchet)."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, Subparsers, add_config_options, usage


def add_freeze_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "freeze",
        help="write the current rq chains as the baseline (RB502 ratchet)",
        description="Rewrite each rq_retirement contract's baseline file to the chains found "
        "now (chains active exceptions allow are left out). Prints what was added and removed.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--output",
        metavar="PATH",
        default=None,
        help="write here instead of each contract's baseline = file",
    )
    parser.set_defaults(handler=_freeze)


def _freeze(args: argparse.Namespace) -> int:
    from ..contracts.run import UsageProblem, freeze

    try:
        written = freeze(
            args.config,
            output_path=args.output,
            no_cache=args.no_cache,
            cache_dir=args.cache_dir,
        )
    except UsageProblem as err:
        return usage(str(err))
    for result in written:
        print("\n".join(result.summary()))
    return EXIT_OK
