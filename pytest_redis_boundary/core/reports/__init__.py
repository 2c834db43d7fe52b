"""Reports: the JSON report of a run and its SARIF, markdown and text renderings
(docs/reference/reports.md).

``build_report`` is the only writer of the document; ``load_report`` the only reader, which checks
it at the door and raises one ``ReportInvalid`` naming the file and the problem. The renderers
take the document (built or loaded) and only format ``Finding`` fields: a report never holds a
stored value because a ``Finding`` never does.

The SARIF helpers (``sarif_log``, ``sarif_rules``, ``sarif_location``) are shared with the import
contracts' ``redis-boundary check --format sarif``.
"""

from __future__ import annotations

from pytest_redis_boundary.core.catalogue import RULE_DESCRIPTIONS
from pytest_redis_boundary.core.reports.document import (
    FINDING_FIELDS,
    SCHEMA,
    TOOL_NAME,
    ReportInvalid,
    build_report,
    findings_of,
    load_report,
    save_report,
)
from pytest_redis_boundary.core.reports.markdown import MARKDOWN_LIMIT, to_markdown
from pytest_redis_boundary.core.reports.sarif import (
    sarif_location,
    sarif_log,
    sarif_rules,
    to_sarif,
)
from pytest_redis_boundary.core.reports.text import to_text

__all__ = [
    "FINDING_FIELDS",
    "MARKDOWN_LIMIT",
    "RULE_DESCRIPTIONS",
    "SCHEMA",
    "TOOL_NAME",
    "ReportInvalid",
    "build_report",
    "findings_of",
    "load_report",
    "sarif_location",
    "sarif_log",
    "sarif_rules",
    "save_report",
    "to_markdown",
    "to_sarif",
    "to_text",
]
