"""The default output: one line per finding, as editors' problem matchers read them."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from ..findings import Severity
from ..report import Report
from ..thresholds import Changed
from ..thresholds import summary as thresholds_summary
from ..words import counted
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
        changed = thresholds_summary(thresholds_of(reports))
        if changed:
            lines.extend(line(part) for part in changed.split("\n"))
    return "\n".join(lines) + ("\n" if lines else "")


def thresholds_of(reports: Sequence[Report]) -> Tuple[Changed, ...]:
    """The thresholds the checked declarations changed from the defaults, each once: what
    every output shows beside the findings. A report that does not carry them has none."""
    seen: Dict[Tuple[Any, ...], Changed] = {}
    for report in reports:
        for item in getattr(report, "thresholds", ()):
            seen.setdefault(tuple(item), item)
    return tuple(seen.values())


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
