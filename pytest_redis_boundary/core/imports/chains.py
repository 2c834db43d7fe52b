"""A chain as the contract prints it: each hop with the import lines behind it."""

from __future__ import annotations

from collections.abc import Callable
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


class Chain:
    """A route from a runtime module to a forbidden module, hop by hop.

    ``Chain(links)`` holds its links; ``Chain.later(id, describe)`` holds only its identity and
    asks ``describe`` for the links the first time they are read. A dense graph has thousands of
    chains and the report prints a few of them, so the import lines of the others (one graph
    query per hop) are never read unless a full listing asks for them.
    """

    __slots__ = ("_describe", "_id", "_links")

    def __init__(self, links: tuple[Link, ...]) -> None:
        self._links: tuple[Link, ...] | None = links
        self._id: ChainId = (links[0].importer, *(link.imported for link in links))
        self._describe: Callable[[ChainId], tuple[Link, ...]] | None = None

    @classmethod
    def later(cls, chain_id: ChainId, describe: Callable[[ChainId], tuple[Link, ...]]) -> Chain:
        chain = cls.__new__(cls)
        chain._links = None
        chain._id = chain_id
        chain._describe = describe
        return chain

    @property
    def links(self) -> tuple[Link, ...]:
        if self._links is None:
            assert self._describe is not None
            self._links = self._describe(self._id)
            self._describe = None
        return self._links

    @property
    def id(self) -> ChainId:
        return self._id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Chain):
            return NotImplemented
        return self.links == other.links

    def __hash__(self) -> int:
        return hash(self.links)

    def __repr__(self) -> str:
        return f"Chain(links={self.links!r})"

    def __reduce__(self) -> tuple[type[Chain], tuple[tuple[Link, ...]]]:
        # A copy carries its links, not the graph they would be read from.
        return (Chain, (self.links,))

    @property
    def start(self) -> str:
        return self._id[0]

    @property
    def end(self) -> str:
        return self._id[-1]

    @property
    def last_link(self) -> tuple[str, str]:
        """The direct import of the forbidden module: the edge a fix cuts."""
        return (self._id[-2], self._id[-1])

    @property
    def text(self) -> str:
        return format_chain_id(self.id)

    def render(self) -> list[str]:
        """``-   a -> b (l.3: import b)`` then one indented line per further hop."""
        return [
            ("-   " if index == 0 else "    ") + link.render()
            for index, link in enumerate(self.links)
        ]
