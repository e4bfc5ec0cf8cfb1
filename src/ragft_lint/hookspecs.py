"""The hook specifications: everything a plugin can add. Every name carries ``ragft_lint_``."""

from __future__ import annotations

from typing import List

import pluggy

from .rule import Rule

hookspec = pluggy.HookspecMarker("ragft_lint")


@hookspec
def ragft_lint_rules() -> List[Rule]:  # type: ignore[empty-body]
    """Return the rules this plugin adds.

    Each is a ``ragft_lint.Rule``, usually made with ``@ragft_lint.rule``. Ids must be unique
    across every installed plugin; a rule's settings come from ``plugins.<plugin name>`` in the
    declaration and reach its check as ``context.settings``.
    """
