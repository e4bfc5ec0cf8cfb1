"""The built-in plugin: contributes every built-in rule through ``ragft_lint_rules``."""

from __future__ import annotations

from typing import List

import pluggy

from ..rule import Rule
from . import (
    baseline,
    decision,
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

hookimpl = pluggy.HookimplMarker("ragft_lint")

FAMILIES = (knowledge, baseline, evaluation, scores, fine_tune, upkeep, retrieval, evidence,
            measured, decision, thresholds, waivers)


@hookimpl
def ragft_lint_rules() -> List[Rule]:
    return [item for family in FAMILIES for item in vars(family).values() if isinstance(item, Rule)]
