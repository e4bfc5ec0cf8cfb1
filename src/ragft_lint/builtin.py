"""The built-in plugin: ragft-lint's own rules, output formats and result
readers, through the public hooks.

The host registers this module under the name ``builtin`` before any installed plugin, so the
built-in behaviour goes through exactly the path a plugin's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict

from .output.formats import ragft_lint_output_formats
from .rules.builtin import hookimpl, ragft_lint_rules

if TYPE_CHECKING:
    from .evidence.result_reader import ResultReader

__all__ = ["ragft_lint_output_formats", "ragft_lint_result_readers", "ragft_lint_rules"]


@hookimpl
def ragft_lint_result_readers() -> Dict[str, ResultReader]:
    # Imported here: a check that reads no result file loads only the readers' names.
    from .evidence.result_reader import builtin_readers

    return builtin_readers()
