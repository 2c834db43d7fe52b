"""Arguments as the engine reads them: text, upper-cased words, and a word's spellings as sent."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "Args",
    "spellings",
    "text",
    "upper",
]


Args = Sequence[object]


def text(arg: object) -> str:
    """An argument or reply as text (bytes decoded as UTF-8, undecodable bytes escaped)."""
    if isinstance(arg, str):
        return arg
    if isinstance(arg, (bytes, bytearray, memoryview)):
        return bytes(arg).decode("utf-8", "backslashreplace")
    return str(arg)


def upper(arg: object) -> str:
    return text(arg).upper()


def spellings(word: str) -> tuple[str, str, bytes, bytes]:
    """A command or option word as clients send it: upper, lower, and both as bytes."""
    lower = word.lower()
    return (word, lower, word.encode(), lower.encode())
