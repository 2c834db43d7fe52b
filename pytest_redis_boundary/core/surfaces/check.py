"""One check of a surfaces folder: the surfaces, the runtime paths gathered, what is unclaimed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .claims import Unclaimed
from .document import SURFACES_SCHEMA, Surface

__all__ = ["RuntimePaths", "SurfacesCheck"]


@dataclass(frozen=True, slots=True)
class RuntimePaths:
    """Each kind's paths, or ``None`` when not checked (``not_checked`` says why)."""

    modules: tuple[str, ...] | None = None
    endpoints: tuple[str, ...] | None = None
    keys: tuple[str, ...] | None = None
    sources: Mapping[str, str] = field(default_factory=dict)  # kind -> the file it came from
    not_checked: Mapping[str, str] = field(default_factory=dict)  # kind -> why


@dataclass(frozen=True, slots=True)
class SurfacesCheck:
    folder: str
    surfaces: tuple[Surface, ...]
    paths: RuntimePaths
    unclaimed: Unclaimed

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SURFACES_SCHEMA,
            "surfaces": [surface.to_json() for surface in self.surfaces],
            "unclaimed": self.unclaimed.to_json(),
            "not_checked": dict(self.paths.not_checked),
        }
