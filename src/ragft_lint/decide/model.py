"""What ``decide`` answers: the verdicts, the steps of each framework, and the decision.

Plain named tuples and constants; the frameworks that make them are in ``failure_mode``,
``gates`` and ``checklist``.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ..findings import Location
from ..record import NamedTuple

if TYPE_CHECKING:
    from ..thresholds import Changed

PROMPT = "prompt"
RAG = "rag"
FINE_TUNE = "fine-tune"
HYBRID = "hybrid"
UNDECIDED = "undecided"
VERDICTS = (PROMPT, RAG, FINE_TUNE, HYBRID, UNDECIDED)
ARCHITECTURES = (PROMPT, RAG, FINE_TUNE, HYBRID)

FAILURE_MODE = "failure_mode"
GATES = "gates"
CHECKLIST = "checklist"
TITLES = {FAILURE_MODE: "failure-mode tree", GATES: "five gates", CHECKLIST: "checklist"}
SPLIT = "split"

# The families of ``check`` rules whose errors stand between a verdict and shipping it.
BLOCKING_FAMILIES = ("KN", "EV", "FT", "RG", "DA")


class Blocker(NamedTuple):
    """An error-severity finding of ``check`` on the system, shown beside the verdicts."""

    rule: str
    message: str
    path: str
    line: int
    column: int
    layer: str = ""  # "fine_tune" or "rag" when it judges that layer alone, else ""


class Step(NamedTuple):
    """One question a framework asked, its answer, and the fact that answered it.

    ``id`` names the step, the same from one run and one system to the next, and unique within
    its framework's result (``gate1``, ``tree.reasoning.eval``, ``checklist.ft.style``; each
    framework lists its ids in ``STEPS``). ``key`` is the dotted key of that fact
    (``systems.bot.knowledge.changes``), also when the fact is missing, so the reader knows
    what to declare; ``location`` is where it was declared (for a measured fact, the key that
    pointed to its evidence), and None when it is unknown. ``counted`` is set for checklist
    signs only; ``unknown`` marks a step answered without a fact it asked for: declaring or
    measuring that fact could change the verdict.
    """

    id: str
    question: str
    answer: str
    key: Optional[str] = None
    location: Optional[Location] = None
    counted: Optional[bool] = None
    unknown: bool = False


class FrameworkResult(NamedTuple):
    """One framework's verdict on one system and the path it took to reach it.

    ``route`` (five gates only) is the chart nodes visited (``decide.chart``), from ``start`` to
    ``verdict``; the sign counts are set for the checklist only.
    """

    name: str
    verdict: str
    steps: Tuple[Step, ...]
    route: Tuple[str, ...] = ()
    fine_tune_signs: Optional[int] = None
    rag_signs: Optional[int] = None
    both_signs: Optional[int] = None
    # The architectures the framework has not ruled out (decide.md: verdicts and open sets), in
    # the order of ``VERDICTS``; empty only for a result made without them (then its verdict).
    still_open: Tuple[str, ...] = ()

    @property
    def open(self) -> Tuple[str, ...]:
        """The architectures not ruled out: the verdict itself, once decided."""
        if self.still_open:
            return self.still_open
        return (self.verdict,) if self.verdict != UNDECIDED else ARCHITECTURES

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)

    @property
    def signs(self) -> str:
        """The checklist's counts in words: ``1 fine-tune sign, 5 RAG signs, 0 for both``."""
        def counted(n: Optional[int], what: str) -> str:
            return f"{n} {what}" + ("" if n == 1 else "s")

        return (f"{counted(self.fine_tune_signs, 'fine-tune sign')}, "
                f"{counted(self.rag_signs, 'RAG sign')}, {self.both_signs} for both")


class Decision(NamedTuple):
    """The three frameworks' verdicts on one system, beside the architecture it declares."""

    system: str
    declared: str
    failure_mode: FrameworkResult
    gates: FrameworkResult
    checklist: FrameworkResult
    # What ``check`` says stands in the way, as far as a report was given (``decide``).
    blockers: Tuple[Blocker, ...] = ()

    @property
    def frameworks(self) -> Tuple[FrameworkResult, FrameworkResult, FrameworkResult]:
        return (self.failure_mode, self.gates, self.checklist)

    @property
    def consensus(self) -> str:
        """decide.md's order: the verdict at least two frameworks share; else the one
        architecture every framework leaves open; else ``split`` when two decided frameworks
        disagree; else ``undecided`` (with ``open`` still open)."""
        verdicts = [f.verdict for f in self.frameworks if f.verdict != UNDECIDED]
        for verdict in verdicts:
            if verdicts.count(verdict) >= 2:
                return verdict
        common = self.common
        if len(common) == 1:
            return common[0]
        if len(set(verdicts)) >= 2:
            return SPLIT
        return UNDECIDED

    @property
    def common(self) -> Tuple[str, ...]:
        """The architectures that no framework rules out."""
        return tuple(a for a in ARCHITECTURES if all(a in f.open for f in self.frameworks))

    @property
    def open(self) -> Tuple[str, ...]:
        """The consensus's open set: the consensus once it is an architecture; the decided
        verdicts when they split; else what every framework leaves open (or, when they leave
        nothing open in common, what any of them does)."""
        consensus = self.consensus
        if consensus in ARCHITECTURES:
            return (consensus,)
        if consensus == SPLIT:
            decided = {f.verdict for f in self.frameworks}
            return tuple(a for a in ARCHITECTURES if a in decided)
        return self.common or tuple(a for a in ARCHITECTURES
                                    if any(a in f.open for f in self.frameworks))

    @property
    def only_open(self) -> bool:
        """Whether the consensus is the one architecture no framework rules out, rather than
        a verdict two frameworks share."""
        consensus = self.consensus
        return consensus in ARCHITECTURES and sum(
            f.verdict == consensus for f in self.frameworks) < 2

    @property
    def disagrees(self) -> bool:
        """What DE001 reports (rules.md): the declared architecture is not the consensus, or,
        with none, no framework leaves it open. A framework undecided for lack of a fact rules
        out only what no value of that fact could lead to, so missing facts alone never make
        a disagreement."""
        consensus = self.consensus
        if consensus in ARCHITECTURES:
            return consensus != self.declared
        return not any(self.declared in f.open for f in self.frameworks)

    @property
    def agreeing(self) -> Tuple[FrameworkResult, ...]:
        """The frameworks whose verdict is the declared architecture."""
        return tuple(f for f in self.frameworks if f.verdict == self.declared)

    @property
    def agreement(self) -> str:
        """``all``, ``some`` or ``none`` of the three verdicts match the declared architecture."""
        count = len(self.agreeing)
        return "all" if count == 3 else "none" if count == 0 else "some"

    @property
    def missing(self) -> Tuple[str, ...]:
        """The keys of the facts some framework needed and did not find, each once."""
        keys: Dict[str, None] = {}
        for result in self.frameworks:
            for step in result.steps:
                if step.unknown and step.key is not None:
                    keys[step.key] = None
        return tuple(keys)

    @property
    def reached(self) -> bool:
        """Whether at least one framework reached a verdict."""
        return any(f.verdict != UNDECIDED for f in self.frameworks)

    # A decision shows itself: as decide's text tree when printed, and as HTML (the verdicts
    # and the five-gates chart) in a notebook. The renderers are imported only when asked for.

    def __str__(self) -> str:
        from ..output import decision_text

        return decision_text.render_one(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from ..output import html

        return html.decision(self)


class Decisions(Dict[str, Decision]):
    """The decision for every system, keyed by system in declaration order.

    A plain dict that prints as ``decide``'s text output and renders as HTML in a notebook;
    ``thresholds`` are the thresholds the declarations changed from their defaults, which
    every output shows, and which filtering (``only``) and merging (``merge``) keep. A system
    is its name, or ``path::name`` when the decisions cover several declarations; asking for
    one they do not hold raises ``UnknownSystemError`` (a ``KeyError``) with "did you mean".
    """

    def __init__(self, items: Union[Mapping[str, Decision], Iterable[Tuple[str, Decision]]] = (),
                 thresholds: Tuple[Changed, ...] = ()) -> None:
        super().__init__(items)
        self.thresholds = thresholds

    def __missing__(self, name: str) -> Decision:
        from ..errors import UnknownSystemError

        raise UnknownSystemError(name, "the run", list(self))

    def only(self, name: str) -> Decisions:
        """The decision on one system, with the thresholds (``UnknownSystemError`` if absent)."""
        return Decisions({name: self[name]}, self.thresholds)

    @classmethod
    def merge(cls, parts: Sequence[Tuple[str, Decisions]]) -> Decisions:
        """Several declarations' decisions (each with its path) as one: one declaration's keep
        their names; with several, every system is ``path::name`` (``report.identity``), and
        the changed thresholds of all of them are kept, each once."""
        if len(parts) == 1:
            return parts[0][1]
        from ..report import identity

        return cls(((identity(path, name), decision)
                    for path, decisions in parts for name, decision in decisions.items()),
                   tuple(dict.fromkeys(t for _, decisions in parts for t in decisions.thresholds)))

    def __str__(self) -> str:
        from ..output import decision_text

        return decision_text.render(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from ..output import html

        return html.decisions(self)
