"""A checked buffer as the editor's diagnostics: the run's findings with the ids, severities,
messages and places ``check`` reports, the notes beside them, each plugin failure (as
``check`` names it) at the top, or the declaration's problems at their lines and columns when it
could not be checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from lsprotocol import types

from .places import lines_of, span

if TYPE_CHECKING:
    from ..findings import Finding
    from .checking import Checked

SOURCE = "ragft-lint"

_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning,
             "info": types.DiagnosticSeverity.Information}


def diagnostics(checked: Checked, show_waived: bool = False) -> List[types.Diagnostic]:
    """The diagnostics of one checked buffer (``show_waived``: waived findings too, as hints)."""
    lines = lines_of(checked.text)
    out = [_diagnostic(lines, p.line, p.column, p.message, types.DiagnosticSeverity.Error)
           for p in checked.problems]
    out += [_diagnostic(lines, 1, 1, message, types.DiagnosticSeverity.Error)
            for message in failures(checked)]
    run = checked.run
    declaration = checked.declaration
    if run is None or declaration is None:
        return out
    for report in run.reports:
        for finding in report.findings:
            if finding.location.path != declaration.display:
                continue  # located in another file: that file's editor shows it
            if finding.waived and not show_waived:
                continue
            out.append(_finding(lines, finding))
    for note in run.notes:
        out.append(_diagnostic(lines, 1, 1, note.message, types.DiagnosticSeverity.Information,
                               code=note.code))
    return out


def failures(checked: Checked) -> List[str]:
    """Each plugin that failed (to load, or in this run: a rule that raised, a result reader),
    named as ``check`` names it on its way to exit status 3; at the top of the declaration,
    since a failed plugin voids the whole run, whatever line it was checking."""
    if checked.run is not None:
        found = checked.run.failures
    elif checked.session is not None:
        found = checked.session.plugins.failures
    else:
        found = ()
    return [str(failure.error()) for failure in found]


def _finding(lines: List[str], finding: Finding) -> types.Diagnostic:
    location = finding.location
    severity = types.DiagnosticSeverity.Hint if finding.waived \
        else _SEVERITY[str(finding.severity)]
    data: Dict[str, Any] = {"system": finding.system, "key": finding.key, "rule": finding.rule}
    message = f"{finding.message} ({finding.system})"
    if finding.waived:
        message += f" [waived: {finding.waiver_reason or 'no reason given'}]"
    return _diagnostic(lines, location.line, location.column, message, severity,
                       code=finding.rule, data=data)


def _diagnostic(lines: List[str], line: int, column: int, message: str,
                severity: types.DiagnosticSeverity, code: Any = None,
                data: Any = None) -> types.Diagnostic:
    number, start, end = span(lines, line, column)
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=number, character=start),
                          end=types.Position(line=number, character=end)),
        message=message, severity=severity, code=code, source=SOURCE, data=data)
