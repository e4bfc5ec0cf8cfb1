"""The report of checking one declaration: its findings, and what else the user must hear.

A report is built once, at the end of a check, with everything in it: the findings, the plugin
failures, the notes, the rules that ran. Changing it (a baseline leaving findings out) makes a
new report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Sequence

from .findings import Finding, Severity

if TYPE_CHECKING:
    from .host import PluginFailure
    from .rule import Rule


class Report:
    """The outcome of checking one declaration.

    ``declaration`` is its path as the user reads it; ``systems`` the names of its systems in
    declaration order; ``findings`` sorted by place; ``plugin_failures`` every plugin that failed
    to load or to run; ``rules`` the rules that ran (for outputs that describe them); ``notes``
    what the user should hear once besides the findings (git missing, a reader not installed),
    which the command line prints to stderr, never into the output; ``baselined`` how many
    findings a baseline file left out.
    """

    __slots__ = ("baselined", "declaration", "fail_on", "findings", "notes", "plugin_failures",
                 "rules", "systems")

    def __init__(
        self,
        declaration: str,
        systems: Sequence[str],
        findings: Iterable[Finding],
        fail_on: Severity,
        plugin_failures: Iterable[PluginFailure] = (),
        rules: Iterable[Rule] = (),
        notes: Iterable[str] = (),
        baselined: int = 0,
    ) -> None:
        self.declaration = declaration
        self.systems: List[str] = list(systems)
        self.findings: List[Finding] = list(findings)
        self.fail_on = fail_on
        self.plugin_failures: List[PluginFailure] = list(plugin_failures)
        self.rules: List[Rule] = list(rules)
        self.notes: List[str] = list(notes)
        self.baselined = baselined

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
        return any(not f.waived and f.severity >= self.fail_on for f in self.findings)

    @property
    def exit_status(self) -> int:
        if self.plugin_failures:
            return 3
        return 1 if self.failed else 0

    def for_system(self, name: str) -> List[Finding]:
        return [f for f in self.findings if f.system == name]

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
