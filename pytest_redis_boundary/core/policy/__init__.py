"""The policy: which keys are transitional (classes), which are business truth, where tenants are.

Built only by the loader (``load_policy``, ``parse_policy``, ``default_policy``), which validates a
YAML file node by node so that every problem carries the file, the line and the dotted field, and
reports all of them together as ``PolicyErrors``.

- ``errors``: ``PolicyError`` (one located problem) and ``PolicyErrors`` (all of a file's);
- ``model``: the validated ``Policy``, its sections and its memoized per-key lookups;
- ``yaml_nodes``: reading composed YAML nodes (mappings, lists, strings, patterns) with located
  errors;
- ``builder``: each section of a policy file checked and built;
- ``loading``: the built-in default (``default_policy.yaml``), a file, or YAML text.
"""

from .errors import PolicyError, PolicyErrors
from .loading import default_policy, load_policy, parse_policy
from .model import (
    BUILTIN_SOURCE,
    BusinessPolicy,
    CallsitePolicy,
    KeyClass,
    ObservabilityPolicy,
    Policy,
    RqPolicy,
    TenantPolicy,
)

__all__ = [
    "BUILTIN_SOURCE",
    "BusinessPolicy",
    "CallsitePolicy",
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
