"""The rq_retirement contract over fixture packages on disk (real grimp and import-linter)."""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import BASE_APP, Project, Run, exception_entry, findings, summary

RUNTIME_ONLY = ("app.api", "app.runtime")


def test_direct_import_breaks(project: Project) -> None:
    project.write({**BASE_APP, "app/api/views.py": "import rq\n"})
    project.policy()
    project.config(RUNTIME_ONLY)
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [("RB501", "violation", "app.api.views -> rq")]
    (finding,) = findings(report)
    assert finding["links"] == [
        {"importer": "app.api.views", "imported": "rq", "lines": [{"line": 1, "text": "import rq"}]}
    ]
    assert finding["site"] == "app/api/views.py:1"


def test_indirect_chain_through_a_non_runtime_module(project: Project) -> None:
    project.write(
        {
            **BASE_APP,
            "app/infra/queues.py": "from rq import Queue\n",
            "app/api/jobs.py": "import json\n\nfrom app.infra import queues\n",
        }
    )
    project.policy()
    project.config(RUNTIME_ONLY)
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [("RB501", "violation", "app.api.jobs -> app.infra.queues -> rq")]
    assert [link["lines"] for link in findings(report)[0]["links"]] == [
        [{"line": 3, "text": "from app.infra import queues"}],
        [{"line": 1, "text": "from rq import Queue"}],
    ]


def test_function_level_import_counts(project: Project) -> None:
    project.write(
        {
            **BASE_APP,
            "app/runtime/lazy.py": """\
                def submit(job):
                    from rq import Queue

                    return Queue().enqueue(job)
                """,
        }
    )
    project.policy()
    project.config(RUNTIME_ONLY)
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [("RB501", "violation", "app.runtime.lazy -> rq")]
    assert findings(report)[0]["links"][0]["lines"] == [{"line": 2, "text": "from rq import Queue"}]


TYPE_CHECKING_MODULE = """\
    from __future__ import annotations

    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        from rq.job import Job


    def describe(job: Job) -> str:
        return job.id
    """


def test_type_checking_import_counts_by_default(project: Project) -> None:
    """An rq type in a runtime signature is still a dependency on rq's design (documented)."""
    project.write({**BASE_APP, "app/api/typed.py": TYPE_CHECKING_MODULE})
    project.policy()
    project.config(RUNTIME_ONLY)
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [("RB501", "violation", "app.api.typed -> rq")]


def test_type_checking_import_excluded_by_the_session_option(project: Project) -> None:
    project.write({**BASE_APP, "app/api/typed.py": TYPE_CHECKING_MODULE})
    project.policy()
    project.config(RUNTIME_ONLY, session="exclude_type_checking_imports = True")
    status, report = project.check_json()
    assert status == 0
    assert summary(report) == []


def test_allowed_legacy_edge_is_kept(project: Project) -> None:
    project.write(BASE_APP)
    project.policy(exception_entry())
    project.config()
    status, report = project.check_json()
    assert status == 0, report
    assert summary(report) == [("RB501", "excepted", "app.workers.legacy -> rq")]
    assert findings(report)[0]["exception"] == "EXC-1"
    assert findings(report)[0]["location"] == "redis-boundary.yaml:3"


HOLE_CONFIG = """
[importlinter:contract:builtin]
name = Built-in forbidden with ignore_imports
type = forbidden
source_modules =
    app.api
    app.runtime
    app.workers
forbidden_modules =
    rq
ignore_imports =
    app.workers.legacy -> rq
"""


def test_new_module_reaching_rq_through_the_allowed_module_breaks(project: Project) -> None:
    """The ignore_imports hole: the built-in contract stays green, ours breaks."""
    project.write({**BASE_APP, "app/api/reports.py": "from app.workers import legacy\n"})
    project.policy(exception_entry())
    project.config(other_contracts=HOLE_CONFIG)

    status, report = project.check_json()
    assert status == 1
    builtin = next(c for c in report["contracts"] if c["id"] == "builtin")
    assert builtin["kept"] is True
    assert summary(report) == [
        ("RB501", "violation", "app.api.reports -> app.workers.legacy -> rq"),
        ("RB501", "excepted", "app.workers.legacy -> rq"),
    ]

    lint = project.lint_imports()
    assert lint.status == 1
    assert "Built-in forbidden with ignore_imports KEPT" in lint.out
    assert "Runtime must not depend on rq BROKEN" in lint.out
    assert "-   app.api.reports -> app.workers.legacy (l.1: from app.workers import legacy)" in (
        lint.out
    )


def test_hole_also_closed_when_runtime_is_one_package(project: Project) -> None:
    """With runtime_modules = app the allowed module is inside the runtime package itself."""
    project.write({**BASE_APP, "app/api/reports.py": "from app.workers import legacy\n"})
    project.policy(exception_entry())
    project.config(("app",))
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [
        ("RB501", "violation", "app.api.reports -> app.workers.legacy -> rq"),
        ("RB501", "excepted", "app.workers.legacy -> rq"),
    ]


def test_a_second_route_from_the_allowed_module_breaks(project: Project) -> None:
    project.write(
        {
            **BASE_APP,
            "app/infra/queues.py": "import rq\n",
            "app/workers/legacy.py": "import rq\nfrom app.infra import queues\n",
        }
    )
    project.policy(exception_entry())
    project.config()
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [
        ("RB501", "violation", "app.workers.legacy -> app.infra.queues -> rq"),
        ("RB501", "excepted", "app.workers.legacy -> rq"),
    ]


def test_multi_hop_allowance_exempts_exactly_its_chain(project: Project) -> None:
    project.write(
        {
            **BASE_APP,
            "app/api/reports.py": "from app.workers import legacy\n",
            "app/api/other.py": "from app.workers import legacy\n",
        }
    )
    project.policy(
        exception_entry(),
        exception_entry("EXC-2", ("app.api.reports -> app.workers.legacy -> rq",)),
    )
    project.config()
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [
        ("RB501", "violation", "app.api.other -> app.workers.legacy -> rq"),
        ("RB501", "excepted", "app.api.reports -> app.workers.legacy -> rq"),
        ("RB501", "excepted", "app.workers.legacy -> rq"),
    ]


def test_expiry_day_is_still_valid_and_the_day_after_is_not(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(BASE_APP)
    project.policy(exception_entry(expiry_date="2026-11-28"))
    project.config()
    status, _ = project.check_json()
    assert status == 0

    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2026-11-29")
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [
        ("RB501", "violation", "app.workers.legacy -> rq"),
        ("RB902", "violation", "app.workers.legacy -> rq"),
    ]
    expired = findings(report)[1]
    assert expired["exception"] == "EXC-1"
    assert "EXC-1 expired on 2026-11-28" in expired["message"]
    assert "owner platform-team" in expired["message"]
    assert "removal issue PLAT-812" in expired["message"]


def test_invalid_exception_breaks_with_rb901(project: Project) -> None:
    project.write(BASE_APP)
    project.write(
        {
            "redis-boundary.yaml": """\
                version: 1
                exceptions:
                  - id: EXC-1
                    exception_reason: no owner given
                    expiry_date: 2099-12-31
                    removal_issue: PLAT-1
                    rules: [RB501]
                    imports: ["app.workers.legacy -> rq"]
                """
        }
    )
    project.config()
    status, report = project.check_json()
    assert status == 1
    rules = summary(report)
    assert ("RB901", "violation", "") in rules
    # The register cannot be trusted: no allowance applies until it is fixed.
    assert ("RB501", "violation", "app.workers.legacy -> rq") in rules
    (invalid,) = [f for f in findings(report) if f["rule"] == "RB901"]
    assert invalid["location"] == "redis-boundary.yaml:3"
    assert "owner" in invalid["message"]


def test_unused_allowance_is_a_warning_only(project: Project) -> None:
    project.write(BASE_APP)
    project.policy(
        exception_entry(),
        exception_entry("EXC-2", ("app.api.gone -> rq",)),
        exception_entry("EXC-3", ("app.infra.thing -> rq",)),
    )
    project.config()
    status, report = project.check_json()
    assert status == 0
    assert summary(report) == [
        ("RB903", "warning", ""),
        ("RB903", "warning", ""),
        ("RB501", "excepted", "app.workers.legacy -> rq"),
    ]
    (contract,) = [c for c in report["contracts"] if c["id"] == "no-rq"]
    assert contract["warnings"] == [
        "RB903 exception-unused: EXC-2 (redis-boundary.yaml:10) allows app.api.gone -> rq, "
        "which matched no chain (no such chain exists); remove it from the register",
        "RB903 exception-unused: EXC-3 (redis-boundary.yaml:17) allows app.infra.thing -> rq, "
        "which matched no chain (app.infra.thing is not in runtime_modules); remove it from the "
        "register",
    ]
    text = project.check()
    assert text.status == 0
    assert "Runtime must not depend on rq KEPT (2 warnings)" in text.out


def test_allowances_for_other_forbidden_modules_are_not_this_contracts(project: Project) -> None:
    project.write(BASE_APP)
    project.policy(exception_entry(), exception_entry("EXC-2", ("app.api.cache -> redis",)))
    project.config()
    status, report = project.check_json()
    assert status == 0
    assert summary(report) == [("RB501", "excepted", "app.workers.legacy -> rq")]


def test_internal_forbidden_module(project: Project) -> None:
    project.write({**BASE_APP, "app/api/x.py": "from app.workers import legacy\n"})
    project.policy()
    project.config(("app.api",), forbidden=("app.workers",))
    status, report = project.check_json()
    assert status == 1
    assert summary(report) == [("RB501", "violation", "app.api.x -> app.workers.legacy")]


# Baseline
# --------


def test_freeze_then_new_chain_then_removed_chain(project: Project) -> None:
    project.write(
        {
            **BASE_APP,
            "app/api/a.py": "import rq\n",
            "app/api/b.py": "from app.workers import legacy\n",
        }
    )
    project.policy(exception_entry())
    project.config(baseline=".redis-boundary-baseline.json")

    missing = project.check()
    assert missing.status == 2
    assert "create it with `redis-boundary freeze`" in missing.err

    frozen = project.cli("freeze")
    assert frozen.status == 0, frozen.err
    assert frozen.out.splitlines() == [
        "redis-boundary: froze 2 chain(s) in .redis-boundary-baseline.json (+2 added, -0 removed)",
        "  + app.api.a -> rq",
        "  + app.api.b -> app.workers.legacy -> rq",
    ]
    data = json.loads((project.root / ".redis-boundary-baseline.json").read_text())
    assert data["schema"] == "redis-boundary-baseline/1"
    assert "redis-boundary freeze" in data["note"]
    # Module names only, sorted; the allowed chain is not frozen (its exception covers it).
    assert data["chains"] == ["app.api.a -> rq", "app.api.b -> app.workers.legacy -> rq"]

    status, report = project.check_json()
    assert status == 0
    assert summary(report) == [
        ("RB501", "excepted", "app.workers.legacy -> rq"),
        ("RB502", "frozen", "app.api.a -> rq"),
        ("RB502", "frozen", "app.api.b -> app.workers.legacy -> rq"),
    ]

    # Moving the import to another line changes nothing.
    project.write({"app/api/a.py": '"""Docs."""\n\nimport os\nimport rq\n'})
    assert project.check_json()[0] == 0

    # A new chain breaks (RB502).
    project.write({"app/runtime/new.py": "from app.api import a\n"})
    status, report = project.check_json()
    assert status == 1
    assert ("RB502", "violation", "app.runtime.new -> app.api.a -> rq") in summary(report)
    project.remove("app/runtime/new.py")

    # A removed chain is reported (warning) and freeze shrinks the file.
    project.remove("app/api/b.py")
    status, report = project.check_json()
    assert status == 0
    (contract,) = [c for c in report["contracts"] if c["id"] == "no-rq"]
    assert contract["warnings"] == [
        "RB502 rq-import-new: 'app.api.b -> app.workers.legacy -> rq' is frozen in "
        ".redis-boundary-baseline.json but no longer exists; remove it with "
        "`redis-boundary freeze`"
    ]
    shrunk = project.cli("freeze")
    assert shrunk.out.splitlines() == [
        "redis-boundary: froze 1 chain(s) in .redis-boundary-baseline.json (+0 added, -1 removed)",
        "  - app.api.b -> app.workers.legacy -> rq",
    ]
    assert json.loads((project.root / ".redis-boundary-baseline.json").read_text())["chains"] == [
        "app.api.a -> rq"
    ]


def test_freeze_output_option_and_no_baseline_error(project: Project) -> None:
    project.write({**BASE_APP, "app/api/a.py": "import rq\n"})
    project.policy()
    project.config()
    nowhere = project.cli("freeze")
    assert nowhere.status == 2
    assert "has no baseline" in nowhere.err
    written = project.cli("freeze", "--output", "out/frozen.json")
    assert written.status == 0
    assert json.loads((project.root / "out/frozen.json").read_text())["chains"] == [
        "app.api.a -> rq",
        "app.workers.legacy -> rq",
    ]


def test_malformed_baseline_is_a_usage_error(project: Project) -> None:
    project.write({**BASE_APP, ".redis-boundary-baseline.json": '{"schema": "nope"}'})
    project.policy()
    project.config(baseline=".redis-boundary-baseline.json")
    run = project.check()
    assert run.status == 2
    assert "expected schema 'redis-boundary-baseline/1'" in run.err
    assert "Traceback" not in run.err


# Configuration errors
# --------------------


def test_missing_runtime_modules(project: Project) -> None:
    project.write(BASE_APP)
    project.policy()
    project.config(runtime=())
    run = project.check()
    assert run.status == 2
    assert run.out == ""
    assert run.err == (
        'redis-boundary: .importlinter: contract "Runtime must not depend on rq" is not '
        "configured correctly:\n    runtime_modules: This is a required field.\n"
    )


def test_bad_policy_path(project: Project) -> None:
    project.write(BASE_APP)
    project.config(policy="missing.yaml")
    run = project.check()
    assert run.status == 2
    assert "policy: " in run.err
    assert "missing.yaml" in run.err
    assert "cannot read the policy file" in run.err
    assert "Traceback" not in run.err


def test_malformed_policy(project: Project) -> None:
    project.write({**BASE_APP, "redis-boundary.yaml": "version: 1\nexceptions: [\n"})
    project.config()
    run = project.check()
    assert run.status == 2
    assert "redis-boundary.yaml:" in run.err
    assert "invalid YAML" in run.err


def test_unknown_option_and_bad_today(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.write(BASE_APP)
    project.policy()
    project.config(extra_contract="baseine = x.json")
    run = project.check()
    assert run.status == 2
    assert "baseine: Unrecognized option. Did you mean 'baseline'?" in run.err

    project.config()
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "28/11/2026")
    run = project.check()
    assert run.status == 2
    assert "REDIS_BOUNDARY_TODAY" in run.err


def test_missing_config_file_and_missing_module(project: Project) -> None:
    run = project.check("--config", "nope.ini")
    assert run.status == 2
    assert "nope.ini" in run.err
    project.write(BASE_APP)
    project.policy()
    project.config(("app.api", "app.nothing"))
    run = project.check()
    assert run.status == 2
    assert "Module 'app.nothing' does not exist." in run.err


def test_config_elsewhere_resolves_relative_paths_from_its_folder(project: Project) -> None:
    project.write({**BASE_APP, "app/api/a.py": "import rq\n"})
    project.policy(exception_entry("EXC-1", ("app.api.a -> rq",)), path="conf/rb.yaml")
    project.config(("app.api",), policy="rb.yaml", path="conf/contracts.ini")
    run = project.check("--config", "conf/contracts.ini", "--format", "json")
    status, report = run.status, run.json()
    assert status == 0, run.err
    assert summary(report) == [("RB501", "excepted", "app.api.a -> rq")]
    assert findings(report)[0]["location"] == "conf/rb.yaml:3"
    # lint-imports, given the file as an argument, resolves the same way.
    lint = project.lint_imports("--config", "conf/contracts.ini")  # every import-linter release
    assert lint.status == 0, lint.out
    assert "Runtime must not depend on rq KEPT" in lint.out
    # Without the config's folder the policy would not be found: prove it is not the cwd's.
    assert not (project.root / "rb.yaml").exists()


# Output
# ------


def _broken_text(run: Run) -> str:
    """The broken contract's text in lint-imports' output, after its underlined title."""
    assert run.status == 1
    title = "Runtime must not depend on rq\n-----------------------------\n"
    return run.out[run.out.index(title) + len(title) :]


def test_text_rendering_exact(project: Project) -> None:
    project.write({**BASE_APP, "app/api/x.py": "from app.workers import legacy\n"})
    project.policy(exception_entry())
    project.config(("app.api", "app.workers"))
    assert _broken_text(project.lint_imports()) == textwrap.dedent(
        """\

        RB501 rq-import: app.api.x must not depend on rq:

        -   app.api.x -> app.workers.legacy (l.1: from app.workers import legacy)
            app.workers.legacy -> rq (l.1: import rq)

        """
    )


def test_sarif_shape(project: Project) -> None:
    project.write({**BASE_APP, "app/api/x.py": "import os\nimport rq\n"})
    project.policy(exception_entry(), exception_entry("EXC-2", ("app.api.nothing -> rq",)))
    project.config()
    run = project.check("--format", "sarif")
    assert run.status == 1
    sarif = run.json()
    assert sarif["version"] == "2.1.0"
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pytest-redis-boundary"
    assert [r["id"] for r in driver["rules"]] == ["RB501", "RB502", "RB901", "RB902", "RB903"]
    results = sarif["runs"][0]["results"]
    located = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            "suppressions" in r,
        )
        for r in results
    ]
    assert located == [
        ("RB501", "error", "app/api/x.py", 2, False),
        ("RB903", "warning", "redis-boundary.yaml", 10, False),
        ("RB501", "error", "app/workers/legacy.py", 1, True),
    ]


def test_json_shape(project: Project) -> None:
    project.write({**BASE_APP, "app/api/x.py": "import rq\n"})
    project.policy()
    project.config(other_contracts=HOLE_CONFIG)
    status, report = project.check_json()
    assert status == 1
    assert report["schema"] == "redis-boundary-contracts/1"
    assert report["tool"]["name"] == "pytest-redis-boundary"
    assert report["today"] == "2026-11-28"
    assert report["config"] == ".importlinter"
    assert report["summary"] == {
        "contracts": 2,
        "kept": 0,
        "broken": 2,
        "violations": 2,
        "warnings": 0,
    }
    ours, builtin = report["contracts"]
    assert set(ours) == {"id", "name", "type", "kept", "warnings", "findings", "groups", "details"}
    assert ours["type"] == "rq_retirement"
    assert set(ours["findings"][0]) == {
        "rule",
        "name",
        "verdict",
        "message",
        "chain",
        "links",
        "site",
        "exception",
        "location",
    }
    assert builtin["type"] == "forbidden"
    assert builtin["findings"] is None
    assert builtin["groups"] is None
    assert "app.api is not allowed to import rq" in builtin["details"]


def test_cli_without_a_command_and_help(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_redis_boundary.cli import main

    assert main([]) == 2
    assert "check" in capsys.readouterr().err
    try:
        main(["check", "--help"])
    except SystemExit as exit:
        assert exit.code == 0
    assert "--format {text,json,sarif}" in capsys.readouterr().out
    try:
        main(["check", "--format", "xml"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


DENSE_APP = {
    **BASE_APP,
    "app/workers/other.py": "import os\nimport rq\n",
    "app/api/a.py": "from app.workers import legacy\n",
    "app/api/b.py": "import app.api.a\nfrom app.runtime import c\n",
    "app/runtime/c.py": "from app.workers import legacy\n",
    "app/runtime/d.py": "import app.api.b\n",
    "app/runtime/e.py": "import app.workers.other\n",
}


GROUP_HEADER = (
    "RB501 rq-import: 4 runtime modules must not depend on rq through app.workers.legacy -> rq "
    "(l.1: import rq); the shortest chain, from app.api.a:"
)


def _dense_project(project: Project) -> None:
    project.write(DENSE_APP)
    project.policy()
    project.config(RUNTIME_ONLY)


def test_chains_are_grouped_by_the_import_to_cut(project: Project) -> None:
    _dense_project(project)
    assert _broken_text(project.lint_imports()) == textwrap.dedent(
        """\

        {header}

        -   app.api.a -> app.workers.legacy (l.1: from app.workers import legacy)
            app.workers.legacy -> rq (l.1: import rq)

        (lint-imports --verbose lists all 4 chains)

        RB501 rq-import: app.runtime.e must not depend on rq:

        -   app.runtime.e -> app.workers.other (l.1: import app.workers.other)
            app.workers.other -> rq (l.2: import rq)

        """
    ).format(header=GROUP_HEADER)


def test_verbose_lists_every_chain_of_a_group(project: Project) -> None:
    _dense_project(project)
    run = project.lint_imports("--verbose")
    assert run.status == 1
    listing = run.out[run.out.index("All 4 chains through") :]
    assert listing.startswith("All 4 chains through app.workers.legacy -> rq:\n\n")
    starts = [line.split()[1] for line in listing.splitlines() if line.startswith("-   ")]
    assert starts == ["app.api.a", "app.api.b", "app.runtime.c", "app.runtime.d", "app.runtime.e"]
    assert "app.runtime.d -> app.api.b (l.1: import app.api.b)" in listing


def test_json_groups_carry_every_module_of_an_edge(project: Project) -> None:
    _dense_project(project)
    status, report = project.check_json()
    assert status == 1
    (ours,) = report["contracts"]
    assert len(ours["findings"]) == 5
    assert ours["groups"] == [
        {
            "rule": "RB501",
            "importer": "app.workers.legacy",
            "imported": "rq",
            "lines": [{"line": 1, "text": "import rq"}],
            "count": 4,
            "example": ["app.api.a", "app.workers.legacy", "rq"],
            "modules": ["app.api.a", "app.api.b", "app.runtime.c", "app.runtime.d"],
        },
        {
            "rule": "RB501",
            "importer": "app.workers.other",
            "imported": "rq",
            "lines": [{"line": 2, "text": "import rq"}],
            "count": 1,
            "example": ["app.runtime.e", "app.workers.other", "rq"],
            "modules": ["app.runtime.e"],
        },
    ]


@pytest.mark.parametrize("session_line", ["root_packages = app", "root_package = app"])
def test_freeze_reads_a_single_root_package_written_on_one_line(
    project: Project, session_line: str
) -> None:
    project.write({**BASE_APP, "app/api/a.py": "import rq\n"})
    project.policy(exception_entry())
    project.config(baseline=".redis-boundary-baseline.json")
    config = project.root / ".importlinter"
    config.write_text(config.read_text().replace("root_packages =\n    app", session_line))
    frozen = project.cli("freeze")
    assert frozen.status == 0, frozen.err
    assert "  + app.api.a -> rq" in frozen.out.splitlines()


def test_a_config_file_without_import_linters_section_says_so(project: Project) -> None:
    (project.root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (project.root / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n")
    run = project.check()
    assert run.status == 2
    assert run.err.strip() == (
        "redis-boundary: setup.cfg and pyproject.toml found here, but without an import-linter "
        "section ([importlinter] or [tool.importlinter]); add one, or pass --config FILE."
    )
