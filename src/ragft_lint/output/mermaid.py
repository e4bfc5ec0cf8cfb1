"""``decide --format mermaid``: the five gates as a flowchart, the path taken highlighted.

One chart per system. By default each chart is a fenced ```mermaid block, the form GitHub
renders in Markdown files, issues and pull requests, and that notebooks render in Markdown cells;
``chart`` gives one bare chart for a ``.mmd`` file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Mapping, Tuple

from ..decide import chart as gates_chart

if TYPE_CHECKING:
    from ..decide import Decision

# Mermaid's brackets for each shape of node: ([...]) a terminal, {...} a question, [...] an
# outcome.
_BRACKETS: Dict[str, Tuple[str, str]] = {
    gates_chart.TERMINAL: ("([", "])"),
    gates_chart.QUESTION: ("{", "}"),
    gates_chart.OUTCOME: ("[", "]"),
}

TAKEN_STYLE = "fill:#ffe8cc,stroke:#d9480f,stroke-width:3px,color:#000"
TAKEN_LINK_STYLE = "stroke:#d9480f,stroke-width:3px"


def _label(text: str) -> str:
    """A label safe inside mermaid's double quotes, whatever a system name holds."""
    escaped = text.replace("#", "#35;").replace('"', "#quot;")
    return escaped.replace("<", "#lt;").replace(">", "#gt;").replace("\n", " ")


def chart(decision: Decision) -> str:
    """One system's five gates as a mermaid flowchart, the route taken in class ``taken``."""
    lines: List[str] = ["flowchart TD"]
    for node in gates_chart.NODES:
        opening, closing = _BRACKETS[node.shape]
        text = gates_chart.label(node, decision)
        lines.append(f'    {node.id}{opening}"{_label(text)}"{closing}')
    for edge in gates_chart.EDGES:
        arrow = f"-->|{_label(edge.label)}|" if edge.label else "-->"
        lines.append(f"    {edge.source} {arrow} {edge.target}")

    route = list(decision.gates.route)
    taken_edges = set(zip(route, route[1:]))
    lines.append(f"    classDef taken {TAKEN_STYLE}")
    if route:
        lines.append(f"    class {','.join(route)} taken")
    for index, edge in enumerate(gates_chart.EDGES):
        if (edge.source, edge.target) in taken_edges:
            lines.append(f"    linkStyle {index} {TAKEN_LINK_STYLE}")
    return "\n".join(lines) + "\n"


def render(decisions: Mapping[str, Decision], fenced: bool = True) -> str:
    """Every system's chart; fenced as Markdown ```mermaid blocks unless ``fenced`` is false."""
    charts = [chart(d) for d in decisions.values()]
    if fenced:
        charts = [f"```mermaid\n{c}```\n" for c in charts]
    return "\n".join(charts)
