"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from . import admin, jobs


def create_app() -> FastAPI:
    app = FastAPI(title="exports (legacy)")
    app.include_router(jobs.router)
    app.include_router(admin.router)
    return app
