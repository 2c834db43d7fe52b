"""The key/TTL state model: what a stream of commands leaves behind, per server and database.

For every key it knows whether the key exists and when it expires. The effect of each command on
TTLs is curated by hand (``COMMAND INFO`` does not say it) and checked against a real
redis-server 7.0 by ``tests/core/test_differential.py``. Where it matters, the command's reply
decides what happened (a ``SET NX`` that lost, a WATCH-aborted ``EXEC``, how many members a pop
removed); without a reply (commands run inside a Lua script) the model infers it from the state.

Container sizes are tracked as counts (hashes by field name, which are not values), so the model
knows when a container is emptied and deleted. Where a count cannot be known (``SREM`` inside a
script, ``SMOVE`` into an existing set) the key's existence becomes uncertain (``maybe_absent``) and
its TTL class ``unknown``; the recorder resolves those at the end of a test by asking the server.

The package, by concern: ``state`` (KeyState, Database), ``call`` (one command being applied),
``containers`` (what container commands share), the handlers by data type (``strings``,
``generic``, ``hashes``, ``lists``, ``sets``, ``other_types``), ``table`` (all handlers, and how
one is applied), ``transactions`` (SELECT and MULTI/EXEC per connection) and ``model``
(``Keyspace``).
"""

from __future__ import annotations

from pytest_redis_boundary.core.keyspace.model import Keyspace
from pytest_redis_boundary.core.keyspace.state import (
    MAX_MS,
    TTL_UNKNOWN,
    UNKNOWN_KIND,
    Database,
    KeyState,
    TtlClass,
)

__all__ = ["MAX_MS", "TTL_UNKNOWN", "UNKNOWN_KIND", "Database", "KeyState", "Keyspace", "TtlClass"]
