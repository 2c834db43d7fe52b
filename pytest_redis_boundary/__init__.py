"""pytest-redis-boundary: keep Redis/RQ to bounded-TTL operational work."""

__version__ = "1.0.0"
