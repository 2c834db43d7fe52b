"""The FastAPI adapter: routes, validates and orchestrates; it owns no state."""
