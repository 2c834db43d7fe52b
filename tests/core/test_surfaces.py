"""Contract surfaces: front matter read and located, globs matched, unclaimed paths found."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.runtime_context import ENDPOINT, RQ_JOB, RuntimeContext
from pytest_redis_boundary.core.surfaces import (
    Surface,
    SurfacesInvalid,
    find_unclaimed,
    load_surfaces,
    parse_surface,
    report_endpoints,
    runtime_key_shapes,
)
from pytest_redis_boundary.core.surfaces.claims import claiming, is_test_file

SUBMIT = """---
surface: command-submit-job
owner: platform-team
modules: ["app.api.jobs", "app.runtime.submit*"]   # module globs
endpoints: ["POST /jobs", "GET /jobs/{job_id}"]
keys: ["t:{tenant}:dedup:submit:*"]
---
# Submitting a job
"""


def problems(text: str) -> str:
    with pytest.raises(SurfacesInvalid) as caught:
        parse_surface(text, "docs/contracts/x.md")
    return str(caught.value)


def test_a_surface_is_read_from_its_front_matter() -> None:
    surface = parse_surface(SUBMIT, "docs/contracts/submit.md")
    assert surface == Surface(
        name="command-submit-job",
        owner="platform-team",
        path="docs/contracts/submit.md",
        modules=("app.api.jobs", "app.runtime.submit*"),
        endpoints=("POST /jobs", "GET /jobs/{job_id}"),
        keys=("t:{tenant}:dedup:submit:*",),
    )


@pytest.mark.parametrize("text", ["# Contracts\n\nAn index page.\n", "", "text\n---\nx: 1\n---\n"])
def test_a_markdown_file_without_front_matter_is_not_a_surface(text: str) -> None:
    assert parse_surface(text, "docs/contracts/README.md") is None


def test_a_module_claims_its_submodules_and_globs_match_by_name() -> None:
    surface = parse_surface(SUBMIT, "s.md")
    assert surface is not None
    assert surface.claims_module("app.api.jobs")
    assert surface.claims_module("app.api.jobs.views")
    assert surface.claims_module("app.runtime.submit_batch")
    assert not surface.claims_module("app.api")
    assert not surface.claims_module("app.api.jobsearch")
    assert surface.claims_endpoint("GET /jobs/{job_id}")
    assert not surface.claims_endpoint("DELETE /jobs/{job_id}")
    assert surface.claims_key("t:{tenant}:dedup:submit:*")
    assert not surface.claims_key("t:{tenant}:job:*")


def test_unclaimed_paths_are_what_no_surface_claims() -> None:
    submit = parse_surface(SUBMIT, "submit.md")
    reports = Surface("reports", "data-team", "reports.md", endpoints=("GET /reports/*",))
    assert submit is not None
    unclaimed = find_unclaimed(
        [submit, reports],
        modules=["app.api.jobs", "app.workers.legacy", "app.api.jobs.views"],
        endpoints=["POST /jobs", "GET /reports/{day}", "GET /health"],
        keys=["t:{tenant}:dedup:submit:*", "t:{tenant}:job:*"],
    )
    assert unclaimed.to_json() == {
        "modules": ["app.workers.legacy"],
        "endpoints": ["GET /health"],
        "keys": ["t:{tenant}:job:*"],
    }
    assert unclaimed
    assert not find_unclaimed([submit], modules=["app.api.jobs"])
    assert claiming([submit, reports], "endpoints", "GET /reports/{day}") == (reports,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\nowner: a\nmodules: [app]\n---\n",
            "docs/contracts/x.md:2: surface: the required field 'surface' is missing. "
            "Fix: add surface: command-submit-job.",
        ),
        (
            "---\nsurface: s\nowner: a\nmodules: [app]\nendpoint: [GET /x]\n---\n",
            "docs/contracts/x.md:5: endpoint: unknown key 'endpoint'. Fix: did you mean "
            "'endpoints'?",
        ),
        (
            "---\nsurface: s\nowner: a\nendpoints: [get /x]\n---\n",
            "docs/contracts/x.md:4: endpoints[0]: 'get /x' is not an endpoint",
        ),
        (
            "---\nsurface: s\nowner: a\nmodules: [app..api]\n---\n",
            "docs/contracts/x.md:4: modules[0]: 'app..api' is not a dotted module name",
        ),
        (
            "---\nsurface: s\nowner: a\nkeys: ['t:[abc:*']\n---\n",
            "docs/contracts/x.md:4: keys[0]: 't:[abc:*' is not a valid glob",
        ),
        (
            "---\nsurface: s\nowner: a\nkeys: ['t:[^x]*']\n---\n",
            "docs/contracts/x.md:4: keys[0]: 't:[^x]*' negates a set with '[^'",
        ),
        (
            "---\nsurface: s\nowner: a\nmodules: app.api\n---\n",
            "docs/contracts/x.md:4: modules: expected a list, got 'app.api'",
        ),
        (
            "---\nsurface: s\nowner: a\n---\n",
            "docs/contracts/x.md:2: the surface claims nothing",
        ),
        (
            "---\nsurface: s\nowner: [a]\nmodules: [app]\n---\n",
            "docs/contracts/x.md:3: owner: expected a non-empty string, got a list",
        ),
        ("---\nsurface: s\n", "docs/contracts/x.md:1: the front matter opened here is never"),
        ("---\nsurface: [s\n---\n", "docs/contracts/x.md:3: invalid YAML"),
        ("---\n---\n# t\n", "docs/contracts/x.md:2: the front matter is empty"),
    ],
)
def test_bad_front_matter_names_the_file_line_and_field(text: str, expected: str) -> None:
    assert expected in problems(text)


def test_every_problem_of_a_folder_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "contracts"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.md").write_text("---\nsurface: s\nowner: a\nmodules: [app]\n---\n")
    (folder / "nested" / "b.md").write_text("---\nsurface: s\nowner: b\nkeys: [x]\n---\n")
    (folder / "c.md").write_text("---\nowner: c\nkeys: [x]\n---\n")
    (folder / "README.md").write_text("# Surfaces\n")
    with pytest.raises(SurfacesInvalid) as caught:
        load_surfaces(folder)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert f"{folder / 'c.md'}:2: surface: the required field" in lines[0]
    assert lines[1] == (
        f"{folder / 'nested' / 'b.md'}:2: surface: the name 's' is also the surface of "
        f"{folder / 'a.md'}:2. Fix: give each surface its own name."
    )


def test_a_folder_is_read_sorted_by_surface_name(tmp_path: Path) -> None:
    (tmp_path / "z.md").write_text("---\nsurface: alpha\nowner: a\nmodules: [app]\n---\n")
    (tmp_path / "a.md").write_text("---\nsurface: beta\nowner: b\nkeys: ['x:*']\n---\n")
    assert [s.name for s in load_surfaces(tmp_path)] == ["alpha", "beta"]


def test_a_missing_folder_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(SurfacesInvalid, match=r"no such folder\. Fix: create it"):
        load_surfaces(tmp_path / "docs" / "contracts")


def finding(context: RuntimeContext | None) -> Finding:
    return Finding(
        rule="RB102",
        verdict="violation",
        message="m",
        test="tests/test_api.py::test_status",
        command="HGET",
        key="t:acme:job:1",
        field="status",
        site="app/api.py:3",
        function="status",
        context=context,
    )


def test_endpoints_come_from_the_findings_contexts() -> None:
    findings = [
        finding(RuntimeContext(ENDPOINT, "GET /jobs/{job_id}")),
        finding(RuntimeContext(RQ_JOB, "app.tasks.finish")),
        finding(None),
        finding(RuntimeContext(ENDPOINT, "GET /jobs/{job_id}")),
        finding(RuntimeContext(ENDPOINT, "DELETE /jobs/{job_id}")),
    ]
    assert report_endpoints(findings) == ("DELETE /jobs/{job_id}", "GET /jobs/{job_id}")
    # The report's endpoints (every one the run handled) come in too.
    assert report_endpoints(findings[:1], ["GET /health"]) == ("GET /health", "GET /jobs/{job_id}")


ENTRY = InventoryEntry(
    shape="t:{tenant}:cache:profile:*",
    key_class="cache",
    writes=2,
    reads=1,
    tenant=True,
    max_ttl_seconds=60,
    persistent=False,
    commands=("GET", "SET"),
    sites=("app/cache.py:9", "tests/test_cache.py:4"),
    tests=1,
)


def test_runtime_key_shapes_are_written_from_outside_the_tests() -> None:
    entries = [
        ENTRY,
        replace(ENTRY, shape="t:{tenant}:seed:*", sites=("tests/conftest.py:3",)),
        replace(ENTRY, shape="t:{tenant}:read:*", writes=0),
        replace(ENTRY, shape="t:{tenant}:b:*", sites=("test_app.py:3", "app/b.py:1")),
    ]
    assert runtime_key_shapes(entries) == ("t:{tenant}:b:*", "t:{tenant}:cache:profile:*")


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("tests/test_x.py", True),
        ("test_x.py", True),
        ("app/x_test.py", True),
        ("app/conftest.py", True),
        ("src/tests/helpers.py", True),
        ("app/testing_utils.py", False),
        ("app/contest.py", False),
        ("app/api/jobs.py", False),
    ],
)
def test_test_files_are_pytests_own_names(path: str, is_test: bool) -> None:
    assert is_test_file(path) is is_test


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Contract surfaces\n---\n# Index\n",
        "---\ntitle: Surfaces\ndescription: every runtime surface\ntags: [contracts]\n---\n",
    ],
)
def test_front_matter_of_page_metadata_alone_is_not_a_surface(text: str) -> None:
    assert parse_surface(text, "docs/contracts/index.md") is None


def test_empty_claim_lists_claim_nothing() -> None:
    assert "the surface claims nothing" in problems(
        "---\nsurface: s\nowner: a\nmodules: []\nendpoints: []\n---\n"
    )


def test_unreadable_files_say_how_to_fix_them(tmp_path: Path) -> None:
    (tmp_path / "binary.md").write_bytes(b"---\xff\n")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(SurfacesInvalid) as caught:
        load_surfaces(tmp_path)
    assert str(caught.value).splitlines() == [
        f"{tmp_path / 'binary.md'}: is not UTF-8 text. Fix: save it as UTF-8.",
        f"{tmp_path / 'folder.md'}: is not a file. Fix: rename it so it does not end in .md, "
        f"or move it out of {tmp_path}.",
    ]
