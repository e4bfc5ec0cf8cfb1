"""The hook specifications: everything a plugin can add. Every name carries ``ragft_lint_``.

A plugin is a module (or object) named by an entry point in the ``ragft_lint`` group; it
implements any of these hooks with ``@ragft_lint.hookimpl``. The built-in rules and output
formats are registered through the same hooks. See docs/plugins.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

import pluggy

from .rule import Rule

if TYPE_CHECKING:
    from .declaration.schema import Spec
    from .evidence.result_reader import ResultReader
    from .output_format import OutputFormat

hookspec = pluggy.HookspecMarker("ragft_lint")


@hookspec
def ragft_lint_rules() -> List[Rule]:  # type: ignore[empty-body]
    """Return the rules this plugin adds.

    Each is a ``ragft_lint.Rule``, usually made with ``@ragft_lint.rule``. Ids must be unique
    across every installed plugin; a rule's settings come from ``plugins.<plugin name>`` in the
    declaration and reach its check as ``context.settings``.
    """


@hookspec
def ragft_lint_system_keys() -> Dict[str, Spec]:  # type: ignore[empty-body]
    """Return the keys this plugin adds to every system's table, each with its ``Spec``.

    Specs come from ``ragft_lint.spec`` (``Table``, ``Str``, ``Date``, ...). The loader
    validates the plugin's keys like built-in ones (with file, line and column on a mistake),
    ``ragft-lint schema`` describes them, and rules read them with ``system.get(key, ...)``.
    A key that a built-in key or another plugin already defines is a plugin failure.
    """


@hookspec
def ragft_lint_settings() -> Optional[Spec]:
    """Return the ``Spec`` of this plugin's settings table, ``plugins.<plugin name>``.

    Without it the table is passed on unchecked. With it, mistakes are declaration errors and
    the rules receive the validated values as ``context.settings``.
    """


@hookspec
def ragft_lint_output_formats() -> Dict[str, OutputFormat]:  # type: ignore[empty-body]
    """Return extra ``--format`` choices: name to ``ragft_lint.OutputFormat``.

    An ``OutputFormat`` holds a one-line description and ``render(reports, options)``, which
    returns the text to print for a list of ``Report`` objects (one per declaration checked).
    """


@hookspec
def ragft_lint_result_readers() -> Dict[str, ResultReader]:  # type: ignore[empty-body]
    """Return extra readers of eval tools' result files: name to ``ResultReader``.

    A declaration names one with ``format:`` under ``prompt.baseline_results`` or
    ``fine_tune.results``; without it each reader's ``sniff`` is tried, the built-in ones first.
    A name another plugin (or a built-in reader) already has is a plugin failure.
    """
