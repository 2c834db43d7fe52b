"""Reading MONITOR lines: exact arguments where the judge reads them, long values left printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from pytest_redis_boundary.core.commands import analyse
from pytest_redis_boundary.recorder.scripts import parse_monitor_line
from pytest_redis_boundary.recorder.scripts.monitor_lines import (
    DECODED_ARGUMENT_LIMIT,
    command_name,
    judged_arguments,
    split_monitor_line,
)
from tests.recorder.conftest import Capture, name, real_options

BINARY = bytes(range(256)) * 64  # 16 kB, nearly every byte printed as an escape


def printed(value: bytes) -> bytes:
    """``value`` as Redis's sdscatrepr prints it, between the quotes."""
    out = bytearray()
    for byte in value:
        char = bytes((byte,))
        if char in b'\\"':
            out += b"\\" + char
        elif char in b"\n\r\t\a\b":
            out += {b"\n": b"\\n", b"\r": b"\\r", b"\t": b"\\t", b"\a": b"\\a", b"\b": b"\\b"}[char]
        elif 0x20 <= byte < 0x7F:
            out += char
        else:
            out += b"\\x%02x" % byte
    return bytes(out)


def line(*args: bytes, source: bytes = b"lua") -> bytes:
    quoted = b" ".join(b'"' + printed(a) + b'"' for a in args)
    return b"1795879300.103780 [0 " + source + b"] " + quoted


def test_every_argument_is_exact_in_the_full_parse() -> None:
    args = (b"EVAL", b"return 'a\"b'\n", b"1", b"k\x00\xff", BINARY)
    assert parse_monitor_line(line(*args, source=b"127.0.0.1:5")) == (0, "127.0.0.1:5", args)


def test_a_long_value_stays_printed_and_keeps_its_position() -> None:
    parsed = split_monitor_line(line(b"set", b"t:acme:\xc3\xa9", BINARY, b"EX", b"30"))
    assert parsed is not None
    args = judged_arguments(parsed.arguments)
    assert args == (b"set", "t:acme:é".encode(), printed(BINARY), b"EX", b"30")
    use = analyse((b"SET", *args[1:]))
    assert use.keys == (("t:acme:é", False, True),)


def test_short_arguments_and_json_objects_are_unescaped() -> None:
    document = b'{"status": "' + b"\xe2\x82\xac" * DECODED_ARGUMENT_LIMIT + b'"}'
    short = b"\x00\x01\n" * 10
    parsed = split_monitor_line(line(b"set", b"k", document))
    assert parsed is not None
    assert judged_arguments(parsed.arguments)[2] == document
    parsed = split_monitor_line(line(b"hset", b"h", b"f\t1", short))
    assert parsed is not None
    assert judged_arguments(parsed.arguments) == (b"hset", b"h", b"f\t1", short)


def test_equal_long_values_stay_equal_when_printed() -> None:
    other = BINARY[::-1]
    parsed = split_monitor_line(line(b"sadd", b"s", BINARY, other, BINARY))
    assert parsed is not None
    members = judged_arguments(parsed.arguments)[2:]
    assert len(set(members)) == 2


def test_command_name_reads_only_the_first_argument() -> None:
    assert command_name(b'"exec"') == b"EXEC"
    assert command_name(b'"evalsha" "' + printed(BINARY) + b'"') == b"EVALSHA"
    assert command_name(b"") == b""


def test_unquoted_redacted_arguments_are_skipped() -> None:
    parsed = split_monitor_line(b'1.0 [0 127.0.0.1:5] "AUTH" (redacted)')
    assert parsed is not None
    assert parsed.source == "127.0.0.1:5"
    assert judged_arguments(parsed.arguments) == (b"AUTH",)


@pytest.fixture
def real_client(redis_server_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis(**real_options(redis_server_url))
    try:
        yield client
    finally:
        client.close()


def test_a_script_writing_large_values_is_judged_on_what_it_ran(
    capture: Capture, real_client: redis.Redis, prefix: str
) -> None:
    capture.recorder.start_script_capture()
    script = (
        "for i = 1, 20 do redis.call('lpush', KEYS[1], ARGV[1]) end "
        "redis.call('set', KEYS[2], ARGV[1], 'EX', 30) "
        "redis.call('hset', KEYS[3], 'status', ARGV[1]) "
        "redis.call('del', KEYS[1], KEYS[2], KEYS[3]) return 1"
    )
    keys = [f"{prefix}list", f"{prefix}str\u00e9", f"{prefix}hash"]
    assert real_client.eval(script, 3, *keys, BINARY) == 1
    events = capture.take()
    assert capture.recorder.errors == []
    assert [name(e) for e in events] == ["LPUSH"] * 20 + ["SET", "HSET", "DEL", "EVAL"]
    lpush, set_, hset = events[0], events[20], events[21]
    # The long value is what MONITOR printed, never decoded; everything around it is exact.
    assert lpush.args == ("LPUSH", keys[0].encode(), printed(BINARY))
    assert set_.args == ("SET", keys[1].encode(), printed(BINARY), b"EX", b"30")
    assert hset.args == ("HSET", keys[2].encode(), b"status", printed(BINARY))
    assert analyse(set_.args).keys == ((keys[1], False, True),)
