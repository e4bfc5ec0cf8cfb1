"""Rich HTML for notebooks: a report's findings, and each system's decision with its chart.

Pure functions of a report or a decision that return an HTML fragment. Styles are inline, so
the fragment looks the same wherever it is pasted (Jupyter, VS Code, a web page), and every
string that comes from a declaration is escaped. The five-gates chart is inline SVG, drawn
from the same nodes and edges as ``decide --format mermaid`` with the path taken highlighted,
so it needs no script to render.
"""

from __future__ import annotations

import html
import textwrap
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from ..decide import CHECKLIST, GATE_NODES, UNDECIDED, Decision, FrameworkResult, Step
from ..engine import Report
from ..findings import Finding, Severity
from ..rule import Rule
from .decision_text import agreement_line
from .mermaid import _EDGES, _NODES, TAKEN_LINK_STYLE, TAKEN_STYLE
from .text import summary

# The rules reference page; each rule's section has its id in lower case as anchor (the
# headings that ``ragft-lint rules --format markdown`` writes). The same address as the
# repository named in the README's pre-commit example.
RULES_URL = "https://example.invalid/ragft-lint/blob/main/docs/rules.md"

FONT = ("font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,"
        "sans-serif;font-size:13px;line-height:1.45")

# Tables size their text like the text around them, also where a page is not in standards mode.
TABLE = "border-collapse:collapse;text-align:left;font-size:inherit"

SEVERITY_COLOURS = {Severity.ERROR: "#c92a2a", Severity.WARNING: "#d9480f",
                    Severity.INFO: "#1864ab"}
WAIVED_COLOUR = "#868e96"
AGREES_COLOUR = "#2b8a3e"
DIFFERS_COLOUR = "#e67700"


def escape(value: object) -> str:
    """Any value as HTML text, quotes included, so it is safe in text and in attributes."""
    return html.escape(str(value), quote=True)


def _badge(text: str, colour: str, title: str = "") -> str:
    hint = f' title="{escape(title)}"' if title else ""
    return (f'<span{hint} style="display:inline-block;padding:0 .55em;border-radius:.7em;'
            f'background:{colour};color:#fff;font-weight:600;font-size:.85em;'
            f'white-space:nowrap">{escape(text)}</span>')


def _severity_badge(finding: Finding) -> str:
    if finding.waived:
        return _badge("waived", WAIVED_COLOUR, f"{finding.severity}, waived")
    return _badge(str(finding.severity), SEVERITY_COLOURS[finding.severity])


# -- the report --------------------------------------------------------------------------------


def report(result: Report, docs_url: str = RULES_URL) -> str:
    """A report as HTML: its summary line, then one table row per finding, waived ones last."""
    sources = {r.id: r for r in result.rules}
    parts = [f'<div class="ragft-lint-report" style="{FONT}">']
    parts.append(f'<p style="margin:.3em 0"><strong>{escape(summary(result))}</strong></p>')
    for failure in result.plugin_failures:
        parts.append(_alert(str(failure.error())))
    findings = sorted(result.findings, key=lambda f: f.waived)  # stable: keeps the sort order
    if findings:
        parts.append(f'<table style="{TABLE};margin:.4em 0">')
        parts.append("<thead><tr>" + "".join(
            f'<th style="padding:.25em .6em;border-bottom:2px solid #adb5bd">{name}</th>'
            for name in ("severity", "rule", "system", "message", "location")) + "</tr></thead>")
        parts.append("<tbody>")
        for finding in findings:
            parts.append(_finding_row(finding, sources, docs_url))
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def _finding_row(finding: Finding, rules: Mapping[str, Rule], docs_url: str) -> str:
    colour = WAIVED_COLOUR if finding.waived else SEVERITY_COLOURS[finding.severity]
    cell = 'style="padding:.25em .6em;border-bottom:1px solid #dee2e6;vertical-align:top"'
    rule_id = escape(finding.rule)
    rule = rules.get(finding.rule)
    # A report built without its list of rules gets links for every rule, as built-in ones.
    source = rule.source if rule is not None else "builtin"
    hint = f"{finding.name}: {rule.summary}" if rule is not None else finding.name
    if source == "builtin":
        href = f"{docs_url}#{finding.rule.lower()}"
        rule_cell = (f'<a href="{escape(href)}" title="{escape(hint)}" target="_blank" '
                     f'rel="noopener noreferrer"><code>{rule_id}</code></a>')
    else:  # a plugin's rule: its documentation is `ragft-lint rule ID`, not the page above
        rule_cell = f'<code title="{escape(hint)} (from {escape(source)})">{rule_id}</code>'
    rule_cell += f'<br/><span style="color:#868e96;font-size:.85em">{escape(finding.name)}</span>'
    message = escape(finding.message)
    if finding.fix:
        message += (f'<div style="color:#495057;font-size:.9em;margin-top:.2em">'
                    f"fix: {escape(finding.fix)}</div>")
    if finding.waived:
        reason = f": {finding.waiver_reason}" if finding.waiver_reason else ""
        message += (f'<div style="color:{WAIVED_COLOUR};font-size:.9em;margin-top:.2em">'
                    f"waived{escape(reason)}</div>")
    style = f' style="border-left:4px solid {colour}{";opacity:.7" if finding.waived else ""}"'
    return (f"<tr{style}>"
            f"<td {cell}>{_severity_badge(finding)}</td>"
            f"<td {cell}>{rule_cell}</td>"
            f"<td {cell}><span style=\"white-space:nowrap\">{escape(finding.system)}</span></td>"
            f"<td {cell}>{message}</td>"
            f'<td {cell}><code title="{escape(finding.key)}">{escape(finding.location)}'
            f"</code></td></tr>")


def _alert(text: str) -> str:
    return (f'<div style="margin:.3em 0;padding:.4em .7em;border-left:4px solid #c92a2a;'
            f'background:#fff5f5;color:#212529">{escape(text)}</div>')


def problems(lines: Sequence[str], heading: str) -> str:
    """An error as HTML: a heading and one line per problem (``path:line:column: message``)."""
    items = []
    for line in lines:
        place, sep, message = _split_location(line)
        if sep:
            items.append(f"<li><code>{escape(place)}</code>: {escape(message)}</li>")
        else:
            items.append(f"<li>{escape(line)}</li>")
    return (f'<div class="ragft-lint-error" style="{FONT};margin:.3em 0;padding:.5em .8em;'
            f'border-left:4px solid #c92a2a;background:#fff5f5;color:#212529">'
            f"<strong>{escape(heading)}</strong>"
            f'<ul style="margin:.3em 0;padding-left:1.4em">{"".join(items)}</ul></div>')


def _split_location(line: str) -> Tuple[str, str, str]:
    """``path:line:column: message`` into its place and its message, when it has that form."""
    parts = line.split(": ", 1)
    if len(parts) == 2:
        place = parts[0].rsplit(":", 2)
        if len(place) == 3 and place[1].isdigit() and place[2].isdigit():
            return parts[0], ": ", parts[1]
    return line, "", ""


# -- decisions ---------------------------------------------------------------------------------


def decisions(items: Mapping[str, Decision]) -> str:
    """Every system's decision, in declaration order."""
    if not items:
        return f'<div class="ragft-lint-decisions" style="{FONT}">no systems declared</div>'
    body = "".join(decision(d) for d in items.values())
    return f'<div class="ragft-lint-decisions">{body}</div>'


def decision(item: Decision) -> str:
    """One system's decision: the three verdicts, the five-gates chart, and every step."""
    parts = [f'<div class="ragft-lint-decision" style="{FONT};margin:.6em 0 1.2em">',
             f'<h4 style="margin:.3em 0">{escape(item.system)} '
             f'<span style="font-weight:normal;color:#495057">declared '
             f"<code>{escape(item.declared)}</code></span></h4>"]
    parts.append(f'<table style="{TABLE};margin:.3em 0"><tbody>')
    for result in item.frameworks:
        parts.append(_verdict_row(result, item.declared))
    consensus = item.consensus
    parts.append(f'<tr><td style="padding:.2em .6em">consensus</td>'
                 f'<td style="padding:.2em .6em"><strong>{escape(consensus)}</strong></td>'
                 f"<td></td></tr>")
    parts.append("</tbody></table>")
    parts.append(f'<p style="margin:.3em 0">{escape(agreement_line(item))}</p>')
    if item.missing:
        keys = ", ".join(f"<code>{escape(_short_key(k, item.system))}</code>"
                         for k in item.missing)
        parts.append(f'<p style="margin:.3em 0">to decide, declare or measure: {keys}</p>')
    parts.append(gates_chart(item))
    parts.append(f'<p style="margin:.2em 0;color:#495057;font-size:.9em">path taken: '
                 f"{escape(route_text(item))}</p>")
    for result in item.frameworks:
        parts.append(_steps(result, item.system))
    parts.append("</div>")
    return "".join(parts)


def _verdict_row(result: FrameworkResult, declared: str) -> str:
    if result.verdict == UNDECIDED:
        colour, title = WAIVED_COLOUR, "a fact this framework needs is missing"
    elif result.verdict == declared:
        colour, title = AGREES_COLOUR, "agrees with the declared architecture"
    else:
        colour, title = DIFFERS_COLOUR, "differs from the declared architecture"
    extra = ""
    if result.name == CHECKLIST:
        extra = (f"{result.fine_tune_signs} fine-tune signs, {result.rag_signs} RAG signs, "
                 f"{result.both_signs} for both")
    return (f'<tr><td style="padding:.2em .6em">{escape(result.title)}</td>'
            f'<td style="padding:.2em .6em">{_badge(result.verdict, colour, title)}</td>'
            f'<td style="padding:.2em .6em;color:#495057">{escape(extra)}</td></tr>')


def _short_key(key: str, system: str) -> str:
    """A key as the user writes it under the system it belongs to."""
    prefix = f"systems.{system}."
    return key[len(prefix):] if key.startswith(prefix) else key


def _steps(result: FrameworkResult, system: str) -> str:
    rows = []
    for step in result.steps:
        rows.append(f'<li style="margin:.15em 0">{_step(step, system)}</li>')
    return (f'<details style="margin:.2em 0"><summary>{escape(result.title)}: '
            f"<strong>{escape(result.verdict)}</strong> ({len(result.steps)} steps)</summary>"
            f'<ol style="margin:.3em 0;padding-left:1.6em">{"".join(rows)}</ol></details>')


def _step(step: Step, system: str) -> str:
    tick = ""
    if step.counted is not None:
        tick = "&#9745; " if step.counted else "&#9744; "
    where = ""
    if step.location is not None:
        where = f' <code style="color:#868e96">{escape(step.location)}</code>'
    elif step.key is not None:
        where = (f' <span style="color:#868e96">(<code>{escape(_short_key(step.key, system))}'
                 f"</code>: not declared)</span>")
    return f"{tick}{escape(step.question)} &#8594; {escape(step.answer)}{where}"


# -- the five-gates chart ----------------------------------------------------------------------

# Where each node of the chart stands: (column, row). The gates run down the middle column;
# the knowledge layers sit to the left, the outcomes that end the walk to the right.
_LAYOUT: Dict[str, Tuple[int, int]] = {
    "start": (1, 0), "g0": (1, 1), "g1": (1, 2), "g2": (1, 3), "g3": (1, 4), "g4": (1, 5),
    "g5": (1, 6), "rag_prompts": (1, 7), "verdict": (1, 8),
    "k_prompt": (0, 1), "k_rag": (0, 2), "undecided": (0, 4),
    "lookup": (2, 3), "blocked": (2, 4), "ft_format": (2, 5), "ft_volume": (2, 6),
}
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
_SHORT = {"start": "start", **{f"g{n}": f"gate {n}" for n in range(6)}}

Point = Tuple[float, float]


def _style(css: str) -> Dict[str, str]:
    pairs = (item.split(":", 1) for item in css.split(",") if ":" in item)
    return {name.strip(): value.strip() for name, value in pairs}


_TAKEN = _style(TAKEN_STYLE)
_TAKEN_LINK = _style(TAKEN_LINK_STYLE)


class _Box:
    """One node drawn: its centre, size, shape and the lines of its label."""

    def __init__(self, node: str, text: str, shape: str) -> None:
        column, row = _LAYOUT[node]
        self.node = node
        self.shape = shape
        self.lines = textwrap.wrap(text, _CHARS_PER_LINE)[:3] or [""]
        if len(textwrap.wrap(text, _CHARS_PER_LINE)) > 3:
            self.lines[-1] = self.lines[-1][: _CHARS_PER_LINE - 1] + "\u2026"
        self.x = float(_COLUMNS[column])
        self.y = float(_TOP + row * _ROW_HEIGHT)
        self.width = float(_GATE_WIDTH if shape == "{" else _BOX_WIDTH)
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
    if target == "verdict" and a.x > b.x:  # outcomes on the right reach the verdict by a lane
        return [a.right(), (_RIGHT_LANE, a.y), (_RIGHT_LANE, b.y), b.right()]
    if target == "verdict" and a.x < b.x:
        return [a.bottom(), (a.x, b.y), b.left()]
    if source == "k_prompt":  # around the knowledge layer below it, into gate 2 from above
        middle = (boxes["k_rag"].y + b.y) / 2
        return [a.left(), (_LEFT_LANE, a.y), (_LEFT_LANE, middle), (b.x, middle), b.top()]
    if source == "k_rag":
        middle = (a.y + b.y) / 2
        return [a.bottom(), (a.x, middle), (b.x, middle), b.top()]
    if source == "g2" and target == "undecided":
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
    if box.shape == "{":  # a question: a hexagon, pointed at both ends
        tip = 14
        corners = [(x - w / 2, y), (x - w / 2 + tip, y - h / 2), (x + w / 2 - tip, y - h / 2),
                   (x + w / 2, y), (x + w / 2 - tip, y + h / 2), (x - w / 2 + tip, y + h / 2)]
        return f'<polygon points="{_points(corners)}" {paint}/>'
    radius = h / 2 if box.shape == "([" else 4
    return (f'<rect x="{x - w / 2:g}" y="{y - h / 2:g}" width="{w:g}" height="{h:g}" '
            f'rx="{radius:g}" {paint}/>')


def _label(box: _Box, bold: bool) -> str:
    first = box.y - (len(box.lines) - 1) * _LINE_HEIGHT / 2
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{box.x:g}" y="{first + index * _LINE_HEIGHT + 4:g}">{escape(line)}</tspan>'
        for index, line in enumerate(box.lines))
    return f'<text text-anchor="middle" fill="#212529"{weight}>{spans}</text>'


def _boxes(item: Decision) -> Dict[str, _Box]:
    shapes = dict(_NODES)
    shapes["start"] = ("([", f"{item.system}: declared {item.declared}", "])")
    shapes["verdict"] = ("([", f"five gates verdict: {item.gates.verdict}", "])")
    return {node: _Box(node, shapes[node][1], shapes[node][0]) for node in GATE_NODES}


def gates_chart(item: Decision) -> str:
    """The five gates as an inline SVG flowchart, the path of this decision highlighted."""
    boxes = _boxes(item)
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
    edges = sorted(_EDGES, key=lambda e: (e[0], e[1]) in taken_edges)
    placed: set[Tuple[str, float, float]] = set()
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
    for node in GATE_NODES:
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


def _edge_label(points: Sequence[Point], text: str, placed: set[Tuple[str, float, float]]) -> str:
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
        if node == "verdict":
            names.append(f"verdict: {item.gates.verdict}")
        else:
            names.append(_SHORT.get(node) or _NODES[node][1])
    return " \u2192 ".join(names)
