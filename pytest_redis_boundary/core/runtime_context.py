"""What the application was doing when it sent a command: handling an HTTP request (an
``endpoint``, named by method and route template) or performing an RQ job (an ``rq-job``, named
by the job's function). The scorecard's C1 and C2 read it (docs/reference/contexts.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, NamedTuple

__all__ = ["CONTEXT_KINDS", "ENDPOINT", "RQ_JOB", "RuntimeContext", "route_template"]

ENDPOINT: Final = "endpoint"
RQ_JOB: Final = "rq-job"
CONTEXT_KINDS: Final = (ENDPOINT, RQ_JOB)

# Flask's and Django's converters (``<int:job_id>``, ``<job_id>``) in a route template.
_CONVERTER: Final = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


class RuntimeContext(NamedTuple):
    """An endpoint (``GET /jobs/{job_id}``) or an RQ job (``app.tasks.finish``)."""

    kind: str
    name: str

    def label(self) -> str:
        """How a finding's message names it: the endpoint, or ``rq job <function>``."""
        return self.name if self.kind == ENDPOINT else f"rq job {self.name}"

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name}

    @classmethod
    def from_json(cls, data: object) -> RuntimeContext | None:
        """A report's ``context`` (``None`` when null or absent); ``ValueError`` if malformed."""
        if data is None:
            return None
        if (
            not isinstance(data, Mapping)
            or data.get("kind") not in CONTEXT_KINDS
            or not isinstance(data.get("name"), str)
        ):
            raise ValueError(
                'context must be null or {"kind": "endpoint" or "rq-job", "name": "..."}'
            )
        return cls(str(data["kind"]), str(data["name"]))


def route_template(method: str, template: str) -> str:
    """An endpoint's name: ``GET /jobs/{job_id}``, one notation whatever the framework (Flask's
    and Django's ``<int:job_id>`` become ``{job_id}``; a template without a leading slash gets
    one)."""
    path = _CONVERTER.sub(r"{\1}", template)
    if not path.startswith("/"):
        path = "/" + path
    return f"{method.upper()} {path}"
