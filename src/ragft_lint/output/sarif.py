"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub and other SARIF viewers).

One run; its driver lists every rule that ran with its documentation as help text. Each finding
is a result at the declaration's file, line and column, with the system's key as its logical
location. A waived finding stays in the log as a result with an accepted in-source suppression
whose justification is the waiver's reason, so viewers show it as dismissed, not as fixed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from .._version import __version__
from ..findings import Finding, Severity
from ..report import Report
from ..rule import Rule
from .changed import of_reports
from .json import measured_systems, notes_of

if TYPE_CHECKING:
    from ..notes import Note

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_ROOT = "%SRCROOT%"


def _rule(rule: Rule) -> Dict[str, Any]:
    sections = rule.sections()
    help_text = sections["text"].strip()
    markdown = help_text
    if "fires" in sections:
        markdown += "\n\nExample that fires:\n\n```yaml\n" + sections["fires"].rstrip() + "\n```"
    if "passes" in sections:
        markdown += "\n\nExample that passes:\n\n```yaml\n" + sections["passes"].rstrip() + "\n```"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"source": rule.source},
    }


def _uri(path: str) -> str:
    return quote(path.replace(os.sep, "/"), safe="/")


def _fingerprint(finding: Finding) -> str:
    # Stable across edits that move lines: the same key as a baseline uses.
    text = "\0".join((finding.rule, finding.system or "", finding.key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, index: Dict[str, int]) -> Dict[str, Any]:
    location = finding.location
    result: Dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.labelled()},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(location.path), "uriBaseId": _ROOT},
                "region": {"startLine": max(location.line, 1),
                           "startColumn": max(location.column, 1)},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.key, "kind": "member"}],
        }],
        "partialFingerprints": {"ragftLintKey/v1": _fingerprint(finding)},
        # A finding of the declaration as a whole has no system to name.
        "properties": {"fix": finding.fix} if finding.system is None
        else {"system": finding.system, "fix": finding.fix},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.waived:
        result["suppressions"] = [{
            "kind": "inSource",
            "status": "accepted",
            "justification": finding.waiver_reason or "",
        }]
    return result


def _notification(note: Note) -> Dict[str, Any]:
    """A note as SARIF's tool notification: its code as the descriptor, the file it is about
    as the location."""
    item: Dict[str, Any] = {
        "level": "warning" if note.level == "warning" else "note",
        "message": {"text": note.message},
        "descriptor": {"id": note.code},
        "properties": {"unmeasured": note.unmeasured},
    }
    if note.path:
        item["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(note.path), "uriBaseId": _ROOT}}}]
    return item


def document(reports: Sequence[Report], notes: Optional[Sequence[Note]] = None
             ) -> Dict[str, Any]:
    rules: Dict[str, Rule] = {}
    for report in reports:
        for item in report.rules:
            rules.setdefault(item.id, item)
    ordered = sorted(rules.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(ordered)}
    findings = sorted((f for r in reports for f in r.findings), key=Finding.sort_key)
    notifications: List[Dict[str, Any]] = []
    for report in reports:
        for failure in report.plugin_failures:
            text = str(failure.error())
            if all(n["message"]["text"] != text for n in notifications):
                notifications.append({"level": "error", "message": {"text": text}})
    failed = bool(notifications)
    notifications.extend(_notification(n) for n in notes_of(reports, notes))
    # as_uri keeps a Windows drive ("file:///C:/...") and a UNC share ("file://server/...").
    base = Path.cwd().as_uri()
    base += "" if base.endswith("/") else "/"
    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "ragft-lint",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [_rule(r) for r in ordered],
        }},
        "originalUriBaseIds": {_ROOT: {"uri": base}},
        "invocations": [{
            "executionSuccessful": not failed,
            "toolExecutionNotifications": notifications,
        }],
        "results": [_result(f, index) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    properties: Dict[str, Any] = {}
    # The bars the findings were judged against, where they are not the defaults: each
    # declaration's own (output/changed.py), as check --format json gives them.
    of_reports(reports).add_to(properties)
    systems = measured_systems(reports)
    if systems:  # the figures read from the evidence, as check --format json gives them
        properties["systems"] = systems
    if properties:
        run["properties"] = properties
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(reports: Sequence[Report], notes: Optional[Sequence[Note]] = None) -> str:
    return json.dumps(document(reports, notes), indent=2, ensure_ascii=False) + "\n"
