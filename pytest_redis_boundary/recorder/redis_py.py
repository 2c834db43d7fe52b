"""What the recorder recognises of redis-py's own code, which differs across its versions (4.x
to 8.x): its ``send_command`` and ``send_packed_command``, and where a pipeline queues commands.
"""

from __future__ import annotations

import inspect
from types import CodeType
from typing import Any

__all__ = [
    "has_send_packed_signature",
    "is_known_send_command",
    "pipeline_queue",
    "queued_args",
]


def has_send_packed_signature(function: Any) -> bool:
    """Whether ``function`` takes ``(self, command, check_health=True)``, as redis-py's own
    ``send_packed_command`` does, all positional-or-keyword."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    return (
        [p.name for p in parameters] == ["self", "command", "check_health"]
        and all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
        and parameters[2].default is True
    )


# redis-py's own ``AbstractConnection.send_command`` (4.x to 8.x). When the installed method is
# this very code, a single command is packed and written by the recorder's wrapper itself, which
# saves two wrapper layers per command; any other ``send_command`` is called as it is.
_KNOWN_SEND_COMMAND = """
def send_command(self, *args, **kwargs):
    'Pack and send a command to the Redis server'
    self.send_packed_command(
        self._command_packer.pack(*args),
        check_health=kwargs.get("check_health", True),
    )
"""


def is_known_send_command(function: Any) -> bool:
    """Whether ``function`` is redis-py's own ``send_command`` (compared by its bytecode)."""
    code = getattr(function, "__code__", None)
    if not isinstance(code, CodeType):
        return False
    namespace: dict[str, Any] = {}
    exec(compile(_KNOWN_SEND_COMMAND, "<redis-py>", "exec", dont_inherit=True), namespace)
    known: CodeType = namespace["send_command"].__code__
    return (
        code.co_code == known.co_code
        and code.co_names == known.co_names
        and code.co_varnames == known.co_varnames
        and code.co_flags == known.co_flags
        and code.co_consts == known.co_consts
    )


def pipeline_queue(pipe: Any) -> list[Any] | None:
    """The list a pipeline appends queued commands to (differs across redis-py versions)."""
    strategy = pipe.__dict__.get("_execution_strategy")
    if strategy is not None:
        queue = getattr(strategy, "_command_queue", None)
        if isinstance(queue, list):
            return queue
    for attr in ("_command_stack", "command_stack"):
        queue = pipe.__dict__.get(attr)
        if isinstance(queue, list):
            return queue
    return None


def queued_args(item: Any) -> object:
    """The args tuple of one queued pipeline command (an object or an ``(args, options)`` pair)."""
    args = getattr(item, "args", None)
    if args is None and isinstance(item, tuple) and item:
        args = item[0]
    return args
