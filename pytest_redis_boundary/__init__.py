"""pytest-redis-boundary: keep Redis/RQ to bounded-TTL operational work."""

from pytest_redis_boundary.core.warning import RedisBoundaryWarning

__version__ = "1.0.0"
__all__ = ["RedisBoundaryWarning", "__version__"]
