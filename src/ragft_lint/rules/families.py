"""The families of built-in rules, and every rule they hold.

The built-in plugin (``ragft_lint/builtin.py``) contributes ``rules()`` through
``ragft_lint_rules``, the hook any plugin's rules come through.
"""

from __future__ import annotations

from typing import List

from ..rule import Rule
from . import (
    baseline,
    decision,
    eval_dates,
    evaluation,
    evidence,
    fine_tune,
    knowledge,
    measured,
    retrieval,
    scores,
    thresholds,
    upkeep,
    waivers,
)

FAMILIES = (knowledge, baseline, evaluation, eval_dates, scores, fine_tune, upkeep, retrieval,
            evidence, measured, decision, thresholds, waivers)


def rules() -> List[Rule]:
    """Every built-in rule, family by family."""
    return [item for family in FAMILIES for item in vars(family).values() if isinstance(item, Rule)]
