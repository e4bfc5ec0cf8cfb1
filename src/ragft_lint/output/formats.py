"""Output formats as a plugin contributes them, and the built-in ones.

The built-in formats are registered through ``ragft_lint_output_formats`` like a plugin's; each
renderer's module is imported only when that format is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Sequence

import pluggy

from ..output_format import FormatOptions, OutputFormat

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["FormatOptions", "OutputFormat", "ragft_lint_output_formats"]

hookimpl = pluggy.HookimplMarker("ragft_lint")


def _text(reports: Sequence[Report], options: FormatOptions) -> str:
    from . import text

    return text.render(reports, colour=options.colour, quiet=options.quiet)


def _json(reports: Sequence[Report], options: FormatOptions) -> str:
    from . import json

    return json.render(reports, options.notes)


def _sarif(reports: Sequence[Report], options: FormatOptions) -> str:
    from . import sarif

    return sarif.render(reports, options.notes)


def _github(reports: Sequence[Report], options: FormatOptions) -> str:
    from . import github

    return github.render(reports, options.notes)


def _html(reports: Sequence[Report], options: FormatOptions) -> str:
    from . import html

    body = "\n".join([html.notes(options.notes),
                      *(html.report(r, with_notes=False) for r in reports)])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>ragft-lint</title></head>\n<body>\n" + body + "\n</body></html>\n")


@hookimpl
def ragft_lint_output_formats() -> Dict[str, OutputFormat]:
    return {
        "text": OutputFormat("one line per finding, path:line:column first (default)", _text),
        "json": OutputFormat("the stable machine-readable report", _json),
        "sarif": OutputFormat("SARIF 2.1.0, for code scanning", _sarif),
        "github": OutputFormat("GitHub Actions workflow commands (annotations)", _github),
        "html": OutputFormat("a standalone HTML page of the findings", _html),
    }
