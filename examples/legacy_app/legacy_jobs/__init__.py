"""The export service before the migration: FastAPI in front, RQ behind, Redis as the system of
record (job status, result metadata, tenant ownership and queue policy all live in Redis)."""
