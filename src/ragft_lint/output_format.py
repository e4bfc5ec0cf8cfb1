"""What an output format is, as a plugin contributes one through ``ragft_lint_output_formats``,
and the built-in formats: values of the same type, registered by the built-in plugin through
the same hook.

Each built-in format is a one-line delegation to its renderer in ``output/``, imported only
when that format is asked for: this module is all of the output formats a run loads until it
renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Sequence, Tuple

from .record import NamedTuple

if TYPE_CHECKING:
    from .notes import Note
    from .report import Report


class FormatOptions(NamedTuple):
    """What the command line says about presentation, and the run's notes (``notes.Note``:
    code, message, path), which every format shows in its own way."""

    colour: bool = False
    quiet: bool = False
    notes: Tuple[Note, ...] = ()


class OutputFormat(NamedTuple):
    """A ``--format`` choice: ``render(reports, options)`` returns the text to print."""

    description: str
    render: Callable[[Sequence[Report], FormatOptions], str]


def _text(reports: Sequence[Report], options: FormatOptions) -> str:
    from .output import text

    return text.render(reports, colour=options.colour, quiet=options.quiet)


def _json(reports: Sequence[Report], options: FormatOptions) -> str:
    from .output import json

    return json.render(reports, options.notes)


def _sarif(reports: Sequence[Report], options: FormatOptions) -> str:
    from .output import sarif

    return sarif.render(reports, options.notes)


def _github(reports: Sequence[Report], options: FormatOptions) -> str:
    from .output import github

    return github.render(reports, options.notes)


def _html(reports: Sequence[Report], options: FormatOptions) -> str:
    from .output.html.page import page

    return page(reports, options.notes)


def builtin_formats() -> Dict[str, OutputFormat]:
    """The built-in ``--format`` choices."""
    return {
        "text": OutputFormat("one line per finding, path:line:column first (default)", _text),
        "json": OutputFormat("the stable machine-readable report", _json),
        "sarif": OutputFormat("SARIF 2.1.0, for code scanning", _sarif),
        "github": OutputFormat("GitHub Actions workflow commands (annotations)", _github),
        "html": OutputFormat("a standalone HTML page of the findings", _html),
    }
