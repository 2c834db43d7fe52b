"""A read-through class end to end: strict mode passes a TTL-bounded status cache, and the
summary names every read-through class so a reviewer sees it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.plugin.common import run

POLICY = """\
classes:
  job_cache: {keys: ["t:{tenant}:cache:job:*"], max_ttl_seconds: 60, read_through: true}
"""

TESTS = """\
def test_cached_status(redis_boundary_client):
    redis_boundary_client.set("t:acme:cache:job:42", "done", ex=30)
    assert redis_boundary_client.get("t:acme:cache:job:42") == b"done"

def test_cached_status_forever(redis_boundary_client):
    redis_boundary_client.set("t:acme:cache:job:43", "done")
"""


@pytest.mark.parametrize("policy", [POLICY, POLICY.replace(", read_through: true", "")])
def test_strict_judges_a_status_cache_by_its_class(pytester: pytest.Pytester, policy: str) -> None:
    pytester.makefile(".yaml", **{"redis-boundary": policy})
    pytester.makepyfile(test_cache=TESTS)
    result = run(pytester, "--redis-boundary-policy=redis-boundary.yaml")
    out = result.stdout.str()
    if "read_through" in policy:
        result.assert_outcomes(passed=1, failed=1)  # only the key without a TTL fails
        assert "RB201 missing-ttl: SET t:acme:cache:job:43" in out
        assert "RB101 business-write" not in out and "RB102 business-read" not in out
        result.stdout.fnmatch_lines(
            [
                "read-through classes (business state cached, no RB101/RB102 inside):",
                "  job_cache: t:{tenant}:cache:job:* (max 60 s; 2 keys written)",
            ]
        )
    else:
        result.assert_outcomes(failed=2)
        assert "RB101 business-write: SET t:acme:cache:job:42" in out
        assert "read-through classes" not in out


def test_the_report_inventory_and_scorecard_list_read_through_classes(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".yaml", **{"redis-boundary": POLICY})
    pytester.makepyfile(test_cache=TESTS.split("\ndef test_cached_status_forever")[0])
    result = run(
        pytester, "--redis-boundary-policy=redis-boundary.yaml", "--redis-boundary-report=r.json"
    )
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["read_through_classes"] == [
        {"name": "job_cache", "keys": ["t:{tenant}:cache:job:*"], "max_ttl_seconds": 60}
    ]
    script = Path(sys.executable).parent / "redis-boundary"
    for command in (["inventory", "r.json"], ["scorecard", "r.json", "--no-cache"]):
        shown = pytester.run(script, *command).stdout.str()
        assert "job_cache: t:{tenant}:cache:job:* (max 60 s)" in shown, command
