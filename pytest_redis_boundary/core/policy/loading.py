"""Loading a policy: the built-in default, a file, or YAML text; all problems raised together.

Every problem carries the file, the line and the dotted field, and all of them are raised at once
as ``PolicyErrors``.
"""

from __future__ import annotations

import functools
import os
from importlib import resources

import yaml

from .builder import PolicyBuilder
from .errors import PolicyError, PolicyErrors
from .model import BUILTIN_SOURCE, Policy

__all__ = ["default_policy", "load_policy", "parse_policy"]


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
    builder = PolicyBuilder(source)
    policy = builder.build(root, base)
    if builder.errors or policy is None:
        raise PolicyErrors(builder.errors)
    return policy
