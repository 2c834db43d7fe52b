"""A chain's identity (its module names only) and how it is written: ``a.b -> c -> rq``."""

from __future__ import annotations

__all__ = ["ChainId", "format_chain_id", "is_in_module", "parse_chain_id"]


ChainId = tuple[str, ...]
"""A chain's identity: its module names, from the runtime module to the forbidden module."""


def is_in_module(name: str, module: str) -> bool:
    """Whether ``name`` is ``module`` or one of its submodules."""
    return name == module or name.startswith(module + ".")


def format_chain_id(chain: ChainId) -> str:
    return " -> ".join(chain)


def parse_chain_id(text: str) -> ChainId:
    return tuple(part.strip() for part in text.split("->"))
