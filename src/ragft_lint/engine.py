"""Runs the rules over the systems of one declaration: selection, severities, waivers.

The engine is given everything it needs (the declaration, the loaded plugins, the resolved
settings and what was measured) and returns the report; finding the declaration, loading the
plugins and measuring the evidence are the session's job.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from . import thresholds as thresholds_module
from .deadline import budget
from .declaration.document import dotted
from .declaration.model import Declaration, System
from .findings import Finding, Severity
from .guard import plugin_code
from .report import Report
from .rule import Context, Rule, Violation

if TYPE_CHECKING:
    from .evidence.measurements import Evidence
    from .facts import Facts, Figure
    from .host import PluginFailure, Plugins
    from .options import CheckSettings

__all__ = ["Report", "run", "selected_rules"]


def _matches(rule_id: str, selectors: Sequence[str]) -> bool:
    return any(s == "ALL" or rule_id.startswith(s) for s in selectors)


def selected_rules(rules: Sequence[Rule], select: Sequence[str],
                   ignore: Sequence[str]) -> List[Rule]:
    return [r for r in rules if _matches(r.id, select) and not _matches(r.id, ignore)]


_Outcome = Tuple[List[Finding], List["PluginFailure"]]


def run(declaration: Declaration, plugins: Plugins, settings: CheckSettings,
        measured: Optional[Evidence] = None) -> Report:
    """Check every system of a declaration with the selected rules."""
    limits = thresholds_module.resolve(declaration.settings.thresholds)
    overrides = {rule_id: Severity.parse(word)
                 for rule_id, word in declaration.settings.severity.items()}
    as_of = settings.as_of
    chosen = selected_rules(plugins.rules, settings.select, settings.ignore)
    seconds = budget()

    def violations(rule: Rule, context: Context, target: object,
                   failures: List[PluginFailure]) -> List[Violation]:
        """What one rule finds in one system (or, for a rule of the declaration, in the
        declaration); a plugin's bug is reported, not fatal."""
        try:
            if rule.source == "builtin":
                found = list(rule.check(target, context))
            else:  # a plugin's rule: bounded in time, like its import and hooks
                with plugin_code(seconds):
                    found = list(rule.check(target, context))
        except (Exception, SystemExit) as exc:
            _add(failures, plugins.failure(
                rule.source, f"rule {rule.id} raised {type(exc).__name__}: {exc}"))
            return []
        out = []
        for violation in found:
            if isinstance(violation, Violation):
                out.append(violation)
            else:
                _add(failures, plugins.failure(
                    rule.source, f"rule {rule.id} yielded {type(violation).__name__}, "
                                 "not a Violation"))
        return out

    def apply(rule: Rule, context: Context, systems: Sequence[System],
              findings: List[Finding], failures: List[PluginFailure]) -> None:
        if rule.of_declaration:  # once, whatever systems this pass covers
            for violation in violations(rule, context, declaration, failures):
                findings.append(_declaration_finding(rule, declaration, violation, overrides))
            return
        for system in systems:
            for violation in violations(rule, context, system, failures):
                findings.append(_finding(rule, system, violation, overrides, as_of))

    views: Dict[str, Facts] = {}  # each system's facts view, shared by every rule

    def context_for(rule: Rule) -> Context:
        context = Context(limits, as_of, declaration.settings.plugins.get(rule.source, {}),
                          settings.evidence, views)
        if measured is not None:
            context.measured = measured.systems
        return context

    def first_pass(systems: Sequence[System]) -> _Outcome:
        """Every rule but those that review findings, over some of the systems."""
        found: List[Finding] = []
        failures: List[PluginFailure] = []
        for rule in chosen:
            if not rule.reviews_findings and not rule.of_declaration:
                apply(rule, context_for(rule), systems, found, failures)
        return found, failures

    # A declaration of many systems is checked in two processes where that is possible.
    from .parallel import in_two

    systems = list(declaration.systems.values())
    findings, failures = in_two(first_pass, systems, _merge)
    # The rules of the declaration as a whole run once, here, whoever checked the systems.
    for rule in chosen:
        if rule.of_declaration and not rule.reviews_findings:
            apply(rule, context_for(rule), systems, findings, failures)
    ran = frozenset(r.id for r in chosen if not r.reviews_findings)
    by_system: Dict[str, set[str]] = {name: set() for name in declaration.systems}
    for f in findings:
        if f.system is not None:
            by_system[f.system].add(f.rule)
    fired = {name: frozenset(rules) for name, rules in by_system.items()}
    for rule in chosen:
        if rule.reviews_findings:
            context = context_for(rule)
            context.ran, context.fired = ran, fired
            apply(rule, context, systems, findings, failures)
    findings.sort(key=Finding.sort_key)
    all_failures = list(plugins.failures)
    for failure in failures:
        _add(all_failures, failure)
    for reader, cause in measured.reader_failures if measured is not None else ():
        _add(all_failures, plugins.failure(plugins.result_reader_owners.get(reader, reader),
                                           cause))
    return Report(declaration.display, list(declaration.systems), findings, settings.fail_on,
                  all_failures, chosen, measured.notes if measured is not None else (),
                  thresholds=thresholds_module.changed(declaration.settings.thresholds),
                  measured=_figures(measured))


def _figures(measured: Optional[Evidence]) -> Dict[str, Dict[str, Figure]]:
    if measured is None:
        return {}
    from .facts import figures

    out = {name: figures(found) for name, found in measured.systems.items()}
    return {name: found for name, found in out.items() if found}


def _add(failures: List[PluginFailure], failure: PluginFailure) -> None:
    if failure not in failures:  # the same failure on every system is told once
        failures.append(failure)


def _merge(first: _Outcome, second: _Outcome) -> _Outcome:
    failures = first[1] + [f for f in second[1] if f not in first[1]]
    return first[0] + second[0], failures


def _declaration_finding(rule: Rule, declaration: Declaration, violation: Violation,
                         overrides: Dict[str, Severity]) -> Finding:
    """A finding of the declaration as a whole: at its own key, of no system, never waived
    (waivers are written under a system). A setting inherited through ``extend`` is located
    in the file that writes it."""
    location = declaration.applied.where(*violation.at)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=overrides.get(rule.id) or violation.severity or rule.severity,
        system=None,
        message=violation.message,
        fix=violation.fix,
        location=location,
        key=dotted(tuple(violation.at)),
    )


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

