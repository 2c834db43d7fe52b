"""What the plugin keeps on a test item (``item.stash``), shared by the hooks and the fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pytest

from pytest_redis_boundary.pytest_plugin.expectations import Expectations
from pytest_redis_boundary.pytest_plugin.governed import GovernedTest
from pytest_redis_boundary.pytest_plugin.recording import Recording

__all__ = ["FAILURE_SECTION_KEY", "TEST_KEY", "BoundaryTest"]


@dataclass(frozen=True, slots=True)
class BoundaryTest:
    """One running test: what it sent, what its expect blocks took, and its verdicts."""

    recording: Recording
    expectations: Expectations
    governed: GovernedTest


TEST_KEY: Final = pytest.StashKey[BoundaryTest]()
"""Set in setup, deleted at the end of teardown."""
FAILURE_SECTION_KEY: Final = pytest.StashKey[str]()
"""The findings of a test that failed on its own, for its report's ``redis-boundary`` section."""
