"""``redis-boundary surfaces`` over a small project: its import graph, a report, its surfaces."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext
from tests.report_samples import CACHE_SHAPE, finding, report, run_cli, write_report
from tests.rq_projects import rq_contract_config

IMPORTLINTER = rq_contract_config("surfshop", "surfshop.api", "surfshop.cache")

JOBS_SURFACE = """\
---
surface: jobs-api
owner: platform-team
modules: ["surfshop.api"]
endpoints: ["GET /jobs/{job_id}"]
keys: ["t:{tenant}:cache:*"]
---
# The jobs API
"""

CACHE = replace(CACHE_SHAPE, sites=("surfshop/cache.py:9",))
SEEDED = replace(
    CACHE_SHAPE,
    shape="t:{tenant}:seed:*",
    key_class=None,
    max_ttl_seconds=None,
    persistent=True,
    sites=("tests/test_api.py:4",),
)
JOBS = replace(
    SEEDED,
    shape="t:{tenant}:job:*",
    key_class="business",
    commands=("HGET", "HSET"),
    sites=("surfshop/api/jobs.py:5",),
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for module in ("__init__", "api/__init__", "api/jobs", "api/admin", "cache"):
        path = tmp_path / "surfshop" / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (tmp_path / ".importlinter").write_text(IMPORTLINTER)
    contracts = tmp_path / "docs" / "contracts"
    contracts.mkdir(parents=True)
    (contracts / "jobs.md").write_text(JOBS_SURFACE)
    (contracts / "README.md").write_text("# Contract surfaces\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_surfaces_report(path: Path, *contexts: RuntimeContext | None) -> Path:
    findings = [finding(context=context) for context in contexts]
    return write_report(path, report(*findings, tests=3, calls=9, inventory=(CACHE, SEEDED, JOBS)))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "surfaces", "--no-cache", *args)


def test_lists_what_no_surface_claims(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write_surfaces_report(
        project / "report.json",
        RuntimeContext(ENDPOINT, "GET /jobs/{job_id}"),
        RuntimeContext(ENDPOINT, "POST /admin/reindex"),
        None,
    )
    status, out, err = cli(capsys, "--report", str(report))
    assert (status, err) == (1, "")
    assert out == textwrap.dedent(
        f"""\
        redis-boundary surfaces: 1 surface in docs/contracts, 3 runtime paths unclaimed
          jobs-api (owner platform-team, docs/contracts/jobs.md): 1 module glob, 1 endpoint glob, 1 key shape glob
        modules: 1 unclaimed of 4 under the rq_retirement contracts' runtime_modules (.importlinter)
          surfshop.cache
        endpoints: 1 unclaimed of 2 seen in {report}
          POST /admin/reindex
        keys: 1 unclaimed of 2 written from runtime code ({report})
          t:{{tenant}}:job:*
        Fix: claim each in the front matter (modules, endpoints, keys) of the surface that owns it in docs/contracts, or add a surface for it.
        """  # noqa: E501
    )


def test_json_lists_surfaces_and_unclaimed_paths(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write_surfaces_report(project / "report.json", RuntimeContext(ENDPOINT, "GET /health"))
    status, out, _ = cli(capsys, "--report", str(report), "--format", "json")
    document = json.loads(out)
    assert status == 1
    assert document["schema"] == "redis-boundary-surfaces/1"
    assert [s["surface"] for s in document["surfaces"]] == ["jobs-api"]
    assert document["unclaimed"] == {
        "modules": ["surfshop.cache"],
        "endpoints": ["GET /health"],
        "keys": ["t:{tenant}:job:*"],
    }
    assert document["not_checked"] == {}


def test_exit_0_once_every_path_is_claimed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs" / "contracts" / "cache.md").write_text(
        "---\nsurface: cache\nowner: web-team\nmodules: [surfshop.cache]\n"
        "keys: ['t:{tenant}:job:*']\n---\n"
    )
    report = write_surfaces_report(
        project / "report.json", RuntimeContext(ENDPOINT, "GET /jobs/{job_id}")
    )
    status, out, err = cli(capsys, "--report", str(report))
    assert (status, err) == (0, "")
    assert "0 runtime paths unclaimed" in out.splitlines()[0]
    assert "Fix:" not in out


def test_without_a_report_only_modules_are_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = cli(capsys)
    assert status == 1
    assert "endpoints: not checked: no report (pass --report REPORT.json)" in out
    assert "  surfshop.cache" in out


def test_without_a_config_modules_are_not_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".importlinter").unlink()
    report = write_surfaces_report(project / "report.json")
    status, out, _ = cli(capsys, "--report", str(report))
    assert status == 1
    assert "modules: not checked: no import-linter config here (pass --config FILE)" in out


def test_nothing_to_check_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".importlinter").unlink()
    status, out, err = cli(capsys)
    assert (status, out) == (2, "")
    assert err.startswith("redis-boundary: nothing to check")


def test_malformed_front_matter_names_file_line_and_field(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs" / "contracts" / "bad.md").write_text(
        "---\nsurface: bad\nowner: a\nendpoints: ['jobs']\n---\n"
    )
    status, out, err = cli(capsys)
    assert (status, out) == (2, "")
    assert err.startswith("redis-boundary: docs/contracts/bad.md:4: endpoints[0]: 'jobs' is not")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--surfaces", "nowhere"], "redis-boundary: nowhere: no such folder. Fix: create it"),
        (["--report", "missing.json"], "redis-boundary: missing.json"),
        (["--config", "missing.ini"], "redis-boundary: "),
    ],
)
def test_bad_inputs_are_usage_errors(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    status, out, err = cli(capsys, *args)
    assert (status, out) == (2, "")
    assert err.startswith(expected)
    assert "Traceback" not in err


def test_a_config_without_an_rq_contract_is_a_usage_error_when_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "layers.ini").write_text(
        "[importlinter]\nroot_packages = surfshop\n\n[importlinter:contract:l]\nname = L\n"
        "type = layers\nlayers =\n    surfshop.api\n    surfshop.cache\n"
    )
    status, _, err = cli(capsys, "--config", "layers.ini")
    assert status == 2
    assert "layers.ini has no contract of type rq_retirement" in err


def test_a_report_written_before_1_1_leaves_endpoints_and_keys_unchecked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_surfaces_report(project / "old.json")
    data = json.loads(path.read_text())
    for section in ("endpoints", "inventory", "read_through_classes"):
        del data[section]
    path.write_text(json.dumps(data))
    status, out, _ = cli(capsys, "--report", str(path))
    assert status == 1  # surfshop.cache is still unclaimed
    assert f"endpoints: not checked: {path} has no endpoints (written before 1.1)" in out
    assert f"keys: not checked: {path} has no inventory (written before 1.1)" in out


def test_a_runtime_module_missing_from_the_graph_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".importlinter").write_text(rq_contract_config("surfshop", "surfshop.apii"))
    status, out, err = cli(capsys)
    assert (status, out) == (2, "")
    assert "runtime module 'surfshop.apii' does not exist in the import graph" in err


def test_an_unregistered_rq_retirement_type_says_how_to_register_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registration = (
        "contract_types =\n"
        "    rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract\n"
    )
    config = rq_contract_config("surfshop", "surfshop.api").replace(registration, "")
    (project / ".importlinter").write_text(config)
    status, _, err = cli(capsys, "--config", ".importlinter")
    assert status == 2
    assert "a contract says type = rq_retirement, but contract_types does not register" in err
