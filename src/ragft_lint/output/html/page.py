"""The standalone HTML page that ``--format html`` prints: the run's notes, then each report's
findings table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .findings import notes, report

if TYPE_CHECKING:
    from ...notes import Note
    from ...report import Report


def page(reports: Sequence[Report], told: Sequence[Note] = ()) -> str:
    """A whole HTML document: the notes ``told`` once, above the findings of ``reports``."""
    body = "\n".join([notes(told), *(report(r, with_notes=False) for r in reports)])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>ragft-lint</title></head>\n<body>\n" + body + "\n</body></html>\n")
