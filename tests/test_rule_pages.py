"""Every rule has a docs page whose failing example really fails with that rule, printing what
the page says it prints (scripts/rule_pages.py builds the pages, examples/rules holds the
examples)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pytest_redis_boundary.core.catalogue import CONTRACT_CLAUSES, RULE_NAMES
from scripts.rule_pages import EXAMPLES, Example, load_example, rule_page
from tests.plugin.common import TODAY, run

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO / "docs" / "redis-rq-retirement-boundary.md"


def _normalised(text: str) -> str:
    """Whitespace collapsed, so a line the terminal wrapped still reads as one."""
    return " ".join(text.split())


def _printed(line: str, output: str) -> bool:
    """``line`` (``<id>`` standing for any id) is in ``output``."""
    pattern = r"\S+".join(re.escape(part) for part in _normalised(line).split("<id>"))
    return re.search(pattern, _normalised(output)) is not None


def _contract_sections() -> dict[str, str]:
    parts = re.split(r"^## ", CONTRACT.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {part.split("\n", 1)[0].strip(): part for part in parts[1:]}


def test_every_rule_has_an_example_and_a_page_quoting_its_clause() -> None:
    sections = _contract_sections()
    for rule, name in RULE_NAMES.items():
        section, clause = CONTRACT_CLAUSES[rule]
        assert _normalised(clause) in _normalised(sections[section]), rule
        page = rule_page(rule)
        assert page.startswith(f"# {rule} {name}\n"), rule
        assert f"> {clause}" in page
        assert "## A failing example" in page and "## How to except it" in page


def test_the_site_lists_every_rule_page_in_its_nav() -> None:
    # mkdocs.yml carries python tags mkdocs resolves; the nav needs none of them.
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    nav = yaml.safe_load(text[text.index("\nnav:") :])["nav"]
    rules = next(entry["Rules"] for entry in nav if "Rules" in entry)
    pages = [page for entry in rules for page in entry.values()]
    assert pages == ["reference/rules.md", *(f"rules/{rule}.md" for rule in RULE_NAMES)]


def test_a_rule_without_an_example_is_named() -> None:
    with pytest.raises(ValueError, match=r"no example for RB999: add test_rb999\.py"):
        load_example("RB999")


PLUGIN_RULES = [rule for rule in RULE_NAMES if not rule.startswith("RB5")]
IMPORT_RULES = [rule for rule in RULE_NAMES if rule.startswith("RB5")]


def _write_files(example: Example, into: Path) -> None:
    for name, text in example.files.items():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("rule", PLUGIN_RULES)
def test_each_plugin_example_fails_with_its_rule(pytester: pytest.Pytester, rule: str) -> None:
    example = load_example(rule)
    _write_files(example, pytester.path)
    options = example.command.split()[1:-1]
    result = run(pytester, *options)
    assert result.ret != 0, f"the {rule} example passed:\n{result.stdout.str()}"
    output = result.stdout.str()
    for line in example.output:
        assert _printed(line, output), f"{rule}: {line!r} is not printed:\n{output}"
    assert f"{rule} {RULE_NAMES[rule]}: " in output


_CLI = "import sys; from pytest_redis_boundary.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("rule", IMPORT_RULES)
def test_each_import_example_breaks_the_contract_with_its_rule(tmp_path: Path, rule: str) -> None:
    shutil.copytree(EXAMPLES / rule.lower(), tmp_path, dirs_exist_ok=True)
    example = load_example(rule)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "REDIS_BOUNDARY_TODAY": TODAY}
    result = subprocess.run(
        [sys.executable, "-c", _CLI, "check", "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    for line in example.output:
        assert _printed(line, result.stdout), f"{rule}: {line!r} is not printed:\n{result.stdout}"
