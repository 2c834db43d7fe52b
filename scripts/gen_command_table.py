"""Regenerate pytest_redis_boundary/core/commands/command_table.json from a running redis-server.

Key positions and read/write flags come from the server's own ``COMMAND INFO`` key
specifications (Redis 7), so the table is exactly what that server knows. TTL effects are not
in COMMAND INFO: they are curated by hand in ``core/keyspace.py``.

Usage: python scripts/gen_command_table.py [redis://127.0.0.1:6379/0] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import redis

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "pytest_redis_boundary/core/commands/command_table.json"
)


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _pairs(flat: list[Any]) -> dict[str, Any]:
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def _key_spec(raw: list[Any]) -> dict[str, Any]:
    spec = _pairs(raw)
    begin = _pairs(spec["begin_search"])
    find = _pairs(spec["find_keys"])
    out: dict[str, Any] = {"flags": sorted(spec["flags"])}
    begin_spec = _pairs(begin["spec"]) if begin["spec"] else {}
    if begin["type"] == "index":
        out["begin"] = {"index": begin_spec["index"]}
    elif begin["type"] == "keyword":
        out["begin"] = {"keyword": begin_spec["keyword"], "startfrom": begin_spec["startfrom"]}
    else:
        out["begin"] = {"unknown": True}
    find_spec = _pairs(find["spec"]) if find["spec"] else {}
    if find["type"] == "range":
        out["find"] = {
            "lastkey": find_spec["lastkey"],
            "keystep": find_spec["keystep"],
            "limit": find_spec["limit"],
        }
    elif find["type"] == "keynum":
        out["find"] = {
            "keynumidx": find_spec["keynumidx"],
            "firstkey": find_spec["firstkey"],
            "keystep": find_spec["keystep"],
        }
    else:
        out["find"] = {"unknown": True}
    return out


def _command(raw: list[Any]) -> tuple[str, dict[str, Any]]:
    name, arity, flags = raw[0], raw[1], raw[2]
    entry: dict[str, Any] = {
        "arity": arity,
        "flags": sorted(flags),
        "key_specs": [_key_spec(spec) for spec in raw[8]],
    }
    if raw[9]:
        entry["subcommands"] = dict(sorted(_command(sub) for sub in raw[9]))
    return name.upper().replace("|", " "), entry


def build_table(url: str) -> dict[str, Any]:
    client = redis.Redis.from_url(url, protocol=2)
    # redis-py leaves send_command untyped (``*args, **kwargs``).
    conn: Any = client.connection_pool.get_connection()
    try:
        conn.send_command("COMMAND", "INFO")
        infos = [_text(item) for item in conn.read_response() if item]
        conn.send_command("INFO", "server")
        server_info = _text(conn.read_response())
    finally:
        client.connection_pool.release(conn)
    version = next(
        line.split(":", 1)[1].strip()
        for line in server_info.splitlines()
        if line.startswith("redis_version:")
    )
    commands = dict(sorted(_command(raw) for raw in infos))
    return {"redis_version": version, "commands": commands}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    table = build_table(args.url)
    args.output.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    count, version = len(table["commands"]), table["redis_version"]
    print(f"wrote {count} commands of Redis {version} to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
