"""The rule catalogue and the rules reference page say the same thing (docs/reference/rules.md)."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, RULE_NAMES

RULES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "rules.md"


def _sections() -> dict[str, str]:
    """Each ``## RBnnn name`` section of the rules page: heading -> its text."""
    parts = re.split(r"^## ", RULES_PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {part.split("\n", 1)[0].strip(): part for part in parts[1:]}


def _how_to_fix(section: str) -> str:
    """The quoted how-to-fix paragraph of one section, joined into one line."""
    _, _, after = section.partition("How to fix:")
    quoted = [line[2:] for line in after.strip().splitlines() if line.startswith("> ")]
    return " ".join(quoted)


def test_every_rule_has_a_section_headed_by_its_id_and_name() -> None:
    headings = [h for h in _sections() if re.match(r"RB\d{3} ", h)]
    assert headings == [f"{rule} {name}" for rule, name in RULE_NAMES.items()]


def test_every_section_quotes_the_catalogue_how_to_fix_text_exactly() -> None:
    sections = _sections()
    for rule, name in RULE_NAMES.items():
        quoted = _how_to_fix(sections[f"{rule} {name}"])
        assert quoted == HOW_TO_FIX.get(rule, ""), rule
