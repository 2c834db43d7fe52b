"""A pull request's changed files, one path per line as ``git diff --name-only`` prints them.

Blank lines are skipped and whitespace around a path is dropped. A path git quoted (one holding
a tab, a newline, a quote or, with ``core.quotePath``, a non-ASCII character:
``"caf\\303\\251.py"``) is unquoted. A list that is not UTF-8 text, holds a NUL byte or a tab
outside quotes (``--name-status`` output) is refused with its line, never half read.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ChangedFilesInvalid", "parse_changed_files"]

_ESCAPES: Final = {
    "a": 7,
    "b": 8,
    "t": 9,
    "n": 10,
    "v": 11,
    "f": 12,
    "r": 13,
    '"': 34,
    "\\": 92,
}
_HOW: Final = "write one path per line, as git diff --name-only BASE...HEAD prints them"


class ChangedFilesInvalid(ValueError):
    """A changed-files list that cannot be read: where, what is wrong and the fix."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.problem}. Fix: {_HOW}."

    def __reduce__(self) -> tuple[type[ChangedFilesInvalid], tuple[str, int | None, str]]:
        return (ChangedFilesInvalid, (self.source, self.line, self.problem))


def parse_changed_files(data: bytes, source: str) -> tuple[str, ...]:
    """The paths of a changed-files list, in its order, each once."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise ChangedFilesInvalid(
            source, _line_at(data, nul), "holds a NUL byte: this is not a list of paths"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ChangedFilesInvalid(source, _line_at(data, err.start), "is not UTF-8 text") from None
    paths: dict[str, None] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith('"') and line.endswith('"') and len(line) >= 2:
            path = _unquote(line[1:-1], source, number)
        elif "\t" in line:
            raise ChangedFilesInvalid(
                source,
                number,
                f"{line!r} holds a tab: it looks like git diff --name-status or --numstat output",
            )
        else:
            path = line
        paths.setdefault(path, None)
    return tuple(paths)


def _unquote(quoted: str, source: str, number: int) -> str:
    """A path git quoted: C escapes, and octal escapes for the bytes of a UTF-8 name."""
    out = bytearray()
    index = 0
    while index < len(quoted):
        character = quoted[index]
        if character != "\\":
            out += character.encode("utf-8")
            index += 1
            continue
        escape = quoted[index + 1 : index + 2]
        octal = quoted[index + 1 : index + 4]
        if len(octal) == 3 and all(c in "01234567" for c in octal) and int(octal, 8) < 256:
            out.append(int(octal, 8))
            index += 4
        elif escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            index += 2
        else:
            raise ChangedFilesInvalid(
                source, number, f'"{quoted}" is quoted with an escape git does not write'
            )
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise ChangedFilesInvalid(
            source, number, f'"{quoted}" unquotes to a name that is not UTF-8'
        ) from None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
