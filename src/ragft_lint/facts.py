"""One system's facts as far as they are known: what was measured over what was declared.

The rules (through ``Context.facts``) and ``decide`` read a system's facts through this one
view, so that both take the same value for a fact and say the same about where it came from.
Each value is a ``Fact``: declared (located at its own key), measured (located at the declared
key that pointed to its evidence, with that evidence in words), or unknown.

A measurement stands for a declared key as ``ragft_lint.evidence.MEASURED_FROM`` says. When it
takes the place of the declared value:

- the records of an evidence file read to the end, always: the file is the data the count
  describes (``eval.examples`` from ``eval.path``);
- the pace the git history of ``knowledge.sources`` shows, when it is faster than the declared
  ``knowledge.changes`` or none is declared: a guess written down once is weaker evidence;
- the day git first saw the eval file, only when ``eval.created_at`` is not declared: a file
  can be younger than the set it holds, never older;
- precision@5 and recall@5 of a retrieval run read to the end, and the score of an eval tool's
  result file read to the end (``prompt.baseline_score`` from ``prompt.baseline_results``,
  ``fine_tune.score`` from ``fine_tune.results``: the mean over the scored cases), always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .declaration.vocabulary import FREQUENCIES
from .evidence import (
    BASELINE_SCORE,
    CHANGES,
    COUNT_KEYS,
    EVAL,
    EVAL_CREATED,
    FINE_TUNE_SCORE,
    MEASURED_FROM,
    PRECISION_AT_5,
    RECALL_AT_5,
    RETRIEVAL_EVAL,
    SCORE_KEYS,
)
from .record import NamedTuple
from .words import counted

if TYPE_CHECKING:
    from .declaration.model import System
    from .evidence.measurements import SystemEvidence
    from .findings import Location

Keys = Tuple[Any, ...]

DECLARED = "declared"
MEASURED = "measured"
UNKNOWN = "unknown"


class Fact(NamedTuple):
    """One fact of a system, and where it stands.

    ``keys`` is the fact's key in the system (``("eval", "examples")``); ``value`` is None when
    it is unknown. ``source`` is the key to point at: the fact's own key when it is declared
    (or unknown: the key to declare), the key that pointed to the evidence when it was measured
    (``("eval", "path")``). ``evidence`` says in words what was measured, e.g.
    ``evals/support.jsonl holds 180 records``; empty unless measured.
    """

    keys: Keys
    value: Any
    origin: str
    source: Keys
    evidence: str = ""

    @property
    def known(self) -> bool:
        return self.origin != UNKNOWN

    @property
    def measured(self) -> bool:
        return self.origin == MEASURED


class Facts:
    """A system's facts, measured over declared.

    ``evidence`` is what was measured for the system, or None (evidence off, or nothing to
    measure): then every fact is as declared.
    """

    def __init__(self, system: System, evidence: Optional[SystemEvidence] = None) -> None:
        self.system = system
        self.evidence = evidence
        self._measured = _measurements(system, evidence) if evidence is not None else {}
        # Rules and frameworks ask for the same few facts many times over, and facts do not
        # change while they are read: each value is looked up once. ``decide`` asks thousands
        # of systems for dozens of values, so the cache holds bare values, not ``Fact``s.
        self._values: Dict[Keys, Any] = {}

    def _value(self, keys: Keys) -> Any:
        measured = self._measured.get(keys)
        value = measured.value if measured is not None else _walk(self.system.facts, keys)
        self._values[keys] = value
        return value

    def fact(self, *keys: Any) -> Fact:
        """The fact at ``keys`` (a list item is addressed by its index), known or not."""
        measured = self._measured.get(keys)
        if measured is not None:
            return measured
        value = self._values.get(keys, _UNSEEN)
        if value is _UNSEEN:
            value = self._value(keys)
        if value is _MISSING:
            return Fact(keys, None, UNKNOWN, keys)
        return Fact(keys, value, DECLARED, keys)

    def get(self, *keys: Any) -> Any:
        """The value at ``keys``, measured or declared; None when unknown."""
        value = self._values.get(keys, _UNSEEN)
        if value is _MISSING:
            return None
        if value is _UNSEEN:
            value = self._value(keys)
            return None if value is _MISSING else value
        return value

    def has(self, *keys: Any) -> bool:
        """Whether the fact at ``keys`` is known, measured or declared."""
        value = self._values.get(keys, _UNSEEN)
        if value is _UNSEEN:
            value = self._value(keys)
        return value is not _MISSING

    def items(self, *keys: Any) -> List[Any]:
        """The list at ``keys``; empty when it is unknown or not a list."""
        value = self.get(*keys)
        return list(value) if isinstance(value, list) else []

    def where(self, *keys: Any) -> Optional[Location]:
        """Where the fact came from: its declaration, or the key pointing to its evidence;
        None when it is unknown."""
        measured = self._measured.get(keys)
        if measured is not None:
            return self.system.where(*measured.source)
        value = self._values.get(keys, _UNSEEN)
        if value is _UNSEEN:
            value = self._value(keys)
        return None if value is _MISSING else self.system.where(*keys)


def _measurements(system: System, evidence: SystemEvidence) -> Dict[Keys, Fact]:
    """The measured facts that take the place of the declared ones (see the module's text)."""
    out: Dict[Keys, Fact] = {}
    for file_key, count_key in COUNT_KEYS.items():
        file = evidence.files.get(file_key)
        if file is not None and file.complete:  # a count that stopped early is no count
            out[count_key] = Fact(count_key, file.records, MEASURED, file_key,
                                  f"{file.path} holds {counted(file.records, 'record')}")
    history = evidence.history
    if history is not None and history.frequency is not None:
        declared = system.get(*CHANGES)
        if declared is None or _faster(history.frequency, declared):
            out[CHANGES] = Fact(CHANGES, history.frequency, MEASURED, MEASURED_FROM[CHANGES],
                                "the git history of knowledge.sources " + history.summary())
    for name, figure in figures(evidence).items():
        keys, source = _FIGURE_KEYS[name]
        if keys is not None:  # four decimals, as trec_eval and the eval tools print them
            out[keys] = Fact(keys, round(figure.value, 4), MEASURED, source,
                             f"measured from {figure.source}: {interval(figure)} over "
                             f"{figure.n} {_counted(figure)}{_errored(figure)}")
    first = evidence.eval_first_commit
    if first is not None and system.get(*EVAL_CREATED) is None:
        out[EVAL_CREATED] = Fact(EVAL_CREATED, first, MEASURED, EVAL,
                                 f"git says {system.get(*EVAL, 'path')} was first committed "
                                 f"on {first.isoformat()}")
    return out


def _errored(figure: Figure) -> str:
    """How many of the cases errored, when any did: the tool counts them as failures."""
    if not figure.errored:
        return ""
    return (f", {figure.errored} of them errored and counted as failures, as the tool that "
            "wrote the file counts them")


def _counted(figure: Figure) -> str:
    """What a figure is over, in the singular for one ("1 judged query")."""
    if figure.n != 1:
        return figure.over
    words = figure.over.split(" ")
    last = words[-1]
    words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1] if last.endswith("s") \
        else last
    return " ".join(words)


class Figure(NamedTuple):
    """A figure measured from an evidence file, as the outputs show it: the value, its 95 %
    interval, how many items it is over (``over`` says what they are), and the file it was
    read from."""

    value: float
    low: float
    high: float
    n: int
    source: str
    over: str = "cases"
    # Cases the tool ran into an error on and counted as failures, as its own headline does.
    errored: int = 0

    def to_json(self) -> Dict[str, Any]:
        out = {"value": round(self.value, 4), "low": round(self.low, 4),
               "high": round(self.high, 4), "n": self.n, "source": self.source}
        if self.over == "scored cases":
            out["errored"] = self.errored
        return out


# Each figure's declared key, where it stands over a declared one (measured over declared),
# with the key that names its file.
_FIGURE_KEYS: Dict[str, Tuple[Optional[Keys], Keys]] = {
    "precision_at_5": (PRECISION_AT_5, RETRIEVAL_EVAL),
    "recall_at_5": (RECALL_AT_5, RETRIEVAL_EVAL),
    "mrr_at_10": (None, RETRIEVAL_EVAL),
    "hit_rate_at_5": (None, RETRIEVAL_EVAL),
    **{name: (keys, SCORE_KEYS[keys]) for name, keys in (("baseline_score", BASELINE_SCORE),
                                                         ("fine_tune_score", FINE_TUNE_SCORE))},
}


def figures(evidence: Optional[SystemEvidence]) -> Dict[str, Figure]:
    """Every figure measured for one system, by name (``precision_at_5``, ...), in a fixed
    order; empty when nothing was scored. The one place a figure is derived from what was
    measured: the facts view (measured over declared), the rules and every output read it."""
    if evidence is None:
        return {}
    known: Optional[Dict[str, Figure]] = getattr(evidence, "figures", None)
    if known is not None:
        return known
    out: Dict[str, Figure] = {}
    run = evidence.retrieval
    if run is not None and run.complete:
        for name, estimate in (("precision_at_5", run.precision_at_5),
                               ("recall_at_5", run.recall_at_5),
                               ("mrr_at_10", run.mrr_at_10),
                               ("hit_rate_at_5", run.hit_rate_at_5)):
            if estimate is not None:
                out[name] = Figure(estimate.value, estimate.low, estimate.high, estimate.n,
                                   run.path, "judged queries")
    for name, (keys, results_key) in _FIGURE_KEYS.items():
        scores = evidence.results.get(results_key) if keys in SCORE_KEYS else None
        measured = evidence.score(results_key) if scores is not None else None
        if scores is not None and measured is not None:
            out[name] = Figure(measured.value, measured.low, measured.high, measured.n,
                               scores.path, "scored cases", scores.errored)
    evidence.figures = out  # kept with the measurement: derived once, whoever asks
    return out


def interval(estimate: Any) -> str:
    """A measured figure with its 95 % interval, as messages say it: ``0.55 (0.41 to 0.69)``."""
    return f"{estimate.value:.2f} (95 % interval {estimate.low:.2f} to {estimate.high:.2f})"


def _faster(frequency: str, than: str) -> bool:
    """True when ``frequency`` is strictly faster than ``than`` (realtime is the fastest)."""
    return FREQUENCIES.index(frequency) < FREQUENCIES.index(than)


_MISSING = object()
_UNSEEN = object()


def _walk(node: Any, keys: Sequence[Any]) -> Any:
    for key in keys:
        if isinstance(node, dict):
            if key not in node:
                return _MISSING
        elif not (isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)):
            return _MISSING
        node = node[key]
    return node
