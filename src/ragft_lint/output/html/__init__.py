"""Rich HTML for notebooks: a report's findings, and each system's decision with its chart.

Pure functions of a report or a decision that return an HTML fragment, styles inline and every
string from a declaration escaped:

- ``findings``: a report as a table of findings, and an error as a list of problems;
- ``decision``: each system's decision, its three verdicts and every step;
- ``chart``: the five-gates chart as inline SVG, drawn from ``decide.chart``;
- ``markup``: escaping, the font, the colours and badges they all use.
"""

from __future__ import annotations

from .chart import gates_chart, route_text
from .decision import decision, decisions
from .findings import notes, problems, report, rules_url
from .markup import (
    AGREES_COLOUR,
    DIFFERS_COLOUR,
    FONT,
    SEVERITY_COLOURS,
    TABLE,
    WAIVED_COLOUR,
    escape,
)

__all__ = [
    "AGREES_COLOUR", "DIFFERS_COLOUR", "FONT", "SEVERITY_COLOURS", "TABLE", "WAIVED_COLOUR",
    "decision", "decisions", "escape", "gates_chart", "notes", "problems", "report", "route_text",
    "rules_url",
]
