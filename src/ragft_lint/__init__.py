"""ragft-lint: checks that each AI system's architecture agrees with the evidence behind it."""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = [
    "Context",
    "Finding",
    "FormatOptions",
    "Location",
    "OutputFormat",
    "Report",
    "Rule",
    "Session",
    "Severity",
    "Violation",
    "__version__",
    "check",
    "hookimpl",
    "rule",
]

from .findings import Finding, Location, Severity
from .rule import Context, Rule, Violation, rule


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext ragft_lint``: register the ``%ragft_lint`` and ``%%ragft_lint`` magics."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    # Kept lazy: the plugin machinery and the pipeline are imported only when asked for.
    if name == "hookimpl":
        import pluggy

        return pluggy.HookimplMarker("ragft_lint")
    if name in ("check", "Session"):
        from . import session

        return getattr(session, name)
    if name == "Report":
        from .report import Report

        return Report
    if name in ("OutputFormat", "FormatOptions"):
        from . import output_format

        return getattr(output_format, name)
    raise AttributeError(f"module 'ragft_lint' has no attribute {name!r}")
