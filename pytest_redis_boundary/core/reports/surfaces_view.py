"""``redis-boundary surfaces`` as text: the surfaces found, then each unclaimed runtime path."""

from __future__ import annotations

from typing import Final

from ..surfaces import SurfacesCheck
from ..surfaces.claims import CLAIM_KINDS, CLAIM_NOUNS

__all__ = ["surfaces_text"]

_FROM: Final = {
    "modules": "under the rq_retirement contracts' runtime_modules ({source})",
    "endpoints": "seen in {source}",
    "keys": "written from runtime code ({source})",
}


def surfaces_text(check: SurfacesCheck) -> str:
    unclaimed = check.unclaimed
    count = sum(len(unclaimed.of(kind)) for kind in CLAIM_KINDS)
    head = f"redis-boundary surfaces: {_plural(len(check.surfaces), 'surface')} in {check.folder}"
    lines = [f"{head}, {_plural(count, 'runtime path')} unclaimed"]
    for surface in check.surfaces:
        claims = ", ".join(
            _plural(len(globs), CLAIM_NOUNS[kind] + " glob")
            for kind, globs in (
                ("modules", surface.modules),
                ("endpoints", surface.endpoints),
                ("keys", surface.keys),
            )
            if globs
        )
        lines.append(f"  {surface.name} (owner {surface.owner}, {surface.path}): {claims}")
    for kind in CLAIM_KINDS:
        paths = getattr(check.paths, kind)
        if paths is None:
            lines.append(f"{kind}: not checked: {check.paths.not_checked.get(kind, 'no input')}")
            continue
        where = _FROM[kind].format(source=check.paths.sources.get(kind, "the input"))
        left = unclaimed.of(kind)
        lines.append(f"{kind}: {len(left)} unclaimed of {len(paths)} {where}")
        lines.extend(f"  {path}" for path in left)
    if count:
        lines.append(
            f"Fix: claim each in the front matter (modules, endpoints, keys) of the surface that "
            f"owns it in {check.folder}, or add a surface for it."
        )
    return "\n".join(lines) + "\n"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
