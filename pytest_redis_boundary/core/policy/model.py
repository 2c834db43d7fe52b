"""The validated policy and its per-key lookups.

The lookups (``classify``, ``is_business_key``, ``is_rq_key``, ``tenant_of``,
``is_business_field``) run on every key of every recorded command, so each policy memoizes them in
a bounded dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, TypeVar

from ..cache_limits import POLICY_MEMO_LIMIT
from ..governance import GovernedException
from ..patterns import KeyPattern, PatternSet
from ..runtime_baseline import RuntimeBaseline

__all__ = [
    "BUILTIN_SOURCE",
    "BusinessPolicy",
    "CallsitePolicy",
    "KeyClass",
    "ObservabilityPolicy",
    "Policy",
    "RqPolicy",
    "TenantPolicy",
]

BUILTIN_SOURCE: Final = "<built-in default>"
_MEMO_LIMIT: Final = POLICY_MEMO_LIMIT

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class KeyClass:
    """An allowed transitional usage (cache, lease, dedup): its keys and TTL limit."""

    name: str
    keys: PatternSet
    max_ttl_seconds: int | None  # None: no limit (a TTL is still required)
    # TTL-bounded copies of business state read through from the durable owner: business keys
    # and fields inside the class are not RB101/RB102 (docs/reference/rules.md).
    read_through: bool = False


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
class CallsitePolicy:
    """Modules whose frames are never a call site, besides redis-py's and the plugin's own: a
    Redis wrapper library an application is built on (docs/reference/recording.md)."""

    skip_modules: tuple[str, ...] = ()


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
    callsite: CallsitePolicy = CallsitePolicy()
    baseline: RuntimeBaseline | None = None  # the frozen violations (``baseline:``), if any
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

    def is_read_through(self, key: str) -> bool:
        """Whether the key's class (``classify``) is a read-through class: TTL-bounded copies of
        business state, where business keys and fields are not business truth."""
        key_class = self.classify(key)
        return key_class is not None and key_class.read_through

    def is_business_field(self, field: str) -> bool:
        return field in self.business.fields
