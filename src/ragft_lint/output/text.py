"""The default output: one line per finding, as editors' problem matchers read them."""

from __future__ import annotations

from typing import List, Sequence

from ..findings import Severity
from ..report import Report
from ..words import counted
from .changed import of_reports
from .escape import line, printable

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def render(reports: Sequence[Report], colour: bool = False, quiet: bool = False) -> str:
    lines: List[str] = []
    for report in reports:
        for f in report.findings:
            if f.waived:
                continue
            word = str(f.severity)
            if colour:
                word = f"\x1b[{_COLOURS[f.severity]}m{word}\x1b[0m"
            lines.append(f"{line(str(f.location))}: {f.rule} [{word}] "
                         f"{printable(f.labelled())}")
    if not quiet:
        for report in reports:
            lines.append(line(summary(report)))
        # The thresholds changed from the defaults: over several declarations, a line for
        # each declaration that changed any, headed by its path (output/changed.py).
        lines.extend(line(said) for said in of_reports(reports).lines())
    return "\n".join(lines) + ("\n" if lines else "")


def summary(report: Report) -> str:
    counts = report.summary
    systems = counted(len(report.systems), "system")
    if not any(counts[k] for k in ("error", "warning", "info")):
        text = f"{report.declaration}: no findings ({systems} checked)"
    else:
        parts = [counted(counts["error"], "error"), counted(counts["warning"], "warning"),
                 f"{counts['info']} info"]
        text = f"{report.declaration}: {', '.join(parts)} ({systems} checked)"
    if counts["waived"]:
        text += f"; {counts['waived']} waived"
    if report.baselined:
        text += f"; {report.baselined} in the baseline"
    if report.failed:
        text += f"; failing at {report.fail_on} and above"
    return text
