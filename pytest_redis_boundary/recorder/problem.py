"""``RecordingProblem``: an error met in the recorder's or the judge's own work, reduced when it
is caught to what can be shown without quoting a stored value.

An exception's message may quote a value (a reply, an argument, a script's error), so it is kept
only for the errors whose messages name a connection, a timeout or a permission. Its traceback
(whose frames hold the command's arguments and reply) is dropped at once; only the innermost
frame's file, line and function are kept, for a bug report.
"""

from __future__ import annotations

import os
import traceback
from typing import Final

__all__ = ["COMMAND_NAME_LIMIT", "RecordingProblem", "command_name"]

# Errors whose messages name a connection, a timeout or a missing permission, never a value.
_MESSAGE_KEPT_FOR: Final = frozenset(
    {"ConnectionError", "TimeoutError", "AuthenticationError", "NoPermissionError"}
)

COMMAND_NAME_LIMIT: Final = 32
"""The longest first argument shown as a command name (anything longer is no command's)."""


def command_name(args: tuple[object, ...] | None) -> str | None:
    """The command name ``args`` start with, upper-cased; None when it does not look like one
    (a command name is letters, digits, ``_``, ``.`` and ``|``, as in ``JSON.SET``)."""
    if not args:
        return None
    head = args[0]
    if isinstance(head, (bytes, bytearray, memoryview)):
        head = bytes(head).decode("ascii", "replace")
    if not isinstance(head, str) or not 0 < len(head) <= COMMAND_NAME_LIMIT:
        return None
    if not all(c.isascii() and (c.isalnum() or c in "_.|-") for c in head):
        return None
    return head.upper()


def _keeps_message(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    return any(cls.__name__ in _MESSAGE_KEPT_FOR for cls in type(exc).__mro__)


class RecordingProblem:
    """What failed (``part``: ``"script capture"``, ``"recording"`` or ``"judge"``), on which
    server (``host:port``, ``unix:/path`` or ``fakeredis:<n>``, never a password) and database,
    for which command name, and the error's type, innermost frame and (where it cannot quote a
    value) message."""

    __slots__ = ("command", "db", "error_type", "message", "part", "server", "where")

    def __init__(
        self,
        part: str,
        exc: BaseException,
        *,
        server: str | None = None,
        db: int | None = None,
        command: str | None = None,
    ) -> None:
        self.part = part
        self.server = server
        self.db = db
        self.command = command
        self.error_type = f"{type(exc).__module__}.{type(exc).__qualname__}"
        self.message = str(exc) if _keeps_message(exc) else None
        frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
        self.where: str | None = None
        if frames:
            last = frames[-1]
            self.where = f"{os.path.basename(last.filename)}:{last.lineno} in {last.name}()"
        # The traceback's frames hold the command's arguments and reply: let them go now.
        exc.__context__ = exc.__cause__ = None
        exc.with_traceback(None)

    def __repr__(self) -> str:
        return f"<RecordingProblem {self.part} {self.error_type}>"
