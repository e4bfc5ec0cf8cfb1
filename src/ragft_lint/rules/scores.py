"""EV and FT rules on the scores: is a claimed gain larger than the eval set's noise, and was the
trained model scored at all?

Both read the scores through the facts view (``context.facts``), so that a score measured from
an eval tool's result file counts where there is one, and the declared score where there is
not.
"""

from __future__ import annotations

import math
from typing import Iterator, NamedTuple, Optional

from ..declaration.model import System
from ..evidence import EVAL_EXAMPLES
from ..findings import Severity
from ..rule import Context, Violation, rule

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
    difference = score - baseline
    if difference <= 0 or examples <= 0:
        return None
    from statistics import NormalDist  # with the first fine-tune that claims a gain

    z = NormalDist().inv_cdf((1 + confidence) / 2)
    variance = score * (1 - score) + baseline * (1 - baseline)
    if variance <= 0:
        return None  # scores of exactly 0 and 1 have no sampling noise to speak of
    margin = z * math.sqrt(variance / examples)
    needed = math.floor(z * z * variance / (difference * difference)) + 1
    return Uplift(difference, difference - margin, difference + margin, examples, needed)


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
