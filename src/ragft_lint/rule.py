"""What a rule is, and the ``@rule`` decorator that makes one from a documented function."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, Optional, Tuple

from .findings import Severity
from .record import NamedTuple

if TYPE_CHECKING:
    from .declaration.model import System
    from .evidence.measurements import SystemEvidence
    from .facts import Facts

ID_PATTERN = re.compile(r"[A-Z]{2,4}[0-9]{3}")
ID_WORDS = "two to four capital letters and three digits"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class Violation(NamedTuple):
    """What a rule's check yields: the facts that triggered it, and where.

    ``at`` is the key path inside the system (``("knowledge", "changes")``) whose value the
    finding points at; ``severity`` overrides the rule's default for this one finding.
    """

    message: str
    fix: str
    at: Tuple[Any, ...] = ()
    severity: Optional[Severity] = None


class Context:
    """What a check may consult besides the system: thresholds, the run date, its settings,
    what was measured of the evidence (``measurement``), and the system's facts with the
    measured ones over the declared ones (``facts``)."""

    def __init__(
        self,
        thresholds: Dict[str, Any],
        as_of: datetime.date,
        settings: Optional[Dict[str, Any]] = None,
        evidence: bool = True,
        views: Optional[Dict[str, Facts]] = None,
    ) -> None:
        self.thresholds = thresholds
        self.as_of = as_of
        self.settings: Dict[str, Any] = settings if settings is not None else {}
        self.evidence = evidence
        # For rules that review the other rules' findings (waivers): what ran, and what
        # fired for each system before waivers were applied.
        self.ran: FrozenSet[str] = frozenset()
        self.fired: Dict[str, FrozenSet[str]] = {}
        # What was measured of each system's evidence files and git history, by system name.
        self.measured: Dict[str, SystemEvidence] = {}
        # The facts views, by system name: shared by the contexts of one run (``views``), so
        # that each rule reads the facts another rule already looked up.
        self._facts: Dict[str, Facts] = views if views is not None else {}

    def threshold(self, name: str) -> Any:
        return self.thresholds[name]

    def measurement(self, system: Any) -> Optional[SystemEvidence]:
        """What was measured for ``system`` (a ``System``), or None: evidence is off, or the
        declaration has nothing to measure."""
        if not self.evidence:
            return None
        return self.measured.get(system.name)

    def facts(self, system: System) -> Facts:
        """The facts of ``system`` as far as they are known: measured over declared, each
        saying where it came from. The same view ``decide`` walks."""
        evidence = self.measured.get(system.name) if self.evidence else None
        view = self._facts.get(system.name)
        # Kept per system name; a view of another system object or other evidence is stale.
        if view is None or view.system is not system or view.evidence is not evidence:
            from .facts import Facts  # with the first rule that reads a fact, not at start-up

            view = self._facts[system.name] = Facts(system, evidence)
        return view


Check = Callable[[Any, Context], Iterable[Violation]]


class Rule(NamedTuple):
    """A rule: a stable id, a kebab-case name, a default severity, its documentation, a check.

    The documentation is the check function's docstring: what it finds, why it matters, how
    to fix it, and example declarations that fire and that pass.
    """

    id: str
    name: str
    severity: Severity
    check: Check
    doc: str
    source: str = "builtin"
    # Runs after every other rule, with ``context.ran`` and ``context.fired`` filled in.
    reviews_findings: bool = False
    # Checks the declaration as a whole (its settings), once: ``check`` is given the
    # ``Declaration``, a violation's ``at`` is a key path of the document, and the finding
    # belongs to no system.
    of_declaration: bool = False

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name

    def sections(self) -> Dict[str, str]:
        """The documentation split at its ``Fires:`` and ``Passes:`` example headings.

        Keys: ``text`` (what, why, fix) and, where present, ``fires`` and ``passes`` (YAML).
        """
        import textwrap

        out: Dict[str, str] = {}
        current = "text"
        lines: Dict[str, list[str]] = {current: []}
        for line in self.doc.splitlines():
            heading = line.strip().rstrip(":").lower()
            if line.strip() in ("Fires:", "Passes:") and not line.startswith(" "):
                current = heading
                lines[current] = []
                continue
            lines[current].append(line)
        for key, body in lines.items():
            text = "\n".join(body)
            out[key] = (textwrap.dedent(text).strip() if key != "text" else text.strip()) + "\n"
        return out

    def problems(self) -> list[str]:
        """What is wrong with this rule's definition, for the plugin host to report."""
        out = []
        if not isinstance(self.id, str) or not ID_PATTERN.fullmatch(self.id):
            out.append(f"rule id {self.id!r} is not {ID_WORDS}")
        if not isinstance(self.name, str) or not NAME_PATTERN.fullmatch(self.name):
            out.append(f"rule name {self.name!r} is not kebab-case")
        if not isinstance(self.severity, Severity):
            out.append(f"rule {self.id}: severity must be a ragft_lint.Severity")
        if not callable(self.check):
            out.append(f"rule {self.id}: check is not callable")
        return out


def rule(
    rule_id: str, name: str, severity: Severity, reviews_findings: bool = False,
    of_declaration: bool = False,
) -> Callable[[Check], Rule]:
    """Make a ``Rule`` from a check function; its docstring is the rule's documentation.

    With ``of_declaration``, the check is called once per declaration with the
    ``Declaration`` instead of once per system.
    """

    def make(check: Check) -> Rule:
        import inspect

        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(rule_id, name, severity, check, doc, reviews_findings=reviews_findings,
                    of_declaration=of_declaration)

    return make
