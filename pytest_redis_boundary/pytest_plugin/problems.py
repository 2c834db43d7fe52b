"""Errors met while recording or judging a command: described without what they might quote.

Each one is warned about (``RedisBoundaryWarning``: the test's findings may be incomplete) and
listed under "recording problems" in the summary. An error's message may quote a stored value,
so it is kept only for connection-level errors; its type and innermost frame are always kept.
"""

from __future__ import annotations

import os
import traceback
import warnings
from typing import Final

from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.recording import Recording
from pytest_redis_boundary.recorder.hooks import Recorder

__all__ = ["RecordingProblems", "describe_error"]

# Errors whose message names a connection or a timeout, never a stored value.
_MESSAGE_KEPT_FOR: Final = ("ConnectionError", "TimeoutError", "AuthenticationError")


def describe_error(exc: BaseException) -> str:
    """``module.Type at file.py:12 in function()``, plus the message of a connection error."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    where = ""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames:
        last = frames[-1]
        where = f" at {os.path.basename(last.filename)}:{last.lineno} in {last.name}()"
    detail = ""
    if isinstance(exc, (OSError, TimeoutError)) or type(exc).__name__ in _MESSAGE_KEPT_FOR:
        detail = f": {exc}"
    return f"{name}{where}{detail}"


class RecordingProblems:
    """Takes the errors the recorder and a recording collected, warns, and keeps their text."""

    def __init__(self, recorder: Recorder | None, problems: list[str]) -> None:
        self._recorder = recorder
        self._problems = problems  # the run's totals' list: the summary and the reports read it

    def drain(self, recording: Recording | None = None) -> None:
        errors: list[BaseException] = []
        recorder = self._recorder
        if recorder is not None and recorder.errors:
            errors, recorder.errors = recorder.errors, []
        if recording is not None and recording.errors:
            # Swapped before it is read: a thread the test started may still append to it.
            taken, recording.errors = recording.errors, []
            errors.extend(taken)
        for exc in errors:
            text = describe_error(exc)
            self._problems.append(text)
            warnings.warn(
                RedisBoundaryWarning(
                    f"redis-boundary could not record or judge a command ({text}); "
                    "this test's findings may be incomplete"
                ),
                stacklevel=2,
            )
