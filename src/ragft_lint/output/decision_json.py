"""``decide --format json``: the verdicts and their paths, as decide.md shapes them.

Keys are sorted and steps keep the order they were taken in, so one input gives the same bytes.
Each step carries its stable ``id`` (``gate1``, ``checklist.ft.style``: see ``decide.STEP_IDS``),
so a consumer can find a step without matching its wording. Beside the verdicts, each system
lists its ``blockers`` (the errors ``check`` reports on it, which judge the declared
architecture), and ``open`` per framework and for the consensus: the architectures not ruled
out (decide.md); the document carries ``version``,
and ``thresholds`` where the declaration changed any, as ``check``'s JSON does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Sequence

from .._version import __version__
from ..decide import CHECKLIST, FAILURE_MODE, GATES
from .changed import Bars, as_json, of_decisions

if TYPE_CHECKING:
    from ..decide import Blocker, Decision, FrameworkResult, Step
    from ..notes import Note
    from ..thresholds import Changed


def _step(step: Step) -> Dict[str, Any]:
    where = step.location
    return {
        "id": step.id,
        "question": step.question,
        "answer": step.answer,
        "key": step.key,
        "path": where.path if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
    }


def _framework(result: FrameworkResult) -> Dict[str, Any]:
    out: Dict[str, Any] = {"verdict": result.verdict, "open": list(result.open),
                           "steps": [_step(s) for s in result.steps]}
    if result.name == CHECKLIST:
        out["fine_tune_signs"] = result.fine_tune_signs
        out["rag_signs"] = result.rag_signs
        out["both_signs"] = result.both_signs
    return out


def _blocker(blocker: Blocker) -> Dict[str, Any]:
    return {"rule": blocker.rule, "message": blocker.message, "path": blocker.path,
            "line": blocker.line, "column": blocker.column}


def thresholds(changed: Iterable[Changed]) -> Dict[str, Any]:
    """The thresholds changed from their defaults, as interfaces.md shapes them (``check``'s
    JSON uses the same)."""
    return as_json(changed)


def document(decisions: Mapping[str, Decision], notes: Sequence[Note] = (),
             bars: Optional[Bars] = None) -> Dict[str, Any]:
    """The JSON document as plain data, with the run's ``notes``; ``bars``: the thresholds
    of each declaration the decisions come from (``changed.of_decisions``; default: the
    ones the decisions carry)."""
    out: Dict[str, Any] = {"version": __version__, "notes": [n.to_json() for n in notes]}
    if bars is None:
        bars = of_decisions(decisions, None)
    # As in check's JSON: only the thresholds that differ from the defaults, each
    # declaration's own.
    bars.add_to(out)
    out["systems"] = {
        name: _system(d, bars.of_system(name) if bars.several else ())
        for name, d in decisions.items()
    }
    return out


def _system(d: Decision, changed: Iterable[Changed]) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "declared": d.declared,
        "consensus": d.consensus,
        "open": list(d.open),
        "blockers": [_blocker(b) for b in d.blockers],
        "frameworks": {
            FAILURE_MODE: _framework(d.failure_mode),
            GATES: _framework(d.gates),
            CHECKLIST: _framework(d.checklist),
        },
    }
    shown = as_json(changed)
    if shown:  # over several declarations: the ones this system's declaration changed
        out["thresholds"] = shown
    return out


def render(decisions: Mapping[str, Decision], notes: Sequence[Note] = (),
           bars: Optional[Bars] = None) -> str:
    return json.dumps(document(decisions, notes, bars), indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"
