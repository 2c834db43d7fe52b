"""Adapter to import-linter and grimp: the RQ retirement contract."""
