"""What a Redis command touches: its keys (read or written) and the hash/JSON field names.

Key positions and read/write flags come from ``command_table.json``, generated from a real
server's ``COMMAND INFO`` key specifications (``scripts/gen_command_table.py``); a few commands
whose key specs are incomplete, or whose flags do not say what the call does, are curated.
Field names are taken from the arguments (hash fields) or from the top-level names of a JSON
object value; the value itself is parsed transiently and never kept.

- ``arguments``: an argument as text, upper-cased words, a word's spellings as sent;
- ``use``: ``CommandUse`` and ``KeyUse``, what one command touches;
- ``names``: housekeeping, script and whole-value-read commands;
- ``table``: the generated command table;
- ``argv``: a command's canonical name and its argv as the server sees it;
- ``keys``: the keys a command touches, from the key specs or curated;
- ``fields``: the field names a command writes or reads;
- ``analysis``: ``analyse`` and ``analyse_argv``, the entry points.
"""

from .analysis import analyse, analyse_argv, curated_names
from .arguments import Args, spellings, text, upper
from .argv import single_word_name, split_argv
from .fields import FieldRule, json_field_names, json_path_field
from .keys import single_key_plan
from .names import HOUSEKEEPING, SCRIPT_COMMANDS, VALUE_READS
from .table import CommandInfo, command_table, table_version
from .use import CommandUse, KeyUse

__all__ = [
    "HOUSEKEEPING",
    "SCRIPT_COMMANDS",
    "VALUE_READS",
    "Args",
    "CommandInfo",
    "CommandUse",
    "FieldRule",
    "KeyUse",
    "analyse",
    "analyse_argv",
    "command_table",
    "curated_names",
    "json_field_names",
    "json_path_field",
    "single_key_plan",
    "single_word_name",
    "spellings",
    "split_argv",
    "table_version",
    "text",
    "upper",
]
