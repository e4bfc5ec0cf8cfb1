"""The five-gates chart as inline SVG, the path of one decision highlighted.

Drawn from the chart of ``decide.chart`` (its nodes, labels, edges and grid places), the same
one ``decide --format mermaid`` draws, so it needs no script to render. Here is only how it
looks: the pixel sizes of the grid, the shapes, and how each edge is routed between boxes.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, Sequence, Set, Tuple

from ...decide import chart
from ..mermaid import TAKEN_LINK_STYLE, TAKEN_STYLE
from .markup import escape

if TYPE_CHECKING:
    from ...decide import Decision

# The x of each grid column, and the y of each row: the gates run down the middle column, the
# knowledge layers sit to the left, the outcomes that end the walk to the right.
_COLUMNS = (140, 420, 700)
_ROW_HEIGHT = 74
_TOP = 36
_BOX_WIDTH = 220
_GATE_WIDTH = 244
_LINE_HEIGHT = 13
_CHARS_PER_LINE = 34
_LEFT_LANE = 14
_RIGHT_LANE = 834
_WIDTH = 848

Point = Tuple[float, float]


def _style(css: str) -> Dict[str, str]:
    pairs = (item.split(":", 1) for item in css.split(",") if ":" in item)
    return {name.strip(): value.strip() for name, value in pairs}


_TAKEN = _style(TAKEN_STYLE)
_TAKEN_LINK = _style(TAKEN_LINK_STYLE)


class _Box:
    """One node drawn: its centre, size, shape and the lines of its label."""

    def __init__(self, node: chart.Node, text: str) -> None:
        self.node = node.id
        self.shape = node.shape
        wrapped = textwrap.wrap(text, _CHARS_PER_LINE)
        self.lines = wrapped[:3] or [""]
        if len(wrapped) > 3:
            self.lines[-1] = self.lines[-1][: _CHARS_PER_LINE - 1] + "\u2026"
        self.x = float(_COLUMNS[node.column])
        self.y = float(_TOP + node.row * _ROW_HEIGHT)
        self.width = float(_GATE_WIDTH if node.shape == chart.QUESTION else _BOX_WIDTH)
        self.height = float(len(self.lines) * _LINE_HEIGHT + 14)

    def top(self) -> Point:
        return (self.x, self.y - self.height / 2)

    def bottom(self) -> Point:
        return (self.x, self.y + self.height / 2)

    def left(self) -> Point:
        return (self.x - self.width / 2, self.y)

    def right(self) -> Point:
        return (self.x + self.width / 2, self.y)


def _route(boxes: Mapping[str, _Box], source: str, target: str) -> List[Point]:
    """The corners of one edge, from the source's side to the target's side."""
    a, b = boxes[source], boxes[target]
    if target == chart.VERDICT and a.x > b.x:  # outcomes on the right reach it by a lane
        return [a.right(), (_RIGHT_LANE, a.y), (_RIGHT_LANE, b.y), b.right()]
    if target == chart.VERDICT and a.x < b.x:
        return [a.bottom(), (a.x, b.y), b.left()]
    if source == chart.KNOWLEDGE_PROMPT:  # around the layer below it, into gate 2 from above
        middle = (boxes[chart.KNOWLEDGE_RAG].y + b.y) / 2
        return [a.left(), (_LEFT_LANE, a.y), (_LEFT_LANE, middle), (b.x, middle), b.top()]
    if source == chart.KNOWLEDGE_RAG:
        middle = (a.y + b.y) / 2
        return [a.bottom(), (a.x, middle), (b.x, middle), b.top()]
    if source == chart.GATE_2 and target == chart.MISSING:
        return [a.left(), (b.x, a.y), b.top()]
    if a.x == b.x:
        return [a.bottom(), b.top()]
    return [a.left(), b.right()] if b.x < a.x else [a.right(), b.left()]


def _arrow(points: Sequence[Point], colour: str) -> str:
    """A small arrowhead at the end of the last (horizontal or vertical) segment."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    dx = (x1 > x0) - (x1 < x0)
    dy = (y1 > y0) - (y1 < y0)
    size, half = 8, 4
    back = (x1 - dx * size, y1 - dy * size)
    corners = [(x1, y1), (back[0] - dy * half, back[1] + dx * half),
               (back[0] + dy * half, back[1] - dx * half)]
    return (f'<polygon points="{_points(corners)}" fill="{colour}"/>')


def _points(points: Iterable[Point]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def _shape(box: _Box, fill: str, stroke: str, width: str) -> str:
    x, y, w, h = box.x, box.y, box.width, box.height
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"'
    if box.shape == chart.QUESTION:  # a hexagon, pointed at both ends
        tip = 14
        corners = [(x - w / 2, y), (x - w / 2 + tip, y - h / 2), (x + w / 2 - tip, y - h / 2),
                   (x + w / 2, y), (x + w / 2 - tip, y + h / 2), (x - w / 2 + tip, y + h / 2)]
        return f'<polygon points="{_points(corners)}" {paint}/>'
    radius = h / 2 if box.shape == chart.TERMINAL else 4
    return (f'<rect x="{x - w / 2:g}" y="{y - h / 2:g}" width="{w:g}" height="{h:g}" '
            f'rx="{radius:g}" {paint}/>')


def _label(box: _Box, bold: bool) -> str:
    first = box.y - (len(box.lines) - 1) * _LINE_HEIGHT / 2
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{box.x:g}" y="{first + index * _LINE_HEIGHT + 4:g}">{escape(line)}</tspan>'
        for index, line in enumerate(box.lines))
    return f'<text text-anchor="middle" fill="#212529"{weight}>{spans}</text>'


def gates_chart(item: Decision) -> str:
    """The five gates as an inline SVG flowchart, the path of this decision highlighted."""
    boxes = {node.id: _Box(node, chart.label(node, item)) for node in chart.NODES}
    route = list(item.gates.route)
    taken_nodes = set(route)
    taken_edges = set(zip(route, route[1:]))
    plain_colour = "#adb5bd"
    taken_colour = _TAKEN_LINK.get("stroke", "#d9480f")
    height = max(b.y + b.height / 2 for b in boxes.values()) + 16
    title = f"the five gates for {item.system}; path taken: {route_text(item)}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ragft-lint-gates" role="img" '
             f'viewBox="0 0 {_WIDTH} {height:g}" width="{_WIDTH}" '
             f'style="max-width:100%;height:auto;font-family:sans-serif;font-size:11px">'
             f"<title>{escape(title)}</title>"]
    # Edges not taken first, so that a taken edge sharing a lane is drawn over them.
    edges = sorted(chart.EDGES, key=lambda e: (e.source, e.target) in taken_edges)
    placed: Set[Tuple[str, float, float]] = set()
    for source, target, text in edges:
        taken = (source, target) in taken_edges
        points = _route(boxes, source, target)
        colour = taken_colour if taken else plain_colour
        width = _TAKEN_LINK.get("stroke-width", "3px").rstrip("px") if taken else "1.3"
        parts.append(f'<polyline class="{"taken" if taken else "edge"}" '
                     f'data-edge="{escape(source)}-{escape(target)}" '
                     f'points="{_points(points)}" fill="none" stroke="{colour}" '
                     f'stroke-width="{width}"/>')
        parts.append(_arrow(points, colour))
        if text:
            label = _edge_label(points, text, placed)
            if label:
                parts.append(label)
    for node in chart.GATE_NODES:
        box = boxes[node]
        taken = node in taken_nodes
        if taken:
            fill = _TAKEN.get("fill", "#ffe8cc")
            stroke = _TAKEN.get("stroke", "#d9480f")
            width = _TAKEN.get("stroke-width", "3px").rstrip("px")
        else:
            fill, stroke, width = "#f8f9fa", plain_colour, "1"
        parts.append(f'<g class="{"taken" if taken else "node"}" data-node="{node}">'
                     f"{_shape(box, fill, stroke, width)}{_label(box, taken)}</g>")
    parts.append("</svg>")
    return f'<div style="margin:.4em 0">{"".join(parts)}</div>'


def _edge_label(points: Sequence[Point], text: str, placed: Set[Tuple[str, float, float]]) -> str:
    """An edge's label beside the middle of its longest segment; edges that merge into one
    line (the two knowledge layers going on to gate 2) share one label."""
    pairs = list(zip(points, points[1:]))
    (x0, y0), (x1, y1) = max(pairs, key=lambda p: abs(p[1][0] - p[0][0]) + abs(p[1][1] - p[0][1]))
    vertical = x0 == x1
    key = (text, x1, y1)
    if key in placed:
        return ""
    placed.add(key)
    x = x0 + 5 if vertical else (x0 + x1) / 2
    y = (y0 + y1) / 2 + 3 if vertical else y0 - 4
    anchor = "start" if vertical else "middle"
    return (f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" fill="#495057" '
            f'font-size="10">{escape(text)}</text>')


def route_text(item: Decision) -> str:
    """The path the five gates took, in words: ``start → gate 0 → gate 1 → …``."""
    names = []
    for node in item.gates.route:
        if node == chart.VERDICT:
            names.append(f"verdict: {item.gates.verdict}")
        else:
            names.append(chart.BY_ID[node].short)
    return " \u2192 ".join(names)
