"""The built-in result readers, in the order their ``sniff`` is tried (most particular first).

Each reader's module is imported the first time it sniffs or reads a file, so the plugin host
can collect the readers on every run while a check that reads no result file imports none.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict

from . import ResultReader

# (name, module, description)
BUILT_IN = (
    ("inspect_ai", "inspect_logs", "inspect_ai eval logs (.eval archives and .json)"),
    ("promptfoo", "promptfoo", "promptfoo's `eval -o` output (.json or .jsonl)"),
    ("deepeval", "deepeval", "deepeval test run JSON (.latest_run_full.json, test_run_*.json)"),
    ("lm-evaluation-harness", "harness", "lm-evaluation-harness samples_<task>_*.jsonl"),
    ("openai-evals", "openai_evals", "OpenAI evals run logs (JSON Lines from oaieval)"),
    ("ragas", "ragas", "ragas results exported as CSV or JSON Lines"),
    ("plain", "plain", 'JSON Lines of {"id", "score"} or {"id", "pass"}'),
)


def _deferred(module: str, attribute: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)(*args)

    call.__name__ = call.__qualname__ = f"{module}.{attribute}"
    return call


def readers() -> Dict[str, ResultReader]:
    return {name: ResultReader(name, description, _deferred(module, "sniff"),
                               _deferred(module, "read"))
            for name, module, description in BUILT_IN}
