"""``decide``'s default output: per system, each framework's steps as a short tree.

Every step is one line, question then answer, then where the fact that answered it was declared
(or the key to declare when it was not); checklist signs are ticked when they counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Mapping, Optional

from ..decide import CHECKLIST
from ..thresholds import summary

if TYPE_CHECKING:
    from ..decide import Decision, FrameworkResult, Step


def _bold(text: str, colour: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if colour else text


def _where(step: Step, system: str) -> str:
    if step.location is not None:
        return f" ({step.location})"
    if step.key is not None:
        # Inside one system's tree, the key reads as the user writes it under that system.
        prefix = f"systems.{system}."
        key = step.key[len(prefix):] if step.key.startswith(prefix) else step.key
        return f" ({key}: not declared)"
    return ""


def _framework(result: FrameworkResult, system: str, colour: bool) -> List[str]:
    heading = f"  {result.title}: {_bold(result.verdict, colour)}"
    if result.name == CHECKLIST:
        heading += (f" ({result.fine_tune_signs} fine-tune signs, {result.rag_signs} RAG signs, "
                    f"{result.both_signs} for both)")
    lines = [heading]
    last = len(result.steps) - 1
    for index, step in enumerate(result.steps):
        branch = "`-" if index == last else "|-"
        tick = ""
        if step.counted is not None:
            tick = "[x] " if step.counted else "[ ] "
        lines.append(f"    {branch} {tick}{step.question} -> {step.answer}{_where(step, system)}")
    return lines


def agreement_line(decision: Decision) -> str:
    """One line on where the declared architecture stands among the three verdicts."""
    declared = decision.declared
    agreeing = decision.agreeing
    others = [f for f in decision.frameworks if f not in agreeing]
    said = ", ".join(f"{f.title}: {f.verdict}" for f in others)
    if decision.agreement == "all":
        return f"declared {declared}: agrees with all three frameworks"
    if decision.agreement == "some":
        names = " and ".join(f.title for f in agreeing)
        return f"declared {declared}: agrees with some ({names}), not with {said}"
    return f"declared {declared}: agrees with none ({said})"


def consensus_line(decision: Decision) -> str:
    """The consensus, and what stands in its way: "fine-tune, not ready: FT005, EV002"."""
    if not decision.blockers:
        return decision.consensus
    rules = ", ".join(dict.fromkeys(b.rule for b in decision.blockers))
    return f"{decision.consensus}, not ready: {rules}"


def blocker_lines(decision: Decision) -> List[str]:
    """One line per blocker: the rule, where, and its message, as ``check`` prints it."""
    return [f"{b.path}:{b.line}:{b.column}: {b.rule} {b.message}" for b in decision.blockers]


def render_one(decision: Decision, colour: bool = False, name: Optional[str] = None) -> str:
    """The tree of one system's decision, headed by ``name`` (the system as the run knows it,
    ``path::name`` over several declarations; default: its name)."""
    lines = [f"{_bold(name or decision.system, colour)} (declared {decision.declared})"]
    for result in decision.frameworks:
        lines.extend(_framework(result, decision.system, colour))
    lines.append(f"  consensus: {_bold(consensus_line(decision), colour)}")
    lines.extend(f"    blocked by {line}" for line in blocker_lines(decision))
    lines.append(f"  {agreement_line(decision)}")
    return "\n".join(lines) + "\n"


def render(decisions: Mapping[str, Decision], colour: bool = False) -> str:
    """Every system's decision tree, in declaration order, separated by a blank line; then
    the thresholds the declaration changed, when it changed any."""
    if not decisions:
        return "no systems declared\n"
    out = "\n".join(render_one(d, colour, name) for name, d in decisions.items())
    changed = summary(getattr(decisions, "thresholds", ()))
    return out + (f"\n{changed}\n" if changed else "")
