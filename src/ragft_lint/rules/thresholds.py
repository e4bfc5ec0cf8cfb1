"""TH: are the bars the rules compare against the defaults, or lowered for a reason?"""

from __future__ import annotations

from typing import Any, Dict, Iterator

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule
from ..thresholds import THRESHOLDS, changed


@rule("TH001", "loosened-threshold", Severity.WARNING)
def loosened_threshold(system: System, context: Context) -> Iterator[Violation]:
    """A threshold set so that its rules fire less than at the default, with no reason given.

    Why: a threshold is a bar every system of the declaration is held to. Lowering
    `min_training_examples` or `min_eval_examples`, or raising `max_eval_age_days`, quietly
    switches rules off for everyone, and nothing in the findings shows that the bar moved.
    Like a waiver, a loosened bar needs a reason a reviewer can read; written as
    `{value: N, reason: "..."}` it is accepted. Tightening a bar needs no reason. The
    finding is reported once per declaration, on its first system.

    Fix: give the threshold a reason (`min_eval_examples: {value: 100, reason: "..."}`), or
    remove the override and meet the default bar.

    Fires:
        thresholds:
          min_eval_examples: 25
        systems:
          tone-bot:
            architecture: fine-tune

    Passes:
        thresholds:
          min_eval_examples:
            value: 100
            reason: "a narrow classifier with five labels; 100 examples give each label 20"
        systems:
          tone-bot:
            architecture: fine-tune
    """
    # The thresholds the declaration applies, those of a file it extends included: a bar
    # loosened in the shared file is named at its line there.
    applied = system.applied
    declared: Dict[str, Any] = applied.data.get("thresholds") or {}
    systems = system.document.data.get("systems") or {}
    # A setting of the whole declaration: told once, on the first system it declares.
    if not declared or next(iter(systems), None) != system.name:
        return
    for item in changed(declared):
        if item.reason or not item.loosened or item.name not in THRESHOLDS:
            continue
        where = applied.where("thresholds", item.name)
        direction = "below" if item.value < item.default else "above"
        yield Violation(
            f"thresholds.{item.name} is {item.value} ({where}), "
            f"{direction} its default {item.default}, with no reason: the rules that compare "
            "against it fire less for every system, and nothing says why",
            f"write thresholds.{item.name} as {{value: {item.value}, reason: \"...\"}} with "
            "the reason, or remove it and meet the default",
            (),
        )
