"""Two result files compared: the fine-tune's against the baseline's (measured-quality.md,
"Comparing two result files").

Paired over the cases both files scored when they share enough of them; otherwise unpaired
over all cases of each file. One method gives both the interval and the p-value
(``differences``), so "significant" means one thing, and it is read in both directions: a gain
that stands out of the noise, or a loss that does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, List, Optional, Tuple

from ..record import NamedTuple

if TYPE_CHECKING:
    from .results import CaseScores

# Fewer shared cases than this are never paired, however small the files: a handful of ids in
# common would otherwise decide the comparison for every case the files do not share.
PAIRED_MINIMUM = 10


class Comparison(NamedTuple):
    """The fine-tune's results against the baseline's.

    ``gain`` is the fine-tune's figure minus the baseline's (negative for a loss), over the
    shared cases when ``paired``, else over all cases of each file; ``low``/``high`` its
    interval at ``confidence`` and ``p_value`` the p-value of "no difference", from the one
    ``method``. ``baseline_cases``/``tuned_cases`` are the scored cases of each file,
    ``shared`` those both scored. ``needed`` is roughly how many cases (shared ones when
    paired, each file's otherwise) would resolve a difference of this size at 80 % power; None
    when the difference is 0.
    """

    gain: float
    low: float
    high: float
    p_value: float
    method: str
    paired: bool
    baseline_cases: int
    tuned_cases: int
    shared: int
    needed: Optional[int]
    confidence: float

    @property
    def significant(self) -> bool:
        """Whether the difference stands out of the noise; the interval then leaves zero out."""
        return self.p_value < 1.0 - self.confidence

    @property
    def worse(self) -> bool:
        """Whether the fine-tune is measured significantly worse than the baseline."""
        return self.significant and self.gain < 0

    @property
    def better(self) -> bool:
        """Whether the fine-tune is measured significantly better than the baseline."""
        return self.significant and self.gain > 0

    @property
    def cases(self) -> str:
        """Which cases were compared, in words: ``the 60 cases both scored`` or ``all cases, as
        independent samples``."""
        if self.paired:
            return f"the {self.shared} cases both scored"
        return "all cases, as independent samples"

    @property
    def files(self) -> str:
        """How many cases each side had and shared, and so why it was (not) paired."""
        held = f"the files hold {self.baseline_cases} and {self.tuned_cases} scored cases"
        if self.paired:
            return f"{held}, {self.shared} shared"
        if not self.shared:
            return f"{held}, none shared"
        return (f"{held}, only {self.shared} shared: too few to pair (at least half of the "
                f"smaller file and at least {PAIRED_MINIMUM})")


def pairs(shared: int, baseline_cases: int, tuned_cases: int) -> bool:
    """Whether two files are compared case by case: they share at least half of the smaller
    file's cases, and at least ``PAIRED_MINIMUM``."""
    return shared >= PAIRED_MINIMUM and 2 * shared >= min(baseline_cases, tuned_cases)


def compare(baseline: CaseScores, tuned: CaseScores, confidence: float) -> Optional[Comparison]:
    """The fine-tune's results against the baseline's; None when either has no scored case.

    Paired (``pairs``): the exact McNemar test with its exact conditional interval when both
    files are pass/fail, else the paired t test, over the shared cases; the cases needed come
    from the spread of the per-case differences. Unpaired: Newcombe's interval (and the p-value
    of the same interval) on the two pass rates when both files are pass/fail, else Welch's t
    on all the scores — a graded file is never rounded into passes. Intervals of scores within
    [0, 1] are kept within [-1, 1].
    """
    from . import differences, statistics

    base, tune = baseline.scores, tuned.scores
    if not base or not tune:
        return _from_aggregates(baseline, tuned, confidence)
    binary = baseline.binary and tuned.binary
    shared = [case for case in tune if case in base]
    n1, n2 = len(base), len(tune)
    needed: Optional[int] = None
    paired = pairs(len(shared), n1, n2)
    if paired:
        deltas = [tune[case] - base[case] for case in shared]
        if binary:
            estimate, p_value = differences.mcnemar(
                sum(1 for d in deltas if d > 0), sum(1 for d in deltas if d < 0), len(deltas),
                confidence)
            method = "exact McNemar test"
        else:
            estimate, p_value = differences.paired_t(deltas, confidence)
            method = "paired t test"
        if estimate.value != 0.0:
            needed = statistics.cases_to_resolve(estimate.value, _spread(deltas), confidence)
    elif binary:
        passed1, passed2 = round(math.fsum(base.values())), round(math.fsum(tune.values()))
        estimate, p_value = differences.newcombe(passed1, n1, passed2, n2, confidence)
        method = "Newcombe interval"
        if estimate.value != 0.0:
            needed = statistics.cases_to_resolve_proportions(passed1 / n1, passed2 / n2,
                                                             confidence)
    else:
        first, second = list(base.values()), list(tune.values())
        estimate, p_value = differences.welch(first, second, confidence)
        method = "Welch t test"
        if estimate.value != 0.0 and math.isfinite(estimate.value):
            needed = statistics.cases_to_resolve(
                estimate.value, math.hypot(_spread(first), _spread(second)), confidence)
    low, high = estimate.low, estimate.high
    if all(0.0 <= v <= 1.0 for scores in (base, tune) for v in scores.values()):
        low, high = max(-1.0, low), min(1.0, high)  # a difference of two scores in [0, 1]
    return Comparison(estimate.value, low, high, p_value, method, paired, n1, n2, len(shared),
                      needed, confidence)


def passes_of(scores: CaseScores) -> Optional[Tuple[int, int]]:
    """(passes, cases) of a pass/fail file: counted case by case, or, for a file of
    aggregates only (an inspect_ai log written without its samples), its figure over its
    count when that is a whole number of passes; None for graded scores."""
    if scores.scores:
        if not scores.binary:
            return None
        return round(math.fsum(scores.scores.values())), len(scores.scores)
    if scores.figure is None or not scores.counted:
        return None
    passes = scores.figure * scores.counted
    if abs(passes - round(passes)) > 1e-6 * scores.counted:
        return None  # a graded mean: without the cases, no spread to compare it with
    return round(passes), scores.counted


def _from_aggregates(baseline: CaseScores, tuned: CaseScores,
                     confidence: float) -> Optional[Comparison]:
    """The unpaired comparison when a file holds no cases, only its figure and count: the two
    pass rates by Newcombe's interval; None when either side is not a pass rate."""
    from . import differences, statistics

    first, second = passes_of(baseline), passes_of(tuned)
    if first is None or second is None:
        return None
    (passed1, n1), (passed2, n2) = first, second
    estimate, p_value = differences.newcombe(passed1, n1, passed2, n2, confidence)
    needed = None
    if estimate.value != 0.0:
        needed = statistics.cases_to_resolve_proportions(passed1 / n1, passed2 / n2,
                                                         confidence)
    return Comparison(estimate.value, estimate.low, estimate.high, p_value,
                      "Newcombe interval", False, n1, n2, 0, needed, confidence)


def _spread(values: List[float]) -> float:
    """The sample standard deviation (divisor n - 1), 0 for fewer than two values."""
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))
