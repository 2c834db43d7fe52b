"""The wrapper on asyncio's ``BaseEventLoop.create_task``: a task created by an application frame
remembers that frame's call site, for the commands sent from the task's own frames when none of
them is the application's (``asyncio.gather(r.set(...))``, ``create_task``, ``TaskGroup``).

``asyncio.create_task``, ``ensure_future`` (so ``gather``) and ``TaskGroup.create_task`` all go
through the loop's ``create_task``. The site is put in ``callsite.TASK_SITE`` around the call: the
new task copies the creator's context there, so the site travels with the task (and with the
tasks it creates in turn) and costs nothing on the command path. A task created with its own
``context=``, or by an event loop that does not derive from ``BaseEventLoop`` (uvloop), gets no
creation site: its commands get the frame that ran the event loop instead.
"""

from __future__ import annotations

import sys
from typing import Any

from pytest_redis_boundary.recorder.callsite import TASK_SITE, CallSiteResolver

__all__ = ["create_task"]


def create_task(resolver: CallSiteResolver, orig: Any) -> Any:
    """The wrapper of ``BaseEventLoop.create_task``."""
    site_of_frame = resolver.site_of_frame
    is_outside = resolver.is_outside
    getframe = sys._getframe

    def create_task(loop: Any, *args: Any, **kwargs: Any) -> Any:
        # A walk, not depth hints: tasks are created from stacks of every shape (gather, a
        # TaskGroup, a library's own tasks), and a hinted depth could land past the creator's
        # task, on the frame that runs the event loop.
        site = site_of_frame(getframe(1))
        if site is None or is_outside(site):  # e.g. pytest-asyncio's runner: not the app's
            return orig(loop, *args, **kwargs)
        token = TASK_SITE.set(site)
        try:
            return orig(loop, *args, **kwargs)
        finally:
            TASK_SITE.reset(token)

    return create_task
