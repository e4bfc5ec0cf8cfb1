"""The changed thresholds as every output shows them: each declaration's own.

A run over several declarations holds several sets of thresholds (a service that extends the
root and lowers a bar, a sibling that keeps the root's). Outputs show which declaration uses
which, so that one declaration's bar is never shown as another's:

- text (and ``--format github``, HTML): one line per declaration, headed by its path, when the
  run covers several; the one line it always was for one declaration;
- JSON and SARIF: ``thresholds`` (``{name: {"default", "value", "reason"}}``) is the
  declaration's own for one declaration; over several it holds the thresholds every
  declaration that changes them changes alike (a threshold two declarations set to different
  values has no one value, and is left to the next key), and ``thresholds_by_declaration``
  (``{path: {name: ...}}``) gives each declaration that changed any its own;
- ``decide``: the same, over the declarations whose systems are shown (``--system X`` shows
  X's declaration's), and in JSON each system's own under its ``thresholds``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..record import NamedTuple
from ..thresholds import summary

if TYPE_CHECKING:
    from ..report import Report
    from ..thresholds import Changed

Changes = Tuple["Changed", ...]


def as_json(changed: Iterable[Changed]) -> Dict[str, Any]:
    """The thresholds changed from their defaults, as interfaces.md shapes them."""
    return {c.name: {"default": c.default, "value": c.value, "reason": c.reason}
            for c in changed}


class Bars(NamedTuple):
    """The declarations an output covers, in order, each with the thresholds it changed
    (``()`` for one that changed none); ``systems``: the declaration of each system shown,
    by the name the output gives it (``decide``'s per-system JSON)."""

    declarations: Tuple[Tuple[str, Changes], ...] = ()
    systems: Tuple[Tuple[str, str], ...] = ()

    @property
    def several(self) -> bool:
        return len(self.declarations) > 1

    def lines(self) -> List[str]:
        """The text lines: the summary line, or one per declaration headed by its path."""
        if not self.several:
            return [summary(c) for _, c in self.declarations if c]
        return [f"{path}: {summary(c)}" for path, c in self.declarations if c]

    def agreed(self) -> Dict[str, Any]:
        """JSON's ``thresholds``: the declaration's own; over several, those every declaration
        that changes them changes alike, in the order they are first met."""
        if not self.several:
            return as_json(c for _, changes in self.declarations for c in changes)
        seen: Dict[str, List[Changed]] = {}
        for _, changes in self.declarations:
            for item in changes:
                kinds = seen.setdefault(item.name, [])
                if item not in kinds:
                    kinds.append(item)
        return as_json(kinds[0] for kinds in seen.values() if len(kinds) == 1)

    def by_declaration(self) -> Dict[str, Any]:
        """Each declaration's own, for the ones that changed any; empty for one declaration
        (``thresholds`` is its own)."""
        if not self.several:
            return {}
        return {path: as_json(changes) for path, changes in self.declarations if changes}

    def add_to(self, out: Dict[str, Any]) -> None:
        """Add ``thresholds`` (and over several declarations ``thresholds_by_declaration``) to
        a JSON document, each only when there is something in it."""
        agreed = self.agreed()
        if agreed:
            out["thresholds"] = agreed
        by_declaration = self.by_declaration()
        if by_declaration:
            out["thresholds_by_declaration"] = by_declaration

    def of_system(self, name: str) -> Changes:
        """The thresholds the declaration of system ``name`` changed (``()`` when unknown)."""
        path = dict(self.systems).get(name)
        return dict(self.declarations).get(path, ()) if path is not None else ()


def parts_of(reports: Sequence[Report]) -> List[Report]:
    """Each declaration's report: a combined report's parts, or the report itself."""
    return [part for report in reports for part in (getattr(report, "parts", ()) or (report,))]


def of_reports(reports: Sequence[Report]) -> Bars:
    """The bars of ``check``'s outputs: every declaration checked. A report that does not
    carry thresholds (one a plugin made) has none."""
    return Bars(tuple((part.declaration, tuple(getattr(part, "thresholds", ())))
                      for part in parts_of(reports)))


def of_decisions(decisions: Mapping[str, Any], reports: Optional[Sequence[Report]]) -> Bars:
    """The bars of ``decide``'s outputs: the declarations whose systems ``decisions`` holds,
    read from the run's ``reports`` (one per declaration, as ``decide`` merged them). Without
    them, the thresholds the decisions carry, as one set."""
    parts = parts_of(reports) if reports else []
    if not parts:
        return Bars((("", tuple(getattr(decisions, "thresholds", ()))),))
    if len(parts) == 1:  # one declaration: its systems keep their names
        part = parts[0]
        return Bars(((part.declaration, tuple(part.thresholds)),),
                    tuple((name, part.declaration) for name in decisions))
    from ..report import identity

    held = {identity(part.declaration, name): part.declaration
            for part in parts for name in part.systems}
    systems = tuple((name, held[name]) for name in decisions if name in held)
    shown = {path for _, path in systems}
    return Bars(tuple((part.declaration, tuple(part.thresholds)) for part in parts
                      if part.declaration in shown), systems)
