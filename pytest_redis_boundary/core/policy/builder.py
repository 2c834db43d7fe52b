"""Building a :class:`Policy` from a policy file's composed YAML, section by section.

A file's top-level sections replace the built-in default's sections whole; sections it omits keep
the default's. Inside a section a file gives, an omitted list is empty, an omitted
``tenant.required`` is true, and an omitted (or null) ``max_ttl_seconds`` means no limit.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from typing import Final, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..governance import GovernedException, validate_exception
from ..imports.baseline import BaselineInvalid
from ..patterns import KeyPattern, PatternError, PatternSet
from ..runtime_baseline import RuntimeBaseline, parse_runtime_baseline
from .model import (
    BusinessPolicy,
    CallsitePolicy,
    KeyClass,
    ObservabilityPolicy,
    Policy,
    RqPolicy,
    TenantPolicy,
)
from .yaml_nodes import TAG_BOOL, TAG_INT, TAG_NULL, NodeReader, describe, is_null, is_str, line_of

__all__ = ["PolicyBuilder"]

_T = TypeVar("_T")

SUPPORTED_VERSION: Final = 1
SECTIONS: Final = (
    "version",
    "tenant",
    "classes",
    "business",
    "rq",
    "observability",
    "callsite",
    "exceptions",
    "baseline",
)
_TENANT_KEYS: Final = ("key_patterns", "required")
_CLASS_KEYS: Final = ("keys", "max_ttl_seconds", "read_through")
_BUSINESS_KEYS: Final = ("keys", "fields")
_RQ_KEYS: Final = ("prefixes",)
_OBSERVABILITY_KEYS: Final = ("loggers", "required_fields")
_CALLSITE_KEYS: Final = ("skip_modules",)
_MODULE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class PolicyBuilder(NodeReader):
    """Checks each section of a policy file and builds the Policy when nothing is wrong."""

    def build(self, root: Node | None, base: Policy | None) -> Policy | None:
        if root is None or (isinstance(root, ScalarNode) and root.tag == TAG_NULL):
            if base is None:
                self.error(None, "", "the built-in policy is empty", "reinstall the package")
                return None
            return _replace_source(base, self.path)
        if not isinstance(root, MappingNode):
            self.error(
                root,
                "",
                f"the top level must be a mapping of sections, got {describe(root)}",
                f"start the file with 'version: 1' and use the sections {', '.join(SECTIONS)}",
            )
            return None
        sections = self.mapping(root, "", SECTIONS, "a mapping of sections")
        assert sections is not None

        def section(name: str, build: Callable[[Node], _T], fallback: Callable[[Policy], _T]) -> _T:
            if name in sections:
                return build(sections[name])
            if base is None:
                raise RuntimeError(f"{self.path} lacks the {name!r} section")
            return fallback(base)

        version = self.version(sections.get("version"), root)
        tenant = section("tenant", self.tenant, lambda p: p.tenant)
        classes = section("classes", self.classes, lambda p: p.classes)
        business = section("business", self.business, lambda p: p.business)
        rq = section("rq", self.rq, lambda p: p.rq)
        observability = section("observability", self.observability, lambda p: p.observability)
        callsite = section("callsite", self.callsite, lambda p: p.callsite)
        exceptions = section("exceptions", self.exceptions, lambda p: p.exceptions)
        # Optional everywhere, the built-in default included.
        baseline = (
            self.baseline(sections["baseline"])
            if "baseline" in sections
            else (base.baseline if base is not None else None)
        )
        if self.errors:
            return None
        return Policy(
            version=version,
            tenant=tenant,
            classes=classes,
            business=business,
            rq=rq,
            observability=observability,
            exceptions=exceptions,
            callsite=callsite,
            baseline=baseline,
            source=self.path,
        )

    def version(self, node: Node | None, root: Node) -> int:
        fix = f"write 'version: {SUPPORTED_VERSION}'"
        if node is None:
            return SUPPORTED_VERSION
        if isinstance(node, ScalarNode) and node.tag == TAG_INT:
            value = self.constructor.construct_object(node)
            if value == SUPPORTED_VERSION:
                return SUPPORTED_VERSION
            self.error(
                node,
                "version",
                f"unsupported version {value}; this plugin reads version {SUPPORTED_VERSION}",
                fix,
            )
            return SUPPORTED_VERSION
        self.error(node, "version", f"expected the number 1, got {describe(node)}", fix)
        return SUPPORTED_VERSION

    def tenant(self, node: Node) -> TenantPolicy:
        keys = self.mapping(node, "tenant", _TENANT_KEYS, "a mapping") if not is_null(node) else {}
        keys = keys or {}
        patterns: list[KeyPattern] = []
        before = len(self.errors)
        for index, (item, text) in enumerate(
            self.strings(keys.get("key_patterns"), "tenant.key_patterns", "'t:{tenant}:*'")
        ):
            try:
                pattern = KeyPattern(text)
            except PatternError as err:
                self.error(item, f"tenant.key_patterns[{index}]", err.summary, err.fix)
                continue
            if not pattern.has_tenant:
                self.error(
                    item,
                    f"tenant.key_patterns[{index}]",
                    f"the pattern {text!r} has no {{tenant}}, so it cannot tell a key's tenant",
                    "mark the tenant segment with {tenant}, e.g. 't:{tenant}:*'",
                )
                continue
            patterns.append(pattern)
        pattern_errors = len(self.errors) - before
        required = True
        required_node = keys.get("required")
        if required_node is not None:
            if isinstance(required_node, ScalarNode) and required_node.tag == TAG_BOOL:
                required = bool(self.constructor.construct_object(required_node))
            else:
                self.error(
                    required_node,
                    "tenant.required",
                    f"expected true or false, got {describe(required_node)}",
                    "write 'required: true' or 'required: false'",
                )
        if required and not patterns and not pattern_errors:
            self.error(
                keys.get("key_patterns") or node,
                "tenant.key_patterns",
                "tenant.required is true but no key_patterns are given, so every key would be "
                "tenant-unscoped (RB301)",
                "list where keys carry their tenant, e.g. key_patterns: ['t:{tenant}:*'], "
                "or set required: false",
            )
        return TenantPolicy(key_patterns=tuple(patterns), required=required)

    def classes(self, node: Node) -> tuple[KeyClass, ...]:
        if is_null(node):
            return ()
        entries = self.mapping(node, "classes", None, "a mapping of class name to its settings")
        out: list[KeyClass] = []
        for name, value in (entries or {}).items():
            where = f"classes.{name}"
            if not name.isidentifier():
                self.error(
                    value,
                    where,
                    f"class name {name!r} is not an identifier",
                    "use letters, digits and underscores, e.g. cache, lease, dedup",
                )
            settings = self.mapping(
                value, where, _CLASS_KEYS, "a mapping with keys and max_ttl_seconds"
            )
            if settings is None:
                continue
            keys_node = settings.get("keys")
            keys_fix = "list its key globs, e.g. keys: ['*:cache:*']"
            if keys_node is None:
                self.error(value, f"{where}.keys", "the class has no keys", keys_fix)
            patterns = self.patterns(keys_node, f"{where}.keys", "'*:cache:*'")
            if keys_node is not None and (
                is_null(keys_node) or (isinstance(keys_node, SequenceNode) and not keys_node.value)
            ):
                self.error(
                    keys_node, f"{where}.keys", "the class has an empty list of keys", keys_fix
                )
            ttl = self.ttl(settings.get("max_ttl_seconds"), f"{where}.max_ttl_seconds")
            read_through = self.flag(settings.get("read_through"), f"{where}.read_through")
            out.append(
                KeyClass(
                    name=name,
                    keys=PatternSet(patterns),
                    max_ttl_seconds=ttl,
                    read_through=read_through,
                )
            )
        return tuple(out)

    def flag(self, node: Node | None, field: str) -> bool:
        """A class's ``read_through``: true or false; omitted (or null) is false."""
        if node is None or is_null(node):
            return False
        if isinstance(node, ScalarNode) and node.tag == TAG_BOOL:
            return bool(self.constructor.construct_object(node))
        self.error(
            node,
            field,
            f"expected true or false, got {describe(node)}",
            "write read_through: true for a class of TTL-bounded copies read through from the "
            "durable owner, or leave it out (false)",
        )
        return False

    def ttl(self, node: Node | None, field: str) -> int | None:
        if node is None or is_null(node):
            return None
        fix = "give a whole number of seconds greater than 0 (e.g. 86400 for a day), or null"
        if isinstance(node, ScalarNode) and node.tag == TAG_INT:
            value = int(self.constructor.construct_object(node))
            if value > 0:
                return value
            self.error(node, field, f"expected a positive number of seconds, got {value}", fix)
            return None
        self.error(node, field, f"expected a whole number of seconds, got {describe(node)}", fix)
        return None

    def business(self, node: Node) -> BusinessPolicy:
        keys = (
            self.mapping(node, "business", _BUSINESS_KEYS, "a mapping") if not is_null(node) else {}
        )
        keys = keys or {}
        patterns = self.patterns(keys.get("keys"), "business.keys", "'*:job:*'")
        fields = self.strings(keys.get("fields"), "business.fields", "status")
        return BusinessPolicy(
            keys=PatternSet(patterns), fields=frozenset(text for _, text in fields)
        )

    def rq(self, node: Node) -> RqPolicy:
        keys = self.mapping(node, "rq", _RQ_KEYS, "a mapping") if not is_null(node) else {}
        prefixes = self.strings((keys or {}).get("prefixes"), "rq.prefixes", "'rq:'")
        return RqPolicy(prefixes=tuple(text for _, text in prefixes))

    def observability(self, node: Node) -> ObservabilityPolicy:
        what = "a mapping"
        keys = (
            self.mapping(node, "observability", _OBSERVABILITY_KEYS, what)
            if not is_null(node)
            else {}
        )
        keys = keys or {}
        loggers = self.strings(keys.get("loggers"), "observability.loggers", "app.cache")
        required = self.strings(
            keys.get("required_fields"), "observability.required_fields", "trace_id"
        )
        return ObservabilityPolicy(
            loggers=tuple(text for _, text in loggers),
            required_fields=tuple(text for _, text in required),
        )

    def callsite(self, node: Node) -> CallsitePolicy:
        keys = (
            self.mapping(node, "callsite", _CALLSITE_KEYS, "a mapping") if not is_null(node) else {}
        )
        names: list[str] = []
        field = "callsite.skip_modules"
        for index, (item, text) in enumerate(
            self.strings((keys or {}).get("skip_modules"), field, "walrus")
        ):
            if _MODULE_NAME.fullmatch(text.strip()) is None:
                self.error(
                    item,
                    f"{field}[{index}]",
                    f"{text!r} is not a module name",
                    "write a module name as Python imports it (walrus, app.redis_wrapper); its "
                    "submodules are skipped too",
                )
                continue
            names.append(text.strip())
        return CallsitePolicy(skip_modules=tuple(names))

    def baseline(self, node: Node) -> RuntimeBaseline | None:
        """``baseline: PATH``: the runtime baseline file, relative to the policy file's folder,
        read and checked now so that a bad file stops the run before any test."""
        if is_null(node):
            return None
        fix = (
            "give the path of a file written by redis-boundary freeze --report, relative to the "
            "policy file, e.g. baseline: .redis-boundary-baseline.json"
        )
        if not (is_str(node) and node.value.strip()):
            self.error(node, "baseline", f"expected a file path, got {describe(node)}", fix)
            return None
        given = node.value.strip()
        folder = "" if self.path.startswith("<") else os.path.dirname(self.path)
        path = os.path.join(folder, os.path.expanduser(given))
        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            self.error(node, "baseline", f"cannot read the baseline file {path} ({reason})", fix)
            return None
        try:
            return parse_runtime_baseline(text, source=given)
        except BaselineInvalid as err:
            self.error(
                node,
                "baseline",
                f"the baseline file {path} is invalid: {err.problem}",
                "rewrite it with redis-boundary freeze --report REPORT.json (see "
                "docs/reference/baseline.md), or remove the baseline key",
            )
            return None

    def exceptions(self, node: Node) -> tuple[GovernedException, ...]:
        out: list[GovernedException] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.sequence(node, "exceptions", "{id: EXC-1, ...}")):
            field = f"exceptions[{index}]"
            entry = self.mapping(item, field, None, "a mapping (one exception entry)")
            if entry is None:
                continue
            raw = {name: self.python(value) for name, value in entry.items()}
            where = f"{self.path}:{line_of(item)}"
            exception, problems = validate_exception(raw, where=where)
            for problem in problems:
                name = (
                    f"exception {problem.exception_id!r}" if problem.exception_id else "exception"
                )
                self.error(
                    _locate(entry, problem.field) or item,
                    f"{field}.{problem.field}" if problem.field else field,
                    f"RB901 invalid {name}: {problem.problem}",
                    problem.fix,
                )
            if exception is None:
                continue
            if exception.id in seen:
                self.error(
                    entry.get("id") or item,
                    f"{field}.id",
                    f"RB901 invalid exception {exception.id!r}: the id is already used by "
                    f"exceptions[{seen[exception.id]}]",
                    "give each exception a unique id",
                )
                continue
            seen[exception.id] = index
            out.append(exception)
        return tuple(out)


def _locate(entry: dict[str, Node], field: str) -> Node | None:
    """The node of ``field`` ("rules", "keys[2]") in an exception entry, if it is there."""
    name, _, rest = field.partition("[")
    node = entry.get(name)
    if node is not None and rest and isinstance(node, SequenceNode):
        index = rest.split("]", 1)[0]
        if index.isdigit() and int(index) < len(node.value):
            return node.value[int(index)]  # type: ignore[no-any-return]
    return node


def _replace_source(policy: Policy, source: str) -> Policy:
    return dataclasses.replace(policy, source=source)
