"""The key inventory's text, markdown and JSON views (core.reports.inventory_view)."""

from __future__ import annotations

import json
from dataclasses import replace
from textwrap import dedent

import pytest

from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.reports.inventory_view import (
    INVENTORY_MARKDOWN_LIMIT,
    decision_order,
    inventory_json,
    inventory_markdown,
    inventory_text,
    need_of,
)

CACHE = InventoryEntry(
    shape="t:{tenant}:cache:profile:*",
    key_class="cache",
    writes=12,
    reads=40,
    tenant=True,
    max_ttl_seconds=300,
    persistent=False,
    commands=("GET", "SET"),
    sites=("app/cache.py:9", "app/cache.py:13"),
    tests=3,
)
JOB = replace(
    CACHE,
    shape="t:{tenant}:job:*",
    key_class="business",
    max_ttl_seconds=None,
    persistent=True,
    commands=("HSET",),
    sites=("app/jobs.py:17",),
    tests=1,
)
SCRATCH = replace(
    CACHE, shape="scratch:*", key_class=None, tenant=False, max_ttl_seconds=90.5, writes=2,
    reads=0, commands=("SET",), sites=(), tests=1,
)  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "need"),
    [
        (CACHE, None),
        (replace(CACHE, tenant=False), "untenanted"),
        (replace(CACHE, key_class=None, tenant=False), "unclassified"),
        (replace(CACHE, key_class=None, persistent=True), "persistent"),
        (replace(CACHE, key_class="rq", persistent=True, tenant=False), "rq"),
        (replace(JOB, tenant=False), "business"),
    ],
)
def test_a_shape_needs_the_first_that_applies(entry: InventoryEntry, need: str | None) -> None:
    assert need_of(entry) == need


def test_shapes_needing_a_decision_come_first() -> None:
    untenanted = replace(CACHE, shape="a:cache:*", tenant=False)
    assert decision_order([CACHE, untenanted, SCRATCH, JOB]) == [JOB, SCRATCH, untenanted, CACHE]


def test_text_is_an_aligned_table() -> None:
    assert inventory_text([CACHE, SCRATCH, JOB]) == dedent(
        """\
        redis-boundary inventory: 3 key shapes, 2 need a decision (1 business, 1 unclassified)

        needs         shape                       class     writes  reads  tenant  max TTL  persistent  tests  commands  sites
        business      t:{tenant}:job:*            business      12     40  yes        none  yes             1  HSET      app/jobs.py:17
        unclassified  scratch:*                   -              2      0  no         90.5  no              1  SET
        -             t:{tenant}:cache:profile:*  cache         12     40  yes         300  no              3  GET, SET  app/cache.py:9, app/cache.py:13
        """  # noqa: E501
    )


def test_text_of_an_empty_inventory() -> None:
    assert inventory_text([]) == (
        "redis-boundary inventory: 0 key shapes, 0 need a decision\n\n"
        "no key shapes (no judged test wrote or read a key)\n"
    )


def test_control_characters_in_a_shape_do_not_break_a_row() -> None:
    odd = replace(SCRATCH, shape="odd\nkey:*")
    text = inventory_text([odd])
    assert "odd\\nkey:*" in text and len(text.splitlines()) == 4


def test_markdown_is_a_table_with_code_cells() -> None:
    odd = replace(SCRATCH, shape="a|b`c:*")
    assert inventory_markdown([CACHE, odd]) == dedent(
        """\
        ## Redis key inventory

        2 key shapes, 1 need a decision (1 unclassified).

        | needs | shape | class | writes | reads | tenant | max TTL | persistent | tests | commands | sites |
        | --- | --- | --- | ---: | ---: | --- | ---: | --- | ---: | --- | --- |
        | **unclassified** | `` a\\|b`c:* `` | - | 2 | 0 | no | 90.5 | no | 1 | SET |  |
        | - | `t:{tenant}:cache:profile:*` | `cache` | 12 | 40 | yes | 300 | no | 3 | GET, SET | `app/cache.py:9`, `app/cache.py:13` |
        """  # noqa: E501
    )


def test_markdown_stops_before_the_comment_limit_and_says_how_many_it_left_out() -> None:
    many = [replace(SCRATCH, shape=f"scratch:{'x' * 200}:{n:05}:*") for n in range(1000)]
    text = inventory_markdown(many)
    assert len(text) <= INVENTORY_MARKDOWN_LIMIT
    rows = [line for line in text.splitlines() if line.startswith("| **unclassified**")]
    assert 0 < len(rows) < 1000
    assert f"_... and {1000 - len(rows):,} more key shapes left out for length;" in text


def test_json_is_the_inventory_sorted_by_shape() -> None:
    assert json.loads(inventory_json([SCRATCH, JOB, CACHE])) == [
        entry.to_json() for entry in (SCRATCH, CACHE, JOB)
    ]
