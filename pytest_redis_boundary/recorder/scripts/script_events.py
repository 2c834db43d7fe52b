"""What the recorder keeps of one command a script ran, whichever server ran it."""

from __future__ import annotations

from pytest_redis_boundary.core.commands import SCRIPT_COMMANDS

__all__ = ["SCRIPT_COMMANDS", "ScriptEvent"]

ScriptEvent = tuple[tuple[object, ...], object, int | None]
"""(args, reply, db) of one command a script ran; db None = the calling connection's."""
