from __future__ import annotations

import pytest

from tests.plugin.common import add_app


@pytest.fixture
def app(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester dir holding the example application as ``examples.app``."""
    add_app(pytester)
    return pytester
