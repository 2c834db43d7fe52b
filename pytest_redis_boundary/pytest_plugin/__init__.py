"""The pytest adapter (work in progress): registered as the ``redis_boundary`` plugin."""
