"""The numbers the built-in rules and ``decide`` compare against, with their defaults.

Every one of them can be overridden under ``thresholds`` in the declaration.
"""

from __future__ import annotations

from typing import NamedTuple, Union

Number = Union[int, float]


class Threshold(NamedTuple):
    name: str
    default: Number
    kind: str  # "count", "score" or "ratio"
    meaning: str


THRESHOLDS: dict[str, Threshold] = {
    t.name: t
    for t in (
        Threshold("min_baseline_queries", 50, "count",
                  "real queries to run against the unmodified model before choosing"),
        Threshold("min_eval_examples", 150, "count",
                  "labelled eval examples a fine-tune needs before it is trained"),
        Threshold("min_training_examples", 500, "count",
                  "training examples below which a fine-tune is under-supplied"),
        Threshold("hard_min_training_examples", 100, "count",
                  "training examples below which a fine-tune learns noise"),
        Threshold("min_few_shot_examples", 4, "count",
                  "prompt examples that count as having really tried prompting"),
        Threshold("min_precision_at_5", 0.7, "score",
                  "retrieval precision@5 below which retrieval must be fixed first"),
        Threshold("max_eval_age_days", 183, "count",
                  "days after which an eval set is stale"),
        Threshold("min_requests_per_month", 10000, "count",
                  "monthly requests below which a behaviour fine-tune does not pay back"),
        Threshold("context_fit_ratio", 0.5, "ratio",
                  "share of the context window a corpus may fill and still go in the prompt"),
        Threshold("max_duplicate_ratio", 0.01, "score",
                  "share of duplicated training examples that is tolerated"),
    )
}


def resolve(overrides: dict[str, Number]) -> dict[str, Number]:
    """The thresholds in force: the defaults, with the declaration's overrides on top."""
    values: dict[str, Number] = {name: t.default for name, t in THRESHOLDS.items()}
    values.update(overrides)
    return values
