"""Which endpoint or RQ job sends a command: hooks on the frameworks' request dispatch and on RQ's
job execution, put on only when the application has imported the framework
(docs/reference/contexts.md).

Each hook sets ``RUNTIME_CONTEXT`` (a context variable) for the time a request is handled or a
job performed, and restores it after; the recording reads it on the thread or task that sends
each command. A context variable follows the application where it goes: into the thread pool
Starlette runs sync endpoints in (anyio copies the context), into asyncio tasks (created with a
copy), and it is separate per thread serving requests.
"""

from __future__ import annotations

from .current import RUNTIME_CONTEXT, handled_endpoints
from .hooks import ContextHooks

__all__ = ["RUNTIME_CONTEXT", "ContextHooks", "handled_endpoints"]
