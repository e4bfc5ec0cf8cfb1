"""TH: are the bars the rules compare against the defaults, or lowered for a reason?"""

from __future__ import annotations

from typing import Any, Dict, Iterator

from ..declaration.model import Declaration
from ..findings import Severity
from ..rule import Context, Violation, rule
from ..thresholds import THRESHOLDS, changed


@rule("TH001", "loosened-threshold", Severity.WARNING, of_declaration=True)
def loosened_threshold(declaration: Declaration, context: Context) -> Iterator[Violation]:
    """A threshold set so that its rules fire less than at the default, with no reason given.

    Why: a threshold is a bar every system of the declaration is held to. Lowering
    `min_training_examples` or `min_eval_examples`, or raising `max_eval_age_days`, quietly
    switches rules off for everyone, and nothing in the findings shows that the bar moved.
    Like a waiver, a loosened bar needs a reason a reviewer can read; written as
    `{value: N, reason: "..."}` it is accepted. Tightening a bar needs no reason. The
    finding belongs to the declaration, not to any system: it is reported once, at the
    threshold's own line.

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
    # loosened in the shared file is located at its line there (engine: applied.where).
    declared: Dict[str, Any] = declaration.applied.data.get("thresholds") or {}
    for item in changed(declared):
        if item.reason or not item.loosened or item.name not in THRESHOLDS:
            continue
        direction = "below" if item.value < item.default else "above"
        yield Violation(
            f"thresholds.{item.name} is {item.value}, "
            f"{direction} its default {item.default}, with no reason: the rules that compare "
            "against it fire less for every system, and nothing says why",
            f"write thresholds.{item.name} as {{value: {item.value}, reason: \"...\"}} with "
            "the reason, or remove it and meet the default",
            ("thresholds", item.name),
        )
