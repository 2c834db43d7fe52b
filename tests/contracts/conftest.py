"""Fixture projects on disk for the rq_retirement contract: real grimp, real import-linter."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main

VENV_BIN = Path(sys.executable).parent

CONTRACT_TYPES = """\
contract_types =
    rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract
"""


def exception_entry(
    id: str = "EXC-1",
    imports: tuple[str, ...] = ("app.workers.legacy -> rq",),
    expiry_date: str = "2099-12-31",
    **extra: str,
) -> str:
    lines = [
        f"  - id: {id}",
        "    owner: platform-team",
        "    exception_reason: legacy worker until the product store migration ships",
        f"    expiry_date: {expiry_date}",
        "    removal_issue: PLAT-812",
        "    rules: [RB501, RB502]",
        f"    imports: {json.dumps(list(imports))}",
    ]
    lines += [f"    {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def policy_with(*entries: str) -> str:
    if not entries:
        return "version: 1\nexceptions: []\n"
    return "version: 1\nexceptions:\n" + "".join(entries)


@dataclass
class Run:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Project:
    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, files: Mapping[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        importlib.invalidate_caches()

    def remove(self, name: str) -> None:
        (self.root / name).unlink()
        importlib.invalidate_caches()

    def config(
        self,
        runtime: tuple[str, ...] = ("app.api", "app.runtime", "app.workers"),
        *,
        policy: str | None = "redis-boundary.yaml",
        baseline: str | None = None,
        extra_contract: str = "",
        session: str = "",
        path: str = ".importlinter",
        forbidden: tuple[str, ...] | None = None,
        other_contracts: str = "",
    ) -> None:
        lines = [
            "[importlinter]",
            "root_packages =",
            "    app",
            "include_external_packages = True",
            CONTRACT_TYPES.rstrip(),
            session.rstrip(),
            "",
            "[importlinter:contract:no-rq]",
            "name = Runtime must not depend on rq",
            "type = rq_retirement",
        ]
        if runtime:
            lines += ["runtime_modules =", *(f"    {m}" for m in runtime)]
        if forbidden is not None:
            lines += ["forbidden_modules =", *(f"    {m}" for m in forbidden)]
        if policy is not None:
            lines.append(f"policy = {policy}")
        if baseline is not None:
            lines.append(f"baseline = {baseline}")
        lines.append(extra_contract.rstrip())
        lines.append(other_contracts)
        self.write({path: "\n".join(line for line in lines if line is not None) + "\n"})

    def policy(self, *entries: str, path: str = "redis-boundary.yaml") -> None:
        self.write({path: policy_with(*entries)})

    def cli(self, *args: str) -> Run:
        """``redis-boundary ARGS`` in this process (no grimp cache)."""
        self.capsys.readouterr()
        status = main([*args, "--no-cache"]) if args else main([])
        captured = self.capsys.readouterr()
        return Run(status, captured.out, captured.err)

    def check(self, *args: str) -> Run:
        return self.cli("check", *args)

    def check_json(self) -> tuple[int, dict[str, Any]]:
        run = self.check("--format", "json")
        assert run.err == "", run.err
        return run.status, run.json()

    def lint_imports(self, *args: str, cwd: Path | None = None) -> Run:
        """The real ``lint-imports`` console script, as CI runs it."""
        env = {**os.environ, "COLUMNS": "200"}
        done = subprocess.run(
            [str(VENV_BIN / "lint-imports"), "--no-cache", "--no-logo", *args],
            cwd=cwd or self.root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Project]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2026-11-28")
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        monkeypatch.delitem(sys.modules, name)
    yield Project(tmp_path, capsys)


BASE_APP = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/runtime/__init__.py": "",
    "app/workers/__init__.py": "",
    "app/infra/__init__.py": "",
    "app/workers/legacy.py": """\
        import rq


        def enqueue(job):
            return rq.Queue().enqueue(job)
        """,
}


def findings(report: dict[str, Any], contract: str = "no-rq") -> list[dict[str, Any]]:
    (found,) = [c for c in report["contracts"] if c["id"] == contract]
    result: list[dict[str, Any]] = found["findings"]
    return result


def summary(report: dict[str, Any], contract: str = "no-rq") -> list[tuple[str, str, str]]:
    """(rule, verdict, chain text) of each finding: the shape most tests assert on."""
    return [
        (f["rule"], f["verdict"], " -> ".join(f["chain"]) if f["chain"] else "")
        for f in findings(report, contract)
    ]
