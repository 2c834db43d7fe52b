"""Contract surfaces: Markdown files in ``docs/contracts/`` whose front matter claims runtime
modules, endpoints and key shapes, what no surface claims (docs/reference/surfaces.md), and
whether a pull request updated the surfaces claiming what it changed (``redis-boundary diff``)."""

from __future__ import annotations

from .changes import RuntimeChange, module_candidates, runtime_changes
from .check import RuntimePaths, SurfacesCheck
from .claims import Unclaimed, find_unclaimed, report_endpoints, runtime_key_shapes
from .document import (
    DEFAULT_SURFACES_DIR,
    SURFACES_SCHEMA,
    Surface,
    SurfacesInvalid,
    load_surfaces,
    parse_surface,
)
from .updates import DocsCheck, StaleSurface, check_docs

__all__ = [
    "DEFAULT_SURFACES_DIR",
    "SURFACES_SCHEMA",
    "DocsCheck",
    "RuntimeChange",
    "RuntimePaths",
    "StaleSurface",
    "Surface",
    "SurfacesCheck",
    "SurfacesInvalid",
    "Unclaimed",
    "check_docs",
    "find_unclaimed",
    "load_surfaces",
    "module_candidates",
    "parse_surface",
    "report_endpoints",
    "runtime_changes",
    "runtime_key_shapes",
]
