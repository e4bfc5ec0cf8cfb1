"""EV: is there an eval set that can prove it worked?"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


def has_eval(system: System) -> bool:
    """An eval is declared when it names a file or a count."""
    return system.has("eval", "path") or system.has("eval", "examples")


@rule("EV001", "fine-tune-without-eval", Severity.ERROR)
def fine_tune_without_eval(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tuned system with no eval set.

    Why: without an eval set nobody can tell whether the fine-tune helped, or what it broke.
    For a fine-tune it is a requirement, not a nice-to-have.

    Fix: build a labelled eval set before training and declare it under `eval` (`path` to the
    file, or at least `examples` with its size).

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              path: evals/tone.jsonl
    """
    if system.fine_tuned and not has_eval(system):
        yield Violation(
            f"architecture is {system.architecture}, but no eval set is declared "
            "(neither eval.path nor eval.examples)",
            "declare the labelled eval set under eval, built before training",
            ("eval",) if system.has("eval") else ("architecture",),
        )
