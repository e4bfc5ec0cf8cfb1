"""``--format github``: GitHub Actions workflow commands, shown as pull-request annotations.

Errors become ``::error``, warnings ``::warning`` and info findings ``::notice``. Waived findings
are accepted risks and produce no annotation. Values are escaped the way the runner expects, so
a message holding a colon, a comma or a new line cannot break the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence

from ..findings import Finding, Severity
from ..report import Report
from .changed import of_reports
from .escape import workflow_data, workflow_property
from .json import notes_of

if TYPE_CHECKING:
    from ..notes import Note

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


_data = workflow_data
_property = workflow_property


def annotation(finding: Finding) -> str:
    location = finding.location
    properties = ",".join((
        f"file={_property(location.path)}",
        f"line={location.line}",
        f"col={location.column}",
        f"title={_property(finding.rule)}",  # the bare id, as interfaces.md writes it
    ))
    message = finding.labelled()
    if finding.fix:
        message += f"\nFix: {finding.fix}"
    return f"::{_COMMANDS[finding.severity]} {properties}::{_data(message)}"


def note_command(note: Note) -> str:
    """A note as ``::warning`` (``::notice`` for information), on its file where it has one, so
    that a check that could not measure something says so in the run's annotations."""
    command = "warning" if note.level == "warning" else "notice"
    properties = [f"file={_property(note.path)}"] if note.path else []
    properties.append(f"title={_property(f'ragft-lint {note.code}')}")
    return f"::{command} {','.join(properties)}::{_data(note.message)}"


def render(reports: Sequence[Report], notes: Optional[Sequence[Note]] = None) -> str:
    lines: List[str] = [note_command(n) for n in notes_of(reports, notes)]
    lines += [
        annotation(f)
        for f in sorted((f for r in reports for f in r.findings), key=Finding.sort_key)
        if not f.waived
    ]
    # A notice without a file, shown in the run's summary, not on a line: over several
    # declarations one per declaration that changed any, headed by its path.
    lines += [f"::notice title={_property('ragft-lint thresholds')}::{_data(said)}"
              for said in of_reports(reports).lines()]
    return "\n".join(lines) + ("\n" if lines else "")
