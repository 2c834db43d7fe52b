"""A contract surface's Markdown file: its YAML front matter read, checked and located.

A surface claims runtime paths by glob: modules (a module claims its submodules too), endpoints
(``METHOD /route/{template}``) and key shapes. A Markdown file without front matter is not a
surface (an index page of the folder, say); one with front matter must be a valid surface, and
every problem is reported with the file, the line and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from ..policy.errors import PolicyError
from ..policy.yaml_nodes import NodeReader, describe, is_str, line_of

__all__ = [
    "DEFAULT_SURFACES_DIR",
    "SURFACES_SCHEMA",
    "Surface",
    "SurfacesInvalid",
    "load_surfaces",
    "parse_surface",
]

DEFAULT_SURFACES_DIR: Final = "docs/contracts"
SURFACES_SCHEMA: Final = "redis-boundary-surfaces/1"

_CLAIMS: Final = ("modules", "endpoints", "keys")
# mkdocs and its themes read these from a page's front matter; a surface may carry them.
_PAGE_META: Final = ("title", "description", "tags")
_FIELDS: Final = ("surface", "owner", *_CLAIMS, *_PAGE_META)
_FENCE: Final = re.compile(r"^(---|\.\.\.)\s*$")
_MODULE_GLOB: Final = re.compile(r"^[A-Za-z_*?\[][A-Za-z0-9_*?.\[\]!-]*$")
_ENDPOINT_GLOB: Final = re.compile(r"^(\*|[A-Z]+) (/\S*|\*)$")
_EXAMPLES: Final = {
    "modules": '"app.api.jobs"',
    "endpoints": '"POST /jobs"',
    "keys": '"t:{tenant}:dedup:submit:*"',
}


@dataclass(frozen=True, slots=True)
class Surface:
    """One surface: its name, owner, file, and the globs it claims."""

    name: str
    owner: str
    path: str
    modules: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    # Where the ``surface:`` field is, for problems that name it; not part of what it claims.
    line: int | None = field(default=None, compare=False)

    def claims_module(self, module: str) -> bool:
        """``module``, or a package it is in, matches one of the module globs."""
        parts = module.split(".")
        names = [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
        return any(fnmatchcase(name, glob) for glob in self.modules for name in names)

    def claims_endpoint(self, endpoint: str) -> bool:
        return any(fnmatchcase(endpoint, glob) for glob in self.endpoints)

    def claims_key(self, shape: str) -> bool:
        return any(fnmatchcase(shape, glob) for glob in self.keys)

    def claims(self, kind: str, name: str) -> bool:
        """``kind`` is ``modules``, ``endpoints`` or ``keys``."""
        if kind == "modules":
            return self.claims_module(name)
        if kind == "endpoints":
            return self.claims_endpoint(name)
        return self.claims_key(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "surface": self.name,
            "owner": self.owner,
            "path": self.path,
            "modules": list(self.modules),
            "endpoints": list(self.endpoints),
            "keys": list(self.keys),
        }


class SurfacesInvalid(ValueError):
    """A surfaces folder that cannot be read: every problem, one per line, each with its fix."""

    def __init__(self, message: str, errors: Iterable[PolicyError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


def load_surfaces(folder: str | Path) -> tuple[Surface, ...]:
    """Every surface of the Markdown files under ``folder``, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise SurfacesInvalid(
            f"{folder}: no such folder. Fix: create it with one Markdown file per contract "
            "surface (front matter: surface, owner, modules, endpoints, keys), or pass "
            "--surfaces DIR."
        )
    errors: list[PolicyError] = []
    surfaces: list[Surface] = []
    for path in sorted(root.rglob("*.md")):
        if not path.is_file():
            errors.append(
                PolicyError(
                    str(path),
                    None,
                    "",
                    "is not a file",
                    f"rename it so it does not end in .md, or move it out of {folder}",
                )
            )
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            errors.append(PolicyError(str(path), None, "", "is not UTF-8 text", "save it as UTF-8"))
            continue
        except OSError as err:
            errors.append(
                PolicyError(
                    str(path),
                    None,
                    "",
                    f"cannot be read: {err.strerror or err}",
                    "make it readable, or move it out of the folder",
                )
            )
            continue
        try:
            surface = parse_surface(text, str(path))
        except SurfacesInvalid as err:
            errors.extend(err.errors)
            continue
        if surface is not None:
            surfaces.append(surface)
    errors.extend(_duplicates(surfaces))
    if errors:
        raise _invalid(errors)
    return tuple(sorted(surfaces, key=lambda s: s.name))


def parse_surface(text: str, path: str) -> Surface | None:
    """The surface of one Markdown file, ``None`` if it has no front matter."""
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        raise _invalid(
            [
                PolicyError(
                    path,
                    1,
                    "",
                    "the front matter opened here is never closed",
                    "end it with a line holding only ---",
                )
            ]
        )
    # Blank lines in place of the opening fence keep the YAML's line numbers the file's own.
    front = "\n" + "\n".join(lines[1:end]) + "\n"
    try:
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        detail = "; ".join(part for part in (err.context, err.problem) if part)
        line = None if mark is None else mark.line + 1
        raise _invalid(
            [PolicyError(path, line, "", f"invalid YAML: {detail}", "correct the YAML syntax")]
        ) from None
    if isinstance(root, MappingNode) and all(
        isinstance(key, ScalarNode) and key.value in _PAGE_META for key, _ in root.value
    ):
        return None  # only page metadata (an index page's title): not a surface
    reader = NodeReader(path)
    surface = _build(reader, root, path, end + 1)
    if reader.errors or surface is None:
        raise _invalid(reader.errors)
    return surface


def _build(reader: NodeReader, root: Node | None, path: str, close_line: int) -> Surface | None:
    if root is None:
        reader.error(
            close_line,
            "",
            "the front matter is empty",
            "claim something, e.g. "
            "surface: command-submit-job, owner: platform-team, modules: [...]",
        )
        return None
    fields = reader.mapping(root, "", _FIELDS, "a mapping of surface fields")
    if fields is None:
        return None
    name = _required_string(reader, fields, "surface", root, "surface: command-submit-job")
    owner = _required_string(reader, fields, "owner", root, "owner: platform-team")
    claims = {kind: _globs(reader, fields.get(kind), kind) for kind in _CLAIMS}
    claim_problems = any(error.field.startswith(_CLAIMS) for error in reader.errors)
    if not any(claims.values()) and not claim_problems:
        reader.error(
            root,
            "",
            "the surface claims nothing",
            "list what it owns under modules, endpoints or keys, e.g. modules: "
            f"[{_EXAMPLES['modules']}]",
        )
    if name is None or owner is None:
        return None
    return Surface(
        name=name,
        owner=owner,
        path=path,
        modules=claims["modules"],
        endpoints=claims["endpoints"],
        keys=claims["keys"],
        line=line_of(fields["surface"]),
    )


def _required_string(
    reader: NodeReader, fields: dict[str, Node], field: str, root: Node, example: str
) -> str | None:
    node = fields.get(field)
    if node is None:
        reader.error(root, field, f"the required field {field!r} is missing", f"add {example}")
        return None
    if not is_str(node) or not str(node.value).strip():
        reader.error(
            node, field, f"expected a non-empty string, got {describe(node)}", f"write {example}"
        )
        return None
    return str(node.value).strip()


def _globs(reader: NodeReader, node: Node | None, kind: str) -> tuple[str, ...]:
    example = _EXAMPLES[kind]
    globs: list[str] = []
    for index, (item, text) in enumerate(reader.strings(node, kind, example)):
        problem = _glob_problem(kind, text.strip())
        if problem is not None:
            reader.error(item, f"{kind}[{index}]", problem, f"write it like {example}")
            continue
        globs.append(text.strip())
    return tuple(globs)


def _glob_problem(kind: str, glob: str) -> str | None:
    if glob.count("[") != glob.count("]"):
        return f"{glob!r} is not a valid glob: a '[' or ']' has no partner"
    if "[^" in glob:
        # Surface globs are shell globs, where [^...] would silently be a set holding '^'.
        return f"{glob!r} negates a set with '[^': surface globs write it '[!...]'"
    if kind == "modules" and (not _MODULE_GLOB.match(glob) or ".." in glob or glob.endswith(".")):
        return f"{glob!r} is not a dotted module name or glob"
    if kind == "endpoints" and not _ENDPOINT_GLOB.match(glob):
        return (
            f"{glob!r} is not an endpoint: expected the method in capitals, one space and the "
            "route template"
        )
    if kind == "keys" and any(character.isspace() for character in glob):
        return f"{glob!r} is not a key shape glob: it holds whitespace"
    return None


def _duplicates(surfaces: Iterable[Surface]) -> list[PolicyError]:
    first: dict[str, Surface] = {}
    errors: list[PolicyError] = []
    for surface in surfaces:
        earlier = first.setdefault(surface.name, surface)
        if earlier is not surface:
            errors.append(
                PolicyError(
                    surface.path,
                    surface.line,
                    "surface",
                    f"the name {surface.name!r} is also the surface of {earlier.path}"
                    + ("" if earlier.line is None else f":{earlier.line}"),
                    "give each surface its own name",
                )
            )
    return errors


def _invalid(errors: list[PolicyError]) -> SurfacesInvalid:
    ordered = sorted(errors, key=lambda e: (e.path, -1 if e.line is None else e.line))
    return SurfacesInvalid("\n".join(str(error) for error in ordered), ordered)
