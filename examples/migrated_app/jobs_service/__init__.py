"""The export service after the migration: FastAPI routes, validates and orchestrates; the
product store owns the job state, the management stack owns execution, and Redis only holds
tenant-scoped, TTL-bounded operational keys (a read-through cache, leases, in-flight dedup)."""
