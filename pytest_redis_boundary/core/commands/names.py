"""Named groups of commands the judge treats alike: housekeeping, scripts, whole-value reads."""

from __future__ import annotations

from typing import Final

__all__ = [
    "HOUSEKEEPING",
    "SCRIPT_COMMANDS",
    "VALUE_READS",
]


# Connection handshake and housekeeping: never judged.
HOUSEKEEPING = frozenset(
    {
        "HELLO",
        "AUTH",
        "SELECT",
        "READONLY",
        "READWRITE",
        "PING",
        "ECHO",
        "QUIT",
        "RESET",
        "INFO",
        "COMMAND",
        "CLIENT",
        "SCRIPT",
        "FUNCTION",
        "CONFIG",
        "CLUSTER",
        "ASKING",
        "MONITOR",
        "WAIT",
        "TIME",
        "DBSIZE",
        "LASTSAVE",
        "ROLE",
        "MEMORY",
        "LATENCY",
        "SLOWLOG",
        "DEBUG",
    }
)

SCRIPT_COMMANDS = frozenset({"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})


# Whole-value reads: on a key that holds business fields they read those fields.
VALUE_READS: Final = frozenset(
    {"GET", "MGET", "GETEX", "GETDEL", "GETRANGE", "HGETALL", "HVALS", "HSCAN", "JSON.GET", "DUMP"}
)
