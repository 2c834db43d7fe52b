"""Call sites of commands sent from asyncio tasks, under pytest-asyncio: the line that created
the task, inside the rootdir, in the findings and in SARIF."""

from __future__ import annotations

import json
import sys

import pytest

from tests.plugin.common import run

pytest.importorskip("pytest_asyncio", reason="pytest-asyncio is in the dev extras")

TASKS_TEST = """\
import asyncio
import sys

import pytest


@pytest.mark.asyncio
async def test_tasks(redis_boundary_async_client):
    r = redis_boundary_async_client
    await asyncio.gather(r.hset("t:acme:job:1", "status", "done"))
    await asyncio.create_task(r.hset("t:acme:job:2", "status", "done"))
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            group.create_task(r.hset("t:acme:job:3", "status", "done"))
"""


def _line(statement: str) -> int:
    lines = TASKS_TEST.splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip().startswith(statement))


def test_a_command_sent_from_a_task_is_sited_where_the_task_was_created(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_tasks=TASKS_TEST)
    result = run(pytester, "--redis-boundary=warn", "--redis-boundary-sarif=r.sarif")
    result.assert_outcomes(passed=1)
    sarif = json.loads((pytester.path / "r.sarif").read_text())
    business_writes = [
        (location["artifactLocation"]["uri"], location["region"]["startLine"])
        for found in sarif["runs"][0]["results"]
        if found["ruleId"] == "RB101"
        for location in (found["locations"][0]["physicalLocation"],)
    ]
    expected = [
        ("test_tasks.py", _line("await asyncio.gather(")),
        ("test_tasks.py", _line("await asyncio.create_task(")),
    ]
    if sys.version_info >= (3, 11):
        expected.append(("test_tasks.py", _line("group.create_task(")))
    assert sorted(business_writes) == expected
