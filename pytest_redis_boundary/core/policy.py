"""The policy: which keys are transitional (classes), which are business truth, where tenants are.

Built only by the loader (``load_policy``, ``parse_policy``, ``default_policy``), which validates a
YAML file node by node so that every problem carries the file, the line and the dotted field, and
reports all of them together as ``PolicyErrors``.

A file's top-level sections replace the built-in default's sections whole; sections it omits keep
the default's. Inside a section a file gives, an omitted list is empty, an omitted
``tenant.required`` is true, and an omitted (or null) ``max_ttl_seconds`` means no limit.

The lookups (``classify``, ``is_business_key``, ``is_rq_key``, ``tenant_of``,
``is_business_field``) run on every key of every recorded command, so each policy memoizes them in
a bounded dict.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Final, TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .cache_limits import POLICY_MEMO_LIMIT
from .governance import GovernedException, validate_exception
from .patterns import KeyPattern, PatternError, PatternSet

__all__ = [
    "BUILTIN_SOURCE",
    "BusinessPolicy",
    "KeyClass",
    "ObservabilityPolicy",
    "Policy",
    "PolicyError",
    "PolicyErrors",
    "RqPolicy",
    "TenantPolicy",
    "default_policy",
    "load_policy",
    "parse_policy",
]

BUILTIN_SOURCE: Final = "<built-in default>"
SUPPORTED_VERSION: Final = 1
_MEMO_LIMIT: Final = POLICY_MEMO_LIMIT

_T = TypeVar("_T")

_TAG_STR: Final = "tag:yaml.org,2002:str"
_TAG_INT: Final = "tag:yaml.org,2002:int"
_TAG_BOOL: Final = "tag:yaml.org,2002:bool"
_TAG_NULL: Final = "tag:yaml.org,2002:null"
_KINDS: Final = {"int": "an integer", "float": "a decimal number", "timestamp": "a date"}

SECTIONS: Final = ("version", "tenant", "classes", "business", "rq", "observability", "exceptions")
_TENANT_KEYS: Final = ("key_patterns", "required")
_CLASS_KEYS: Final = ("keys", "max_ttl_seconds")
_BUSINESS_KEYS: Final = ("keys", "fields")
_RQ_KEYS: Final = ("prefixes",)
_OBSERVABILITY_KEYS: Final = ("loggers", "required_fields")


# --- errors --------------------------------------------------------------------------------------


class PolicyError(ValueError):
    """One problem in a policy file: where it is, which field, what is wrong and how to fix it."""

    def __init__(self, path: str, line: int | None, field: str, problem: str, fix: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.problem}. Fix: {self.fix.rstrip('.')}."

    def __reduce__(self) -> tuple[type[PolicyError], tuple[str, int | None, str, str, str]]:
        return (PolicyError, (self.path, self.line, self.field, self.problem, self.fix))


class PolicyErrors(ValueError):
    """Every problem of one policy file, raised together (sorted by line)."""

    def __init__(self, errors: Iterable[PolicyError]) -> None:
        self.errors: tuple[PolicyError, ...] = tuple(
            sorted(errors, key=lambda e: -1 if e.line is None else e.line)
        )
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __reduce__(self) -> tuple[type[PolicyErrors], tuple[tuple[PolicyError, ...]]]:
        return (PolicyErrors, (self.errors,))


# --- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyClass:
    """An allowed transitional usage (cache, lease, dedup): its keys and TTL limit."""

    name: str
    keys: PatternSet
    max_ttl_seconds: int | None  # None: no limit (a TTL is still required)


@dataclass(frozen=True, slots=True)
class TenantPolicy:
    key_patterns: tuple[KeyPattern, ...]  # each contains {tenant}
    required: bool


@dataclass(frozen=True, slots=True)
class BusinessPolicy:
    keys: PatternSet
    fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class RqPolicy:
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ObservabilityPolicy:
    loggers: tuple[str, ...]
    required_fields: tuple[str, ...]


class _Lookups:
    """Compiled matchers and bounded memos behind a Policy's per-key lookups."""

    __slots__ = (
        "business",
        "business_memo",
        "class_memo",
        "classes_by_group",
        "classes_match",
        "tenant_memo",
        "tenant_patterns",
    )

    def __init__(self, policy: Policy) -> None:
        # All classes' patterns in one alternation, in file order: the first alternative that
        # matches belongs to the first class (in file order) that matches.
        owners: list[KeyClass | None] = [None]  # group 0 is the whole match
        patterns: list[KeyPattern] = []
        for key_class in policy.classes:
            for pattern in key_class.keys.patterns:
                owners.append(key_class)
                patterns.append(pattern)
        self.classes_by_group: tuple[KeyClass | None, ...] = tuple(owners)
        self.classes_match = PatternSet(patterns)._fullmatch
        self.business = policy.business.keys._fullmatch
        self.tenant_patterns = policy.tenant.key_patterns
        self.class_memo: dict[str, KeyClass | None] = {}
        self.business_memo: dict[str, bool] = {}
        self.tenant_memo: dict[str, str | None] = {}


def _remember(memo: dict[str, _T], key: str, value: _T) -> _T:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy. ``source`` is the file path, or ``"<built-in default>"``.

    Equality ignores ``source``: a file equal to the default compares equal to it.
    """

    version: int
    tenant: TenantPolicy
    classes: tuple[KeyClass, ...]
    business: BusinessPolicy
    rq: RqPolicy
    observability: ObservabilityPolicy
    exceptions: tuple[GovernedException, ...]
    source: str = field(default=BUILTIN_SOURCE, compare=False)
    _lookups: _Lookups = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookups", _Lookups(self))

    def class_named(self, name: str) -> KeyClass | None:
        for key_class in self.classes:
            if key_class.name == name:
                return key_class
        return None

    def classify(self, key: str) -> KeyClass | None:
        """The first class, in file order, one of whose patterns matches the key."""
        lookups = self._lookups
        try:
            return lookups.class_memo[key]
        except KeyError:
            pass
        m = lookups.classes_match(key)
        found = None if m is None or m.lastindex is None else lookups.classes_by_group[m.lastindex]
        return _remember(lookups.class_memo, key, found)

    def is_business_key(self, key: str) -> bool:
        lookups = self._lookups
        try:
            return lookups.business_memo[key]
        except KeyError:
            pass
        return _remember(lookups.business_memo, key, lookups.business(key) is not None)

    def is_rq_key(self, key: str) -> bool:
        """Whether the key is in RQ's namespace (starts with one of ``rq.prefixes``)."""
        return key.startswith(self.rq.prefixes)

    def tenant_of(self, key: str) -> str | None:
        """The tenant captured by the first tenant pattern that matches the key, if any."""
        lookups = self._lookups
        try:
            return lookups.tenant_memo[key]
        except KeyError:
            pass
        found = None
        for pattern in lookups.tenant_patterns:
            found = pattern.tenant(key)
            if found is not None:
                break
        return _remember(lookups.tenant_memo, key, found)

    def is_business_field(self, field: str) -> bool:
        return field in self.business.fields


# --- loading -------------------------------------------------------------------------------------


@functools.cache
def default_policy() -> Policy:
    """The built-in default policy (docs/reference/policy.md), read once from its YAML file."""
    text = resources.files(__package__).joinpath("default_policy.yaml").read_text("utf-8")
    return _parse(text, BUILTIN_SOURCE, base=None)


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read and validate a policy file; raises ``PolicyErrors`` naming the file, line and field."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise PolicyErrors(
            [
                PolicyError(
                    name,
                    None,
                    "",
                    f"cannot read the policy file ({reason})",
                    "check the path given by --redis-boundary-policy, the ini option "
                    "redis_boundary_policy or the policy setting, and that the file is UTF-8",
                )
            ]
        ) from None
    return parse_policy(text, name)


def parse_policy(text: str, source: str) -> Policy:
    """Validate policy YAML ``text``; ``source`` names it in errors and in ``Policy.source``."""
    return _parse(text, source, base=default_policy())


def _parse(text: str, source: str, base: Policy | None) -> Policy:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = None if mark is None else mark.line + 1
        column = "" if mark is None else f" at column {mark.column + 1}"
        detail = "; ".join(part for part in (err.context, err.problem) if part)
        raise PolicyErrors(
            [
                PolicyError(
                    source,
                    line,
                    "",
                    f"invalid YAML{column}: {detail}",
                    "correct the YAML syntax there (look for a missing ':', a tab used for "
                    "indentation, or an unclosed quote or bracket)",
                )
            ]
        ) from None
    except yaml.YAMLError as err:
        raise PolicyErrors(
            [PolicyError(source, None, "", f"invalid YAML: {err}", "correct the YAML syntax")]
        ) from None
    builder = _Builder(source)
    policy = builder.build(root, base)
    if builder.errors or policy is None:
        raise PolicyErrors(builder.errors)
    return policy


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    assert isinstance(node, ScalarNode)
    if node.tag == _TAG_NULL:
        return "nothing (null)"
    if node.tag == _TAG_BOOL:
        return f"{node.value!r} (a boolean)"
    if node.tag == _TAG_STR:
        return repr(node.value)
    kind = _KINDS.get(node.tag.rsplit(":", 1)[-1])
    return f"{node.value} ({kind})" if kind else repr(node.value)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG_NULL)


def _is_str(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG_STR


class _Builder:
    """Walks the composed YAML, collecting every problem with its line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[PolicyError] = []
        self.constructor = SafeConstructor()

    def error(self, node: Node | int | None, field: str, problem: str, fix: str) -> None:
        line = _line(node) if isinstance(node, Node) else node
        self.errors.append(PolicyError(self.path, line, field, problem, fix))

    # -- generic shapes --

    def mapping(
        self, node: Node, field: str, allowed: Sequence[str] | None, what: str
    ) -> dict[str, Node] | None:
        """A mapping's string keys → value nodes; reports a non-mapping, unknown keys, dups."""
        if not isinstance(node, MappingNode):
            self.error(node, field, f"expected {what}, got {_describe(node)}", f"write {what}")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_field = f"{field}.{key_node.value}" if field else str(key_node.value)
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (_TAG_STR, _TAG_INT):
                self.error(
                    key_node,
                    field,
                    f"expected a plain name as key, got {_describe(key_node)}",
                    "use a plain name as the key",
                )
                continue
            name = str(key_node.value)
            if allowed is not None and name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.error(
                    key_node,
                    key_field,
                    f"unknown key {name!r}",
                    f"{hint}remove it or use one of: {', '.join(allowed)}",
                )
                continue
            if name in out:
                self.error(
                    key_node,
                    key_field,
                    f"{name!r} is given more than once",
                    "keep one of them (YAML would silently use the last)",
                )
                continue
            out[name] = value_node
        return out

    def sequence(self, node: Node | None, field: str, example: str) -> list[Node]:
        """A list's item nodes; null or absent is an empty list."""
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(
                node,
                field,
                f"expected a list, got {_describe(node)}",
                f"write a YAML list, e.g. {field.rsplit('.', 1)[-1]}: [{example}]",
            )
            return []
        return list(node.value)

    def strings(self, node: Node | None, field: str, example: str) -> list[tuple[Node, str]]:
        out: list[tuple[Node, str]] = []
        for index, item in enumerate(self.sequence(node, field, example)):
            if not _is_str(item) or not str(item.value).strip():
                got = "an empty string" if _is_str(item) else _describe(item)
                self.error(
                    item,
                    f"{field}[{index}]",
                    f"expected a non-empty string, got {got}",
                    f"write a string (quote it if needed), e.g. {example}",
                )
                continue
            out.append((item, str(item.value)))
        return out

    def patterns(self, node: Node | None, field: str, example: str) -> list[KeyPattern]:
        out: list[KeyPattern] = []
        for index, (item, text) in enumerate(self.strings(node, field, example)):
            try:
                out.append(KeyPattern(text))
            except PatternError as err:
                self.error(item, f"{field}[{index}]", err.summary, err.fix)
        return out

    # -- sections --

    def build(self, root: Node | None, base: Policy | None) -> Policy | None:
        if root is None or (isinstance(root, ScalarNode) and root.tag == _TAG_NULL):
            if base is None:
                self.error(None, "", "the built-in policy is empty", "reinstall the package")
                return None
            return _replace_source(base, self.path)
        if not isinstance(root, MappingNode):
            self.error(
                root,
                "",
                f"the top level must be a mapping of sections, got {_describe(root)}",
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
        exceptions = section("exceptions", self.exceptions, lambda p: p.exceptions)
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
            source=self.path,
        )

    def version(self, node: Node | None, root: Node) -> int:
        fix = f"write 'version: {SUPPORTED_VERSION}'"
        if node is None:
            return SUPPORTED_VERSION
        if isinstance(node, ScalarNode) and node.tag == _TAG_INT:
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
        self.error(node, "version", f"expected the number 1, got {_describe(node)}", fix)
        return SUPPORTED_VERSION

    def tenant(self, node: Node) -> TenantPolicy:
        keys = self.mapping(node, "tenant", _TENANT_KEYS, "a mapping") if not _is_null(node) else {}
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
            if isinstance(required_node, ScalarNode) and required_node.tag == _TAG_BOOL:
                required = bool(self.constructor.construct_object(required_node))
            else:
                self.error(
                    required_node,
                    "tenant.required",
                    f"expected true or false, got {_describe(required_node)}",
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
        if _is_null(node):
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
                _is_null(keys_node) or (isinstance(keys_node, SequenceNode) and not keys_node.value)
            ):
                self.error(
                    keys_node, f"{where}.keys", "the class has an empty list of keys", keys_fix
                )
            ttl = self.ttl(settings.get("max_ttl_seconds"), f"{where}.max_ttl_seconds")
            out.append(KeyClass(name=name, keys=PatternSet(patterns), max_ttl_seconds=ttl))
        return tuple(out)

    def ttl(self, node: Node | None, field: str) -> int | None:
        if node is None or _is_null(node):
            return None
        fix = "give a whole number of seconds greater than 0 (e.g. 86400 for a day), or null"
        if isinstance(node, ScalarNode) and node.tag == _TAG_INT:
            value = int(self.constructor.construct_object(node))
            if value > 0:
                return value
            self.error(node, field, f"expected a positive number of seconds, got {value}", fix)
            return None
        self.error(node, field, f"expected a whole number of seconds, got {_describe(node)}", fix)
        return None

    def business(self, node: Node) -> BusinessPolicy:
        keys = (
            self.mapping(node, "business", _BUSINESS_KEYS, "a mapping")
            if not _is_null(node)
            else {}
        )
        keys = keys or {}
        patterns = self.patterns(keys.get("keys"), "business.keys", "'*:job:*'")
        fields = self.strings(keys.get("fields"), "business.fields", "status")
        return BusinessPolicy(
            keys=PatternSet(patterns), fields=frozenset(text for _, text in fields)
        )

    def rq(self, node: Node) -> RqPolicy:
        keys = self.mapping(node, "rq", _RQ_KEYS, "a mapping") if not _is_null(node) else {}
        prefixes = self.strings((keys or {}).get("prefixes"), "rq.prefixes", "'rq:'")
        return RqPolicy(prefixes=tuple(text for _, text in prefixes))

    def observability(self, node: Node) -> ObservabilityPolicy:
        what = "a mapping"
        keys = (
            self.mapping(node, "observability", _OBSERVABILITY_KEYS, what)
            if not _is_null(node)
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

    def exceptions(self, node: Node) -> tuple[GovernedException, ...]:
        out: list[GovernedException] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.sequence(node, "exceptions", "{id: EXC-1, ...}")):
            field = f"exceptions[{index}]"
            entry = self.mapping(item, field, None, "a mapping (one exception entry)")
            if entry is None:
                continue
            raw = {name: self.python(value) for name, value in entry.items()}
            where = f"{self.path}:{_line(item)}"
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

    def python(self, node: Node) -> object:
        """Plain Python data for an exception entry's value (an impossible date stays a str)."""
        if isinstance(node, SequenceNode):
            return [self.python(item) for item in node.value]
        if isinstance(node, MappingNode):
            return {str(k.value): self.python(v) for k, v in node.value}
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            return node.value


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
    return Policy(
        version=policy.version,
        tenant=policy.tenant,
        classes=policy.classes,
        business=policy.business,
        rq=policy.rq,
        observability=policy.observability,
        exceptions=policy.exceptions,
        source=source,
    )
