"""How stream, HyperLogLog and RedisJSON commands change keys: they create a key without TTL
or change it in place."""

from __future__ import annotations

from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    no_effect,
)
from pytest_redis_boundary.core.keyspace.containers import (
    upsert,
)

__all__ = ["STREAM_HLL_JSON_HANDLERS"]


def _xadd(call: Call) -> None:
    key = text(call.argv[1])
    if call.has_reply and call.reply is None:
        return
    nomk = any(upper(a) == "NOMKSTREAM" for a in call.argv[2:5])
    if nomk and call.db.get(key, call.now) is None:
        return
    upsert(call, key, "stream")


def _xgroup_create(call: Call) -> None:
    if any(upper(a) == "MKSTREAM" for a in call.argv[4:]):
        upsert(call, text(call.argv[2]), "stream")


def _pfadd(call: Call) -> None:
    upsert(call, text(call.argv[1]), "hll")


def _json_set(call: Call) -> None:
    argv = call.argv
    if call.has_reply and call.reply is None:
        return
    key = text(argv[1])
    root = text(argv[2]).strip() in ("$", ".")
    state = call.db.get(key, call.now)
    if state is None and not root:
        return
    options = {upper(a) for a in argv[4:]}
    if not call.has_reply and (("NX" in options and state) or ("XX" in options and not state)):
        return
    upsert(call, key, "json")


def _json_mset(call: Call) -> None:
    for i in range(1, len(call.argv) - 2, 3):
        key = text(call.argv[i])
        if text(call.argv[i + 1]).strip() in ("$", ".") or call.db.get(key, call.now):
            upsert(call, key, "json")


def _json_del(call: Call) -> None:
    if len(call.argv) < 3 or text(call.argv[2]).strip() in ("$", "."):
        call.db.delete(text(call.argv[1]))


STREAM_HLL_JSON_HANDLERS: Final[dict[str, Handler]] = {
    "XADD": _xadd,
    "XTRIM": no_effect,
    "XDEL": no_effect,
    "XACK": no_effect,
    "XCLAIM": no_effect,
    "XAUTOCLAIM": no_effect,
    "XREADGROUP": no_effect,
    "XSETID": no_effect,
    "XGROUP CREATE": _xgroup_create,
    "XGROUP CREATECONSUMER": no_effect,
    "XGROUP DELCONSUMER": no_effect,
    "XGROUP DESTROY": no_effect,
    "XGROUP SETID": no_effect,
    "PFADD": _pfadd,
    "PFMERGE": _pfadd,  # merged in place: the destination keeps its TTL
    "PFCOUNT": no_effect,
    "PFDEBUG": no_effect,
    "JSON.SET": _json_set,
    "JSON.MSET": _json_mset,
    "JSON.MERGE": _json_set,
    "JSON.DEL": _json_del,
    "JSON.FORGET": _json_del,
}
