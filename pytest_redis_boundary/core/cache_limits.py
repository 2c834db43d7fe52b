"""Every cap on what grows with the keys an application sends, in one place: the engine's memo
caches and the session's count of distinct keys per class.

The engine memoizes what repeats across commands: command names as sent, the keys and fields a
command touches, what the policy says of a key. Each cache is keyed by something an application
sends, so each is capped; a cache that reaches its cap is cleared (not evicted one by one: a
clear costs nothing per command, and a test that fills a cache this far is rare). The caps are
sized to hold everything a normal test suite sends, many times over.

``Final`` integers: compiled, mypyc inlines each value where it is used (no lookup).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMMAND_HEADS_LIMIT",
    "FAST_USES_LIMIT",
    "INVENTORY_KEYS_LIMIT",
    "KEYS_PER_CLASS_LIMIT",
    "KEY_FACTS_LIMIT",
    "POLICY_MEMO_LIMIT",
    "SINGLE_KEY_PLANS_LIMIT",
    "SINGLE_KEY_USES_LIMIT",
]

# Per cache keyed by a command's name as sent ("GET", b"get"): a few dozen in practice.
# commands.single_word_name, commands.split_argv, fast_judge.fast_handler.
COMMAND_HEADS_LIMIT: Final = 4096

# commands.single_key_plan: one entry per canonical command name (about 240 take a plan).
SINGLE_KEY_PLANS_LIMIT: Final = 1024

# commands.analyse_argv: the CommandUse of an uncurated single-key command, per (name, key).
SINGLE_KEY_USES_LIMIT: Final = 262_144

# fast_judge: the CommandUse of one command name on one key, per command name.
FAST_USES_LIMIT: Final = 65_536

# judge_state.JudgeState, per test: what the policy says of each key, the keys and field names
# with or without findings. Grows with distinct keys, like the key state itself.
KEY_FACTS_LIMIT: Final = 1_048_576

# policy: its lookups of a key (key class, business key, tenant), memoized per key.
POLICY_MEMO_LIMIT: Final = 262_144

# pytest_plugin.totals: the distinct keys counted per key class for the session summary; past
# it the summary says "N+" instead of keeping every key of a suite that writes millions.
KEYS_PER_CLASS_LIMIT: Final = 100_000

# inventory.InventoryTally, per test: the shape of each key seen (what it points at is one
# tally per shape, so the memo costs its slots only: about 6 MB when full).
INVENTORY_KEYS_LIMIT: Final = 131_072
