"""The pure half: chain values, rendering, the baseline file."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from pytest_redis_boundary.contracts.render import render_findings
from pytest_redis_boundary.core.imports import (
    Baseline,
    BaselineInvalid,
    Chain,
    ImportFinding,
    ImportLine,
    Link,
    diff_baseline,
    dump_baseline,
    parse_baseline,
)

CHAIN = Chain(
    (
        Link("app.api.x", "app.workers.legacy", (ImportLine(3, "from app.workers import legacy"),)),
        Link(
            "app.workers.legacy", "rq", (ImportLine(1, "import rq"), ImportLine(9, "import rq.job"))
        ),
    )
)


def test_render_exact() -> None:
    findings = [
        ImportFinding("RB501", "excepted", "ignored in the text", chain=CHAIN),
        ImportFinding("RB501", "violation", "app.api.x must not depend on rq:", chain=CHAIN),
        ImportFinding("RB901", "violation", "redis-boundary.yaml:3: exceptions[0].owner: missing"),
    ]
    assert "\n".join(render_findings(findings)) == textwrap.dedent(
        """\
        RB501 rq-import: app.api.x must not depend on rq:

        -   app.api.x -> app.workers.legacy (l.3: from app.workers import legacy)
            app.workers.legacy -> rq (l.1: import rq; l.9: import rq.job)

        RB901 exception-invalid: redis-boundary.yaml:3: exceptions[0].owner: missing
        """
    )


def test_chain_identity_has_no_line_numbers() -> None:
    moved = Chain(
        (
            Link(
                "app.api.x",
                "app.workers.legacy",
                (ImportLine(30, "from app.workers import legacy"),),
            ),
            Link("app.workers.legacy", "rq", (ImportLine(2, "import rq"),)),
        )
    )
    assert CHAIN.id == moved.id == ("app.api.x", "app.workers.legacy", "rq")


def test_baseline_round_trip_is_sorted_and_stable() -> None:
    text = dump_baseline([("b", "rq"), ("a", "x", "rq"), ("b", "rq")])
    assert parse_baseline(text, source="f.json") == Baseline(
        "f.json", frozenset({("a", "x", "rq"), ("b", "rq")})
    )
    assert text == dump_baseline([("a", "x", "rq"), ("b", "rq")])
    assert '"a -> x -> rq",\n    "b -> rq"' in text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nope", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"schema": "x", "chains": []}', "expected schema"),
        ('{"schema": "redis-boundary-baseline/1", "chains": [1]}', "'chains' must be a list"),
        ('{"schema": "redis-boundary-baseline/1", "chains": ["rq"]}', "chains[0]"),
    ],
)
def test_bad_baselines(text: str, problem: str) -> None:
    with pytest.raises(BaselineInvalid, match=problem.replace("[", r"\[")) as info:
        parse_baseline(text, source="f.json")
    assert str(info.value).startswith("f.json: ")
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)


def test_diff_baseline() -> None:
    diff = diff_baseline(
        [("a", "rq"), ("c", "rq")],
        frozenset({("a", "rq"), ("b", "rq"), ("other", "rq")}),
        relevant=[("a", "rq"), ("b", "rq")],
    )
    assert diff.new == (("c", "rq"),)
    assert diff.frozen == (("a", "rq"),)
    assert diff.stale == (("b", "rq"),)


def test_a_chain_described_later_reads_its_links_once_and_only_when_asked() -> None:
    asked: list[tuple[str, ...]] = []

    def describe(chain: tuple[str, ...]) -> tuple[Link, ...]:
        asked.append(chain)
        return CHAIN.links

    later = Chain.later(CHAIN.id, describe)
    assert (later.id, later.start, later.end, later.last_link) == (
        CHAIN.id,
        "app.api.x",
        "rq",
        ("app.workers.legacy", "rq"),
    )
    assert asked == []
    assert later == CHAIN and later.render() == CHAIN.render()
    assert asked == [CHAIN.id]
    assert pickle.loads(pickle.dumps(Chain.later(CHAIN.id, describe))) == CHAIN
