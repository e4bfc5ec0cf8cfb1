"""The built-in plugin: ragft-lint's own rules and output formats, through the public hooks.

The host registers this module under the name ``builtin`` before any installed plugin, so the
built-in behaviour goes through exactly the path a plugin's does.
"""

from __future__ import annotations

from .output.formats import ragft_lint_output_formats
from .rules.builtin import ragft_lint_rules

__all__ = ["ragft_lint_output_formats", "ragft_lint_rules"]
