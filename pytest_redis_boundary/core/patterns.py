"""Key patterns: Redis's own glob syntax plus a ``{tenant}`` placeholder.

The glob follows Redis's ``stringmatchlen`` (the matcher behind ``KEYS``, ``SCAN MATCH`` and
``PSUBSCRIBE``), matched against the whole key:

- ``*`` matches any sequence of characters, the empty one and ``:`` included;
- ``?`` matches exactly one character;
- ``[abc]``, ``[^abc]`` and ``[a-z]`` match one character of (or not of) a set; inside a set
  ``\\x`` is a literal ``x`` and a reversed range ``[z-a]`` means ``[a-z]``, as in Redis;
- ``\\x`` matches a literal ``x`` (a trailing lone backslash matches a backslash, as in Redis).

On top of that, ``{tenant}`` matches one non-empty, colon-free segment and captures it as the key's
tenant. ``{`` always opens a placeholder, so a literal brace (a cluster hash tag) is written
``\\{``. Where Redis would silently accept a broken glob (an unclosed ``[``), we refuse it with a
``PatternError`` that points at the problem.

Each pattern compiles once, to one anchored ``re.Pattern``; a ``PatternSet`` compiles many into a
single alternation so a key is tested against all of them in one regex call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Final

__all__ = ["KeyPattern", "PatternError", "PatternSet"]

TENANT: Final = "tenant"
_TENANT_MARK: Final = object()  # where {tenant} goes in a translated pattern
_ANY_SEGMENT: Final = "[^:]+"
_FLAGS: Final = re.DOTALL


class PatternError(ValueError):
    """A key pattern that is not a valid glob.

    ``str()`` quotes the pattern and draws a caret under the offending part; ``summary`` is the
    same in one line (for messages that must stay one paragraph, such as a ``PolicyError``).
    """

    def __init__(self, pattern: str, position: int | None, problem: str, fix: str, width: int = 1):
        self.pattern = pattern
        self.position = position
        self.problem = problem
        self.fix = fix
        self.width = width
        super().__init__(self._render())

    @property
    def summary(self) -> str:
        where = "" if self.position is None else f" at column {self.position + 1}"
        return f"bad key pattern {self.pattern!r}: {self.problem}{where}"

    def _render(self) -> str:
        text = f"bad key pattern {self.pattern!r}: {self.problem}. Fix: {self.fix}"
        if self.position is None:
            return text
        marker = "^" + "~" * (max(self.width, 1) - 1)
        return f"{text}\n    {self.pattern}\n    {' ' * self.position}{marker}"

    def __reduce__(self) -> tuple[type[PatternError], tuple[str, int | None, str, str, int]]:
        return (PatternError, (self.pattern, self.position, self.problem, self.fix, self.width))


def _class_to_regex(items: list[str | tuple[str, str]], negated: bool) -> str:
    if not items:
        # Redis: "[]" matches nothing, "[^]" matches any one character.
        return "." if negated else "(?!)"
    parts = [
        re.escape(item) if isinstance(item, str) else f"{re.escape(item[0])}-{re.escape(item[1])}"
        for item in items
    ]
    return f"[{'^' if negated else ''}{''.join(parts)}]"


def _translate(text: str) -> list[str | object]:
    """Translate a pattern to regex pieces; ``_TENANT_MARK`` stands for ``{tenant}``."""
    if not isinstance(text, str):
        raise TypeError(f"a key pattern must be a str, got {type(text).__name__}")
    if not text:
        raise PatternError(
            text, None, "the pattern is empty", "write a glob such as 'cache:*' or 't:{tenant}:*'"
        )
    pieces: list[str | object] = []
    literal: list[str] = []
    seen_tenant: int | None = None
    n = len(text)
    i = 0

    def flush() -> None:
        if literal:
            pieces.append(re.escape("".join(literal)))
            literal.clear()

    while i < n:
        c = text[i]
        if c == "*":
            flush()
            while i + 1 < n and text[i + 1] == "*":
                i += 1
            pieces.append(".*")
        elif c == "?":
            flush()
            pieces.append(".")
        elif c == "\\":
            if i + 1 < n:
                i += 1
            literal.append(text[i])
        elif c == "[":
            flush()
            start = i
            i += 1
            negated = i < n and text[i] == "^"
            if negated:
                i += 1
            items: list[str | tuple[str, str]] = []
            bracket_ended_range = False
            while True:
                if i >= n:
                    hint = (
                        "; note that a ']' right after '-' ends a range (as in Redis), so write "
                        "'\\-' for a literal '-'"
                        if bracket_ended_range
                        else ""
                    )
                    raise PatternError(
                        text,
                        start,
                        "unclosed '['",
                        f"close the set with ']', or write '\\[' for a literal '['{hint}",
                    )
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    i += 1
                    items.append(text[i])
                elif ch == "]":
                    break
                elif i + 2 < n and text[i + 1] == "-":
                    low, high = ch, text[i + 2]
                    if low > high:
                        low, high = high, low
                    items.append((low, high))
                    bracket_ended_range = bracket_ended_range or text[i + 2] == "]"
                    i += 2
                else:
                    items.append(ch)
                i += 1
            pieces.append(_class_to_regex(items, negated))
        elif c == "{":
            close = text.find("}", i + 1)
            if close < 0:
                raise PatternError(
                    text,
                    i,
                    f"unclosed '{text[i : i + 1 + len(TENANT)]}'",
                    "write '{tenant}' for the tenant segment, or '\\{' for a literal '{'",
                )
            name = text[i + 1 : close]
            if name != TENANT:
                raise PatternError(
                    text,
                    i,
                    f"unknown placeholder '{{{name}}}'",
                    "the only placeholder is '{tenant}'; write '\\{' for a literal '{' "
                    "(e.g. a cluster hash tag)",
                    width=close - i + 1,
                )
            if seen_tenant is not None:
                raise PatternError(
                    text,
                    i,
                    "'{tenant}' appears more than once",
                    "keep one '{tenant}' and match the other segment with '*'",
                    width=close - i + 1,
                )
            seen_tenant = i
            flush()
            pieces.append(_TENANT_MARK)
            i = close
        else:
            literal.append(c)
        i += 1
    flush()
    return pieces


def _render(pieces: list[str | object], capture: bool) -> str:
    tenant = f"(?P<{TENANT}>{_ANY_SEGMENT})" if capture else _ANY_SEGMENT
    return "".join(tenant if piece is _TENANT_MARK else str(piece) for piece in pieces)


class KeyPattern:
    """A Redis glob (as ``SCAN MATCH``: ``*``, ``?``, ``[...]``, ``[^...]``, ``[a-z]``, backslash
    escapes) plus ``{tenant}``, which matches one colon-free, non-empty segment and captures it.

    Parsed and compiled in ``__init__``: an instance is valid from then on. Immutable; equality
    and hash by ``text``; picklable.
    """

    __slots__ = ("_body", "_fullmatch", "has_tenant", "text")

    text: str
    has_tenant: bool
    _body: str  # the regex without a capture group, for PatternSet
    _fullmatch: Callable[[str], re.Match[str] | None]

    def __init__(self, text: str) -> None:
        pieces = _translate(text)
        set_attr = object.__setattr__
        set_attr(self, "text", text)
        set_attr(self, "has_tenant", _TENANT_MARK in pieces)
        set_attr(self, "_body", _render(pieces, capture=False))
        set_attr(self, "_fullmatch", re.compile(_render(pieces, capture=True), _FLAGS).fullmatch)

    def match(self, key: str) -> bool:
        """Whether the whole key matches."""
        return self._fullmatch(key) is not None

    def tenant(self, key: str) -> str | None:
        """The tenant the key carries, if it matches and the pattern has ``{tenant}``."""
        if not self.has_tenant:
            return None
        m = self._fullmatch(key)
        return None if m is None else m.group(TENANT)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"KeyPattern is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"KeyPattern is immutable (cannot delete {name!r})")

    def __repr__(self) -> str:
        return f"<KeyPattern({self.text!r})>"

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyPattern):
            return NotImplemented
        return self.text == other.text

    def __hash__(self) -> int:
        return hash((KeyPattern, self.text))

    def __reduce__(self) -> tuple[type[KeyPattern], tuple[str]]:
        return (KeyPattern, (self.text,))


class PatternSet:
    """Several ``KeyPattern`` s compiled into one alternation regex, for speed.

    ``first_match`` returns the first pattern, in the given order, that matches the key.
    An empty set matches nothing. Immutable; equality and hash by the patterns; picklable.
    """

    __slots__ = ("_fullmatch", "patterns")

    patterns: tuple[KeyPattern, ...]
    _fullmatch: Callable[[str], re.Match[str] | None]

    def __init__(self, patterns: Iterable[KeyPattern]) -> None:
        pats = tuple(patterns)
        for p in pats:
            if not isinstance(p, KeyPattern):
                raise TypeError(f"PatternSet takes KeyPattern objects, got {p!r}")
        # One capturing group per pattern (their own bodies capture nothing), so the matching
        # alternative is ``m.lastindex``; alternatives are tried in order, so it is the first.
        regex = "|".join(f"({p._body})" for p in pats) if pats else "(?!)"
        object.__setattr__(self, "patterns", pats)
        object.__setattr__(self, "_fullmatch", re.compile(regex, _FLAGS).fullmatch)

    def match(self, key: str) -> bool:
        return self._fullmatch(key) is not None

    def first_match(self, key: str) -> KeyPattern | None:
        m = self._fullmatch(key)
        if m is None or m.lastindex is None:
            return None
        return self.patterns[m.lastindex - 1]

    def __iter__(self) -> Iterator[KeyPattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"PatternSet is immutable (cannot set {name!r})")

    def __repr__(self) -> str:
        return f"<PatternSet({[p.text for p in self.patterns]!r})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PatternSet):
            return NotImplemented
        return self.patterns == other.patterns

    def __hash__(self) -> int:
        return hash((PatternSet, self.patterns))

    def __reduce__(self) -> tuple[type[PatternSet], tuple[tuple[KeyPattern, ...]]]:
        return (PatternSet, (self.patterns,))
