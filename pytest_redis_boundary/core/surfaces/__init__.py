"""Contract surfaces: Markdown files in ``docs/contracts/`` whose front matter claims runtime
modules, endpoints and key shapes, and what no surface claims (docs/reference/surfaces.md)."""

from __future__ import annotations

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

__all__ = [
    "DEFAULT_SURFACES_DIR",
    "SURFACES_SCHEMA",
    "RuntimePaths",
    "Surface",
    "SurfacesCheck",
    "SurfacesInvalid",
    "Unclaimed",
    "find_unclaimed",
    "load_surfaces",
    "parse_surface",
    "report_endpoints",
    "runtime_key_shapes",
]
