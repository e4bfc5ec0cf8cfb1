"""The five-gates chart: its nodes, their labels and grid places, and the edges between them.

The one definition of the chart. A gates walk records its route as these node ids, from
``START`` to ``VERDICT``; ``decide --format mermaid`` and the notebook's SVG drawing both draw
exactly these nodes and edges, and highlight the route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Tuple

from ..record import NamedTuple

if TYPE_CHECKING:
    from .model import Decision

# Node ids. Mermaid reserves ``end``, so no id may be that word.
START = "start"
GATE_0 = "g0"
KNOWLEDGE_PROMPT = "k_prompt"
GATE_1 = "g1"
KNOWLEDGE_RAG = "k_rag"
GATE_2 = "g2"
REFERENCE = "lookup"
GATE_3 = "g3"
BLOCKED = "blocked"
GATE_4 = "g4"
FORMAT_FINE_TUNE = "ft_format"
GATE_5 = "g5"
VOLUME_FINE_TUNE = "ft_volume"
RAG_PROMPTS = "rag_prompts"
MISSING = "undecided"
VERDICT = "verdict"

# What a node is drawn as.
TERMINAL = "terminal"  # where the walk starts and ends
QUESTION = "question"  # a gate
OUTCOME = "outcome"  # where the walk places a layer or ends


class Node(NamedTuple):
    """One node: its id, shape, label, a short name for the route in words, and its place
    on a grid of three columns (knowledge layers, the gates, the outcomes) by rows."""

    id: str
    shape: str
    label: str
    short: str
    column: int
    row: int


class Edge(NamedTuple):
    source: str
    target: str
    label: str = ""


def _outcome(node: str, label: str, column: int, row: int) -> Node:
    return Node(node, OUTCOME, label, label, column, row)


# In the order a walk can visit them. The labels of START and VERDICT depend on the decision
# (see ``label``).
NODES: Tuple[Node, ...] = (
    Node(START, TERMINAL, "", "start", 1, 0),
    Node(GATE_0, QUESTION, "Gate 0: does the knowledge fit in the context?", "gate 0", 1, 1),
    _outcome(KNOWLEDGE_PROMPT, "knowledge layer: prompt, long context with caching", 0, 1),
    Node(GATE_1, QUESTION, "Gate 1: does the knowledge change quarterly or faster?", "gate 1",
         1, 2),
    _outcome(KNOWLEDGE_RAG, "knowledge layer: RAG", 0, 2),
    Node(GATE_2, QUESTION, "Gate 2: reference or deep?", "gate 2", 1, 3),
    _outcome(REFERENCE, "reference: ends at the knowledge layer", 2, 3),
    Node(GATE_3, QUESTION, "Gate 3: enough training data and a labelled eval?", "gate 3", 1, 4),
    _outcome(BLOCKED, "fine-tuning blocked by data: RAG or prompt", 2, 4),
    Node(GATE_4, QUESTION, "Gate 4: format-specific output?", "gate 4", 1, 5),
    _outcome(FORMAT_FINE_TUNE, "fine-tune the behaviour layer", 2, 5),
    Node(GATE_5, QUESTION, "Gate 5: do budget and volume justify it?", "gate 5", 1, 6),
    _outcome(VOLUME_FINE_TUNE, "fine-tune the behaviour, keep RAG for knowledge", 2, 6),
    _outcome(RAG_PROMPTS, "RAG plus prompts", 1, 7),
    _outcome(MISSING, "undecided: a fact the gates need is missing", 0, 4),
    Node(VERDICT, TERMINAL, "", "verdict", 1, 8),
)

BY_ID: Dict[str, Node] = {node.id: node for node in NODES}

# Every edge, in drawing order (mermaid's linkStyle addresses an edge by its position here).
EDGES: Tuple[Edge, ...] = (
    Edge(START, GATE_0),
    Edge(GATE_0, KNOWLEDGE_PROMPT, "yes"),
    Edge(GATE_0, GATE_1, "no or unknown"),
    Edge(KNOWLEDGE_PROMPT, GATE_2, "behaviour continues"),
    Edge(GATE_1, KNOWLEDGE_RAG, "yes"),
    Edge(GATE_1, GATE_2, "no or unknown"),
    Edge(KNOWLEDGE_RAG, GATE_2, "behaviour continues"),
    Edge(GATE_2, REFERENCE, "reference"),
    Edge(GATE_2, GATE_3, "deep"),
    Edge(GATE_2, MISSING, "unknown"),
    Edge(GATE_3, BLOCKED, "no"),
    Edge(GATE_3, GATE_4, "yes"),
    Edge(GATE_3, MISSING, "unknown"),
    Edge(GATE_4, FORMAT_FINE_TUNE, "yes"),
    Edge(GATE_4, GATE_5, "no"),
    Edge(GATE_5, VOLUME_FINE_TUNE, "yes"),
    Edge(GATE_5, RAG_PROMPTS, "no"),
    Edge(REFERENCE, VERDICT),
    Edge(BLOCKED, VERDICT),
    Edge(FORMAT_FINE_TUNE, VERDICT),
    Edge(VOLUME_FINE_TUNE, VERDICT),
    Edge(RAG_PROMPTS, VERDICT),
    Edge(MISSING, VERDICT),
)

GATE_NODES: Tuple[str, ...] = tuple(node.id for node in NODES)


def label(node: Node, decision: Decision) -> str:
    """A node's label in the chart of one decision."""
    if node.id == START:
        return f"{decision.system}: declared {decision.declared}"
    if node.id == VERDICT:
        return f"five gates verdict: {decision.gates.verdict}"
    return node.label

