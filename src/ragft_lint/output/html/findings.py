"""A report's findings as an HTML table, and an error as a list of its problems."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Tuple

from ..changed import of_reports
from ..text import summary
from .markup import FONT, SEVERITY_COLOURS, TABLE, WAIVED_COLOUR, badge, escape

if TYPE_CHECKING:
    from ...findings import Finding
    from ...notes import Note
    from ...report import Report
    from ...rule import Rule

# Every cell says how it aligns: a notebook's own style sheet (Jupyter right-aligns table
# cells) must not decide it.
HEAD_CELL = 'style="text-align:left;padding:.25em .6em;border-bottom:2px solid #adb5bd"'
CELL = ('style="text-align:left;padding:.25em .6em;border-bottom:1px solid #dee2e6;'
        'vertical-align:top"')


def rules_url() -> Optional[str]:
    """The rules reference page, from the installed package's metadata (``project.urls``), or
    None when it names none: then a rule is shown with the command that documents it.

    A ``Rules`` address is the page itself; a ``Repository`` (or ``Source``) address has the page
    at ``docs/rules.md``. Each rule's section has its id in lower case as anchor (the headings
    that ``ragft-lint rules --format markdown`` writes). Read when a report is drawn, never on
    the way to a plain check.
    """
    from importlib import metadata

    try:
        entries = metadata.metadata("ragft-lint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return None
    urls = {}
    for entry in entries:
        label, _, url = str(entry).partition(",")
        urls[label.strip().lower()] = url.strip()
    if urls.get("rules"):
        return urls["rules"]
    repository = urls.get("repository") or urls.get("source")
    return f"{repository.rstrip('/')}/blob/HEAD/docs/rules.md" if repository else None


_FROM_METADATA = "from the package metadata"


def _severity_badge(finding: Finding) -> str:
    if finding.waived:
        return badge("waived", WAIVED_COLOUR, f"{finding.severity}, waived")
    return badge(str(finding.severity), SEVERITY_COLOURS[finding.severity])


def notes(told: Sequence[Note]) -> str:
    """A run's notes in a box (empty when there is none): above the findings, so that a
    figure left unmeasured is seen before the findings that could not use it."""
    if not told:
        return ""
    items = "".join(
        f'<li><code style="color:#868e96">{escape(n.code)}</code> {escape(n.message)}</li>'
        for n in told)
    return (f'<div class="ragft-lint-notes" style="{FONT};margin:.3em 0;padding:.4em .8em;'
            f'border-left:4px solid #e67700;background:#fff9db;color:#212529">'
            f'<strong>notes</strong><ul style="margin:.3em 0;padding-left:1.4em">{items}</ul>'
            "</div>")


def report(result: Report, docs_url: Optional[str] = _FROM_METADATA,
           with_notes: bool = True) -> str:
    """A report as HTML: its notes, its summary line, then one table row per finding, waived
    ones last.

    ``docs_url`` is the rules reference page the built-in rules link to (by default the one
    the package metadata names, see ``rules_url``); None links none. ``with_notes=False``
    leaves the notes to the caller (a run shows all of its notes once, above every report).
    """
    if docs_url is _FROM_METADATA:
        docs_url = rules_url()
    sources = {r.id: r for r in result.rules}
    parts = [f'<div class="ragft-lint-report" style="{FONT}">']
    if with_notes:
        parts.append(notes(result.notes))
    parts.append(f'<p style="margin:.3em 0"><strong>{escape(summary(result))}</strong></p>')
    for changed in of_reports([result]).lines():  # each declaration's own, by its path
        parts.append(f'<p style="margin:.3em 0;color:#495057">{escape(changed)}</p>')
    for failure in result.plugin_failures:
        parts.append(_alert(str(failure.error())))
    parts.append(_measured(result))
    findings = sorted(result.findings, key=lambda f: f.waived)  # stable: keeps the sort order
    if findings:
        parts.append(f'<table style="{TABLE};margin:.4em 0">')
        parts.append("<thead><tr>" + "".join(
            f"<th {HEAD_CELL}>{name}</th>"
            for name in ("severity", "rule", "system", "message", "location")) + "</tr></thead>")
        parts.append("<tbody>")
        for finding in findings:
            parts.append(_finding_row(finding, sources, docs_url))
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def _measured(result: Report) -> str:
    """The figures measured from the evidence, one row each with its interval; empty when none
    was measured. A system is named as ``check``'s JSON names it (``path::name`` over several
    declarations), and each file is shown relative to the working directory."""
    from ..json import measured, source_path

    rows = []
    for system, declaration, figures in measured([result]):
        for name, figure in figures.items():
            rows.append(
                f"<tr><td {CELL}>{escape(system)}</td><td {CELL}>{escape(name)}</td>"
                f"<td {CELL}>{figure.value:.2f}</td>"
                f"<td {CELL}>{figure.low:.2f} to {figure.high:.2f}</td>"
                f"<td {CELL}>{figure.n}</td>"
                f"<td {CELL}>{escape(source_path(declaration, figure.source))}</td></tr>")
    if not rows:
        return ""
    head = "".join(f"<th {HEAD_CELL}>{name}</th>" for name in
                   ("system", "measured", "value", "95 % interval", "over", "from"))
    return (f'<table style="{TABLE};margin:.4em 0"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _finding_row(finding: Finding, rules: Mapping[str, Rule], docs_url: Optional[str]) -> str:
    colour = WAIVED_COLOUR if finding.waived else SEVERITY_COLOURS[finding.severity]
    cell = CELL
    rule_id = escape(finding.rule)
    rule = rules.get(finding.rule)
    # A report built without its list of rules gets links for every rule, as built-in ones.
    source = rule.source if rule is not None else "builtin"
    hint = f"{finding.name}: {rule.summary}" if rule is not None else finding.name
    if source == "builtin" and docs_url:
        href = f"{docs_url}#{finding.rule.lower()}"
        rule_cell = (f'<a href="{escape(href)}" title="{escape(hint)}" target="_blank" '
                     f'rel="noopener noreferrer"><code>{rule_id}</code></a>')
    else:  # no page to link to (a plugin's rule, or none named): the command that explains it
        origin = "" if source == "builtin" else f" (from {escape(source)})"
        rule_cell = (f'<code title="{escape(hint)}{origin}: ragft-lint rule {rule_id}">'
                     f"{rule_id}</code>")
    rule_cell += f'<br/><span style="color:#868e96;font-size:.85em">{escape(finding.name)}</span>'
    if not (source == "builtin" and docs_url):
        rule_cell += (f'<br/><code style="color:#868e96;font-size:.8em">ragft-lint rule '
                      f"{rule_id}</code>")
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
            f"<td {cell}><span style=\"white-space:nowrap\">{_system(finding)}</span></td>"
            f"<td {cell}>{message}</td>"
            f'<td {cell}><code title="{escape(finding.key)}">{escape(finding.location)}'
            f"</code></td></tr>")


def _system(finding: Finding) -> str:
    """The system cell: the system's name, or, for a finding of the declaration as a whole,
    a muted word saying so."""
    if finding.system is None:
        return '<span style="color:#868e96">(declaration)</span>'
    return escape(finding.system)


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
