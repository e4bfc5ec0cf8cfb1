"""Code actions: each fix ``check --fix`` would make, as a quick fix on its diagnostic, all of
them at once (``source.fixAll``), and "waive RULE for SYSTEM" on a finding.

The edits are made by the command line's own edit code (``edit.fixes`` finds the fixes in the
order ``--fix`` does, ``edit.files.Source.edited`` splices them), on the editor's text rather
than the file: so a quick fix makes the bytes ``check --fix`` would write, and a waiver the
bytes ``ragft-lint waive`` would. Nothing here writes a file; the editor applies the edit.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

from ..edit.changes import NeedsPerson, SetValue, adding, lookup
from ..edit.files import PYPROJECT_TABLE, EditFailed, Source
from ..errors import RagftLintError
from ..record import NamedTuple

if TYPE_CHECKING:
    from ..declaration.document import Document
    from ..edit.changes import Change
    from ..host import Plugins
    from .checking import Checked

# What a waiver added from the editor says until the user says why.
REASON_PLACEHOLDER = "say why this finding is accepted"


class TextSource(Source):
    """The editor's text of a declaration, to be edited as ``Source`` edits the file: the same
    reading and splicing, with no lock and no writing (the editor applies the result)."""

    def __init__(self, document: Document, text: str) -> None:  # no file: no lock
        self.file = document.file
        self.display = document.display
        self.fmt = document.fmt
        self.text = text
        self.original = None
        self.bom = False
        pyproject = self.fmt == "toml" and os.path.basename(self.file) == "pyproject.toml"
        self.prefix = PYPROJECT_TABLE if pyproject else ()
        self.document = self.read(text)

    def write(self, text: str) -> None:
        raise EditFailed(f"{self.display}: the language server does not write files")

    def close(self) -> None:
        pass


class Edit(NamedTuple):
    """One action's outcome: its title, the rule it is about (for its diagnostic), the
    1-based line it is at, and the whole text after it."""

    title: str
    rule: str
    line: int
    text: str
    preferred: bool = False


# Each fix on its own, and all of them at once (None: nothing to fix all at once).
Fixes = Tuple[List["Edit"], Optional["Edit"]]


def fixes(checked: Checked) -> Fixes:
    """Each fix ``check --fix`` would make in the checked buffer as its own edit, and all of
    them at once (None when there is nothing to fix, or the declaration has a problem no fix
    removes, or a plugin failed: then ``--fix`` writes nothing either).

    The fixes come from the run already made (its session, declaration and options, whose
    report and measurement it holds): nothing is measured again, except the declaration
    that words for "none" leave once fixed, which is measured as the run was (a measured run
    works its fixes out in the worker that measured it).
    """
    from ..edit.fixes import from_report, none_words
    from ..options import build
    from .checking import read_buffer

    session = checked.session
    if session is None:
        return [], None
    text = checked.text
    options = checked.run.options if checked.run is not None else \
        build(evidence=checked.measured)
    try:
        document = read_buffer(checked.path, text)
        if document is None:
            return [], None
        source = TextSource(document, text)
        found = none_words(source.document, session)
        declaration = checked.declaration
        if found:
            try:
                declaration = session.load(source.read(source.edited(
                    [f.change for f in found])))
            except NeedsPerson:
                found = []
        if declaration is None:
            return [], None  # a problem no fix removes: the run stopped at it
        report = session.report(declaration, options)
        if report.plugin_failures or session.plugins.failures:
            return [], None
        found += from_report(session, declaration, report, options, io.StringIO())
    except RagftLintError:
        return [], None
    single: List[Edit] = []
    kept = []
    for fix in found:
        try:
            after = source.edited([fix.change])
        except (NeedsPerson, EditFailed):
            continue
        kept.append(fix)
        single.append(Edit(f"Fix {fix.rule}: {fix.says} ({fix.system})", fix.rule,
                           fix.where[0], after, preferred=True))
    if not kept:
        return single, None
    try:
        everything = source.edited([f.change for f in kept])
    except (NeedsPerson, EditFailed):
        return single, None
    return single, Edit(f"Fix all ragft-lint findings ({len(kept)})", "", 1, everything)


def waiver(plugins: Plugins, path: str, text: str, rule: str, system: str,
           line: int) -> Optional[Edit]:
    """The text with a waiver of ``rule`` under ``system``, its reason a placeholder, as
    ``ragft-lint waive`` adds it; None when it cannot be placed."""
    from .checking import read_buffer

    rule_id = rule.upper()
    if rule_id not in plugins.rule_ids:
        return None
    try:
        document = read_buffer(path, text)
        if document is None:
            return None
        source = TextSource(document, text)
        change = _waiver_change(source.document.data, system, rule_id)
        if change is None:
            return None
        after = source.edited([change])
    except (RagftLintError, NeedsPerson):
        return None
    return Edit(f"Waive {rule_id} for {system}", rule_id, line, after)


def _waiver_change(data: Any, system: str, rule_id: str) -> Optional[Change]:
    if not isinstance(lookup(data, ("systems", system)), dict):
        return None
    waivers = lookup(data, ("systems", system, "waivers"))
    key = next((k for k in waivers if str(k).upper() == rule_id), rule_id) \
        if isinstance(waivers, dict) else rule_id
    path = ("systems", system, "waivers", str(key))
    existing = lookup(data, path)
    if isinstance(existing, dict) and "reason" in existing:
        return SetValue(path + ("reason",), REASON_PLACEHOLDER)
    return adding(data, path, {"reason": REASON_PLACEHOLDER})
