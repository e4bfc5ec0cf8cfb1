"""The three decision frameworks of ``ragft-lint decide``, as pure functions of a system's facts.

Each framework walks the same facts of one system (``ragft_lint.facts``: measured over
declared) and returns its verdict (``prompt``, ``rag``, ``fine-tune``, ``hybrid``, or
``undecided`` when a fact it needs is missing) together with every step it took: the question,
the answer, and the key that answered it with where it was declared or measured. The
frameworks are kept apart on purpose: where they disagree, the disagreement is the finding.

- ``model``: the verdicts, ``Step``, ``FrameworkResult``, ``Decision``, ``Decisions``;
- ``conditions``: the walk over the facts, and the conditions several frameworks ask;
- ``failure_mode``, ``gates``, ``checklist_score``: one framework each, with its step ids
  (the last is not called ``checklist``, the name of its entry point here);
- ``open_sets``: what each framework leaves open, walked over the values of unknown facts;
- ``chart``: the five-gates chart, whose nodes a gates walk records as its route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

from .. import thresholds as thresholds_module
from ..facts import Facts
from . import checklist_score as _checklist
from . import failure_mode as _failure_mode
from . import gates as _gates
from .chart import GATE_NODES
from .checklist_score import LABELLED_EXAMPLES_SIGN
from .model import (
    BLOCKING_FAMILIES,
    CHECKLIST,
    FAILURE_MODE,
    FINE_TUNE,
    GATES,
    HYBRID,
    PROMPT,
    RAG,
    TITLES,
    UNDECIDED,
    VERDICTS,
    Blocker,
    Decision,
    Decisions,
    FrameworkResult,
    Step,
)
from .open_sets import judged

if TYPE_CHECKING:
    from ..declaration.model import Declaration, System
    from ..evidence.measurements import Evidence, SystemEvidence
    from ..report import Report

__all__ = [
    "BLOCKING_FAMILIES", "CHECKLIST", "FAILURE_MODE", "FINE_TUNE", "GATES", "GATE_NODES",
    "HYBRID", "LABELLED_EXAMPLES_SIGN", "PROMPT", "RAG", "STEP_IDS", "TITLES", "UNDECIDED",
    "VERDICTS", "Blocker", "Decision", "Decisions", "FrameworkResult", "Step", "blockers",
    "checklist", "decide", "decide_system", "disagreement", "failure_mode_tree", "five_gates",
]

# The ids a framework's steps can have (``Step.id``), by framework name.
STEP_IDS: Dict[str, Tuple[str, ...]] = {
    FAILURE_MODE: _failure_mode.STEPS,
    GATES: _gates.STEPS,
    CHECKLIST: _checklist.STEPS,
}


def decide(declaration: Declaration, evidence: Optional[Evidence] = None,
           report: Optional[Report] = None) -> Decisions:
    """The decision for every system of a declaration, in declaration order.

    ``evidence`` is what was measured of the declaration (``evidence.collect``); measured facts
    take precedence over declared ones as ``ragft_lint.facts`` says. ``report`` is ``check``'s
    report on the same declaration: its errors are each system's blockers, shown beside the
    verdicts so that decide and check never contradict each other silently.
    """
    overrides = declaration.settings.thresholds
    limits = thresholds_module.resolve(overrides)
    measured = evidence.systems if evidence is not None else {}
    return Decisions(
        ((name, decide_system(system, limits, measured.get(name),
                              blockers(report, name) if report is not None else ()))
         for name, system in declaration.systems.items()),
        thresholds=thresholds_module.changed(overrides),
    )


def blockers(report: Report, system: str) -> Tuple[Blocker, ...]:
    """The error-severity findings of ``check`` (KN, EV, FT, RG and DA rules) on ``system``
    that are not waived: what stands between a verdict and shipping it. Each says the layer
    it judges (``Blocker.layer``: a fine-tune rule or a ``fine_tune.`` key, a retrieval rule
    or a ``rag.`` key), so that none is shown as blocking a consensus without that layer."""
    from ..findings import Severity

    prefix = f"systems.{system}."

    def layer(rule: str, key: str) -> str:
        for family, name in (("FT", "fine_tune"), ("RG", "rag")):
            if rule.startswith(family) or key.startswith(f"{prefix}{name}."):
                return name
        return ""

    return tuple(
        Blocker(f.rule, f.message, f.location.path, f.location.line, f.location.column,
                layer(f.rule, f.key))
        for f in report.findings
        if f.system == system and not f.waived and f.severity >= Severity.ERROR
        and f.rule[:2] in BLOCKING_FAMILIES
    )


def decide_system(system: System, thresholds: Mapping[str, Any],
                  evidence: Optional[SystemEvidence] = None,
                  found: Tuple[Blocker, ...] = ()) -> Decision:
    """Walk the three frameworks over one system's facts."""
    facts = Facts(system, evidence)
    return Decision(
        system=system.name,
        declared=system.architecture,
        failure_mode=judged(_failure_mode.walk, facts, thresholds, settles=True),
        gates=judged(_gates.walk, facts, thresholds, settles=True),
        checklist=judged(_checklist.walk, facts, thresholds),
        blockers=found,
    )


def disagreement(system: System, thresholds: Mapping[str, Any],
                 evidence: Optional[SystemEvidence] = None,
                 facts: Optional[Facts] = None) -> Optional[Decision]:
    """The decision on a system when its declared architecture disagrees with the frameworks
    (``Decision.disagrees``: not the consensus, or, when they split, none of the three), else
    None.

    What DE001 asks, answered cheaply enough for thousands of systems: the checklist is walked
    only when the first two frameworks do not settle the consensus between them, and the steps
    explain nothing (no question, answer or location; a key only where a fact is missing),
    which is all ``missing`` needs. ``facts`` is the system's facts view when the caller has
    one (a rule's ``context.facts(system)``).
    """
    seen = facts if facts is not None else Facts(system, evidence)
    declared = system.architecture
    failure_mode = judged(_failure_mode.walk, seen, thresholds, explain=False, settles=True)
    gates = judged(_gates.walk, seen, thresholds, explain=False, settles=True)
    if failure_mode.verdict == gates.verdict == declared:
        return None  # the consensus, whatever the checklist says
    decision = Decision(system.name, declared, failure_mode, gates,
                        judged(_checklist.walk, seen, thresholds, explain=False))
    return decision if decision.disagrees else None


def failure_mode_tree(system: System, thresholds: Mapping[str, Any],
                      evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 1: from what the unmodified model got wrong to the layers that fix it."""
    return judged(_failure_mode.walk, Facts(system, evidence), thresholds, settles=True)


def five_gates(system: System, thresholds: Mapping[str, Any],
               evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 2: gates 0 to 5, from "does it fit in the context" to budget and volume."""
    return judged(_gates.walk, Facts(system, evidence), thresholds, settles=True)


def checklist(system: System, thresholds: Mapping[str, Any],
              evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 3: count the signs for fine-tuning, for RAG, and for both."""
    return judged(_checklist.walk, Facts(system, evidence), thresholds)
