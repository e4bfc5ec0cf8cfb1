"""``decide``'s default output: per system, each framework's steps as a short tree.

Every step is one line, question then answer, then where the fact that answered it was declared
(or the key to declare when it was not); checklist signs are ticked when they counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Mapping, Optional, Tuple

from ..decide import CHECKLIST, UNDECIDED
from ..decide.open_sets import spoken
from .changed import of_decisions

if TYPE_CHECKING:
    from ..decide import Decision, FrameworkResult, Step
    from .changed import Bars


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
    if result.verdict == UNDECIDED:
        heading += f" (open: {spoken(result.open)})"
    if result.name == CHECKLIST:
        heading += f" ({result.signs})"
    lines = [heading]
    last = len(result.steps) - 1
    for index, step in enumerate(result.steps):
        branch = "`-" if index == last else "|-"
        tick = ""
        if step.counted is not None:
            tick = "[x] " if step.counted else "[ ] "
        lines.append(f"    {branch} {tick}{step.question} -> {step.answer}{_where(step, system)}")
    return lines


def _layers(architecture: str) -> Tuple[str, ...]:
    """The layers an architecture ships, as ``Blocker.layer`` names them ("" is every one's)."""
    return ("",) + (("fine_tune",) if architecture in ("fine-tune", "hybrid") else ()) \
        + (("rag",) if architecture in ("rag", "hybrid") else ())


def _not_ready(decision: Decision, of_consensus: Optional[bool] = None) -> str:
    """The blockers' rules: all of them (None); those of a layer the consensus has (True);
    those of a layer it has not, which stand on the declared line instead (False)."""
    shipped = _layers(decision.consensus)
    rules = ", ".join(dict.fromkeys(
        b.rule for b in decision.blockers
        if of_consensus is None or (b.layer in shipped) == of_consensus))
    return f", not ready: {rules}" if rules else ""


def agreement_line(decision: Decision) -> str:
    """One line on where the declared architecture stands among the three verdicts, and what
    ``check`` says stands in its way when the consensus is elsewhere: the blockers judge the
    declared architecture, so they stand on its line ("declared hybrid, not ready: EV002")."""
    declared = decision.declared
    agreeing = decision.agreeing
    others = [f for f in decision.frameworks if f not in agreeing]
    said = ", ".join(f"{f.title}: {f.verdict}" + (
        f" ({spoken(f.open)} open)" if f.verdict == UNDECIDED else "") for f in others)
    head = f"declared {declared}"
    # On the consensus line when it is the declared architecture, but for a layer it has not
    # (a fine-tune file of a system declared rag): that stays here, never shown as blocking
    # the consensus, and never hidden.
    head += _not_ready(decision, None if decision.consensus != declared else False)
    if decision.agreement == "all":
        return f"{head}: agrees with all three frameworks"
    if decision.agreement == "some":
        names = " and ".join(f.title for f in agreeing)
        if all(f.verdict == UNDECIDED and declared in f.open for f in others):
            # The rest only wait for a fact, and leave the declared choice open.
            return f"{head}: agrees with some ({names}); none rules it out ({said})"
        return f"{head}: agrees with some ({names}), not with {said}"
    if all(declared in f.open for f in others):
        # Undecided for a missing fact, not against the declared choice.
        return f"{head}: no framework decides yet, none rules it out ({said})"
    return f"{head}: agrees with none ({said})"


def consensus_line(decision: Decision) -> str:
    """The consensus (decide.md's order) with what is still open where there is none, and,
    when the consensus is the declared architecture, what stands in its way: "fine-tune, not
    ready: FT005, EV002". A blocker is never shown under a consensus the system did not
    declare: it judges the declared architecture, and stands on that line."""
    consensus = decision.consensus
    if consensus == UNDECIDED:
        out = consensus
        still = decision.open
        ruled_out = [a for a in ("prompt", "rag", "fine-tune", "hybrid") if a not in still]
        if still and ruled_out:
            out += f": {spoken(still)} open, {spoken(ruled_out).replace(' or ', ' and ')} " \
                   "ruled out"
        prefix = f"systems.{decision.system}."
        keys = [k[len(prefix):] if k.startswith(prefix) else k for k in decision.missing]
        if keys:
            out += f"; declare {', '.join(keys)}"
        return out
    if consensus not in ("prompt", "rag", "fine-tune", "hybrid"):
        return f"{consensus} ({spoken(decision.open).replace(' or ', ' and ')})"
    out = consensus
    if decision.only_open:
        out += ": the only architecture no framework rules out"
    if consensus == decision.declared:
        out += _not_ready(decision, True)
    return out


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
    blocked = [f"    blocked by {line}" for line in blocker_lines(decision)]
    if decision.consensus == decision.declared:
        lines.extend(blocked)
    lines.append(f"  {agreement_line(decision)}")
    if decision.consensus != decision.declared:
        lines.extend(blocked)
    return "\n".join(lines) + "\n"


def render(decisions: Mapping[str, Decision], colour: bool = False,
           bars: Optional[Bars] = None) -> str:
    """Every system's decision tree, in declaration order, separated by a blank line; then
    the thresholds the declarations changed, when they changed any: ``bars``, each
    declaration's (``changed.of_decisions``: a line per declaration, headed by its path, over
    several), by default the ones the decisions carry."""
    if not decisions:
        return "no systems declared\n"
    out = "\n".join(render_one(d, colour, name) for name, d in decisions.items())
    changed = "\n".join((bars or of_decisions(decisions, None)).lines())
    return out + (f"\n{changed}\n" if changed else "")
