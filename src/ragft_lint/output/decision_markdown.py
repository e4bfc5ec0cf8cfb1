"""``decide --format markdown``: each system's decision as a Markdown section, for a pull request,
an issue or a design document.

A heading per system, the consensus, the text of the three frameworks' paths (as ``decide``
prints it, in a ``text`` block so its tree keeps its shape), then the five gates as a fenced
``mermaid`` block, which GitHub and most Markdown viewers draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Mapping, Optional

from . import decision_text, mermaid

if TYPE_CHECKING:
    from ..decide import Decision
    from .changed import Bars


def _fence(text: str) -> str:
    """A fence longer than any run of backticks in ``text``, so nothing in it can close it."""
    longest = run = 0
    for character in text:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def section(name: str, decision: Decision) -> str:
    text = decision_text.render_one(decision, name=name).rstrip("\n")
    chart = mermaid.chart(decision)
    title = name.replace("\n", " ")
    lines: List[str] = [
        f"## {title}",
        "",
        f"Consensus: **{decision_text.consensus_line(decision)}**; "
        f"{decision_text.agreement_line(decision)}.",
        "",
        f"{_fence(text)}text", text, _fence(text),
        "",
        "```mermaid", chart.rstrip("\n"), "```",
    ]
    return "\n".join(lines) + "\n"


def render(decisions: Mapping[str, Decision], bars: Optional[Bars] = None) -> str:
    """Every system's section, in declaration order, separated by a blank line, after the
    thresholds the declarations changed (``bars``: as ``decision_text.render`` takes them)."""
    if not decisions:
        return "No systems declared.\n"
    from .changed import of_decisions

    # Every output shows a lowered bar: each declaration's own, by its path over several.
    changed = "".join(f"_{said}_\n\n" for said in
                      (bars or of_decisions(decisions, None)).lines())
    return changed + "\n".join(section(name, d) for name, d in decisions.items())
