"""EV: when was the eval set built, and has it been kept up to date?

The eval's date is the declared `eval.created_at`, else the day git says its file was first
committed (when evidence is read); `eval.refreshed_at` says when it was last brought up to date.
"""

from __future__ import annotations

import datetime
from typing import Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import EVAL_CREATED
from ..findings import Severity
from ..rule import Context, Violation, rule
from .evaluation import has_eval
from .evidence import facts_of


def eval_created(system: System, context: Optional[Context] = None) -> Optional[datetime.date]:
    """When the eval set was built, or None when unknown.

    The declared `eval.created_at`; when that is not declared and evidence was read (a
    ``context`` that measured it), the day git says the eval file was first committed.
    """
    created: Optional[datetime.date] = facts_of(system, context).get(*EVAL_CREATED)
    return created


def eval_last_touched(system: System, context: Optional[Context] = None
                      ) -> Optional[Tuple[Tuple[str, ...], datetime.date, str]]:
    """Where, when and in what words the eval was last brought up to date: its
    `eval.refreshed_at`, else the day it was built (`eval.created_at`, else its first commit,
    as EV003 reads it); None when nothing dates it."""
    refreshed: Optional[datetime.date] = system.get("eval", "refreshed_at")
    fact = facts_of(system, context).fact(*EVAL_CREATED)
    created: Optional[datetime.date] = fact.value
    # A refresh dated before the creation is a slip in the declaration; the set is at
    # least as recent as the day it was built, so the later date counts.
    if refreshed is not None and (created is None or refreshed >= created):
        return ("eval", "refreshed_at"), refreshed, f"eval.refreshed_at is {refreshed.isoformat()}"
    if created is None:
        return None
    if fact.measured:
        words = f"eval.created_at is not declared, and {fact.evidence}"
    else:
        words = f"eval.created_at is {created.isoformat()}"
    return tuple(fact.source), created, words


@rule("EV003", "eval-after-training", Severity.ERROR)
def eval_after_training(system: System, context: Context) -> Iterator[Violation]:
    """An eval set built after the fine-tune was trained.

    Why: a set written once the model exists tends to be written around what the model
    already does well, so it flatters the fine-tune instead of testing it. When
    `eval.created_at` is not declared, the day git says the `eval.path` file was first
    committed stands in for it.

    Fix: build the eval set before training, and retrain (or at least re-evaluate on a set
    written independently of the model's answers); correct `eval.created_at` if it is wrong.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2026-05-02
            eval:
              examples: 200
              created_at: 2026-06-10

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              trained_at: 2026-05-02
            eval:
              examples: 200
              created_at: 2026-03-01
    """
    fact = context.facts(system).fact(*EVAL_CREATED)
    created: Optional[datetime.date] = fact.value
    trained: Optional[datetime.date] = system.get("fine_tune", "trained_at")
    if not system.fine_tuned or created is None or trained is None:
        return
    if created > trained:
        stated = (f"eval.created_at is not declared, and {fact.evidence}" if fact.measured
                  else f"eval.created_at is {created.isoformat()}")
        yield Violation(
            f"{stated}, after fine_tune.trained_at ({trained.isoformat()}): the eval was built "
            "knowing the model's answers",
            "build the eval set before training and re-evaluate the fine-tune on it; declare "
            "eval.created_at if the set is older than its file",
            fact.source,
        )


@rule("EV004", "stale-eval", Severity.WARNING)
def stale_eval(system: System, context: Context) -> Iterator[Violation]:
    """An eval set not refreshed within `max_eval_age_days`, or older than the base model.

    Why: the queries users send drift, and major base models are replaced about twice a year.
    An eval that is not re-run and refreshed along with them measures a world that has moved
    on. The eval's age runs from `eval.refreshed_at`, else `eval.created_at`, else (with
    evidence read) the day git says the `eval.path` file was first committed, as EV003 reads
    it.

    Fix: re-run the eval, refresh its examples from recent real queries, and record the day
    in `eval.refreshed_at`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 200
              created_at: 2025-09-01

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 200
              created_at: 2025-09-01
              refreshed_at: 2026-09-10
    """
    touched = eval_last_touched(system, context)
    if touched is None:
        return
    at, day, words = touched
    reasons = []
    max_age = context.threshold("max_eval_age_days")
    age = (context.as_of - day).days
    if age > max_age:
        reasons.append(f"{age} days old on {context.as_of.isoformat()}, more than "
                       f"max_eval_age_days ({max_age})")
    base_model_date: Optional[datetime.date] = system.get("fine_tune", "base_model_date")
    # The base model's date is a fine-tune fact; it says nothing about other systems.
    if system.fine_tuned and base_model_date is not None and day < base_model_date:
        reasons.append(f"older than fine_tune.base_model_date ({base_model_date.isoformat()})")
    if reasons:
        yield Violation(
            f"{words}: the eval is {' and '.join(reasons)}",
            "re-run and refresh the eval set against current queries and the current base "
            "model, then record the day in eval.refreshed_at",
            at,
        )


@rule("EV010", "undated-eval", Severity.WARNING)
def undated_eval(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune's eval set with no date: neither `eval.created_at` nor a first commit in git.

    Why: two checks depend on when the eval set was built: whether it was built before the
    model was trained (EV003) and whether it has gone stale (EV004). Without a date both stay
    silent, and an eval written after training, around the model's own answers, passes as if
    it were sound. With evidence read, the day git first saw `eval.path` stands in for the
    date, whether or not `fine_tune.trained_at` is declared; with evidence off, git is not
    asked, so that date is unknown rather than missing.

    Fix: declare `eval.created_at` (the day the set was built), and `eval.refreshed_at` when it
    was last brought up to date; or commit the `eval.path` file so its history dates it.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 200

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 200
              created_at: 2026-03-01
    """
    if not system.fine_tuned or not has_eval(system):
        return
    if eval_created(system, context) is not None:
        return
    path = system.get("eval", "path", "path")  # a validated path is a table
    declare = "declare eval.created_at, the day the eval set was built"
    if not context.evidence and path:
        # Git was not asked: the file may well be committed, so nothing is claimed missing.
        message = (f"eval.created_at is not declared, and when git first saw {path} is unknown "
                   "(evidence reading is off, so git was not asked)")
        fix = f"{declare}, or check with evidence on so that git dates {path}"
    elif path:
        message = (f"eval.created_at is not declared, and git gives no first-commit date for "
                   f"{path}")
        fix = f"{declare}, or commit {path} so that its history dates it"
    else:  # a count alone: no file for git to date, with evidence on or off
        message = "eval.created_at is not declared, and no eval.path names a file git could date"
        fix = f"{declare}, or point eval.path at the committed eval file"
    yield Violation(
        f"{message}: nothing shows whether the eval was built before training or how old it is",
        fix,
        ("eval",),
    )
