"""What every route takes from the request: the wired services and the caller's trace context."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Request

from ..observability import TraceContext
from ..services import Services

_SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"


def services(request: Request) -> Services:
    wired: Services = request.app.state.services
    return wired


# The parameters are not named tenant_id etc.: FastAPI would take them for a route's path
# parameters of the same name (PUT /tenants/{tenant_id}/...).
def trace_context(
    tenant: Annotated[str, Header(alias="X-Tenant-Id", pattern=_SLUG)],
    workspace: Annotated[str | None, Header(alias="X-Workspace-Id", pattern=_SLUG)] = None,
    trace: Annotated[str | None, Header(alias="X-Trace-Id", max_length=64)] = None,
) -> TraceContext:
    """The caller's tenant and workspace, and the trace id it sent (or a new one)."""
    return TraceContext(trace or uuid.uuid4().hex, tenant, workspace)


ServicesDep = Annotated[Services, Depends(services)]
ContextDep = Annotated[TraceContext, Depends(trace_context)]
