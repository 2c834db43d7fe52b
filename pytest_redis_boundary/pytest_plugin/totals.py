"""What a whole run recorded, in a form xdist workers can send to their controller.

A serial run and the controller of an xdist run build the summary and the reports from the
same ``RunTotals`` (the controller merges one per worker), so they say the same thing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_redis_boundary.core.cache_limits import KEYS_PER_CLASS_LIMIT
from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry, merge_entries

__all__ = ["RunTotals", "wire_value"]

"""Distinct written keys remembered per key class (the summary shows ``100000+`` beyond)."""

Site = tuple[str, int, str]  # path, line, function


def wire_value(value: object) -> object:
    """A marker argument as plain data execnet can send (dates become ISO strings)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [wire_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): wire_value(v) for k, v in value.items()}
    return value


@dataclass
class RunTotals:
    tests: int = 0
    calls: int = 0
    findings: list[Finding] = field(default_factory=list)
    site_calls: dict[Site, int] = field(default_factory=dict)
    keys_by_class: dict[str, set[str]] = field(default_factory=dict)
    markers: dict[str, dict[str, object]] = field(default_factory=dict)  # nodeid -> kwargs
    problems: list[str] = field(default_factory=list)  # recorder errors, described
    silent_tests: int = 0  # judged tests that sent no command through redis-py
    unrecorded_clients: set[str] = field(default_factory=set)  # other_clients, imported
    inventory: list[InventoryEntry] = field(default_factory=list)  # by shape
    endpoints: set[str] = field(default_factory=set)  # handled during the run, by any test

    def add_inventory(self, entries: list[InventoryEntry]) -> None:
        self.inventory = merge_entries([self.inventory, entries])

    def add_test(
        self,
        findings: list[Finding],
        calls: int,
        site_calls: Mapping[CallSite | None, int],
        keys_by_class: Mapping[str, set[str]],
    ) -> None:
        self.tests += 1
        self.calls += calls
        if not calls:
            self.silent_tests += 1
        self.findings.extend(findings)
        for site, count in site_calls.items():
            where: Site = (
                ("<unknown>", 0, "")
                if site is None
                else (
                    site.path,
                    site.line,
                    site.function,
                )
            )
            self.site_calls[where] = self.site_calls.get(where, 0) + count
        self._add_keys(keys_by_class)

    def _add_keys(self, keys_by_class: Mapping[str, set[str]] | Mapping[str, list[str]]) -> None:
        for name, keys in keys_by_class.items():
            known = self.keys_by_class.setdefault(name, set())
            for key in keys:
                if len(known) >= KEYS_PER_CLASS_LIMIT:
                    break
                known.add(key)

    # --- xdist ------------------------------------------------------------------------------

    def to_wire(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "calls": self.calls,
            "findings": [f.to_json() for f in self.findings],
            "site_calls": [[p, line, fn, n] for (p, line, fn), n in self.site_calls.items()],
            "keys_by_class": {name: sorted(keys) for name, keys in self.keys_by_class.items()},
            "markers": {nodeid: wire_value(raw) for nodeid, raw in self.markers.items()},
            "problems": list(self.problems),
            "silent_tests": self.silent_tests,
            "unrecorded_clients": sorted(self.unrecorded_clients),
            "inventory": [entry.to_json() for entry in self.inventory],
            "endpoints": sorted(self.endpoints),
        }

    def merge_wire(self, data: Mapping[str, Any]) -> None:
        self.tests += int(data.get("tests", 0))
        self.calls += int(data.get("calls", 0))
        self.findings.extend(Finding.from_json(f) for f in data.get("findings", ()))
        for path, line, function, count in data.get("site_calls", ()):
            where: Site = (str(path), int(line), str(function))
            self.site_calls[where] = self.site_calls.get(where, 0) + int(count)
        self._add_keys(data.get("keys_by_class", {}))
        for nodeid, raw in data.get("markers", {}).items():
            self.markers.setdefault(str(nodeid), dict(raw))
        self.problems.extend(str(p) for p in data.get("problems", ()))
        self.silent_tests += int(data.get("silent_tests", 0))
        self.unrecorded_clients.update(str(m) for m in data.get("unrecorded_clients", ()))
        self.add_inventory([InventoryEntry.from_json(e) for e in data.get("inventory", ())])
        self.endpoints.update(str(e) for e in data.get("endpoints", ()))
