"""Runs the rules over the systems: selection, severities, waivers, and the report."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from . import thresholds as thresholds_module
from .deadline import budget
from .declaration.model import Declaration, System
from .findings import Finding, Severity
from .guard import plugin_code
from .host import Host, PluginFailure
from .rule import Context, Rule, Violation


class Options(NamedTuple):
    """What the command line (or an API caller) says; None means: as the declaration says."""

    select: Optional[Sequence[str]] = None
    ignore: Optional[Sequence[str]] = None
    fail_on: Optional[str] = None
    as_of: Optional[datetime.date] = None
    evidence: Optional[bool] = None
    cache: bool = True


class Report:
    """The outcome of checking one declaration."""

    def __init__(
        self,
        declaration: str,
        systems: List[str],
        findings: List[Finding],
        fail_on: Severity,
        plugin_failures: Optional[List[PluginFailure]] = None,
        rules: Optional[List[Rule]] = None,
    ) -> None:
        self.declaration = declaration
        self.systems = systems
        self.findings = findings
        self.fail_on = fail_on
        self.plugin_failures: List[PluginFailure] = plugin_failures or []
        # The rules that ran, for outputs that describe them (SARIF's rule table).
        self.rules: List[Rule] = rules or []
        # Findings left out because a baseline file already records them.
        self.baselined = 0
        # What the user should hear once, besides the findings (git missing, a reader not
        # installed); the command line prints them to stderr, never into the output.
        self.notes: List[str] = []

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

    def _repr_html_(self) -> str:
        """The findings as an HTML table, for notebooks (imported only when shown)."""
        from .output import html

        return html.report(self)

    def __str__(self) -> str:
        """The findings and summary as ``ragft-lint check`` prints them."""
        from .output import text

        return text.render([self]).rstrip("\n")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _matches(rule_id: str, selectors: Sequence[str]) -> bool:
    return any(s == "ALL" or rule_id.startswith(s) for s in selectors)


def selected_rules(rules: List[Rule], select: Sequence[str], ignore: Sequence[str]) -> List[Rule]:
    return [r for r in rules if _matches(r.id, select) and not _matches(r.id, ignore)]


def run(declaration: Declaration, host: Host, options: Options) -> Report:
    """Check every system of a declaration with the selected rules."""
    rules = host.rules()
    settings = declaration.settings
    select = list(options.select if options.select is not None else settings.select or ["ALL"])
    ignore = list(options.ignore if options.ignore is not None else settings.ignore)
    fail_on = Severity.parse(options.fail_on or settings.fail_on or "error")
    as_of = options.as_of or datetime.date.today()
    evidence = settings.evidence if options.evidence is None else options.evidence
    limits = thresholds_module.resolve(settings.thresholds)
    overrides = {rule_id: Severity.parse(word) for rule_id, word in settings.severity.items()}
    # Measured once per declaration; the evidence package is imported only when it is used,
    # so --no-evidence reads no file, runs no git and pays nothing.
    measured = None
    if evidence:
        from .evidence import needed

        if needed(declaration):
            from .evidence.collect import measure_declaration

            measured = measure_declaration(declaration, as_of, use_cache=options.cache)

    chosen = selected_rules(rules, select, ignore)
    seconds = budget()

    def apply(rule: Rule, context: Context, systems: Sequence[System],
              findings: List[Finding]) -> None:
        check, builtin = rule.check, rule.source == "builtin"
        for system in systems:
            try:
                if builtin:
                    violations = list(check(system, context))
                else:  # a plugin's rule: bounded in time, like its import and hooks
                    with plugin_code(seconds):
                        violations = list(check(system, context))
            except (Exception, SystemExit) as exc:  # a plugin's bug is reported, not fatal
                host.failure(rule.source, f"rule {rule.id} raised {type(exc).__name__}: {exc}")
                continue
            for violation in violations:
                if not isinstance(violation, Violation):
                    host.failure(rule.source, f"rule {rule.id} yielded "
                                              f"{type(violation).__name__}, not a Violation")
                    continue
                findings.append(_finding(rule, system, violation, overrides, as_of))

    def context_for(rule: Rule) -> Context:
        context = Context(limits, as_of, settings.plugins.get(rule.source, {}), evidence)
        if measured is not None:
            context.measured = measured.systems
        return context

    def first_pass(systems: Sequence[System]) -> _Outcome:
        """Every rule but those that review findings, over some of the systems."""
        known = len(host.failures)
        found: List[Finding] = []
        for rule in chosen:
            if not rule.reviews_findings:
                apply(rule, context_for(rule), systems, found)
        return found, host.failures[known:]

    # A declaration of many systems is checked in two processes where that is possible.
    from .parallel import in_two

    systems = list(declaration.systems.values())
    findings, failures = in_two(first_pass, systems, _merge)
    for failure in failures:
        if failure not in host.failures:  # found in the other process
            host.failures.append(failure)
    ran = frozenset(r.id for r in chosen if not r.reviews_findings)
    by_system: Dict[str, set[str]] = {name: set() for name in declaration.systems}
    for f in findings:
        by_system[f.system].add(f.rule)
    fired = {name: frozenset(rules) for name, rules in by_system.items()}
    for rule in chosen:
        if rule.reviews_findings:
            context = context_for(rule)
            context.ran, context.fired = ran, fired
            apply(rule, context, systems, findings)
    findings.sort(key=Finding.sort_key)
    report = Report(declaration.display, list(declaration.systems), findings, fail_on,
                    list(host.failures), chosen)
    if measured is not None:
        report.notes = list(measured.notes)
    return report


_Outcome = Tuple[List[Finding], List[PluginFailure]]


def _merge(first: _Outcome, second: _Outcome) -> _Outcome:
    failures = first[1] + [f for f in second[1] if f not in first[1]]
    return first[0] + second[0], failures


def _finding(rule: Rule, system: System, violation: Violation,
             overrides: Dict[str, Severity], as_of: datetime.date) -> Finding:
    severity = overrides.get(rule.id) or violation.severity or rule.severity
    waiver = system.get("waivers", rule.id)
    expires = waiver.get("expires") if waiver else None
    waived = bool(waiver) and (expires is None or expires >= as_of)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity,
        system=system.name,
        message=violation.message,
        fix=violation.fix,
        location=system.where(*violation.at),
        key=system.key(*violation.at),
        waived=waived,
        waiver_reason=waiver.get("reason") if waived and waiver else None,
    )


def check(path: str | Path | None = None, **options: Any) -> Report:
    """Check the declaration at ``path`` (a file or a folder; default: discovered from here).

    Keyword options as on the command line: ``select``, ``ignore``, ``fail_on``, ``as_of``,
    ``evidence``, ``cache``. Raises ``DeclarationError`` or ``NoDeclarationError`` for a bad
    declaration.
    """
    from . import host as host_module
    from .declaration import load

    host = host_module.load()
    known = [r.id for r in host.rules()]
    declaration = load(Path(path) if path is not None else None, known, host.extension())
    return run(declaration, host, Options(**options))
