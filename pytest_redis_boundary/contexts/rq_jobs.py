"""RQ: every job is performed through ``Job.perform``, by any worker class and by
``Queue(is_async=False)``; the context is the job's function (``app.tasks.finish``)."""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.core.runtime_context import RQ_JOB, RuntimeContext
from pytest_redis_boundary.recorder.patching import Patches

from .current import running

__all__ = ["hook"]


def hook(patches: Patches) -> None:
    from rq.job import Job

    patches.apply_to_all(Job, "perform", _wrap_perform)


def _wrap_perform(original: Any) -> Any:
    def perform(self: Any) -> Any:
        with running(RuntimeContext(RQ_JOB, str(self.func_name))):
            return original(self)

    return perform
