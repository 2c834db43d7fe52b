"""A chain as the contract prints it: each hop with the import lines behind it."""

from __future__ import annotations

from dataclasses import dataclass

from .chain_ids import ChainId, format_chain_id

__all__ = ["Chain", "ImportLine", "Link"]


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One import statement behind a direct import: its line number and source text."""

    number: int | None
    text: str

    def render(self) -> str:
        where = f"l.{self.number}" if self.number is not None else "l.?"
        return f"{where}: {self.text}" if self.text else where


@dataclass(frozen=True, slots=True)
class Link:
    """A direct import ``importer -> imported`` and the lines that make it."""

    importer: str
    imported: str
    lines: tuple[ImportLine, ...] = ()

    def render(self) -> str:
        lines = "; ".join(line.render() for line in self.lines) or "l.?"
        return f"{self.importer} -> {self.imported} ({lines})"


@dataclass(frozen=True, slots=True)
class Chain:
    """A route from a runtime module to a forbidden module, hop by hop."""

    links: tuple[Link, ...]

    @property
    def id(self) -> ChainId:
        return (self.links[0].importer, *(link.imported for link in self.links))

    @property
    def start(self) -> str:
        return self.links[0].importer

    @property
    def end(self) -> str:
        return self.links[-1].imported

    @property
    def text(self) -> str:
        return format_chain_id(self.id)

    def render(self) -> list[str]:
        """``-   a -> b (l.3: import b)`` then one indented line per further hop."""
        return [
            ("-   " if index == 0 else "    ") + link.render()
            for index, link in enumerate(self.links)
        ]
