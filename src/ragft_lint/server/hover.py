"""Hover: a rule id's documentation, a key's description from the schema, the figure the run
measured for a key (with its interval, its count and its file), and on ``architecture`` the
three frameworks' verdicts, with the open sets and the words ``decide`` has for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from . import schema_walk
from .cursor import Place

if TYPE_CHECKING:
    from ..host import Plugins
    from .checking import Checked


def rule_doc(plugins: Plugins, word: str) -> Optional[str]:
    """The documentation ``ragft-lint rule ID`` prints, for a rule id."""
    wanted = word.upper()
    for rule in plugins.rules:
        if rule.id == wanted:
            return (f"**{rule.id} {rule.name}** [{rule.severity}] (from {rule.source})\n\n"
                    f"{rule.doc.rstrip()}")
    return None


def key_text(schema: Dict[str, Any], place: Place, checked: Optional[Checked]) -> Optional[str]:
    """What hovering on ``place``'s key shows, or None when the schema has no such key."""
    if place.key is None:
        return None
    path = place.parents + (place.key,)
    node = schema_walk.node_at(schema, path)
    if node is None:
        return None
    parts = [f"**{'.'.join(path)}**"]
    said = schema_walk.description(node)
    if said:
        parts.append(said)
    if checked is not None and len(path) >= 3 and path[0] == "systems":
        parts += _measured(checked, path[1], tuple(path[2:]))
        if path[2:] == ("architecture",):
            parts += _verdicts(checked, path[1])
    return "\n\n".join(parts)


def _measured(checked: Checked, system: str, keys: Tuple[str, ...]) -> List[str]:
    """The measured facts at ``keys``, and those read from the file ``keys`` names."""
    from ..facts import Facts

    declaration = checked.declaration
    if declaration is None or checked.run is None or checked.session is None or \
            system not in declaration.systems:
        return []
    settings = checked.session.settings(declaration, checked.run.options)
    evidence = checked.session.evidence(declaration, settings)
    if evidence is None or system not in evidence.systems:
        return []
    facts = Facts(declaration.systems[system], evidence.systems[system])
    shown: List[str] = []
    for fact_keys in _measurable(keys):
        fact = facts.fact(*fact_keys)
        if fact.measured and (fact_keys == keys or fact.source == keys):
            line = f"measured: {'.'.join(fact.keys)} = {fact.value} ({fact.evidence})"
            if line not in shown:
                shown.append(line)
    return shown


def _measurable(keys: Tuple[str, ...]) -> List[Tuple[Any, ...]]:
    from ..evidence import MEASURED_FROM

    return [keys, *(k for k in MEASURED_FROM if k != keys)]


def _verdicts(checked: Checked, system: str) -> List[str]:
    declaration = checked.declaration
    if declaration is None or checked.run is None or checked.session is None:
        return []
    decisions = checked.session.decisions(declaration, checked.run.options)
    decision = decisions.get(system)
    if decision is None:
        return []
    from ..decide import UNDECIDED
    from ..decide.open_sets import spoken
    from ..output.decision_text import agreement_line, consensus_line

    lines = [f"- {result.title}: {result.verdict}"
             + (f" (open: {spoken(result.open)})" if result.verdict == UNDECIDED else "")
             for result in decision.frameworks]
    lines.append(f"- consensus: {consensus_line(decision)}")
    lines.append(f"- open: {spoken(decision.open) or 'nothing'}")
    return ["the frameworks say:\n" + "\n".join(lines),
            agreement_line(decision)]
