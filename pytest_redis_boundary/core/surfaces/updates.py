"""The checklist's third question: are the surfaces claiming what changed updated with it?

Every surface claiming a changed module, endpoint or key shape must have its Markdown file among
the pull request's changed files; a change no surface claims is a runtime path the contract
wants covered, so it is a "no" too (add a surface for it). No change at all is a "yes".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .changes import RuntimeChange
from .claims import claiming
from .document import Surface

__all__ = ["DocsCheck", "StaleSurface", "check_docs"]


@dataclass(frozen=True, slots=True)
class StaleSurface:
    """A surface claiming changes whose file the pull request left alone."""

    surface: Surface
    changes: tuple[RuntimeChange, ...]


@dataclass(frozen=True, slots=True)
class DocsCheck:
    """The third question's answer and everything behind it, in a stable order."""

    folder: str
    changes: tuple[RuntimeChange, ...] = ()
    updated: tuple[Surface, ...] = ()  # claiming a change, and among the changed files
    stale: tuple[StaleSurface, ...] = ()
    unclaimed: tuple[RuntimeChange, ...] = ()
    notes: tuple[str, ...] = ()  # what could not be compared, and why

    @property
    def answer(self) -> bool:
        """True when every surface claiming a change is updated and every change is claimed."""
        return not self.stale and not self.unclaimed


def check_docs(
    folder: str,
    changes: Sequence[RuntimeChange],
    surfaces: Iterable[Surface],
    updated_paths: Collection[str],
    notes: Iterable[str] = (),
) -> DocsCheck:
    """``updated_paths``: the paths (``Surface.path``) of the surfaces among the changed files."""
    surfaces = tuple(surfaces)
    updated: dict[str, Surface] = {}
    stale: dict[str, tuple[Surface, list[RuntimeChange]]] = {}
    unclaimed: list[RuntimeChange] = []
    for change in changes:
        owners = claiming(surfaces, change.kind, change.name)
        if not owners:
            unclaimed.append(change)
        for surface in owners:
            if surface.path in updated_paths:
                updated.setdefault(surface.name, surface)
            else:
                stale.setdefault(surface.name, (surface, []))[1].append(change)
    return DocsCheck(
        folder=folder,
        changes=tuple(changes),
        updated=tuple(updated[name] for name in sorted(updated)),
        stale=tuple(
            StaleSurface(surface, tuple(found))
            for surface, found in (stale[name] for name in sorted(stale))
        ),
        unclaimed=tuple(unclaimed),
        notes=tuple(notes),
    )
