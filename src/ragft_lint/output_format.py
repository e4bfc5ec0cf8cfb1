"""What an output format is, as a plugin contributes one through ``ragft_lint_output_formats``.

The built-in formats (``output/formats.py``) are values of the same type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence, Tuple

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
