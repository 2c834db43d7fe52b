"""The pull-request gate over two reports (docs/reference/cli.md, ``redis-boundary diff``)."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.gate import (
    BUSINESS_QUESTION,
    DOCS_QUESTION,
    RQ_QUESTION,
    GateResult,
    diff_reports,
    is_gated,
    render,
)
from tests.report_samples import NEW_READ, finding, report

BASE = report(finding())
RQ = finding(
    rule="RB103",
    message="RB103 rq-runtime: LPUSH rq:queue:default at app/enqueue.py:8 in submit()",
    command="LPUSH",
    key="rq:queue:default",
    field=None,
    site="app/enqueue.py:8",
    function="submit",
    tenant_id=None,
)


def gate(*head: Finding, base: tuple[Finding, ...] = (finding(),)) -> GateResult:
    return diff_reports(report(*base), report(*head))


def test_same_report_is_clean() -> None:
    result = diff_reports(BASE, BASE)
    assert result == GateResult()
    assert not result.blocking
    assert result.checklist() == [
        (BUSINESS_QUESTION, False),
        (RQ_QUESTION, False),
        (DOCS_QUESTION, None),
    ]


@pytest.mark.parametrize(
    "moved",
    [
        finding(site="app/jobs.py:99"),  # a line move
        finding(key="t:acme:job:77"),  # another id
        finding(key="t:acme:job:550e8400-e29b-41d4-a716-446655440000"),  # a UUID
        finding(key="t:globex:job:42", tenant_id="globex"),  # another tenant
        finding(test="tests/test_other.py::test_again"),  # another test
        finding(field="result", command="HSETNX"),  # another field or command
        finding(count=5),
    ],
)
def test_same_identity_is_not_new(moved: Finding) -> None:
    result = gate(moved)
    assert not result.blocking
    assert result == GateResult()


@pytest.mark.parametrize(
    "changed",
    [
        finding(function="mark_failed"),
        finding(site="app/other.py:17"),
        finding(key="t:acme:owner:42"),
        finding(rule="RB102"),
    ],
)
def test_another_identity_is_new(changed: Finding) -> None:
    result = gate(changed)
    assert result.blocking
    assert result.new == (changed,)
    assert result.fixed == (finding(),)


def test_new_business_finding_blocks() -> None:
    result = gate(finding(), NEW_READ)
    assert result.blocking
    assert result.new == (NEW_READ,)
    assert result.new_business == (NEW_READ,)
    assert result.new_rq == ()
    assert result.covered == result.fixed == ()
    assert result.checklist() == [
        (BUSINESS_QUESTION, True),
        (RQ_QUESTION, False),
        (DOCS_QUESTION, None),
    ]


@pytest.mark.parametrize("rule", ["RB201", "RB202", "RB203", "RB301", "RB302"])
def test_ttl_and_tenant_rules_are_business_semantics(rule: str) -> None:
    new = finding(rule=rule, function="other")
    result = gate(finding(), new)
    assert result.blocking
    assert result.checklist()[0] == (BUSINESS_QUESTION, True)


def test_covered_finding_does_not_block() -> None:
    covered = NEW_READ.with_verdict("excepted", "EXC-7")
    result = gate(finding(), covered)
    assert not result.blocking
    assert result.covered == (covered,)
    assert result.new == ()
    assert result.checklist()[:2] == [(BUSINESS_QUESTION, False), (RQ_QUESTION, False)]


def test_one_uncovered_occurrence_blocks_the_identity() -> None:
    covered = NEW_READ.with_verdict("excepted", "EXC-7")
    uncovered = NEW_READ.__class__(**{**NEW_READ.to_json(), "test": "tests/test_z.py::test_z"})
    result = gate(finding(), covered, uncovered)
    assert result.new == (uncovered,)
    assert result.covered == ()


def test_new_identity_listed_once() -> None:
    again = NEW_READ.__class__(**{**NEW_READ.to_json(), "test": "tests/test_z.py::test_z"})
    result = gate(finding(), again, NEW_READ)
    assert result.new == (NEW_READ,)  # the first in report order


def test_new_rq_dependency_blocks() -> None:
    result = gate(finding(), RQ)
    assert result.blocking
    assert result.new_rq == (RQ,)
    assert result.new_business == ()
    assert result.checklist() == [
        (BUSINESS_QUESTION, False),
        (RQ_QUESTION, True),
        (DOCS_QUESTION, None),
    ]


@pytest.mark.parametrize("rule", ["RB501", "RB502"])
def test_rq_import_findings_block_when_present(rule: str) -> None:
    imported = finding(
        rule=rule,
        message=f"{rule}: app.api.x -> rq",
        command=None,
        key=None,
        field=None,
        site="app/api/x.py:2",
        function=None,
        tenant_id=None,
    )
    result = gate(finding(), imported)
    assert result.new_rq == (imported,)
    assert result.checklist()[1] == (RQ_QUESTION, True)


@pytest.mark.parametrize("rule", ["RB401", "RB901", "RB902", "RB903"])
def test_other_rules_are_not_gated(rule: str) -> None:
    assert not is_gated(rule)
    result = gate(finding(), finding(rule=rule, function="elsewhere"))
    assert result == GateResult()


def test_new_warning_is_listed_not_blocking() -> None:
    unknown_ttl = finding(rule="RB201", verdict="warning", function="evalsha_path")
    result = gate(finding(), unknown_ttl)
    assert not result.blocking
    assert result.warned == (unknown_ttl,)


def test_identity_already_in_base_is_not_new_whatever_its_verdict() -> None:
    """An exception that expired makes an old finding a violation; the PR did not add it."""
    result = gate(finding(), base=(finding().with_verdict("excepted", "EXC-7"),))
    assert result == GateResult()


def test_fixed() -> None:
    result = gate(base=(finding(), RQ))
    assert not result.blocking
    assert result.fixed == (RQ, finding())  # report order: app/enqueue.py before app/jobs.py


def test_result_pickles() -> None:
    result = gate(finding(), NEW_READ)
    assert pickle.loads(pickle.dumps(result)) == result


def test_render_blocked() -> None:
    covered = RQ.with_verdict("excepted", "EXC-7")
    result = gate(NEW_READ, covered)
    assert render(result) == textwrap.dedent(
        """\
        redis-boundary diff: BLOCKED: 1 new finding without an exception.

        New (blocking): 1
          - RB102 t:{tenant}:job:* at app/api.py:40 in status()
              RB102 business-read: HGET t:acme:job:42 field 'status' at app/api.py:40 in status()
              first seen in tests/test_jobs.py::test_done

        New, covered by an active exception (not blocking): 1
          - RB103 rq:queue:default at app/enqueue.py:8 in submit() [exception EXC-7]
              RB103 rq-runtime: LPUSH rq:queue:default at app/enqueue.py:8 in submit()
              first seen in tests/test_jobs.py::test_done

        Fixed (in BASE, gone from HEAD): 1
          - RB101 t:{tenant}:job:* at app/jobs.py:17 in mark_done()
              RB101 business-write: HSET t:acme:job:42 field 'status' at app/jobs.py:17 in mark_done()
              first seen in tests/test_jobs.py::test_done

        Enforcement checklist (Redis/RQ retirement boundary contract):
        - Did this PR add or expand Redis business semantics? yes
        - Did this PR introduce new RQ runtime dependency? no
        - Are ownership and contract docs updated for changed runtime behavior? not checked (pass --changed-files FILE to check it, or answer it in the review)

        A yes to either of the first two questions rejects the pull request unless a temporary, expiry-bound exception (owner, exception_reason, expiry_date, removal_issue) is registered for it.
        """  # noqa: E501
    )


def test_render_clean() -> None:
    assert render(diff_reports(BASE, BASE)) == textwrap.dedent(
        """\
        redis-boundary diff: clean: no new Redis business semantics or rq dependency.

        Enforcement checklist (Redis/RQ retirement boundary contract):
        - Did this PR add or expand Redis business semantics? no
        - Did this PR introduce new RQ runtime dependency? no
        - Are ownership and contract docs updated for changed runtime behavior? not checked (pass --changed-files FILE to check it, or answer it in the review)
        """  # noqa: E501
    )


def test_render_session_finding_without_site() -> None:
    sessionless = finding(
        rule="RB502",
        message="RB502 rq-import-new: a -> rq",
        **dict.fromkeys(("site", "function", "test", "key", "tenant_id", "field")),
    )
    text = render(gate(finding(), sessionless))
    assert "  - RB502 at (no call site)\n" in text
    assert "first seen in (session)" in text
    assert "- Did this PR introduce new RQ runtime dependency? yes" in text
