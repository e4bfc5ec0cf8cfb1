"""``decide --format json``: the verdicts and their paths, as decide.md shapes them.

Keys are sorted and steps keep the order they were taken in, so one input gives the same bytes.
Each step carries its stable ``id`` (``gate1``, ``checklist.ft.style``: see ``decide.STEP_IDS``),
so a consumer can find a step without matching its wording.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Mapping

from ..decide import CHECKLIST, FAILURE_MODE, GATES

if TYPE_CHECKING:
    from ..decide import Decision, FrameworkResult, Step


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
    out: Dict[str, Any] = {"verdict": result.verdict, "steps": [_step(s) for s in result.steps]}
    if result.name == CHECKLIST:
        out["fine_tune_signs"] = result.fine_tune_signs
        out["rag_signs"] = result.rag_signs
        out["both_signs"] = result.both_signs
    return out


def document(decisions: Mapping[str, Decision]) -> Dict[str, Any]:
    """The JSON document as plain data."""
    return {
        "systems": {
            name: {
                "declared": d.declared,
                "consensus": d.consensus,
                "frameworks": {
                    FAILURE_MODE: _framework(d.failure_mode),
                    GATES: _framework(d.gates),
                    CHECKLIST: _framework(d.checklist),
                },
            }
            for name, d in decisions.items()
        }
    }


def render(decisions: Mapping[str, Decision]) -> str:
    return json.dumps(document(decisions), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
