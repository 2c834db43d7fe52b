"""Import chains, allowances and the frozen baseline: the pure half of the rq contract.

Nothing here knows grimp or import-linter; ``pytest_redis_boundary.contracts`` finds the chains in
an import graph and hands them over as ``Chain`` values.

Terms (docs/reference/rules.md, exceptions.md, contracts.md):

* A **chain** is the route a runtime module takes to a forbidden module, one module per hop:
  ``app.api.x -> app.workers.legacy -> rq``. Its **identity** is the module names only, so
  moving an import to another line never changes it.
* An **allowance** is one ``imports:`` entry of a governed exception. It names one whole chain,
  starting at the runtime module it allows (``app.workers.legacy -> rq``). It exempts exactly that
  chain, as the dependency *of its first module*. A different runtime module that reaches ``rq``
  through ``app.workers.legacy`` has a chain of its own, which the allowance does not name.
* The **baseline** (RB502 ratchet) is a JSON file of frozen chain identities.

Modules: ``chain_ids`` (identity and notation), ``chains`` (a chain with its import lines),
``allowances`` (register entries, active or expired), ``baseline`` (the frozen-chains file),
``judgement`` (the findings), ``groups`` (violations by the import to cut), ``today`` (the
date expiry is judged against).
"""

from .allowances import Allowance, AllowanceSplit, split_allowances
from .baseline import (
    BASELINE_NOTE,
    BASELINE_SCHEMA,
    RUNTIME_BASELINE_SCHEMA,
    Baseline,
    BaselineDiff,
    BaselineInvalid,
    diff_baseline,
    dump_baseline,
    parse_baseline,
    parse_chain_lists,
)
from .chain_ids import ChainId, format_chain_id, is_in_module, parse_chain_id
from .chains import Chain, ImportLine, Link
from .groups import ChainGroup, group_violations
from .judgement import ImportFinding, ImportJudgement, judge_chains
from .today import parse_today

__all__ = [
    "BASELINE_NOTE",
    "BASELINE_SCHEMA",
    "RUNTIME_BASELINE_SCHEMA",
    "Allowance",
    "AllowanceSplit",
    "Baseline",
    "BaselineDiff",
    "BaselineInvalid",
    "Chain",
    "ChainGroup",
    "ChainId",
    "ImportFinding",
    "ImportJudgement",
    "ImportLine",
    "Link",
    "diff_baseline",
    "dump_baseline",
    "format_chain_id",
    "group_violations",
    "is_in_module",
    "judge_chains",
    "parse_baseline",
    "parse_chain_id",
    "parse_chain_lists",
    "parse_today",
    "split_allowances",
]
