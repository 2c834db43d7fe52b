"""The FastAPI application, over services wired by the caller."""

from __future__ import annotations

from fastapi import FastAPI

from ..observability import configure_logging
from ..services import Services
from . import admin, jobs


def create_app(services: Services) -> FastAPI:
    configure_logging()
    app = FastAPI(title="exports")
    app.state.services = services
    app.include_router(jobs.router)
    app.include_router(admin.router)
    return app
