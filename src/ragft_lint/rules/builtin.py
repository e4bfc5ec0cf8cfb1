"""The built-in plugin: contributes every built-in rule through ``ragft_lint_rules``."""

from __future__ import annotations

from typing import List

import pluggy

from ..rule import Rule
from . import evaluation, knowledge

hookimpl = pluggy.HookimplMarker("ragft_lint")

FAMILIES = (knowledge, evaluation)


@hookimpl
def ragft_lint_rules() -> List[Rule]:
    return [item for family in FAMILIES for item in vars(family).values() if isinstance(item, Rule)]
