"""EV and FT rules on the scores: is a claimed gain larger than the eval set's noise, and was the
trained model scored at all?

Both read the scores through the facts view (``context.facts``), so that a score measured from
an eval tool's result file counts where there is one, and the declared score where there is
not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import BASELINE_RESULTS, EVAL_EXAMPLES, FINE_TUNE_RESULTS
from ..findings import Severity
from ..record import NamedTuple
from ..rule import Context, Violation, rule

if TYPE_CHECKING:
    from ..evidence.comparison import Comparison
    from ..evidence.results import CaseScores
    from ..facts import Fact

SCORE = ("fine_tune", "score")
BASELINE = ("prompt", "baseline_score")


class Uplift(NamedTuple):
    """A fine-tune's gain over the prompt baseline on one eval set, with its interval and the
    p-value of the same normal approximation (so the two agree about zero)."""

    difference: float
    low: float
    high: float
    examples: int
    needed: int  # the eval size at which a gain this large would stand out of the noise
    p_value: float = 1.0

    @property
    def within_noise(self) -> bool:
        return self.low <= 0


def uplift(score: float, baseline: float, examples: int, confidence: float) -> Optional[Uplift]:
    """The gain ``score - baseline`` and its two-proportion interval at ``confidence``, for two
    scores measured on ``examples`` cases each; None when there is no gain or no interval.

    The interval is ``d ± z · se`` with ``se = sqrt((s(1 - s) + b(1 - b)) / examples)``; the
    p-value is that of the same normal statistic, ``erfc(|d / se| / sqrt(2))``."""
    import math  # with the first score compared: every check pays for imports

    difference = score - baseline
    if difference <= 0 or examples <= 0:
        return None
    z = _two_sided_z(confidence)
    variance = score * (1 - score) + baseline * (1 - baseline)
    if variance <= 0:
        return None  # scores of exactly 0 and 1 have no sampling noise to speak of
    error = math.sqrt(variance / examples)
    margin = z * error
    needed = math.floor(z * z * variance / (difference * difference)) + 1
    p_value = math.erfc(difference / error / math.sqrt(2.0))
    if margin >= difference:  # the interval holds zero: its p-value must not say otherwise
        p_value = max(p_value, 1.0 - confidence)
    return Uplift(difference, difference - margin, difference + margin, examples, needed,
                  p_value)


# The z of the default uplift_confidence (0.95), exactly as NormalDist gives it: the common run
# needs no ``statistics`` module, which would bring fractions, decimal and random with it.
_Z_AT_95 = 1.9599639845400536


def _two_sided_z(confidence: float) -> float:
    if confidence == 0.95:
        return _Z_AT_95
    from statistics import NormalDist  # with the first fine-tune that claims a gain

    return NormalDist().inv_cdf((1 + confidence) / 2)


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
    are compared as measured-quality.md says. When the files share case ids for at least half
    of the smaller file's cases (and at least 10), over those cases: with pass/fail scores, the
    exact McNemar test with its exact conditional interval; with graded scores, the paired t
    test. Otherwise over all cases of each file, as independent samples: Newcombe's interval on
    the two pass rates (its p-value from the same interval), or Welch's t for graded scores.
    The interval and the p-value always come from the one method, so they agree about zero. A
    fine-tune measured significantly worse is FT007's case, not this one. The message gives the
    gain, its interval, the p-value, the method, the cases each file had and shared, and how
    many cases would tell a gain of that size from noise (at 80 % power).

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
        compared = measured_comparison(system, context)
        if compared is not None:
            yield from _measured_uplift(compared, both[0], both[1], float(score),
                                        float(baseline),
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
        f"{_num(gain.high)} (p = {gain.p_value:.2g} by the two-proportion normal interval): "
        f"the gain is within the eval set's noise; an eval set of about {gain.needed} examples "
        f"would tell a gain of {_num(gain.difference)} from noise",
        f"score both models on an eval set of at least {gain.needed} examples to tell a gain "
        f"of {_num(gain.difference)} from noise; if it stays this small, weigh it against the "
        "fine-tune's upkeep",
        SCORE,
    )


def measured_comparison(system: System, context: Context) -> Optional[Comparison]:
    """The fine-tune's result file against the baseline's, when both scores are measured from
    complete files (evidence/comparison.py); None otherwise, and then the rules read the
    declared scores."""
    facts = context.facts(system)
    found = context.measurement(system)
    if found is None or not (facts.fact(*SCORE).measured and facts.fact(*BASELINE).measured):
        return None
    baseline, tuned = found.results.get(BASELINE_RESULTS), found.results.get(FINE_TUNE_RESULTS)
    if baseline is None or tuned is None or not (baseline.complete and tuned.complete):
        return None
    from ..evidence.comparison import compare

    return compare(baseline, tuned, float(context.threshold("uplift_confidence")))


def measured_loss(system: System, context: Context, tuned: Fact,
                  base: Fact) -> Optional[Violation]:
    """FT007 for a fine-tune measured significantly worse than its baseline by the comparison
    of the two result files; None when it is not (or there are not two files to compare)."""
    compared = measured_comparison(system, context)
    if compared is None or not compared.worse:
        return None
    score, baseline = tuned.value, base.value
    why = (": the overall figures point the other way only because the files cover different "
           "cases" if score is not None and baseline is not None and score > baseline else "")
    return Violation(
        f"fine_tune.score is {score}{_measured_from(tuned)}, against prompt.baseline_score "
        f"{baseline}{_measured_from(base)}; measured: worse on {compared.cases}, "
        f"p = {compared.p_value:.2g} (a difference of {_num(compared.gain)}, "
        f"{_num(compared.confidence * 100)}% interval {_num(compared.low)} to "
        f"{_num(compared.high)}, by the {compared.method}; {compared.files}){why}: the "
        "fine-tune does worse than the prompt-only baseline",
        "ship the prompt-only system, or improve the training data until the fine-tune beats "
        "the baseline on the same eval cases",
        SCORE,
        Severity.ERROR,
    )


def _measured_from(fact: Fact) -> str:
    return f", {fact.evidence}" if fact.evidence else ""


def _measured_uplift(compared: Comparison, baseline_results: CaseScores,
                     tuned_results: CaseScores, score: float, baseline: float,
                     where: Tuple[str, ...]) -> Iterator[Violation]:
    """EV008 from the two result files: a gain claimed that the comparison cannot tell from
    noise. A significant gain passes; a significant loss is FT007's."""
    if score <= baseline or compared.significant:
        return
    percent = _num(compared.confidence * 100)
    per = "cases scored by both models" if compared.paired else "cases in each result file"
    if compared.needed is not None and compared.gain > 0:
        resolve = (f"; about {compared.needed} {per} would tell a gain of "
                   f"{_num(compared.gain)} from noise")
        fix = (f"score both models on about {compared.needed} {per} to tell a gain of "
               f"{_num(compared.gain)} from noise; ")
    else:
        resolve = f"; the fine-tune is not ahead on {compared.cases}"
        fix = f"the fine-tune is not ahead on {compared.cases}; "
    yield Violation(
        f"fine_tune.score ({_num(score)}, measured from {tuned_results.path}) is "
        f"{_num(score - baseline)} above prompt.baseline_score ({_num(baseline)}, measured "
        f"from {baseline_results.path}), but over {compared.cases} the gain is "
        f"{_num(compared.gain)} ({percent}% interval {_num(compared.low)} to "
        f"{_num(compared.high)}, p = {compared.p_value:.2g} by the {compared.method}; "
        f"{compared.files}): the gain is within the eval set's noise{resolve}",
        fix + "if the gain stays this small, weigh it against the fine-tune's upkeep",
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
