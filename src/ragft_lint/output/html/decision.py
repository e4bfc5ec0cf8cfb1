"""One system's decision as HTML: the three verdicts, the five-gates chart, every step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional

from ...decide import CHECKLIST, UNDECIDED
from ..changed import of_decisions
from ..decision_text import agreement_line, blocker_lines, consensus_line
from .chart import gates_chart, route_text
from .markup import AGREES_COLOUR, DIFFERS_COLOUR, FONT, TABLE, WAIVED_COLOUR, badge, escape

if TYPE_CHECKING:
    from ...decide import Decision, FrameworkResult, Step
    from ..changed import Bars


def decisions(items: Mapping[str, Decision], bars: Optional[Bars] = None) -> str:
    """Every system's decision, in declaration order, then the thresholds the declarations
    changed (``bars``: as ``decision_text.render`` takes them)."""
    if not items:
        return f'<div class="ragft-lint-decisions" style="{FONT}">no systems declared</div>'
    body = "".join(decision(d, name) for name, d in items.items())
    for changed in (bars or of_decisions(items, None)).lines():
        body += f'<p style="{FONT};margin:.3em 0;color:#495057">{escape(changed)}</p>'
    return f'<div class="ragft-lint-decisions">{body}</div>'


def decision(item: Decision, name: Optional[str] = None) -> str:
    """One system's decision: the three verdicts, the five-gates chart, and every step;
    headed by ``name``, the system as the run knows it (default: its name)."""
    parts = [f'<div class="ragft-lint-decision" style="{FONT};margin:.6em 0 1.2em">',
             f'<h4 style="margin:.3em 0">{escape(name or item.system)} '
             f'<span style="font-weight:normal;color:#495057">declared '
             f"<code>{escape(item.declared)}</code></span></h4>"]
    parts.append(f'<table style="{TABLE};margin:.3em 0"><tbody>')
    for result in item.frameworks:
        parts.append(_verdict_row(result, item.declared))
    consensus = consensus_line(item)
    parts.append(f'<tr><td style="padding:.2em .6em">consensus</td>'
                 f'<td style="padding:.2em .6em"><strong>{escape(consensus)}</strong></td>'
                 f"<td></td></tr>")
    parts.append("</tbody></table>")
    if item.blockers:
        rows = "".join(f'<li style="margin:.1em 0">{escape(line)}</li>'
                       for line in blocker_lines(item))
        parts.append(f'<div class="ragft-lint-blockers" style="margin:.3em 0;padding:.3em .7em;'
                     f'border-left:4px solid {DIFFERS_COLOUR}">not ready: the errors '
                     f'<code>check</code> reports<ul style="margin:.2em 0;padding-left:1.4em">'
                     f"{rows}</ul></div>")
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
        extra = result.signs
    return (f'<tr><td style="padding:.2em .6em">{escape(result.title)}</td>'
            f'<td style="padding:.2em .6em">{badge(result.verdict, colour, title)}</td>'
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
