"""A run: everything one ``check`` or ``decide`` found, as one value.

``Session.run(paths, options)`` makes it: the declarations the paths name, each declaration's
report (with the baseline applied), the decisions when asked for (keyed by system, or by
``path::name`` over several declarations, and keeping the changed thresholds however they are
filtered or merged), the notes, the plugin failures, and the exit status. The command line,
``ragft_lint.check()``, the pytest plugin, the notebook magic and ``init`` only build options,
call the run and present it (``output.present``), so none of them can decide differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence, Tuple

from .errors import DeclarationError
from .notes import Note, unique
from .record import NamedTuple

if TYPE_CHECKING:
    from .decide import Decisions
    from .declaration.model import Declaration
    from .declaration.resolve import PathLike
    from .host import PluginFailure
    from .options import Options
    from .report import Report
    from .session import Session

__all__ = ["Run", "execute"]


class Run(NamedTuple):
    """One run's outcome (see the module's docstring).

    ``recorded`` is how many findings ``write_baseline`` wrote (None when none was written),
    ``dropped`` how many entries of the baseline it replaced matched no finding any more;
    ``strict`` holds the notes that fail the run: that a figure could not be measured, of a
    declaration checked with strict evidence (``--strict-evidence``, ``evidence: strict``).
    """

    options: Options
    declarations: Tuple[Declaration, ...]
    reports: Tuple[Report, ...]
    decisions: Optional[Decisions]
    notes: Tuple[Note, ...]
    failures: Tuple[PluginFailure, ...]
    exit_status: int
    recorded: Optional[int] = None
    strict: Tuple[Note, ...] = ()
    dropped: int = 0

    @property
    def report(self) -> Report:
        """The reports as one (``report.combine``): what the notebook and pytest show."""
        from .report import Report, combine

        if not self.reports:
            from .findings import Severity

            return Report("(no declaration)", (), (), Severity.ERROR, self.failures,
                          notes=self.notes)
        return combine(self.reports)

    @property
    def unmeasured(self) -> Tuple[Note, ...]:
        """The notes that say a figure could not be measured."""
        return tuple(n for n in self.notes if n.unmeasured)


def execute(session: Session, paths: Sequence[PathLike], options: Options,
            decide: bool = False, declarations: Optional[Sequence[Declaration]] = None) -> Run:
    """Check (``decide``: and decide on) the declarations ``paths`` name, or the
    ``declarations`` given (already read: a notebook cell's).

    Raises ``DeclarationError``, ``NoDeclarationError`` or ``BaselineError`` when nothing can
    be checked; everything else that happens is in the run.
    """
    said: Sequence[Note] = ()
    if declarations is None:
        declarations, said = session.declarations(paths)
    if options.write_baseline is not None:
        from . import baseline

        # Before anything runs: a refused file leaves the run unchecked and nothing written.
        baseline.check_target(options.write_baseline, declarations)
    if options.output_file is not None:
        from . import baseline

        baseline.check_target(options.output_file, declarations, "--output-file")
    problems = session.problems(declarations, options)
    if problems:  # every declaration's, in one error, as for the format's own
        raise DeclarationError(problems)
    reports = [session.report(d, options) for d in declarations]
    failures = unique([*session.plugins.failures,
                       *(f for r in reports for f in r.plugin_failures)])
    strict = unique(note for d, r in zip(declarations, reports)
                    if session.settings(d, options).strict_evidence
                    for note in r.notes if note.unmeasured)
    recorded = None
    dropped = 0
    if options.write_baseline is not None:
        from . import baseline

        recorded, dropped = baseline.write(reports, options.write_baseline)
    elif options.baseline is not None:
        from . import baseline

        reports = baseline.apply(reports, options.baseline)  # with its stale entries' notes
    notes = unique([*said, *(n for r in reports for n in r.notes)])
    decisions = None
    if decide:
        from .decide import Decisions

        decisions = Decisions.merge([(d.display, session.decisions(d, options))
                                     for d in declarations])
        if options.system is not None:
            from .errors import UnknownSystemError, UsageError

            try:
                decisions = decisions.only(options.system)
            except UnknownSystemError as exc:
                raise UsageError(f"--system: {exc}") from None
    if failures:
        status = 3
    elif strict:
        status = 1
    elif decide and options.fail_on_disagreement and decisions is not None and any(
            d.disagrees for d in decisions.values()):
        status = 1  # decide --fail-on-disagreement: CI gates on DE001's condition
    elif decide or recorded is not None:
        status = 0
    else:
        status = 1 if any(r.failed for r in reports) else 0
    return Run(options, tuple(declarations), tuple(reports), decisions, notes, failures,
               status, recorded, strict, dropped)
