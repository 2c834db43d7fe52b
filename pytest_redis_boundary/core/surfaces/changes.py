"""What a pull request changed at runtime, as the modules, endpoints and key shapes surfaces claim.

Three things count as changed runtime behaviour:

* a new finding identity (``GateResult.added``): its key shape, the endpoint that sent its command
  and the module of its call site's file. A finding whose site is a test file is test code
  talking to Redis, not runtime behaviour, and is left out;
* a key shape runtime code writes in HEAD's inventory but not in BASE's;
* a changed file of a module (``app/api/jobs.py`` is ``app.api.jobs``, ``src/app/jobs.py`` is
  ``app.jobs``) that is a runtime module or that a surface claims; test files and files that
  are not Python modules are not runtime behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from ..findings import Finding
from ..inventory import InventoryEntry
from ..runtime_context import ENDPOINT
from .claims import CLAIM_KINDS, CLAIM_NOUNS, is_test_file, runtime_key_shapes

__all__ = [
    "RuntimeChange",
    "module_candidates",
    "module_of_file",
    "runtime_changes",
]

NEW_SHAPE: Final = "new key shape written in HEAD's inventory"


@dataclass(frozen=True, slots=True)
class RuntimeChange:
    """One module, endpoint or key shape that changed, and why it counts as changed."""

    kind: str  # "modules", "endpoints" or "keys"
    name: str
    causes: tuple[str, ...]  # in the order they were found

    def label(self) -> str:
        return f"{CLAIM_NOUNS[self.kind]} {self.name}"


def module_candidates(path: str) -> tuple[str, ...]:
    """The modules a Python file relative to the project's root can be, likeliest first.

    ``app/api/jobs.py`` is ``app.api.jobs``; a package's ``__init__.py`` is the package; under
    a ``src/`` folder the module is what follows it (``src.`` kept as the second guess). A file
    that is not ``.py``, an absolute path or one with a part that is no identifier is none.
    """
    posix = path.replace("\\", "/")
    parts = [part for part in PurePosixPath(posix).parts if part != "."]
    if posix.startswith("/") or not parts or ":" in parts[0] or not parts[-1].endswith(".py"):
        return ()
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(part.isidentifier() for part in parts):
        return ()
    dotted = ".".join(parts)
    if parts[0] == "src" and len(parts) > 1:
        return (".".join(parts[1:]), dotted)
    return (dotted,)


def module_of_file(path: str, is_known: Callable[[str], bool]) -> str | None:
    """The first of ``module_candidates`` that ``is_known`` accepts, ``None`` if none does."""
    return next((module for module in module_candidates(path) if is_known(module)), None)


def runtime_changes(
    added: Iterable[Finding],
    *,
    base_inventory: Sequence[InventoryEntry] | None,
    head_inventory: Sequence[InventoryEntry] | None,
    changed_files: Iterable[str],
    is_runtime_module: Callable[[str], bool],
) -> tuple[RuntimeChange, ...]:
    """Every change, sorted by kind (modules, endpoints, keys), then name.

    ``added``: the finding of each new identity. The inventories are compared only when both
    reports have one (``None``: written before 1.1). ``is_runtime_module``: whether a changed
    file's module counts (a runtime module, or one a surface claims).
    """
    causes: dict[tuple[str, str], list[str]] = {}

    def note(kind: str, name: str, cause: str) -> None:
        found = causes.setdefault((kind, name), [])
        if cause not in found:
            found.append(cause)

    for finding in added:
        site_file = finding.site_file
        if site_file is not None and is_test_file(site_file):
            continue
        cause = _finding_cause(finding)
        if finding.shape is not None:
            note("keys", finding.shape, cause)
        if finding.context is not None and finding.context.kind == ENDPOINT:
            note("endpoints", finding.context.name, cause)
        if site_file is not None:
            candidates = module_candidates(site_file)
            module = module_of_file(site_file, is_runtime_module) or next(iter(candidates), None)
            if module is not None:
                note("modules", module, cause)
    if base_inventory is not None and head_inventory is not None:
        before = set(runtime_key_shapes(base_inventory))
        for shape in runtime_key_shapes(head_inventory):
            if shape not in before:
                note("keys", shape, NEW_SHAPE)
    for path in changed_files:
        if is_test_file(path):
            continue
        module = module_of_file(path, is_runtime_module)
        if module is not None:
            note("modules", module, f"changed file {path}")
    order = {kind: index for index, kind in enumerate(CLAIM_KINDS)}
    return tuple(
        RuntimeChange(kind, name, tuple(found))
        for (kind, name), found in sorted(causes.items(), key=lambda i: (order[i[0][0]], i[0][1]))
    )


def _finding_cause(finding: Finding) -> str:
    where = f" at {finding.site_file}" if finding.site_file else ""
    function = f" in {finding.function}()" if finding.function else ""
    return f"new finding {finding.rule}{where}{function}"
