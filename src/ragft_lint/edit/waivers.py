"""``ragft-lint waive RULE SYSTEM --reason TEXT [--expires DATE]``.

Adds the waiver under the system, or updates the one that is there (its reason, and its expiry
when one is given; an expiry not given is kept). The rule must be one that is installed and the
system one that is declared; the reason must say something. Nothing is written when the
declaration has a problem or a plugin failed.
"""

from __future__ import annotations

import datetime
import sys
from typing import TYPE_CHECKING, Any, List, Optional

from ..errors import UnknownRuleError, UsageError
from .changes import Add, Change, SetValue, adding, lookup
from .files import Source

if TYPE_CHECKING:
    from ..session import Session

PREFIX = "ragft-lint: "


def run(session: Session, rule: str, system: str, reason: str,
        expires: Optional[datetime.date], path: Optional[str] = None,
        today: Optional[datetime.date] = None, out: Any = None) -> int:
    """Write the waiver; returns the exit status (raises ``UsageError`` for a wrong request)."""
    from ..output.present import status_told
    from ..suggest import hint

    stream = out if out is not None else sys.stderr
    said = reason.strip()
    try:  # bytes that are not UTF-8 arrive from the command line as lone surrogates
        said.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("--reason is not valid UTF-8 text; nothing was written") from None
    if not said:
        raise UsageError("--reason must say why the finding is accepted; it is empty")
    if expires is not None and expires < (today or datetime.date.today()):
        raise UsageError(f"--expires {expires.isoformat()} is in the past: the waiver would "
                         "have lapsed already")
    plugins = session.plugins
    if plugins.failures:
        print(f"{PREFIX}waive wrote nothing: a plugin failed", file=stream)
        return status_told(plugins.failures, 3)
    rule_id = rule.upper()
    if rule_id not in plugins.rule_ids:
        raise UnknownRuleError(rule, sorted(plugins.rule_ids))
    declaration = session.declaration(path)
    if system not in declaration.systems:
        names = list(declaration.systems)
        raise UsageError(f"{declaration.display}: no system {system!r}{hint(system, names)} "
                         f"(declared: {', '.join(names) or 'none'})")
    with Source(declaration.document) as source:  # locked until the waiver is written
        existed = isinstance(lookup(source.document.data, ("systems", system, "waivers")),
                             dict) and any(str(k).upper() == rule_id for k in
                                           source.document.data["systems"][system]["waivers"])
        changes = _changes(source, system, rule_id, said, expires)
        if not changes:
            print(f"{PREFIX}{source.display}: the waiver of {rule_id} for {system} already "
                  "says that", file=stream)
            return 0
        text = source.edited(changes)
        source.write(text)
    done = "updated the waiver of" if existed else "waived"
    key = next(k for k in source.read(text).data["systems"][system]["waivers"]
               if str(k).upper() == rule_id)
    line, column = source.read(text).position(("systems", system, "waivers", key), True)
    until = f" until {expires.isoformat()}" if expires else ""
    print(f"{source.display}:{line}:{column}: {done} {rule_id} for {system}{until}",
          file=stream)
    return 0


def _changes(source: Source, system: str, rule_id: str, reason: str,
             expires: Optional[datetime.date]) -> List[Change]:
    data = source.document.data
    waivers = lookup(data, ("systems", system, "waivers"))
    key = next((k for k in waivers if str(k).upper() == rule_id), rule_id) \
        if isinstance(waivers, dict) else rule_id
    path = ("systems", system, "waivers", str(key))
    # YAML 1.2 reads a date as text (the format accepts it); TOML has dates of its own.
    date: Any = None if expires is None else \
        expires if source.fmt == "toml" else expires.isoformat()
    existing = lookup(data, path)
    if not isinstance(existing, dict):
        value = {"reason": reason, **({"expires": date} if date is not None else {})}
        return [adding(data, path, value)]
    changes: List[Change] = []
    if existing.get("reason") != reason:
        changes.append(_set_or_add(existing, path, "reason", reason))
    if date is not None and str(existing.get("expires")) != str(date):
        changes.append(_set_or_add(existing, path, "expires", date))
    return changes


def _set_or_add(existing: Any, path: Any, key: str, value: Any) -> Change:
    if key in existing:
        return SetValue(path + (key,), value)
    return Add(path, key, value)
