"""EV and FT rules on the scores: is a claimed gain larger than the eval set's noise, and was the
trained model scored at all?

Both read the scores through the facts view (``context.facts``), so that a score measured from
an eval tool's result file counts where there is one, and the declared score where there is
not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple

from ..declaration.model import System
from ..evidence import BASELINE_RESULTS, EVAL_EXAMPLES, FINE_TUNE_RESULTS
from ..findings import Severity
from ..record import NamedTuple
from ..rule import Context, Violation, rule

if TYPE_CHECKING:
    from ..evidence.results import CaseScores

SCORE = ("fine_tune", "score")
BASELINE = ("prompt", "baseline_score")


class Uplift(NamedTuple):
    """A fine-tune's gain over the prompt baseline on one eval set, with its interval."""

    difference: float
    low: float
    high: float
    examples: int
    needed: int  # the eval size at which a gain this large would stand out of the noise

    @property
    def within_noise(self) -> bool:
        return self.low <= 0


def uplift(score: float, baseline: float, examples: int, confidence: float) -> Optional[Uplift]:
    """The gain ``score - baseline`` and its two-proportion interval at ``confidence``, for two
    scores measured on ``examples`` cases each; None when there is no gain or no interval."""
    import math  # with the first score compared: every check pays for imports

    difference = score - baseline
    if difference <= 0 or examples <= 0:
        return None
    z = _two_sided_z(confidence)
    variance = score * (1 - score) + baseline * (1 - baseline)
    if variance <= 0:
        return None  # scores of exactly 0 and 1 have no sampling noise to speak of
    margin = z * math.sqrt(variance / examples)
    needed = math.floor(z * z * variance / (difference * difference)) + 1
    return Uplift(difference, difference - margin, difference + margin, examples, needed)


# The z of the default uplift_confidence (0.95), exactly as NormalDist gives it: the common run
# needs no ``statistics`` module, which would bring fractions, decimal and random with it.
_Z_AT_95 = 1.9599639845400536


def _two_sided_z(confidence: float) -> float:
    if confidence == 0.95:
        return _Z_AT_95
    from statistics import NormalDist  # with the first fine-tune that claims a gain

    return NormalDist().inv_cdf((1 + confidence) / 2)


class Compared(NamedTuple):
    """Two result files compared: the gain of the fine-tune, its interval, the p-value of "no
    gain", how the comparison was made, over how many cases, and roughly how many cases would
    resolve a gain of that size (None when there is no gain to resolve)."""

    gain: float
    low: float
    high: float
    p_value: float
    method: str
    cases: int
    needed: Optional[int]


def compare(baseline: CaseScores, tuned: CaseScores, confidence: float) -> Optional[Compared]:
    """The fine-tune's results against the baseline's (measured-quality.md, EV008).

    Over the cases both files scored (by case id): with pass/fail scores in both, the exact
    McNemar test on the discordant cases; with graded scores, the paired t test; the interval
    of the gain is the paired t interval on the per-case differences either way, and the cases
    needed come from their spread (``cases_to_resolve``). Without two cases in common, the two
    files are taken as independent samples: Newcombe's interval on the difference of the pass
    rates (graded scores count as the mean's share of passes), the pooled z test, and the
    two-proportion sample size per file. None when either file has no scored case.
    """
    import math  # with the first score compared: every check pays for imports

    from ..evidence import statistics

    common = [case for case in tuned.scores if case in baseline.scores]
    if len(common) >= 2:
        differences = [tuned.scores[case] - baseline.scores[case] for case in common]
        estimate, p_value = statistics.paired_t(differences, confidence)
        method = "paired t test"
        if baseline.binary and tuned.binary:
            better = sum(1 for d in differences if d > 0)
            worse = sum(1 for d in differences if d < 0)
            p_value, method = statistics.mcnemar_exact(better, worse), "exact McNemar test"
        needed = (statistics.cases_to_resolve(estimate.value, _spread(differences), confidence)
                  if estimate.value > 0 else None)
        return Compared(estimate.value, estimate.low, estimate.high, p_value, method,
                        len(common), needed)
    if not baseline.scores or not tuned.scores:
        return None
    n1, n2 = len(baseline.scores), len(tuned.scores)
    p1, p2 = math.fsum(baseline.scores.values()) / n1, math.fsum(tuned.scores.values()) / n2
    x1, x2 = min(n1, round(p1 * n1)), min(n2, round(p2 * n2))
    interval = statistics.two_proportion(x1, n1, x2, n2, confidence)
    needed = (statistics.cases_to_resolve_proportions(min(1.0, max(0.0, p1)),
                                                      min(1.0, max(0.0, p2)), confidence)
              if p2 > p1 else None)
    return Compared(p2 - p1, interval.low, interval.high, statistics.two_proportion_p(
        x1, n1, x2, n2), "two-proportion interval", n1 + n2, needed)


def _spread(values: List[float]) -> float:
    """The sample standard deviation of ``values`` (divisor n - 1)."""
    import math  # with the first score compared: every check pays for imports

    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


@rule("EV008", "uplift-within-noise", Severity.WARNING)
def uplift_within_noise(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune that beats its prompt baseline by less than the eval set can tell apart.

    Why: every score on a finite eval set carries sampling noise. On 150 examples, a fine-tune
    that scores a point or two above the prompt baseline may be no better at all: another draw
    of 150 examples could reverse the order. A fine-tune justified by a gain inside that noise
    is cost (training, hosting, upkeep) without a proven gain. The gain counts when the
    interval of the difference between the two scores, at `uplift_confidence`, lies above
    zero; the interval is the two-proportion one at the eval set's size (the records counted
    in `eval.path` when evidence was read, else `eval.examples`).

    With both result files (`prompt.baseline_results` and `fine_tune.results`) the two models
    are compared case by case over the cases both scored: with pass/fail scores, the exact
    McNemar test on the cases only one of them passed; with graded scores, the paired t test;
    the gain's interval is the paired t interval on the per-case differences, and the cases
    needed are those at which a paired test would detect a gain of that size with 80 % power.
    Files with fewer than two case ids in common are compared as independent samples
    (Newcombe's interval on the difference of the two rates, the pooled z test). The message
    gives the gain, its interval, the p-value and the cases needed.

    Fix: grow the eval set to the size the message names and score both models on it again,
    or, if the gain stays small, weigh it against the fine-tune's upkeep and consider shipping
    the prompt.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            prompt:
              baseline_score: 0.80
            fine_tune:
              score: 0.81
            eval:
              examples: 150

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            prompt:
              baseline_score: 0.70
            fine_tune:
              score: 0.86
            eval:
              examples: 180
    """
    if not system.fine_tuned:
        return
    facts = context.facts(system)
    score, baseline = facts.get(*SCORE), facts.get(*BASELINE)
    found = context.measurement(system)
    both = ((found.results.get(BASELINE_RESULTS), found.results.get(FINE_TUNE_RESULTS))
            if found is not None else (None, None))
    if (both[0] is not None and both[1] is not None and both[0].complete and both[1].complete
            and facts.fact(*SCORE).measured and facts.fact(*BASELINE).measured):
        yield from _measured_uplift(both[0], both[1], float(score), float(baseline),
                                    float(context.threshold("uplift_confidence")),
                                    SCORE if system.has(*SCORE) else FINE_TUNE_RESULTS)
        return
    examples = facts.get(*EVAL_EXAMPLES)
    if score is None or baseline is None or examples is None:
        return
    confidence = context.threshold("uplift_confidence")
    gain = uplift(float(score), float(baseline), int(examples), float(confidence))
    if gain is None or not gain.within_noise:
        return
    percent = _num(confidence * 100)
    yield Violation(
        f"fine_tune.score ({_num(score)}) is {_num(gain.difference)} above "
        f"prompt.baseline_score ({_num(baseline)}), but on {gain.examples} eval examples the "
        f"{percent}% interval of that difference runs from {_num(gain.low)} to "
        f"{_num(gain.high)}: the gain is within the eval set's noise",
        f"score both models on an eval set of at least {gain.needed} examples to tell a gain "
        f"of {_num(gain.difference)} from noise; if it stays this small, weigh it against the "
        "fine-tune's upkeep",
        SCORE,
    )


def _measured_uplift(baseline_results: CaseScores, tuned_results: CaseScores, score: float,
                     baseline: float, confidence: float,
                     where: Tuple[str, ...]) -> Iterator[Violation]:
    """EV008 from the two result files: the paired comparison, else the independent one."""
    if score <= baseline:
        return  # no gain claimed: FT007's case
    compared = compare(baseline_results, tuned_results, confidence)
    if compared is None:
        return
    paired = not compared.method.startswith("two-proportion")
    if (compared.p_value < 1 - confidence) if paired else compared.low > 0:
        return
    percent = _num(confidence * 100)
    over = (f"over the {compared.cases} cases both scored" if paired else
            f"with no cases in common by id, as independent samples of "
            f"{len(baseline_results.scores)} and {len(tuned_results.scores)} cases")
    per = "cases scored by both models" if paired else "cases in each result file"
    yield Violation(
        f"fine_tune.score ({_num(score)}, measured from {tuned_results.path}) is "
        f"{_num(score - baseline)} above prompt.baseline_score ({_num(baseline)}, measured "
        f"from {baseline_results.path}), but {over} the gain is {_num(compared.gain)} "
        f"({percent}% interval {_num(compared.low)} to {_num(compared.high)}, "
        f"p = {compared.p_value:.2g} by the {compared.method}): the gain is within the eval "
        "set's noise",
        (f"score both models on about {compared.needed} {per} to tell a gain of "
         f"{_num(compared.gain)} from noise; " if compared.needed is not None else
         "the fine-tune is not ahead on the cases both models scored; ")
        + "if the gain stays this small, weigh it against the fine-tune's upkeep",
        where,
    )


@rule("FT012", "no-fine-tune-score", Severity.WARNING)
def no_fine_tune_score(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune that was trained but never scored on the eval set.

    Why: the reason to fine-tune is to do better than the prompt alone. A trained model
    without a score on the same eval set as `prompt.baseline_score` cannot be shown to beat
    it, and the checks that compare the two (FT007, EV008) have nothing to compare.

    Fix: score the fine-tuned model on the eval set and declare it in `fine_tune.score` (or
    point `fine_tune.results` at the eval tool's result file).

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2026-05-02

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2026-05-02
              score: 0.86
    """
    if not system.fine_tuned or not system.has("fine_tune", "trained_at"):
        return
    if context.facts(system).has(*SCORE):
        return
    trained = system.get("fine_tune", "trained_at")
    yield Violation(
        f"fine_tune.trained_at is {trained.isoformat()}, but the trained model has no "
        "fine_tune.score: nothing shows that it beats the prompt baseline",
        "score the fine-tuned model on the eval set and declare fine_tune.score",
        ("fine_tune", "trained_at"),
    )
