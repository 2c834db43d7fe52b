"""What a recorder hands the core: one command as sent, with its reply.

An event carries the command's arguments, which include stored values, only for as long as the
core needs to analyse it: nothing downstream of ``analyse`` keeps ``args`` or ``reply``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, Protocol


class _NoReply:
    """Marks an event whose reply was not observed (e.g. a command run inside a Lua script)."""

    _instance: _NoReply | None = None

    def __new__(cls) -> _NoReply:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_REPLY"

    def __reduce__(self) -> str:
        return "NO_REPLY"


NO_REPLY: Final = _NoReply()

Origin = Literal["client", "script"]


class CallSite(NamedTuple):
    """Where the application sent (or, for a pipeline, queued) a command.

    A NamedTuple, not a frozen dataclass: every recorded command's site is hashed (counts per
    site, finding groups), and a tuple hashes in C.
    """

    path: str  # relative to the rootdir when under it, else absolute
    line: int
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class CommandEvent:
    """One command as a client sent it, and what came back.

    ``args[0]`` is the command name as sent (``"SET"``, ``b"set"`` or ``"CLIENT SETINFO"``).
    ``reply`` is the server's raw (RESP-parsed, pre-callback) reply, an ``Exception`` instance
    when the server answered with an error, or ``NO_REPLY``.
    ``server`` names the server ("127.0.0.1:6379", "fakeredis:<id>"), ``connection`` tells apart
    connections to it (MULTI state is per connection), ``db`` is the connection's database.
    """

    args: tuple[object, ...]
    reply: object = NO_REPLY
    server: str = "default"
    db: int = 0
    connection: int = 0
    site: CallSite | None = None
    origin: Origin = "client"
    time_ms: float | None = None  # wall-clock epoch milliseconds when sent; None = unknown


class PartsSink(Protocol):
    """Receives one command as the fields of a ``CommandEvent``, without building one.

    The recorder hands every client command to such a sink (the running test's recording, or the
    recorder's own one that builds a ``CommandEvent``). Its parameters are ``CommandEvent``'s
    fields, in order, except ``in_script``: true for ``origin="script"``. They are positional
    only: a sink is called for every command, and positional arguments cost the least to pass.
    """

    def __call__(
        self,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        connection: int,
        site: CallSite | None,
        in_script: bool,
        time_ms: float | None,
        /,
    ) -> None: ...
