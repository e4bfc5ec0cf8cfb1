"""EV: is there an eval set that can prove it worked?"""

from __future__ import annotations

import datetime
from typing import Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import EVAL_CREATED, EVAL_EXAMPLES
from ..findings import Severity
from ..rule import Context, Violation, rule
from .evidence import facts_of


def has_eval(system: System) -> bool:
    """An eval is declared when it names a file or a count."""
    return system.has("eval", "path") or system.has("eval", "examples")


@rule("EV001", "fine-tune-without-eval", Severity.ERROR)
def fine_tune_without_eval(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tuned system with no eval set.

    Why: without an eval set nobody can tell whether the fine-tune helped, or what it broke.
    For a fine-tune it is a requirement, not a nice-to-have.

    Fix: build a labelled eval set before training and declare it under `eval` (`path` to the
    file, or at least `examples` with its size).

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              path: evals/tone.jsonl
    """
    if system.fine_tuned and not has_eval(system):
        yield Violation(
            f"architecture is {system.architecture}, but no eval set is declared "
            "(neither eval.path nor eval.examples)",
            "declare the labelled eval set under eval, built before training",
            ("eval",) if system.has("eval") else ("architecture",),
        )


def eval_size(system: System, context: Optional[Context] = None) -> Optional[int]:
    """How many examples the eval holds, or None when nobody said.

    The records counted in `eval.path` when evidence was read (a ``context`` that measured
    it), else the declared `eval.examples`.
    """
    size = facts_of(system, context).get(*EVAL_EXAMPLES)
    return int(size) if size is not None else None


def eval_created(system: System, context: Optional[Context] = None) -> Optional[datetime.date]:
    """When the eval set was built, or None when unknown.

    The declared `eval.created_at`; when that is not declared and evidence was read (a
    ``context`` that measured it), the day git says the eval file was first committed.
    """
    created: Optional[datetime.date] = facts_of(system, context).get(*EVAL_CREATED)
    return created


def eval_last_touched(system: System) -> Optional[Tuple[str, datetime.date]]:
    """The key and date of the eval's latest refresh, else of its creation, or None."""
    refreshed: Optional[datetime.date] = system.get("eval", "refreshed_at")
    created = eval_created(system)
    # A refresh dated before the creation is a slip in the declaration; the set is at
    # least as recent as the day it was built, so the later date counts.
    if refreshed is not None and (created is None or refreshed >= created):
        return "refreshed_at", refreshed
    if created is not None:
        return "created_at", created
    return None


def has_retrieval_eval(system: System) -> bool:
    """A retrieval eval is declared when it names a file or a count."""
    return (system.has("rag", "retrieval_eval", "path")
            or system.has("rag", "retrieval_eval", "examples"))


@rule("EV002", "eval-too-small", Severity.ERROR)
def eval_too_small(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tuned system whose eval set has too few examples to show anything.

    Why: with only a handful of examples, the difference between the fine-tuned model and the
    baseline is within the noise; a real gain and a lucky draw look the same. With evidence
    read, the size is the number of records in `eval.path`, whatever `eval.examples` says.

    Fix: grow the labelled eval set to at least `min_eval_examples` examples before training,
    and declare the new size in `eval.examples`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 40

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              examples: 200
    """
    counted = context.facts(system).fact(*EVAL_EXAMPLES)
    size = eval_size(system, context)
    if not system.fine_tuned or size is None:
        return
    minimum = context.threshold("min_eval_examples")
    if size < minimum:
        held = counted.evidence if counted.measured else f"eval holds {size} examples"
        yield Violation(
            f"{held}, fewer than min_eval_examples ({minimum}): too few to tell a real gain "
            "from noise",
            f"extend the labelled eval set to at least {minimum} examples before training",
            counted.source,
        )


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
    on.

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
    touched = eval_last_touched(system)
    if touched is None:
        return
    key, day = touched
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
            f"eval.{key} is {day.isoformat()}: {' and '.join(reasons)}",
            "re-run and refresh the eval set against current queries and the current base "
            "model, then update eval.refreshed_at",
            ("eval", key),
        )


@rule("EV005", "unlabeled-eval", Severity.ERROR)
def unlabeled_eval(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tuned system whose eval set has no human-labelled expected outputs.

    Why: judging a fine-tune needs reference answers written by people who know the domain;
    without them the score says how the model's answers look, not whether they are right.

    Fix: have domain experts write the expected output of every eval example, then set
    `eval.labeled: true`.

    Fires:
        systems:
          claims-bot:
            architecture: fine-tune
            eval:
              examples: 200
              labeled: false

    Passes:
        systems:
          claims-bot:
            architecture: fine-tune
            eval:
              examples: 200
              labeled: true
    """
    if system.fine_tuned and system.get("eval", "labeled") is False:
        yield Violation(
            "eval.labeled is false: the fine-tune's eval has no expected outputs to score "
            "against",
            "have domain experts label the expected output of each eval example",
            ("eval", "labeled"),
        )


@rule("EV006", "no-adversarial-eval", Severity.INFO)
def no_adversarial_eval(system: System, context: Context) -> Iterator[Violation]:
    """An eval set that is not declared to hold adversarial and edge cases.

    Why: a set of ordinary, well-formed questions only covers the happy path, and the
    regressions that hurt (odd inputs, traps, out-of-scope requests) happen off it.

    Fix: add adversarial and edge-case examples to the eval set and set
    `eval.adversarial: true`.

    Fires:
        systems:
          support-bot:
            architecture: prompt
            eval:
              examples: 200

    Passes:
        systems:
          support-bot:
            architecture: prompt
            eval:
              examples: 200
              adversarial: true
    """
    if not has_eval(system):
        return
    adversarial = system.get("eval", "adversarial")
    if adversarial is not True:
        yield Violation(
            "eval.adversarial is false: the eval covers only the happy path"
            if system.has("eval", "adversarial")
            else "eval does not declare adversarial: nothing says it holds adversarial or "
            "edge cases",
            "add adversarial and edge-case examples to the eval set, then set "
            "eval.adversarial: true",
            ("eval", "adversarial") if system.has("eval", "adversarial") else ("eval",),
        )


@rule("EV007", "no-eval", Severity.WARNING)
def no_eval(system: System, context: Context) -> Iterator[Violation]:
    """A prompt or RAG system with no eval set at all.

    Why: fine-tuning is not the only reason to measure. An eval harness is what shows whether
    the current approach works, and when the numbers say it is time to change it.

    Fix: keep a labelled eval set of real queries and declare it under `eval` (`path`, or
    `examples` with its size). For a RAG system, a retrieval eval declared under
    `rag.retrieval_eval` also counts as an eval.

    Fires:
        systems:
          faq-bot:
            architecture: prompt

    Passes:
        systems:
          faq-bot:
            architecture: prompt
            eval:
              path: evals/faq.jsonl
    """
    if system.architecture not in ("prompt", "rag"):
        return  # fine-tuned systems: EV001 asks for more
    if has_eval(system) or has_retrieval_eval(system):
        return
    if system.has("eval"):
        message = (f"architecture is {system.architecture}, and eval declares neither a path "
                   "nor a number of examples")
    else:
        message = f"architecture is {system.architecture}, and no eval set is declared"
    if system.retrieval:
        message += " (nor a retrieval eval under rag.retrieval_eval)"
    yield Violation(
        message + ": nothing shows whether the approach works",
        "declare an eval set under eval (path to the file, or examples with its size)",
        ("eval",) if system.has("eval") else ("architecture",),
    )
