"""The pure core: command semantics, key state, policy, rules and governance.

Nothing here imports pytest, redis, fakeredis, importlinter or grimp.
"""
