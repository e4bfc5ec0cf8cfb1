"""The report of checking one declaration: its findings, and what else the user must hear.

A report is built once, at the end of a check, with everything in it: the findings, the plugin
failures, the notes, the rules that ran. Changing it (a baseline leaving findings out) makes a
new report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import UnknownSystemError
from .findings import Finding, Severity

if TYPE_CHECKING:
    from .facts import Figure
    from .host import PluginFailure
    from .notes import Note
    from .rule import Rule
    from .thresholds import Changed


class Report:
    """The outcome of checking one declaration.

    ``declaration`` is its path as the user reads it; ``systems`` the names of its systems in
    declaration order; ``findings`` sorted by place; ``plugin_failures`` every plugin that failed
    to load or to run; ``rules`` the rules that ran (for outputs that describe them); ``notes``
    what the user should hear once besides the findings (git missing, a reader not installed:
    ``notes.Note``), which every output shows; ``baselined`` how many
    findings a baseline file left out; ``parts`` the reports of each declaration when this one
    is several taken together (``combine``), else empty.
    """

    __slots__ = (
        "baselined",
        "declaration",
        "fail_on",
        "findings",
        "measured",
        "notes",
        "parts",
        "plugin_failures",
        "rules",
        "systems",
        "thresholds",
    )

    def __init__(
        self,
        declaration: str,
        systems: Sequence[str],
        findings: Iterable[Finding],
        fail_on: Severity,
        plugin_failures: Iterable[PluginFailure] = (),
        rules: Iterable[Rule] = (),
        notes: Iterable[Note] = (),
        baselined: int = 0,
        parts: Sequence[Report] = (),
        thresholds: Iterable[Changed] = (),
        measured: Optional[Mapping[str, Mapping[str, Figure]]] = None,
    ) -> None:
        self.declaration = declaration
        self.systems: List[str] = list(systems)
        self.findings: List[Finding] = list(findings)
        self.fail_on = fail_on
        self.plugin_failures: List[PluginFailure] = list(plugin_failures)
        self.rules: List[Rule] = list(rules)
        self.notes: List[Note] = list(notes)
        self.baselined = baselined
        self.parts: Tuple[Report, ...] = tuple(parts)
        # The thresholds the declaration changed from their defaults, with the reasons given:
        # every output shows them, so that a lowered bar is never silent.
        self.thresholds: Tuple[Changed, ...] = tuple(thresholds)
        # The figures measured from each system's evidence (a scored retrieval run), by system
        # and figure name; systems with none are absent.
        self.measured: Dict[str, Mapping[str, Figure]] = dict(measured or {})

    def replace(self, **changes: Any) -> Report:
        """A new report with some of its parts changed (``findings``, ``baselined``, ...)."""
        parts = {name: getattr(self, name) for name in self.__slots__}
        parts.update(changes)
        return Report(**parts)

    @property
    def summary(self) -> Dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0, "waived": 0}
        for finding in self.findings:
            counts["waived" if finding.waived else str(finding.severity)] += 1
        return counts

    @property
    def failed(self) -> bool:
        if self.parts:  # each declaration fails at its own fail_on
            return any(part.failed for part in self.parts)
        return any(not f.waived and f.severity >= self.fail_on for f in self.findings)

    @property
    def exit_status(self) -> int:
        if self.plugin_failures:
            return 3
        return 1 if self.failed else 0

    def for_system(self, name: str, include_waived: bool = False) -> List[Finding]:
        """One system's findings, without the waived ones unless ``include_waived``.

        ``name`` is the system's name, or ``path::name`` in a report of several declarations
        (``identity``). Raises ``UnknownSystemError`` (a ``KeyError``) naming the systems there
        are, with "did you mean", when the report holds no such system.
        """
        if self.parts:
            for part in self.parts:
                prefix = f"{part.declaration}::"
                if name.startswith(prefix) and name[len(prefix):] in part.systems:
                    return part.for_system(name[len(prefix):], include_waived)
        elif name in self.systems:
            return [f for f in self.findings
                    if f.system == name and (include_waived or not f.waived)]
        raise UnknownSystemError(name, self.declaration, self.systems)

    def __repr__(self) -> str:
        return f"<ragft_lint Report of {self.declaration}: {self.summary}>"

    # A report shows itself: as ``check``'s text when printed, as a findings table in a
    # notebook. The renderers are imported only when asked for.

    def _repr_html_(self) -> str:
        from .output import html

        return html.report(self)

    def __str__(self) -> str:
        from .output import text

        return text.render([self]).rstrip("\n")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def identity(declaration: str, name: str) -> str:
    """A system's name in a run of several declarations: ``path::name``, for every system, so
    that a name stays the same when another service takes the same one."""
    return f"{declaration}::{name}"


def combine(reports: Sequence[Report]) -> Report:
    """Several declarations' reports as one (a folder of a monorepo checked at once): all their
    systems (``path::name``) and findings, each declaration still failing at its own
    ``fail_on``. One report is returned as it is."""
    if len(reports) == 1:
        return reports[0]
    from .notes import unique

    findings = sorted((f for r in reports for f in r.findings), key=lambda f: f.sort_key())
    rules = {rule.id: rule for r in reports for rule in r.rules}
    return Report(
        ", ".join(r.declaration for r in reports),
        [identity(r.declaration, name) for r in reports for name in r.systems],
        findings,
        min((r.fail_on for r in reports), default=Severity.ERROR),
        plugin_failures=list(dict.fromkeys(f for r in reports for f in r.plugin_failures)),
        rules=list(rules.values()),
        notes=unique(n for r in reports for n in r.notes),
        baselined=sum(r.baselined for r in reports),
        parts=reports,
        thresholds=list(dict.fromkeys(t for r in reports for t in r.thresholds)),
        # By ``path::name``, as the systems are: two declarations' systems of one name
        # each keep their figures.
        measured={identity(r.declaration, name): figures
                  for r in reports for name, figures in r.measured.items()},
    )
