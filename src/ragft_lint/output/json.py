"""``--format json``: the stable machine-readable contract. Same input, same bytes."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .._version import __version__
from ..notes import unique
from ..report import Report, identity
from .changed import of_reports, parts_of

if TYPE_CHECKING:
    from ..facts import Figure
    from ..notes import Note


def notes_of(reports: Sequence[Report], notes: Optional[Sequence[Note]]) -> Sequence[Note]:
    """The notes to show: the run's when given, else every report's, each once."""
    return notes if notes is not None else unique(n for r in reports for n in r.notes)


def document(reports: Sequence[Report], notes: Optional[Sequence[Note]] = None
             ) -> Dict[str, Any]:
    """The JSON document as plain data; ``notes`` are the run's (default: the reports')."""
    findings: List[Dict[str, Any]] = []
    summary = {"error": 0, "warning": 0, "info": 0, "waived": 0}
    for report in reports:
        for key, count in report.summary.items():
            summary[key] += count
        for f in report.findings:
            item: Dict[str, Any] = {
                "rule": f.rule,
                "name": f.name,
                "severity": str(f.severity),
                "system": f.system,
                "message": f.message,
                "fix": f.fix,
                "path": f.location.path,
                "line": f.location.line,
                "column": f.location.column,
                "key": f.key,
                "waived": f.waived,
            }
            if f.waived:
                item["waiver_reason"] = f.waiver_reason
            findings.append(item)
    findings.sort(key=lambda i: (i["path"], i["line"], i["rule"], i["column"], i["system"] or ""))
    declarations = [r.declaration for r in reports]
    out: Dict[str, Any] = {
        "version": __version__,
        # The old form, kept for the consumers that read it: a string for one declaration.
        "declaration": declarations[0] if len(declarations) == 1 else declarations,
        "declarations": declarations,
        "findings": findings,
        "summary": summary,
        "notes": [n.to_json() for n in notes_of(reports, notes)],
    }
    # Only the thresholds that differ from the defaults, as interfaces.md says: each
    # declaration's own (output/changed.py).
    of_reports(reports).add_to(out)
    systems = measured_systems(reports)
    if systems:  # the figures read from the evidence, per system (added keys only)
        out["systems"] = systems
    return out


def measured_systems(reports: Sequence[Report]) -> Dict[str, Any]:
    """``{system: {"declaration", "measured": {figure: {value, low, high, n, source}}}}``
    (a result file's figure adds ``errored``: the cases its tool counted as failed on error) for
    the systems whose evidence gave figures, in declaration order (see ``measured``)."""
    out: Dict[str, Any] = {}
    for system, declaration, figures in measured(reports):
        shown: Dict[str, Any] = {}
        for key, figure in figures.items():
            shown[key] = figure.to_json()
            shown[key]["source"] = source_path(declaration, figure.source)
        out[system] = {"declaration": declaration, "measured": shown}
    return out


def measured(reports: Sequence[Report]) -> List[Tuple[str, str, Mapping[str, Figure]]]:
    """``(system, declaration, {figure name: figure})`` for each system whose evidence gave
    figures, in declaration order. A system is its name, or ``path::name`` for every system
    when the reports cover several declarations, as interfaces.md names systems (so two
    declarations' systems of one name are both there)."""
    parts = parts_of(reports)
    several = len(parts) > 1
    return [(identity(part.declaration, name) if several else name, part.declaration, figures)
            for part in parts for name in part.systems
            for figures in (part.measured.get(name),) if figures]


def source_path(declaration: str, source: str) -> str:
    """A measured figure's file (as declared: relative to the declaration's folder) as every
    path is shown, relative to the working directory and ``/``-separated, as
    ``declaration.discovery.display_path`` makes the declaration's own path (``declaration``,
    shown that way already)."""
    from ..declaration.discovery import display_path

    return display_path(os.path.join(os.path.dirname(declaration), source))


def render(reports: Sequence[Report], notes: Optional[Sequence[Note]] = None) -> str:
    return json.dumps(document(reports, notes), indent=2, ensure_ascii=False) + "\n"
