"""Each finding's context: the endpoint (FastAPI/Starlette, Flask, Django) or the RQ job that
sent its command, detected without any change to the application (docs/reference/contexts.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.plugin.common import run

# A small FastAPI + RQ application: an endpoint that reads job status from Redis, one that
# enqueues, a sync and an async endpoint under routers with prefixes, and an RQ job that writes
# the final status; a plain helper called from test code too.
FASTAPI_APP = """
import asyncio

import fakeredis
from fastapi import APIRouter, FastAPI
from rq import Queue

server = fakeredis.FakeServer()
client = fakeredis.FakeRedis(server=server)


def finish(tenant, job_id):
    client.hset(f"t:{tenant}:job:{job_id}", "status", "done")


def status(tenant, job_id):
    return client.hget(f"t:{tenant}:job:{job_id}", "status")


app = FastAPI()
jobs = APIRouter(prefix="/jobs")


@jobs.get("/{job_id}")
def get_job(job_id: int):
    return {"status": (status("acme", job_id) or b"").decode()}


@jobs.post("/{job_id}/finish")
async def finish_later(job_id: int):
    await asyncio.sleep(0)
    queue = Queue("default", connection=client)
    queue.enqueue(finish, "acme", job_id)
    return {}


app.include_router(jobs, prefix="/api")


@app.get("/health")
def health():
    return {"ok": True}
"""

FASTAPI_TESTS = """
from fastapi.testclient import TestClient
from rq import Queue, SimpleWorker

import app


def test_endpoint_read():
    assert TestClient(app.app).get("/api/jobs/42").status_code == 200


def test_job_write_through_a_worker():
    assert TestClient(app.app).post("/api/jobs/7/finish").status_code == 200
    SimpleWorker([Queue("default", connection=app.client)], connection=app.client).work(
        burst=True
    )


def test_job_write_performed_at_once():
    Queue("default", connection=app.client, is_async=False).enqueue(app.finish, "acme", 8)


def test_plain_code():
    app.finish("acme", 9)
    app.status("acme", 9)


def test_an_endpoint_that_sends_nothing():
    assert TestClient(app.app).get("/health").status_code == 200
"""


def _report(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    result = run(
        pytester,
        "--redis-boundary=warn",
        "--redis-boundary-report=report.json",
        "-p",
        "no:asyncio",
        *args,
    )
    assert result.ret == 0, result.stdout.str()
    report: dict[str, Any] = json.loads((pytester.path / "report.json").read_text())
    return report


def _contexts(report: dict[str, Any], rule: str) -> dict[str, set[Any]]:
    """Test name -> the contexts of its ``rule`` findings (as (kind, name), or None)."""
    out: dict[str, set[Any]] = {}
    for finding in report["findings"]:
        if finding["rule"] == rule:
            context = finding["context"]
            value = None if context is None else (context["kind"], context["name"])
            out.setdefault(finding["test"].rpartition("::")[2], set()).add(value)
    return out


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_fastapi_and_rq_contexts(pytester: pytest.Pytester, workers: tuple[str, ...]) -> None:
    pytester.makepyfile(app=FASTAPI_APP, test_app=FASTAPI_TESTS)
    report = _report(pytester, *workers)
    assert _contexts(report, "RB102") == {
        "test_endpoint_read": {("endpoint", "GET /api/jobs/{job_id}")},
        "test_plain_code": {None},
    }
    assert _contexts(report, "RB101") == {
        "test_job_write_through_a_worker": {("rq-job", "app.finish")},
        "test_job_write_performed_at_once": {("rq-job", "app.finish")},
        "test_plain_code": {None},
    }
    # RQ's own keys, enqueued from the async endpoint, carry the endpoint.
    rb103 = _contexts(report, "RB103")["test_job_write_through_a_worker"]
    assert ("endpoint", "POST /api/jobs/{job_id}/finish") in rb103
    # The TTL finding of the job's write is the job's, and the message names the context.
    ttl = [
        f
        for f in report["findings"]
        if f["rule"] == "RB201" and f["test"].endswith("test_job_write_performed_at_once")
    ]
    assert [f["context"] for f in ttl] == [{"kind": "rq-job", "name": "app.finish"}]
    assert ttl[0]["message"].endswith(" during rq job app.finish")
    # Every endpoint a test had handled, also one that sent no command, once.
    assert report["endpoints"] == [
        "GET /api/jobs/{job_id}",
        "GET /health",
        "POST /api/jobs/{job_id}/finish",
    ]


def test_the_same_site_in_two_contexts_is_two_findings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        app=FASTAPI_APP,
        test_app="""
        from fastapi.testclient import TestClient

        import app


        def test_both():
            TestClient(app.app).get("/api/jobs/1")
            app.status("acme", 2)
        """,
    )
    report = _report(pytester)
    assert _contexts(report, "RB102") == {
        "test_both": {("endpoint", "GET /api/jobs/{job_id}"), None}
    }


def test_flask_endpoint_context(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_flask_app="""
        import fakeredis
        from flask import Flask

        client = fakeredis.FakeRedis()
        app = Flask(__name__)


        @app.get("/jobs/<int:job_id>")
        def get_job(job_id):
            return {"status": (client.hget(f"t:acme:job:{job_id}", "status") or b"").decode()}


        def test_endpoint_read():
            assert app.test_client().get("/jobs/42").status_code == 200
            client.hget("t:acme:job:43", "status")
        """
    )
    report = _report(pytester)
    assert _contexts(report, "RB102") == {
        "test_endpoint_read": {("endpoint", "GET /jobs/{job_id}"), None}
    }
    assert report["endpoints"] == ["GET /jobs/{job_id}"]


def test_django_endpoint_context(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        urls_app="""
        import fakeredis
        from django.http import JsonResponse
        from django.urls import path

        client = fakeredis.FakeRedis()


        def get_job(request, job_id):
            client.hget(f"t:acme:job:{job_id}", "status")
            return JsonResponse({})


        urlpatterns = [path("jobs/<int:job_id>/", get_job)]
        """,
        test_django_app="""
        import django
        from django.conf import settings

        settings.configure(ROOT_URLCONF="urls_app", ALLOWED_HOSTS=["testserver"], DEBUG=True)
        django.setup()

        from django.test import Client

        import urls_app


        def test_endpoint_read():
            assert Client().get("/jobs/42/").status_code == 200
            urls_app.client.hget("t:acme:job:43", "status")
        """,
    )
    report = _report(pytester)
    assert _contexts(report, "RB102") == {
        "test_endpoint_read": {("endpoint", "GET /jobs/{job_id}/"), None}
    }
    assert report["endpoints"] == ["GET /jobs/{job_id}/"]


def test_the_plugin_imports_no_framework() -> None:
    code = (
        "import sys, pytest_redis_boundary.contexts, pytest_redis_boundary.pytest_plugin.session;"
        "print(sorted(m for m in ('flask', 'django', 'starlette', 'fastapi', 'rq')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
