"""Baselines: adopt ragft-lint on a project with known findings, and fail only on new ones.

``--write-baseline FILE`` records today's findings; ``--baseline FILE`` then leaves out every
finding the file records and fails only on the others. A finding is recorded by declaration,
rule, system and key, never by line, so edits elsewhere in the declaration do not invalidate
the baseline; a key that fires more often than recorded counts its extra findings as new.
Each entry records the finding's severity too: a finding whose severity rose since (a warning
that became an error) is new and fails the run. Entries written before severities were
recorded match at any severity. Declarations are recorded relative to the baseline file, so
the file works from any folder.

An entry that matches no finding any more (the problem was fixed, the key moved) is told in a
note (``baseline-stale``) rather than silently kept, and ``--write-baseline`` over an existing
baseline keeps only the entries today's findings still match, saying how many it dropped.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Counter, Dict, List, Optional, Sequence, Tuple

from .errors import BaselineError
from .findings import SEVERITY_WORDS, Finding, Severity
from .notes import INFO, Note
from .record import NamedTuple
from .report import Report

if TYPE_CHECKING:
    from .declaration.model import Declaration

FORMAT_VERSION = 1
# declaration, rule, system, key; the system is None for a finding of the declaration as a
# whole (recorded as null)
Key = Tuple[str, str, Optional[str], str]


def _declaration(report: Report, folder: str) -> str:
    absolute = os.path.abspath(report.declaration)
    try:
        path = os.path.relpath(absolute, folder)
    except ValueError:  # another drive (Windows): no relative path exists
        path = absolute
    return path.replace(os.sep, "/")


def _key(declaration: str, finding: Finding) -> Key:
    return (declaration, finding.rule, finding.system, finding.key)


def document(reports: Sequence[Report], path: str) -> Dict[str, Any]:
    """What ``write`` saves: every finding that is not waived, in a stable order."""
    folder = os.path.dirname(os.path.abspath(path))
    entries: List[Dict[str, Any]] = []
    for report in reports:
        declaration = _declaration(report, folder)
        for f in report.findings:
            if f.waived:  # an accepted risk already: the waiver is its record
                continue
            entries.append({"declaration": declaration, "rule": f.rule, "system": f.system,
                            "key": f.key, "severity": str(f.severity), "message": f.message})
    entries.sort(key=lambda e: (e["declaration"], e["system"] or "", e["rule"], e["key"],
                                e["message"]))
    return {"ragft_lint_baseline": FORMAT_VERSION, "findings": entries}


def check_target(path: str, declarations: Sequence[Declaration],
                 option: str = "--write-baseline") -> None:
    """Refuse (``BaselineError``) a file that ``option`` (``--write-baseline``,
    ``--output-file``) would replace and that is not the run's to replace:
    one outside every checked declaration's project root (a symbolic link is followed to where
    it leads), a declaration, or a file the declarations name as evidence. A file name can come
    from a stranger's repository (a folder named ``--write-baseline=x``), so none is trusted."""
    from .declaration.discovery import NAMES

    real = os.path.realpath(path)
    if not any(_inside(real, os.path.realpath(d.root)) for d in declarations):
        raise BaselineError(path, f"outside the project root; name a file inside it for "
                                  f"{option} (nothing was written)")
    if os.path.basename(real) in NAMES or os.path.basename(path) in NAMES or \
            any(os.path.realpath(d.document.file) == real for d in declarations):
        raise BaselineError(path, f"is a declaration; name another file for {option} "
                                  "(nothing was written)")
    if any(_declared(real, d) for d in declarations):
        raise BaselineError(path, "is an evidence file the declaration names; name another "
                                  f"file for {option} (nothing was written)")


def _inside(real: str, root: str) -> bool:
    return real.startswith(root.rstrip(os.sep) + os.sep)


def _declared(real: str, declaration: Declaration) -> bool:
    """Whether a path or pattern the declaration names (an evidence file, its judgements, a
    knowledge source) matches the file at ``real``."""
    import fnmatch

    base = os.path.dirname(os.path.abspath(declaration.document.file))
    for system in declaration.systems.values():
        for declared in _paths(system.facts):
            if "\0" in declared:
                continue
            pattern = os.path.realpath(os.path.join(base, declared))
            if pattern == real or fnmatch.fnmatchcase(real, pattern) or \
                    real.startswith(pattern.rstrip(os.sep) + os.sep):
                return True
    return False


def _paths(facts: Any) -> List[str]:
    """Every string a system's facts hold under ``path``, ``qrels`` or ``sources``."""
    found: List[str] = []
    stack = [facts]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("path", "qrels", "baseline_results", "training_data",
                             "results", "regression_suite") and isinstance(value, str):
                    found.append(value)
                elif key == "sources" and isinstance(value, list):
                    found.extend(v for v in value if isinstance(v, str))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


class Written(NamedTuple):
    """What ``write`` did: how many findings the file records, and how many entries of the
    baseline it replaced matched no finding any more and were dropped."""

    recorded: int
    dropped: int = 0


def write(reports: Sequence[Report], path: str) -> Written:
    """Write the baseline atomically: today's findings, so that an entry of the file it
    replaces that no finding matches any more is dropped (and counted)."""
    data = document(reports, path)
    try:
        from .atomic import Locked

        with Locked(path, path) as locked:  # a baseline is replaced whole: no comparison
            before = locked.current()
            locked.replace((json.dumps(data, indent=2, ensure_ascii=False) + "\n")
                           .encode("utf-8"), before)
    except OSError as exc:
        raise BaselineError(path, f"cannot write the baseline: {exc.strerror or exc}") from None
    return Written(len(data["findings"]), _dropped(before, data["findings"], path))


def _dropped(before: Optional[bytes], now: List[Dict[str, Any]], path: str) -> int:
    """How many entries of the replaced baseline (``before``) today's entries do not cover.
    A file that was no baseline (or none at all) had nothing to drop."""
    if before is None:
        return 0
    import collections

    try:
        old = _entries(before.decode("utf-8"), path)
    except (BaselineError, UnicodeDecodeError):
        return 0
    kept = collections.Counter((e["declaration"], e["rule"], e["system"], e["key"])
                               for e in now)
    return sum(max(len(found) - kept[key], 0) for key, found in old.items())


def read(path: str) -> Counter[Key]:
    """The findings a baseline file records, counted per key."""
    import collections

    return collections.Counter({key: len(found) for key, found in entries(path).items()})


def entries(path: str) -> Dict[Key, List[Optional[Severity]]]:
    """The findings a baseline file records: per key, the severity of each (None for an entry
    of a file written before severities were recorded)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(10_000_001)
    except FileNotFoundError:
        raise BaselineError(path, "no such baseline file; write one with "
                                  "--write-baseline") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(path, f"cannot read the baseline: {exc}") from None
    if len(text) > 10_000_000:
        raise BaselineError(path, "the baseline is larger than 10 MB")
    return _entries(text, path)


def _entries(text: str, path: str) -> Dict[Key, List[Optional[Severity]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(path, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:  # the decoder recurses once per level of nesting
        raise BaselineError(path, "not valid JSON: nested too deeply") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("ragft_lint_baseline") != FORMAT_VERSION \
            or not isinstance(entries, list):
        raise BaselineError(path, "not a ragft-lint baseline (version "
                                  f"{FORMAT_VERSION}); write one with --write-baseline")
    recorded: Dict[Key, List[Optional[Severity]]] = {}
    for number, entry in enumerate(entries):
        fields = [entry.get(k) if isinstance(entry, dict) else None
                  for k in ("declaration", "rule", "system", "key")]
        # A finding of the declaration as a whole is recorded with a null system.
        strings = [v for v in fields if isinstance(v, str)]
        if len(strings) != 4 and not (len(strings) == 3 and fields[2] is None):
            raise BaselineError(path, f"findings[{number}]: expected declaration, rule, system "
                                      "and key strings")
        word = entry.get("severity")
        if word is not None and word not in SEVERITY_WORDS:
            raise BaselineError(path, f"findings[{number}].severity: expected one of "
                                      f"{', '.join(SEVERITY_WORDS)}, found {word!r}")
        severity = Severity.parse(word) if word is not None else None
        system = fields[2] if isinstance(fields[2], str) else None
        recorded.setdefault((str(fields[0]), str(fields[1]), system, str(fields[3])),
                            []).append(severity)
    return recorded


def _take(recorded: List[Optional[Severity]], severity: Severity) -> bool:
    """Use up the recorded entry that covers a finding of ``severity``, if one does: the lowest
    recorded severity at or above it (an entry without one covers any)."""
    covering = [s for s in recorded if s is None or s >= severity]
    if not covering:
        return False
    recorded.remove(min(covering, key=lambda s: Severity.ERROR + 1 if s is None else s))
    return True


def apply(reports: Sequence[Report], path: str) -> List[Report]:
    """The reports without the findings the baseline at ``path`` records (new reports).

    Each report also gets a ``baseline-stale`` note for every entry of its declaration, of a
    rule that ran, that no finding used: a fixed problem whose entry would otherwise hide its
    return for ever."""
    remaining = entries(path)
    folder = os.path.dirname(os.path.abspath(path))
    out: List[Report] = []
    for report in reports:
        declaration = _declaration(report, folder)
        kept: List[Finding] = []
        left_out = 0
        for f in report.findings:
            if not f.waived and _take(remaining.get(_key(declaration, f), []), f.severity):
                left_out += 1
            else:
                kept.append(f)
        stale = _stale(remaining, declaration, {r.id for r in report.rules}, path)
        out.append(report.replace(findings=kept, baselined=report.baselined + left_out,
                                  notes=[*report.notes, *stale]))
    return out


def _stale(remaining: Dict[Key, List[Optional[Severity]]], declaration: str,
           ran: Any, path: str) -> List[Note]:
    """A note for each entry left unused of ``declaration``, among the rules that ran (an
    entry of a rule left out by ``--select`` was not looked for, so it is not stale)."""
    notes = []
    for (where, rule, system, key), left in sorted(
            remaining.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "",
                                                 item[0][3])):
        if where != declaration or rule not in ran or not left:
            continue
        times = f" ({len(left)} entries)" if len(left) > 1 else ""
        whose = "the declaration" if system is None else system
        notes.append(Note("baseline-stale",
                          f"{path}: the entry for {rule} of {whose} at "
                          f"{key} in {where}{times} matches no finding any more; "
                          f"prune it with --write-baseline {path}", path, INFO))
    return notes
