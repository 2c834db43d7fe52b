"""The integrations the repository ships: the pre-commit hook and the CI recipes of examples/ci.

Each file is validated by the tool that reads it (pre-commit's own manifest check, and the
GitHub-workflow and GitLab-CI schemas that check-jsonschema carries), and every plugin option and
``redis-boundary`` command the recipes run must be one the plugin and the CLI really have."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_redis_boundary.cli import build_parser
from tests.plugin.common import REPO

BIN = Path(sys.executable).parent
RECIPES = {
    "github-actions.yml": "vendor.github-workflows",
    "gitlab-ci.yml": "vendor.gitlab-ci",
}


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)


@pytest.mark.parametrize(("name", "schema"), sorted(RECIPES.items()))
def test_ci_recipe_is_valid_for_its_ci(name: str, schema: str) -> None:
    done = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        schema,
        str(REPO / "examples" / "ci" / name),
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_manifest_is_valid() -> None:
    done = _run(str(BIN / "pre-commit"), "validate-manifest", ".pre-commit-hooks.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "redis-boundary-check"
    assert shlex.split(hook["entry"]) == ["redis-boundary", "check"]


def _shell_lines(recipe: Any) -> list[str]:
    """Every shell command of a recipe: GitHub steps' ``run`` blocks, GitLab's script lists."""
    found: list[str] = []
    if isinstance(recipe, dict):
        for key, value in recipe.items():
            if key == "run" and isinstance(value, str):
                found.extend(value.replace("\\\n", " ").splitlines())
            elif key in ("script", "after_script", "before_script") and isinstance(value, list):
                found.extend(str(line).replace("\n", " ") for line in value)
            else:
                found.extend(_shell_lines(value))
    elif isinstance(recipe, list):
        for item in recipe:
            found.extend(_shell_lines(item))
    return found


def _plugin_options() -> set[str]:
    text = (REPO / "pytest_redis_boundary" / "pytest_plugin" / "options.py").read_text()
    return set(re.findall(r'"(--redis-boundary[a-z-]*)"', text))


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_ci_recipe_runs_only_real_options_and_commands(name: str) -> None:
    recipe = yaml.safe_load((REPO / "examples" / "ci" / name).read_text(encoding="utf-8"))
    lines = _shell_lines(recipe)
    options = _plugin_options()
    used = {m for line in lines for m in re.findall(r"(--redis-boundary[a-z-]*)", line)}
    assert used, f"{name} runs no pytest with the plugin's options"
    assert used <= options, f"{name} uses options the plugin lacks: {sorted(used - options)}"
    parser = build_parser()
    commands = [line.split("redis-boundary ", 1)[1] for line in lines if "redis-boundary " in line]
    assert {"diff", "report", "check"} <= {command.split()[0] for command in commands}
    for command in commands:
        argv = shlex.split(command.split(">")[0].split("||")[0])
        parser.parse_args(argv)  # argparse exits 2 (SystemExit) on an unknown command or option
