"""What was measured of the evidence: per file, per system, per declaration.

Plain named tuples of numbers and strings, so that a result can go into the cache as JSON and
come back out unchanged (``to_json`` / ``from_json``). The rules and ``decide`` read them
through ``ragft_lint.facts``, which puts each beside what was declared.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Tuple

from ..notes import WARNING, Note
from . import BASELINE_RESULTS, FINE_TUNE_RESULTS, Keys

if TYPE_CHECKING:
    from ..errors import Problem
    from .results import CaseScores
    from .retrieval_metrics import RetrievalFacts
    from .statistics import Estimate

# How many examples (bad lines, duplicates, shared inputs) a result keeps to show.
EXAMPLES = 3


class Malformed(NamedTuple):
    """A record that could not be read: where (line, or row for Parquet), and why."""

    line: int
    reason: str


class FileFacts(NamedTuple):
    """What one evidence file holds.

    ``records`` counts the records read; ``malformed`` those that could not be (each of the
    first few is kept in ``first_malformed``). ``complete`` is false when reading had to stop
    early (a JSON array broken in the middle, a file that is not text), so that the count is
    only a lower bound. ``unit`` is what a position counts: ``line``, or ``row`` for Parquet.
    """

    path: str
    unit: str
    records: int
    malformed: int
    first_malformed: Tuple[Malformed, ...]
    complete: bool
    # Records in which the layout gives an input but no expected output.
    unlabeled: int
    first_unlabeled: Tuple[int, ...]
    # Records in which no input was found (no known layout, or the `input` field is absent).
    without_input: int
    # Records that repeat an earlier example (input and output, after normalising case and
    # white space); counted for training data only. Pairs of (line, line it repeats).
    duplicates: int
    first_duplicates: Tuple[Tuple[int, int], ...]

    @property
    def read(self) -> int:
        """Records in the file, readable or not (each malformed line is one record)."""
        return self.records + self.malformed

    def to_json(self) -> Dict[str, Any]:
        data = self._asdict()
        data["first_malformed"] = [list(m) for m in self.first_malformed]
        data["first_unlabeled"] = list(self.first_unlabeled)
        data["first_duplicates"] = [list(p) for p in self.first_duplicates]
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> FileFacts:
        return cls(
            path=str(data["path"]),
            unit=str(data["unit"]),
            records=int(data["records"]),
            malformed=int(data["malformed"]),
            first_malformed=tuple(Malformed(int(m[0]), str(m[1]))
                                  for m in data["first_malformed"]),
            complete=bool(data["complete"]),
            unlabeled=int(data["unlabeled"]),
            first_unlabeled=tuple(int(n) for n in data["first_unlabeled"]),
            without_input=int(data["without_input"]),
            duplicates=int(data["duplicates"]),
            first_duplicates=tuple((int(p[0]), int(p[1])) for p in data["first_duplicates"]),
        )


class Overlap(NamedTuple):
    """Eval records whose input also appears in the training data.

    ``shared`` counts eval records (with an input) whose normalised input is also a training
    input; ``pairs`` holds the first few as (eval line, training line), and ``snippet`` the
    start of the first shared input, normalised.
    """

    eval_path: str
    training_path: str
    shared: int
    eval_inputs: int
    pairs: Tuple[Tuple[int, int], ...]
    snippet: str

    def to_json(self) -> Dict[str, Any]:
        data = self._asdict()
        data["pairs"] = [list(p) for p in self.pairs]
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> Overlap:
        return cls(str(data["eval_path"]), str(data["training_path"]), int(data["shared"]),
                   int(data["eval_inputs"]), tuple((int(p[0]), int(p[1])) for p in data["pairs"]),
                   str(data["snippet"]))


class History(NamedTuple):
    """How often ``knowledge.sources`` changed in git.

    ``frequency`` is the fastest pace (``daily`` ... ``quarterly``) at which at least half of
    the periods observed, and at least three of them, saw a change; None when the history is
    too short or too quiet to claim any. ``covered`` of the last ``periods`` periods of that
    pace saw a change; ``commits`` is the number of commits read.
    """

    frequency: Optional[str]
    covered: int
    periods: int
    commits: int

    def summary(self) -> str:
        """What the history shows, in words: ``changed in 30 of the last 40 weeks``."""
        if self.frequency is None:
            return f"{self.commits} commits in the last year, too few to show a pace"
        return f"changed in {self.covered} of the last {self.periods} {PERIODS[self.frequency]}"


# What one period of each measurable pace is called.
PERIODS = {"daily": "days", "weekly": "weeks", "monthly": "months", "quarterly": "quarters"}


class Unreadable(NamedTuple):
    """An evidence file that is not there or was refused, and why."""

    path: str
    reason: str


class SystemEvidence:
    """Everything measured for one system; what was not measured is absent."""

    def __init__(self) -> None:
        # Declaration key of the file (``("eval", "path")``) -> what the file holds.
        self.files: Dict[Keys, FileFacts] = {}
        self.unreadable: Dict[Keys, Unreadable] = {}
        # knowledge.sources patterns (index, pattern) that match no file.
        self.missing_sources: List[Tuple[int, str]] = []
        self.overlap: Optional[Overlap] = None
        self.history: Optional[History] = None
        # The day the eval file was first committed, when git knows it.
        self.eval_first_commit: Optional[datetime.date] = None
        # What a retrieval run (with its relevance judgements) under rag.retrieval_eval.path
        # measures: precision@5 and the other figures with their intervals.
        self.retrieval: Optional[RetrievalFacts] = None
        # The per-case scores of the eval tools' result files, by the key that names the file
        # (``prompt.baseline_results``, ``fine_tune.results``).
        self.results: Dict[Keys, CaseScores] = {}
        self._scores: Dict[Keys, Optional[Estimate]] = {}
        # The figures the outputs and the facts view show, derived once (``facts.figures``).
        self.figures: Optional[Dict[str, Any]] = None

    def score(self, key: Keys) -> Optional[Estimate]:
        """The score of the result file under ``key``, read to the end: the mean over its scored
        cases with a 95 % interval -- Wilson's when every score is a pass (1) or a fail (0),
        else a normal interval on the mean clamped to [0, 1]. None when there is none.
        Computed once: the rules, ``decide`` and the outputs all ask for it."""
        if key not in self._scores:
            found = self.results.get(key)
            self._scores[key] = None if found is None else estimate(found)
        return self._scores[key]

    @property
    def baseline_results(self) -> Optional[CaseScores]:
        return self.results.get(BASELINE_RESULTS)

    @property
    def fine_tune_results(self) -> Optional[CaseScores]:
        return self.results.get(FINE_TUNE_RESULTS)


def estimate(scores: CaseScores) -> Optional[Estimate]:
    """The score of a result file read to the end (``SystemEvidence.score``), or None."""
    if not scores.complete:
        return None
    if not scores.scores:
        if scores.figure is None or not scores.counted:
            return None
        return aggregate(scores.figure, scores.counted)  # a log of aggregates only
    known = getattr(scores.scores, "estimate", None)  # kept with the cache's scores
    if known is not None:
        return known  # type: ignore[no-any-return]
    from . import statistics

    values = scores.scores.values()
    if set(values) <= {0.0, 1.0}:
        found = statistics.wilson(round(sum(values)), len(scores.scores))
    else:
        found = statistics.mean_interval(list(values), bounds=(0.0, 1.0))
    if scores.figure is not None:  # the tool's own headline, which the interval must hold
        figure = scores.figure
        found = found._replace(value=figure, low=min(found.low, figure),
                               high=max(found.high, figure))
    return found


def aggregate(figure: float, n: int) -> Estimate:
    """A figure in [0, 1] over ``n`` cases whose per-case values are not known (a log that
    kept only its averages): Wilson's 95 % interval when the figure is a whole number of
    passes, else the normal interval with the largest spread a mean in [0, 1] allows,
    ``sqrt(figure · (1 - figure))``, clamped to [0, 1]: wider than the truth, never narrower.
    """
    import math

    from . import statistics

    passes = figure * n
    if abs(passes - round(passes)) < 1e-9 and 0 <= round(passes) <= n:
        return statistics.wilson(round(passes), n)._replace(value=figure)
    half = statistics.normal_quantile(0.975) * math.sqrt(max(0.0, figure * (1 - figure)) / n)
    return statistics.Estimate(figure, max(0.0, figure - half), min(1.0, figure + half), n,
                               "normal")


class Evidence:
    """The measurements of one declaration, the notes to tell the user once, and the result
    readers from plugins that failed (reader name, what happened): plugin failures of the run.

    ``base`` is the declaration's folder: a note's file, declared relative to it, is kept as
    the user reads it from the working folder (two services' ``evals/eval.txt`` are two files).
    """

    def __init__(self, base: Optional[str] = None) -> None:
        self.base = base
        self.systems: Dict[str, SystemEvidence] = {}
        self.notes: List[Note] = []
        # What reading the files showed to be wrong with the declaration itself (a result
        # file of several metrics with none named): declaration errors, exit 2.
        self.problems: List[Problem] = []
        self.reader_failures: List[Tuple[str, str]] = []

    def note(self, code: str, message: str, path: Optional[str] = None, *,
             unmeasured: bool = True, level: str = WARNING) -> None:
        """Tell the user once (see ``ragft_lint.notes``); most of what evidence reading has to
        say is that something could not be measured, hence the default. ``path`` is the file
        as declared."""
        if path is not None and self.base is not None:
            import os

            from ..declaration.discovery import display_path

            path = display_path(os.path.join(self.base, path))
        found = Note(code, message, path, level, unmeasured)
        if found not in self.notes:
            self.notes.append(found)


def snippet(text: str, limit: int) -> str:
    """The start of a text from the user's files, safe to print: at most ``limit`` characters,
    unprintable ones as '?'."""
    cut = text[:limit]
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else "?" for c in cut)
    return cut + ("..." if len(text) > limit else "")
