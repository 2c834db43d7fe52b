"""Adapter to import-linter and grimp: the RQ retirement contract."""

from .rq_retirement import RQRetirementContract

__all__ = ["RQRetirementContract"]
