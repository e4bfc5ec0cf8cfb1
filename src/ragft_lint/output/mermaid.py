"""``decide --format mermaid``: the five gates as a flowchart, the path taken highlighted.

One chart per system. By default each chart is a fenced ```mermaid block, the form GitHub
renders in Markdown files, issues and pull requests, and that notebooks render in Markdown cells;
``chart`` gives one bare chart for a ``.mmd`` file.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Tuple

from ..decide import GATE_NODES, Decision

# Shape brackets: ([...]) a terminal, {...} a question, [...] an outcome.
_NODES: Dict[str, Tuple[str, str, str]] = {
    "g0": ("{", "Gate 0: does the knowledge fit in the context?", "}"),
    "k_prompt": ("[", "knowledge layer: prompt, long context with caching", "]"),
    "g1": ("{", "Gate 1: does the knowledge change quarterly or faster?", "}"),
    "k_rag": ("[", "knowledge layer: RAG", "]"),
    "g2": ("{", "Gate 2: reference or deep?", "}"),
    "lookup": ("[", "reference: ends at the knowledge layer", "]"),
    "g3": ("{", "Gate 3: enough training data and a labelled eval?", "}"),
    "blocked": ("[", "fine-tuning blocked by data: RAG or prompt", "]"),
    "g4": ("{", "Gate 4: format-specific output?", "}"),
    "ft_format": ("[", "fine-tune the behaviour layer", "]"),
    "g5": ("{", "Gate 5: do budget and volume justify it?", "}"),
    "ft_volume": ("[", "fine-tune the behaviour, keep RAG for knowledge", "]"),
    "rag_prompts": ("[", "RAG plus prompts", "]"),
    "undecided": ("[", "undecided: a fact the gates need is missing", "]"),
}

# Every edge of the chart in drawing order; linkStyle addresses edges by this position.
_EDGES: Tuple[Tuple[str, str, str], ...] = (
    ("start", "g0", ""),
    ("g0", "k_prompt", "yes"),
    ("g0", "g1", "no or unknown"),
    ("k_prompt", "g2", "behaviour continues"),
    ("g1", "k_rag", "yes"),
    ("g1", "g2", "no or unknown"),
    ("k_rag", "g2", "behaviour continues"),
    ("g2", "lookup", "reference"),
    ("g2", "g3", "deep"),
    ("g2", "undecided", "unknown"),
    ("g3", "blocked", "no"),
    ("g3", "g4", "yes"),
    ("g3", "undecided", "unknown"),
    ("g4", "ft_format", "yes"),
    ("g4", "g5", "no"),
    ("g5", "ft_volume", "yes"),
    ("g5", "rag_prompts", "no"),
    ("lookup", "verdict", ""),
    ("blocked", "verdict", ""),
    ("ft_format", "verdict", ""),
    ("ft_volume", "verdict", ""),
    ("rag_prompts", "verdict", ""),
    ("undecided", "verdict", ""),
)

TAKEN_STYLE = "fill:#ffe8cc,stroke:#d9480f,stroke-width:3px,color:#000"
TAKEN_LINK_STYLE = "stroke:#d9480f,stroke-width:3px"


def _label(text: str) -> str:
    """A label safe inside mermaid's double quotes, whatever a system name holds."""
    escaped = text.replace("#", "#35;").replace('"', "#quot;")
    return escaped.replace("<", "#lt;").replace(">", "#gt;").replace("\n", " ")


def chart(decision: Decision) -> str:
    """One system's five gates as a mermaid flowchart, the route taken in class ``taken``."""
    gates = decision.gates
    lines: List[str] = ["flowchart TD"]
    shapes = dict(_NODES)
    shapes["start"] = ("([", f"{decision.system}: declared {decision.declared}", "])")
    shapes["verdict"] = ("([", f"five gates verdict: {gates.verdict}", "])")
    for node in GATE_NODES:
        opening, text, closing = shapes[node]
        lines.append(f'    {node}{opening}"{_label(text)}"{closing}')
    for source, target, label in _EDGES:
        arrow = f"-->|{_label(label)}|" if label else "-->"
        lines.append(f"    {source} {arrow} {target}")

    route = list(gates.route)
    taken_edges = set(zip(route, route[1:]))
    lines.append(f"    classDef taken {TAKEN_STYLE}")
    if route:
        lines.append(f"    class {','.join(route)} taken")
    for index, (source, target, _) in enumerate(_EDGES):
        if (source, target) in taken_edges:
            lines.append(f"    linkStyle {index} {TAKEN_LINK_STYLE}")
    return "\n".join(lines) + "\n"


def render(decisions: Mapping[str, Decision], fenced: bool = True) -> str:
    """Every system's chart; fenced as Markdown ```mermaid blocks unless ``fenced`` is false."""
    charts = [chart(d) for d in decisions.values()]
    if fenced:
        charts = [f"```mermaid\n{c}```\n" for c in charts]
    return "\n".join(charts)
