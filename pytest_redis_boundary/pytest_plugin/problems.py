"""Errors met while recording or judging a command, told to the user: which part failed, for
which command name on which server, and what to do; never anything that could quote a value.

Each one is warned about (``RedisBoundaryWarning``, at the test's own line) and listed under
"recording problems" in the summary. docs/reference/recording.md#recording-problems lists each
part's message. A problem never changes a test's outcome: a warning filter that turns it into an
error (``-W error``) leaves it in the summary only.
"""

from __future__ import annotations

import contextlib
from typing import Final

import pytest

from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.boundary_warning import warn_boundary
from pytest_redis_boundary.pytest_plugin.recording import Recording
from pytest_redis_boundary.recorder.hooks import Recorder
from pytest_redis_boundary.recorder.problem import RecordingProblem

__all__ = ["RecordingProblems", "describe_problem"]

_BUG: Final = (
    "the command is not judged, so this test's findings may be incomplete; this is a "
    "redis-boundary bug: please report this line with your redis-py and fakeredis versions"
)

# What each part was doing, and what its failure means to the user and what they can do.
_PARTS: Final = {
    "script capture": (
        "could not watch what Lua scripts run (MONITOR)",
        "the commands scripts run on this server are not judged for the rest of this test; "
        "let the connection's user run MONITOR (ACL +monitor) over a plain TCP or unix socket "
        "connection (TLS is not supported), or send the scripts to fakeredis",
    ),
    "recording": ("could not record a command", _BUG),
    "judge": ("could not judge a command", _BUG),
}


def describe_problem(problem: RecordingProblem) -> str:
    """One line: ``redis-boundary <what failed> (<COMMAND> on <server>/<db>): <error>; <what
    to do>``."""
    doing, advice = _PARTS.get(problem.part, (f"{problem.part} failed", _BUG))
    about = []
    if problem.command is not None:
        about.append(problem.command)
    if problem.server is not None:
        db = f"/{problem.db}" if problem.db is not None else ""
        about.append(f"on {problem.server}{db}")
    context = f" ({' '.join(about)})" if about else ""
    error = problem.error_type
    if problem.where is not None:
        error += f" at {problem.where}"
    if problem.message:
        error += f": {problem.message}"
    return f"redis-boundary {doing}{context}: {error}; {advice}"


class RecordingProblems:
    """Takes the problems the recorder and a recording collected, warns, and keeps their text."""

    def __init__(self, recorder: Recorder | None, problems: list[str]) -> None:
        self._recorder = recorder
        self._problems = problems  # the run's totals' list: the summary and the reports read it

    def drain(self, item: pytest.Item, recording: Recording | None = None) -> None:
        """Warn at ``item`` about every problem met since the last drain."""
        found: list[RecordingProblem] = []
        recorder = self._recorder
        if recorder is not None and recorder.errors:
            found, recorder.errors = recorder.errors, []
        if recording is not None and recording.errors:
            # Swapped before it is read: a thread the test started may still append to it.
            taken, recording.errors = recording.errors, []
            found.extend(taken)
        path, line, _ = item.location
        for problem in found:
            text = describe_problem(problem)
            self._problems.append(text)
            # Shown as a warning under general error filters; made an error by a filter naming
            # RedisBoundaryWarning, it is still in the summary and does not fail the test.
            with contextlib.suppress(RedisBoundaryWarning):
                warn_boundary(text, path, (line or 0) + 1)
