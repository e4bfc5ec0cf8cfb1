"""The per-case scores of a result file, gathered as a reader goes through its records.

``Cases`` collects every metric's score for every case in one pass, counts what cannot be read
(a missing or repeated case id, a value that is not a score) instead of stopping at it, and
gives the ``CaseScores`` of the metric and task the declaration names.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple, Union, cast

from ..measurements import EXAMPLES, Malformed
from . import Ambiguous, CaseScores, NotReadable


class BadScore(ValueError):
    """A value that cannot be a score (a word, a list): the record is malformed."""


def score(value: Any, low: Optional[float] = None, high: Optional[float] = None,
          ) -> Optional[float]:
    """A score from a value a tool wrote; None when there is none (null, NaN, infinite).

    ``True``/``False`` are 1 and 0. A number outside ``[low, high]``, or anything that is not
    a number, raises ``BadScore``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "nan", "none", "null"):
            return None
        try:
            value = float(text)
        except ValueError:
            raise BadScore(f"score {value[:40]!r} is not a number") from None
    if not isinstance(value, (int, float)):
        raise BadScore(f"score is {type(value).__name__}, not a number")
    number = float(value)
    if not math.isfinite(number):
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        raise BadScore(f"score {number:g} is outside {low:g} to {high:g}")
    return number


def case_id(value: Any) -> Optional[str]:
    """A case id as text: strings and integers; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


# A metric's values: case -> its value, or its values when it has several (epochs).
PerCase = Dict[str, Union[float, List[float]]]


class Cases:
    """The scores of a file's cases, for every metric it holds, gathered in one pass."""

    def __init__(self, path: str, tool: str) -> None:
        self.path = path
        self.tool = tool
        self.order: Dict[str, int] = {}  # case id -> where it was first seen
        # case id (or (id, repeat) when ``repeat`` is given) -> where it was read: the order
        # itself until a record has a ``repeat``, which the readers of most tools never give
        self.seen: Dict[Any, int] = self.order
        # metric -> case -> its value, or its values when there are several (epochs): one
        # float each for most files, which makes no object the garbage collector walks
        self.values: Dict[str, PerCase] = {}
        self.several = False  # whether some case has several values (a list) for a metric
        self.malformed = 0
        self.first_malformed: List[Malformed] = []
        self.complete = True
        self.tasks: List[str] = []

    def bad(self, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.first_malformed) < EXAMPLES:
            self.first_malformed.append(Malformed(line, reason))

    def case(self, raw: Any, line: int, repeat: Any = None) -> Optional[str]:
        """The id of a new case, or None (counted as malformed) when it has none or repeats.

        ``repeat`` tells apart records that may share an id (inspect_ai's epochs): their
        scores are averaged.
        """
        case = case_id(raw)
        if case is None:
            self.bad(line, "no case id" if raw is None else f"case id is {type(raw).__name__}")
            return None
        if repeat is None:
            key: Any = case
        else:
            key = (case, repeat)
            if self.seen is self.order:
                self.seen = dict(self.order)
        where = self.seen.get(key)
        if where is not None:
            self.bad(line, f"case id {case[:60]!r} repeats the one at {where}")
            return None
        self.seen[key] = line
        self.order.setdefault(case, line)
        return case

    def score(self, case: str, metric: str, value: Any, line: int,
              low: Optional[float] = None, high: Optional[float] = None) -> None:
        """Record one metric's value for a case; a value that cannot be a score is malformed."""
        scores = self.values.setdefault(metric, {})
        try:
            number = score(value, low, high)
        except BadScore as exc:
            self.bad(line, f"{metric}: {exc}")
            return
        if number is not None:
            held = scores.get(case)
            if held is None:
                scores[case] = number or 0.0  # what fsum makes of one value: -0.0 is 0.0
            elif isinstance(held, list):
                held.append(number)
            else:
                scores[case] = [held, number]
                self.several = True

    def metric_seen(self, metric: str) -> None:
        self.values.setdefault(metric, {})

    def result(self, metric: Optional[str], task: Optional[str] = None,
               default: Optional[str] = None, aliases: Optional[Dict[str, str]] = None,
               ) -> CaseScores:
        """The scores of the metric named (or the only one, or ``default``)."""
        if task is not None:
            select_task(self.tasks, task)
        metrics = tuple(self.values)
        chosen = choose_metric(metrics, metric, default, aliases or {})
        if not self.order and not self.malformed:
            raise NotReadable("holds no cases")
        per_case = self.values.get(chosen, {}) if chosen is not None else {}
        scores: Dict[str, float] = {}
        unscored: List[str] = []
        if not self.several and list(per_case) == list(self.order):
            # One value for every case, in the order of the file (the common file): as it is.
            scores = cast(Dict[str, float], dict(per_case))
        else:
            get = per_case.get
            for case in self.order:
                held = get(case)
                if held is None:
                    unscored.append(case)
                elif isinstance(held, float):
                    scores[case] = held
                else:
                    scores[case] = math.fsum(held) / len(held)
        if not scores and not self.malformed:  # a file of broken records: DA006 names them
            raise NotReadable(no_scored_case(chosen, len(unscored), unscored))
        return CaseScores(self.path, self.tool, chosen, task, scores, len(unscored),
                          tuple(unscored[:EXAMPLES]), self.malformed,
                          tuple(self.first_malformed), self.complete, metrics,
                          tuple(self.tasks))


def no_scored_case(metric: Optional[str], count: int, unscored: List[str]) -> str:
    """Why a file whose cases all lack a score gives no figure."""
    named = ", ".join(repr(case[:40]) for case in unscored[:EXAMPLES])
    what = f" for {metric!r}" if metric else ""
    none = "its only case has no score" if count == 1 else f"none of its {count} cases has a score"
    return (f"holds no scored case: {none}{what}"
            + (f" ({named}{', ...' if count > EXAMPLES else ''})" if named else ""))


def choose_metric(metrics: Tuple[str, ...], metric: Optional[str], default: Optional[str],
            aliases: Dict[str, str]) -> Optional[str]:
    if metric is not None:
        named = aliases.get(metric, metric)
        if named in metrics:
            return named
        from ...suggest import hint

        held = ", ".join(repr(m) for m in metrics) or "none"
        raise NotReadable(f"holds no metric {metric!r} (it holds: {held})"
                          f"{hint(metric, list(metrics))}")
    if default is not None and default in metrics:
        return default
    if len(metrics) > 1:
        raise Ambiguous("metric", metrics)
    return metrics[0] if metrics else None


def select_task(tasks: List[str], task: Optional[str]) -> Optional[str]:
    """The task that counts among those a file holds: the one named, or the only one."""
    if task is not None:
        if task not in tasks:
            from ...suggest import hint

            held = ", ".join(repr(t) for t in tasks) or "none"
            raise NotReadable(f"holds no task {task!r} (it holds: {held}){hint(task, tasks)}")
        return task
    if len(tasks) > 1:
        raise Ambiguous("task", tasks)
    return tasks[0] if tasks else None
