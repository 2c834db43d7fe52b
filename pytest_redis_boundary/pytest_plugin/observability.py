"""RB401: log records about Redis keys must carry the required observability fields.

While a test runs, a handler sits on each logger named in ``observability.loggers``. A record
with a ``redis_key`` attribute (as set by ``logger.info(..., extra={"redis_key": key})``) that
lacks any of ``observability.required_fields`` as an attribute is an RB401 finding at the
record's ``pathname:lineno`` (relative to the rootdir) in its ``funcName``. Only attribute names
and the key are read: never the message, its arguments or the fields' values.

Levels are left alone: the records a logger emits at its configured level are the ones checked.
(Lowering a level to see more would make records the application keeps quiet, which may quote
values, reach pytest's log capture and the application's own handlers.)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pytest_redis_boundary.contexts import RUNTIME_CONTEXT
from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.policy import Policy
from pytest_redis_boundary.pytest_plugin.recording import Recording

__all__ = ["ObservabilityWatch"]


class _Handler(logging.Handler):
    def __init__(self, watch: ObservabilityWatch) -> None:
        super().__init__(level=logging.NOTSET)
        self._watch = watch

    def emit(self, record: logging.LogRecord) -> None:
        self._watch.check(record)

    def handle(self, record: logging.LogRecord) -> bool:  # no lock, no filters, no format
        self._watch.check(record)
        return True


class ObservabilityWatch:
    """Attaches the RB401 handler to the policy's loggers for one test at a time."""

    def __init__(self, policy: Policy, rootdir: Path) -> None:
        self._loggers = policy.observability.loggers
        self._required = policy.observability.required_fields
        self._policy = policy
        self._rootdir = str(rootdir)
        self._handler = _Handler(self)
        self._recording: Recording | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._loggers) and bool(self._required)

    def start(self, recording: Recording) -> None:
        if not self.enabled:
            return
        self._recording = recording
        for name in self._loggers:
            logger = logging.getLogger(name)
            logger.addHandler(self._handler)

    def stop(self) -> None:
        if not self.enabled:
            return
        for name in self._loggers:
            logging.getLogger(name).removeHandler(self._handler)
        self._recording = None

    def check(self, record: logging.LogRecord) -> None:
        recording = self._recording
        if recording is None:
            return
        key = record.__dict__.get("redis_key")
        if key is None:
            return
        missing = [name for name in self._required if name not in record.__dict__]
        if not missing:
            return
        key_text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        path = record.pathname
        try:
            path = os.path.relpath(path, self._rootdir)
            if path.startswith(".."):
                path = record.pathname
        except ValueError:
            pass
        site = f"{path.replace(os.sep, '/')}:{record.lineno}"
        tenant = self._policy.tenant_of(key_text)
        message = (
            f"RB401 {RULE_NAMES['RB401']}: log record about {key_text} from logger "
            f"'{record.name}' lacks {', '.join(missing)} at {site} in {record.funcName}()"
        )
        context = RUNTIME_CONTEXT.get()  # the record is handled on the thread that logs it
        if context is not None:
            message = f"{message} during {context.label()}"
        finding = Finding(
            rule="RB401",
            verdict="violation",
            message=message,
            test=recording.nodeid,
            phase=recording.phase,
            command=None,
            key=key_text,
            field=None,
            site=site,
            function=record.funcName,
            tenant_id=tenant,
            context=context,
        )
        with recording.lock:
            recording.log_findings.append(finding)
