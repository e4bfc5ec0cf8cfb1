"""FT rules on upkeep: is the fine-tune retrained as planned, and is its base model current?"""

from __future__ import annotations

import datetime
from typing import Iterator, Optional

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule

# A retraining period in months, or in days for the short ones. Realtime and static name no
# period: retraining continuously, or never, has no date to miss.
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
_DAYS = {"daily": 1, "weekly": 7}


def after(day: datetime.date, every: str, periods: int) -> Optional[datetime.date]:
    """The day ``periods`` retraining periods of ``every`` after ``day``; None when ``every``
    has no period. A month later than the 31st is the month's last day."""
    try:
        if every in _DAYS:
            return day + datetime.timedelta(days=_DAYS[every] * periods)
        if every not in _MONTHS:
            return None
        months = day.month - 1 + _MONTHS[every] * periods
        year, month = day.year + months // 12, months % 12 + 1
        return datetime.date(year, month, min(day.day, _days_in(year, month)))
    except (OverflowError, ValueError):  # past datetime's last day: a day no run reaches
        return None


def _days_in(year: int, month: int) -> int:
    """How many days the month has: the day before the next month's first (no ``calendar``,
    which a plain check would import for this alone)."""
    if month == 12:  # and the next month's year may be past datetime's last
        return 31
    return (datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)).day


@rule("FT010", "retraining-overdue", Severity.INFO)
def retraining_overdue(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune not retrained as its own plan says it should have been by now.

    Why: `fine_tune.retrain_every` is the team's own judgement of how fast what the model
    learned drifts from what it serves (new queries, new conventions, new base models). Once
    a period has passed since `fine_tune.trained_at`, the retraining is due (information);
    once two have, a whole cycle was missed and the model serves what it learned two periods
    ago (a warning).

    Fix: retrain (and re-score) the model and update `fine_tune.trained_at`; if the plan was
    too ambitious, change `fine_tune.retrain_every` to the pace you really keep.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2025-10-20
              retrain_every: quarterly

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2026-10-01
              retrain_every: quarterly
    """
    if not system.fine_tuned:
        return
    trained: Optional[datetime.date] = system.get("fine_tune", "trained_at")
    every = system.get("fine_tune", "retrain_every")
    if trained is None or every is None:
        return
    due, missed = after(trained, every, 1), after(trained, every, 2)
    if due is None or missed is None or not due < context.as_of:
        return
    said = (f"fine_tune.trained_at is {trained.isoformat()} and fine_tune.retrain_every is "
            f"{every}: the retraining was due on {due.isoformat()}")
    if missed < context.as_of:
        yield Violation(
            f"{said}, and a whole further period has passed since ({missed.isoformat()}): the "
            "model serves what it learned two retraining cycles ago",
            "retrain and re-score the model, then update fine_tune.trained_at; or set "
            "fine_tune.retrain_every to the pace you keep",
            ("fine_tune", "trained_at"),
            Severity.WARNING,
        )
        return
    yield Violation(
        f"{said}, before the run date ({context.as_of.isoformat()})",
        "retrain and re-score the model, then update fine_tune.trained_at",
        ("fine_tune", "trained_at"),
    )


@rule("FT011", "base-model-outdated", Severity.WARNING)
def base_model_outdated(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune built on a base model older than `max_base_model_age_days`.

    Why: providers release a new major base model about every six months. After two such
    cycles, a newer base may already do as well as the fine-tune without any training, or a
    fine-tune of the newer base may do better. Either way the comparison the fine-tune was
    justified by no longer holds.

    Fix: run the eval set on the current base model with the best prompt; re-fine-tune on it
    only if it still falls short, and update `fine_tune.base_model` and
    `fine_tune.base_model_date`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              base_model: llama-3.1-8b-instruct
              base_model_date: 2024-07-23

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              base_model: llama-3.3-8b-instruct
              base_model_date: 2026-06-10
    """
    if not system.fine_tuned:
        return
    released: Optional[datetime.date] = system.get("fine_tune", "base_model_date")
    if released is None:
        return
    limit = context.threshold("max_base_model_age_days")
    age = (context.as_of - released).days
    if age <= limit:
        return
    model = system.get("fine_tune", "base_model")
    named = f"the base model ({model})" if model else "the base model"
    yield Violation(
        f"fine_tune.base_model_date is {released.isoformat()}: {named} is {age} days old on "
        f"{context.as_of.isoformat()}, more than max_base_model_age_days ({limit})",
        "run the eval set on the current base model with the best prompt, and re-fine-tune "
        "on it only if it still falls short",
        ("fine_tune", "base_model_date"),
    )
