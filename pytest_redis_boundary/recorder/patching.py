"""Finding the classes that define a method, and replacing it there with a wrapper that can be
taken out again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Patches", "defining_classes"]


def _all_subclasses(root: type) -> Iterator[type]:
    seen: set[type] = set()
    stack = [root]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())


def defining_classes(root: type, name: str) -> list[type]:
    """Every class in the MRO of ``root`` or a subclass that defines ``name`` concretely."""
    found: list[type] = []
    for cls in _all_subclasses(root):
        for base in cls.__mro__:
            func = base.__dict__.get(name)
            if func is None or base is object or base in found:
                continue
            if getattr(func, "__isabstractmethod__", False):
                continue
            found.append(base)
    return found


class Patches:
    """The wrappers put on classes, each undone only while it is still in place."""

    def __init__(self) -> None:
        self._applied: list[tuple[type, str, Any, Any]] = []

    def apply(self, cls: type, name: str, make: Callable[[Any], Any]) -> None:
        """Replace ``cls.name`` (defined on ``cls`` itself) by ``make(original)``."""
        original = cls.__dict__.get(name)
        if original is None:
            return
        wrapper = make(original)
        wrapper.__name__ = getattr(original, "__name__", name)
        wrapper.__qualname__ = getattr(original, "__qualname__", name)
        wrapper.__doc__ = getattr(original, "__doc__", None)
        wrapper.__wrapped__ = original
        setattr(cls, name, wrapper)
        self._applied.append((cls, name, original, wrapper))

    def apply_to_all(self, root: type, name: str, make: Callable[[Any], Any]) -> None:
        """``apply`` on every class that defines ``name`` for ``root`` (``defining_classes``)."""
        for cls in defining_classes(root, name):
            self.apply(cls, name, make)

    def restore(self) -> None:
        """Put back every original whose wrapper is still installed, newest first."""
        for cls, name, original, wrapper in reversed(self._applied):
            if cls.__dict__.get(name) is wrapper:
                setattr(cls, name, original)
        self._applied = []
