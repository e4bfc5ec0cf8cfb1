"""A report's findings as an HTML table, and an error as a list of its problems."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence, Tuple

from ..text import summary
from .markup import FONT, SEVERITY_COLOURS, TABLE, WAIVED_COLOUR, badge, escape

if TYPE_CHECKING:
    from ...findings import Finding
    from ...report import Report
    from ...rule import Rule

# The rules reference page; each rule's section has its id in lower case as anchor (the
# headings that ``ragft-lint rules --format markdown`` writes). The same address as the
# repository named in the README's pre-commit example.
RULES_URL = "https://example.invalid/ragft-lint/blob/main/docs/rules.md"


def _severity_badge(finding: Finding) -> str:
    if finding.waived:
        return badge("waived", WAIVED_COLOUR, f"{finding.severity}, waived")
    return badge(str(finding.severity), SEVERITY_COLOURS[finding.severity])


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
