"""The runtime API: must not depend on rq."""
