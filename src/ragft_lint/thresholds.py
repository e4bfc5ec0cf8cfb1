"""The numbers the built-in rules and ``decide`` compare against, with their defaults.

Every one of them can be overridden under ``thresholds`` in the declaration, as a number or as
a table ``{value: N, reason: "..."}``. Each threshold knows which way makes its rules fire
less (``looser``), so that a loosened bar without a reason can be reported (TH001) and every
output can show what differs from the defaults (``changed``).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple, Union

from .record import NamedTuple

Number = Union[int, float]

# Which way loosens a threshold: its rules fire less when it is lowered (a minimum), when it
# is raised (a maximum), or either way (a bar two rules read from opposite sides).
LOWER = "lower"
HIGHER = "higher"
EITHER = "either"


class Threshold(NamedTuple):
    name: str
    default: Number
    kind: str  # "count", "score" or "ratio"
    meaning: str
    looser: str  # LOWER, HIGHER or EITHER


THRESHOLDS: Dict[str, Threshold] = {
    t.name: t
    for t in (
        Threshold("min_baseline_queries", 50, "count",
                  "real queries to run against the unmodified model before choosing", LOWER),
        Threshold("min_eval_examples", 150, "count",
                  "labelled eval examples a fine-tune needs before it is trained", LOWER),
        Threshold("min_training_examples", 500, "count",
                  "training examples below which a fine-tune is under-supplied", LOWER),
        Threshold("hard_min_training_examples", 100, "count",
                  "training examples below which a fine-tune learns noise", LOWER),
        Threshold("min_few_shot_examples", 4, "count",
                  "prompt examples that count as having really tried prompting", LOWER),
        Threshold("min_precision_at_5", 0.7, "score",
                  "retrieval precision@5 below which retrieval must be fixed first", LOWER),
        Threshold("max_eval_age_days", 183, "count",
                  "days after which an eval set is stale", HIGHER),
        Threshold("min_requests_per_month", 10000, "count",
                  "monthly requests below which a behaviour fine-tune does not pay back", LOWER),
        # Raised, a prompt system may fill more of its window before KN007 warns; lowered,
        # KN006 stops pointing out corpora that would fit: either way a rule goes quiet.
        Threshold("context_fit_ratio", 0.5, "ratio",
                  "share of the context window a corpus may fill and still go in the prompt",
                  EITHER),
        Threshold("max_duplicate_ratio", 0.01, "score",
                  "share of duplicated training examples that is tolerated", HIGHER),
        Threshold("max_base_model_age_days", 365, "count",
                  "days after its release at which a fine-tune's base model is outdated", HIGHER),
        # A lower confidence narrows the interval, so fewer gains count as noise (EV008).
        Threshold("uplift_confidence", 0.95, "score",
                  "confidence at which a claimed gain must exceed the eval set's noise", LOWER),
        Threshold("score_tolerance", 0.02, "score",
                  "how far a declared score may sit from the one measured from its results",
                  HIGHER),
    )
}


class Changed(NamedTuple):
    """A threshold the declaration sets to another value than its default."""

    name: str
    default: Number
    value: Number
    reason: Optional[str]

    @property
    def loosened(self) -> bool:
        """Whether the new value makes the threshold's rules fire less than the default."""
        looser = THRESHOLDS[self.name].looser
        if looser == EITHER:
            return True
        return self.value < self.default if looser == LOWER else self.value > self.default

    def __str__(self) -> str:
        text = f"{self.name} {_number(self.value)} (default {_number(self.default)})"
        return f"{text}: {self.reason}" if self.reason else text


def value_of(setting: Any) -> Any:
    """The number of one declared threshold: itself, or the ``value`` of its table."""
    return setting.get("value") if isinstance(setting, dict) else setting


def reason_of(setting: Any) -> Optional[str]:
    """The reason given for one declared threshold, or None."""
    reason = setting.get("reason") if isinstance(setting, dict) else None
    return str(reason) if reason else None


def resolve(overrides: Mapping[str, Any]) -> Dict[str, Number]:
    """The thresholds in force: the defaults, with the declaration's overrides on top."""
    values: Dict[str, Number] = {name: t.default for name, t in THRESHOLDS.items()}
    for name, setting in overrides.items():
        value = value_of(setting)
        if value is not None:
            values[name] = value
    return values


def changed(overrides: Mapping[str, Any]) -> Tuple[Changed, ...]:
    """The thresholds the declaration sets away from their defaults, in the order of
    ``THRESHOLDS``: what every output shows."""
    out = []
    for name, threshold in THRESHOLDS.items():
        if name not in overrides:
            continue
        value = value_of(overrides[name])
        if value is None or value == threshold.default:
            continue
        out.append(Changed(name, threshold.default, value, reason_of(overrides[name])))
    return tuple(out)


def summary(items: Tuple[Changed, ...]) -> str:
    """The one line that tells a reader the bars are not the defaults ('' when they are)."""
    if not items:
        return ""
    return "thresholds changed from the defaults: " + "; ".join(str(c) for c in items)


def _number(value: Number) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
