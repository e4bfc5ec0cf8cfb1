"""What a result reader is, and the built-in readers by name: all the plugin host loads of the
result readers on every run.

A ``ResultReader`` knows one eval tool's result files (``evidence/results/``). The host checks
what plugins return against this type and the built-in plugin registers the readers listed
here; each reader's module is imported the first time it sniffs or reads a file, so a check
that reads no result file imports none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Dict, Optional

from ..record import NamedTuple

if TYPE_CHECKING:
    from .results import CaseScores

    # Opens a path for reading in binary, or raises ``Refused`` with the reason.
    Opener = Callable[[str], BinaryIO]


class ResultReader(NamedTuple):
    """How to read one eval tool's result files, as a plugin contributes one.

    ``sniff(head, path)`` says from the file's first bytes (decoded as UTF-8, bad bytes
    replaced) and its name whether the file is this tool's; it must not open anything.
    ``read(path, opener, metric, task)`` opens the file only through ``opener`` and returns
    ``CaseScores``, or raises ``NotReadable`` (``Ambiguous`` for an unnamed metric or task)
    with the reason. A built-in reader also takes the declaration's other selectors
    (``provider:``, ``prompt:``, ``filter:``) as a fifth argument, when any is given.
    """

    name: str
    description: str
    sniff: Callable[[str, str], bool]
    read: Callable[[str, Opener, Optional[str], Optional[str]], CaseScores]


# The built-in readers in the order their ``sniff`` is tried (most particular first):
# (name, module in evidence/results/, description).
BUILT_IN = (
    ("inspect_ai", "inspect_logs", "inspect_ai eval logs (.eval archives and .json)"),
    ("promptfoo", "promptfoo", "promptfoo's `eval -o` output (.json, .jsonl or .csv)"),
    ("deepeval", "deepeval", "deepeval test run JSON (.latest_run_full.json, test_run_*.json, "
                             ".latest_test_run.json)"),
    ("lm-evaluation-harness", "harness",
     "lm-evaluation-harness samples_<task>_*.jsonl and results_*.json"),
    ("openai-evals", "openai_evals", "OpenAI evals run logs (JSON Lines from oaieval)"),
    ("ragas", "ragas", "ragas results exported as CSV, JSON Lines or a JSON array"),
    ("plain", "plain", 'JSON Lines of {"id", "score"} or {"id", "pass"}'),
)


def _deferred(module: str, attribute: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        found = importlib.import_module(f"{__package__}.results.{module}")
        return getattr(found, attribute)(*args)

    call.__name__ = call.__qualname__ = f"{module}.{attribute}"
    return call


def builtin_readers() -> Dict[str, ResultReader]:
    """The built-in readers, each loading its module on first use."""
    return {name: ResultReader(name, description, _deferred(module, "sniff"),
                               _deferred(module, "read"))
            for name, module, description in BUILT_IN}
