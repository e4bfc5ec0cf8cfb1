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
from .conditions import Walk
from .model import (
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
    Decision,
    Decisions,
    FrameworkResult,
    Step,
)

if TYPE_CHECKING:
    from ..declaration.model import Declaration, System
    from ..evidence.facts import Evidence, SystemEvidence

__all__ = [
    "CHECKLIST", "FAILURE_MODE", "FINE_TUNE", "GATES", "GATE_NODES", "HYBRID",
    "LABELLED_EXAMPLES_SIGN", "PROMPT", "RAG", "STEP_IDS", "TITLES", "UNDECIDED", "VERDICTS",
    "Decision", "Decisions", "FrameworkResult", "Step", "checklist", "decide", "decide_system",
    "disagreement", "failure_mode_tree", "five_gates",
]

# The ids a framework's steps can have (``Step.id``), by framework name.
STEP_IDS: Dict[str, Tuple[str, ...]] = {
    FAILURE_MODE: _failure_mode.STEPS,
    GATES: _gates.STEPS,
    CHECKLIST: _checklist.STEPS,
}


def decide(declaration: Declaration, evidence: Optional[Evidence] = None) -> Decisions:
    """The decision for every system of a declaration, in declaration order.

    ``evidence`` is what was measured of the declaration (``evidence.collect``); measured facts
    take precedence over declared ones as ``ragft_lint.facts`` says.
    """
    limits = thresholds_module.resolve(declaration.settings.thresholds)
    measured = evidence.systems if evidence is not None else {}
    return Decisions(
        (name, decide_system(system, limits, measured.get(name)))
        for name, system in declaration.systems.items()
    )


def decide_system(system: System, thresholds: Mapping[str, Any],
                  evidence: Optional[SystemEvidence] = None) -> Decision:
    """Walk the three frameworks over one system's facts."""
    facts = Walk(Facts(system, evidence))
    return Decision(
        system=system.name,
        declared=system.architecture,
        failure_mode=_failure_mode.walk(facts, thresholds),
        gates=_gates.walk(facts, thresholds),
        checklist=_checklist.walk(facts, thresholds),
    )


def disagreement(system: System, thresholds: Mapping[str, Any],
                 evidence: Optional[SystemEvidence] = None,
                 facts: Optional[Facts] = None) -> Optional[Decision]:
    """The decision on a system when no framework reaches its declared architecture, else None.

    What DE001 asks, answered cheaply enough for thousands of systems: the walk stops at the
    first framework that agrees, and the steps explain nothing (no question, answer or
    location; a key only where a fact is missing), which is all ``missing`` needs. ``facts``
    is the system's facts view when the caller has one (a rule's ``context.facts(system)``).
    """
    walk = Walk(facts if facts is not None else Facts(system, evidence), explain=False)
    declared = system.architecture
    failure_mode = _failure_mode.walk(walk, thresholds)
    if failure_mode.verdict == declared:
        return None
    gates = _gates.walk(walk, thresholds)
    if gates.verdict == declared:
        return None
    signs = _checklist.walk(walk, thresholds)
    if signs.verdict == declared:
        return None
    return Decision(system.name, declared, failure_mode, gates, signs)


def failure_mode_tree(system: System, thresholds: Mapping[str, Any],
                      evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 1: from what the unmodified model got wrong to the layers that fix it."""
    return _failure_mode.walk(Walk(Facts(system, evidence)), thresholds)


def five_gates(system: System, thresholds: Mapping[str, Any],
               evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 2: gates 0 to 5, from "does it fit in the context" to budget and volume."""
    return _gates.walk(Walk(Facts(system, evidence)), thresholds)


def checklist(system: System, thresholds: Mapping[str, Any],
              evidence: Optional[SystemEvidence] = None) -> FrameworkResult:
    """Framework 3: count the signs for fine-tuning, for RAG, and for both."""
    return _checklist.walk(Walk(Facts(system, evidence)), thresholds)
