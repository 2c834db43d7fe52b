"""The runtime paths contract surfaces must claim, gathered for ``surfaces`` and ``scorecard``.

Modules come from the import-linter config (``--config``, else import-linter's own search), the
endpoints and key shapes from a JSON report. A path kind whose input is missing is not checked,
and says why; an input that is given but unreadable is a usage error.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any

from ..core.surfaces import (
    DEFAULT_SURFACES_DIR,
    RuntimePaths,
    SurfacesCheck,
    find_unclaimed,
    load_surfaces,
    report_endpoints,
    runtime_key_shapes,
)

__all__ = [
    "SurfacesProblem",
    "add_surfaces_option",
    "check_surfaces",
    "runtime_modules",
    "surfaces_folder",
]


class SurfacesProblem(Exception):
    """An input of the surfaces check that cannot be read: the usage error to print."""


def add_surfaces_option(parser: argparse.ArgumentParser, *, when_missing: str = "") -> None:
    """``--surfaces DIR``; ``when_missing`` says what the command does when it is not given and
    the default folder does not exist."""
    parser.add_argument(
        "--surfaces",
        metavar="DIR",
        default=None,
        help=f"the contract surfaces' folder (default: {DEFAULT_SURFACES_DIR}{when_missing})",
    )


def surfaces_folder(args: argparse.Namespace) -> tuple[str, str | None]:
    """The surfaces folder, and why it is not there when ``--surfaces`` was not given and the
    default folder does not exist (a project with no surfaces yet): ``None`` otherwise, also
    for a named folder that is missing, which loading reports as a usage error."""
    folder: str = args.surfaces or DEFAULT_SURFACES_DIR
    if args.surfaces is None and not os.path.isdir(folder):
        return folder, f"no {folder} folder here"
    return folder, None


def check_surfaces(
    folder: str,
    *,
    config: str | None,
    report: Mapping[str, Any] | None,
    report_name: str | None,
    no_cache: bool = False,
    cache_dir: str | None = None,
) -> SurfacesCheck:
    """Load the surfaces and gather the runtime paths; raises ``SurfacesProblem``."""
    from ..core.surfaces import SurfacesInvalid

    try:
        surfaces = load_surfaces(folder)
    except SurfacesInvalid as err:
        raise SurfacesProblem(str(err)) from None
    paths = _gather(config, report, report_name, no_cache=no_cache, cache_dir=cache_dir)
    unclaimed = find_unclaimed(
        surfaces,
        modules=paths.modules or (),
        endpoints=paths.endpoints or (),
        keys=paths.keys or (),
    )
    return SurfacesCheck(folder=folder, surfaces=surfaces, paths=paths, unclaimed=unclaimed)


def runtime_modules(
    config: str | None, *, no_cache: bool = False, cache_dir: str | None = None
) -> tuple[tuple[str, ...] | None, str]:
    """The runtime modules and the config they came from, or ``None`` and why they are not
    known; raises ``SurfacesProblem`` for a config that is given (or found) but unusable."""
    from ..contracts.run import (
        NoRuntimeModules,
        UsageProblem,
        default_config_file,
        runtime_module_names,
    )

    found = config or default_config_file()
    if found is None:
        return None, "no import-linter config here (pass --config FILE)"
    try:
        return runtime_module_names(found, no_cache=no_cache, cache_dir=cache_dir), found
    except NoRuntimeModules as err:
        if config is not None:
            raise SurfacesProblem(f"{err}: add one, or pass the config that has it.") from None
        return None, str(err)
    except UsageProblem as err:
        raise SurfacesProblem(str(err)) from None


def _gather(
    config: str | None,
    report: Mapping[str, Any] | None,
    report_name: str | None,
    *,
    no_cache: bool,
    cache_dir: str | None,
) -> RuntimePaths:
    from ..core.reports.document import findings_of, inventory_of

    sources: dict[str, str] = {}
    not_checked: dict[str, str] = {}
    modules, source = runtime_modules(config, no_cache=no_cache, cache_dir=cache_dir)
    if modules is None:
        not_checked["modules"] = source
    else:
        sources["modules"] = source
    endpoints: tuple[str, ...] | None = None
    keys: tuple[str, ...] | None = None
    if report is None:
        not_checked["endpoints"] = not_checked["keys"] = "no report (pass --report REPORT.json)"
    else:
        name = report_name or "the report"
        if "endpoints" in report:
            endpoints = report_endpoints(findings_of(report), report["endpoints"])
            sources["endpoints"] = name
        else:
            not_checked["endpoints"] = f"{name} has no endpoints (written before 1.1)"
        if "inventory" in report:
            keys = runtime_key_shapes(inventory_of(report))
            sources["keys"] = name
        else:
            not_checked["keys"] = f"{name} has no inventory (written before 1.1)"
    return RuntimePaths(modules, endpoints, keys, sources, not_checked)
