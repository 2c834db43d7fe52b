"""Problems in a policy file, each with the file, the line, the dotted field and the fix."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PolicyError", "PolicyErrors"]


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
