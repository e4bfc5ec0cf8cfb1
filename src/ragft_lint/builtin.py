"""The built-in plugin: ragft-lint's own rules, output formats and result
readers, through the public hooks.

The host registers this module under the name ``builtin`` before any installed plugin, so the
built-in behaviour goes through exactly the path a plugin's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

import pluggy

from .output_format import builtin_formats
from .rules import families

if TYPE_CHECKING:
    from .evidence.result_reader import ResultReader
    from .output_format import OutputFormat
    from .rule import Rule

__all__ = ["ragft_lint_output_formats", "ragft_lint_result_readers", "ragft_lint_rules"]

hookimpl = pluggy.HookimplMarker("ragft_lint")


@hookimpl
def ragft_lint_rules() -> List[Rule]:
    return families.rules()


@hookimpl
def ragft_lint_output_formats() -> Dict[str, OutputFormat]:
    return builtin_formats()


@hookimpl
def ragft_lint_result_readers() -> Dict[str, ResultReader]:
    # Imported here: a check that reads no result file loads only the readers' names.
    from .evidence.result_reader import builtin_readers

    return builtin_readers()
