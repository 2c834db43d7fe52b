"""What the surfaces claim of a run's runtime paths, and what none of them claims.

The runtime paths are three lists the caller gathers: modules (under the ``rq_retirement``
contracts' ``runtime_modules``, from the import graph), endpoints (the contexts of a report's
findings) and key shapes (written from runtime code, from a report's inventory).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from ..findings import Finding
from ..inventory import InventoryEntry
from ..runtime_context import ENDPOINT
from .document import Surface

__all__ = [
    "CLAIM_KINDS",
    "CLAIM_NOUNS",
    "Unclaimed",
    "claiming",
    "find_unclaimed",
    "is_test_file",
    "report_endpoints",
    "runtime_key_shapes",
]

CLAIM_KINDS: Final = ("modules", "endpoints", "keys")
CLAIM_NOUNS: Final = {"modules": "module", "endpoints": "endpoint", "keys": "key shape"}
"""Each kind of runtime path, named as one of them (``module app.api``)."""
_TEST_FOLDERS: Final = frozenset({"tests", "test", "testing"})


@dataclass(frozen=True, slots=True)
class Unclaimed:
    """The runtime paths no surface claims, each list sorted."""

    modules: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.modules or self.endpoints or self.keys)

    def of(self, kind: str) -> tuple[str, ...]:
        paths: tuple[str, ...] = getattr(self, kind)
        return paths

    def to_json(self) -> dict[str, Any]:
        return {kind: list(self.of(kind)) for kind in CLAIM_KINDS}


def claiming(surfaces: Iterable[Surface], kind: str, name: str) -> tuple[Surface, ...]:
    """The surfaces that claim ``name`` (a module, endpoint or key shape, by ``kind``)."""
    return tuple(surface for surface in surfaces if surface.claims(kind, name))


def find_unclaimed(
    surfaces: Sequence[Surface],
    *,
    modules: Iterable[str] = (),
    endpoints: Iterable[str] = (),
    keys: Iterable[str] = (),
) -> Unclaimed:
    paths = {"modules": modules, "endpoints": endpoints, "keys": keys}
    left = {
        kind: tuple(sorted({n for n in names if not claiming(surfaces, kind, n)}))
        for kind, names in paths.items()
    }
    return Unclaimed(**left)


def report_endpoints(findings: Iterable[Finding], handled: Iterable[str] = ()) -> tuple[str, ...]:
    """The endpoints of a report: those its run handled, and those its findings were sent from
    (a report written before 1.1, or merged from such shards, has only the second), sorted."""
    sent = {
        f.context.name for f in findings if f.context is not None and f.context.kind == ENDPOINT
    }
    return tuple(sorted(sent | set(handled)))


def runtime_key_shapes(entries: Iterable[InventoryEntry]) -> tuple[str, ...]:
    """The key shapes some runtime code wrote: written, with a call site outside the tests."""
    return tuple(
        sorted(
            entry.shape
            for entry in entries
            if entry.writes and any(not is_test_file(_file(site)) for site in entry.sites)
        )
    )


def is_test_file(path: str) -> bool:
    """pytest's default test file names, conftest.py, or a file under a tests folder."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    name = parts[-1] if parts else path
    return (
        name == "conftest.py"
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or any(part in _TEST_FOLDERS for part in parts[:-1])
    )


def _file(site: str) -> str:
    path, _, line = site.rpartition(":")
    return path if path and line.isdigit() else site
