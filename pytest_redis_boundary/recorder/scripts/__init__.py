"""Commands run inside Lua (EVAL, EVALSHA, FCALL and their ``_RO`` forms).

No client-side hook sees what a script does, so the recorder gets it from the server: on
fakeredis from its server side (``fake_server.py``), on a real server through ``MONITOR``
(``real_server.py``, whose taps, ``monitor_tap.py``, read lines with ``monitor_lines.py``).
docs/reference/recording.md says what each one captures.
"""

from __future__ import annotations

from pytest_redis_boundary.recorder.scripts.fake_server import (
    FAKE_BATCH,
    FakeBatch,
    FakeScriptHooks,
)
from pytest_redis_boundary.recorder.scripts.monitor_lines import parse_monitor_line
from pytest_redis_boundary.recorder.scripts.real_server import RealScriptCapture, as_wire_bytes
from pytest_redis_boundary.recorder.scripts.script_events import SCRIPT_COMMANDS, ScriptEvent

__all__ = [
    "FAKE_BATCH",
    "SCRIPT_COMMANDS",
    "FakeBatch",
    "FakeScriptHooks",
    "RealScriptCapture",
    "ScriptEvent",
    "as_wire_bytes",
    "parse_monitor_line",
]
