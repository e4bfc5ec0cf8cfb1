"""EV: is there an eval set that can prove it worked?"""

from __future__ import annotations

import datetime
from typing import Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import EVAL_CREATED, EVAL_EXAMPLES
from ..findings import Severity
from ..rule import Context, Violation, rule
from .evidence import facts_of
from .fine_tune import already_trained


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
    and declare the new size in `eval.examples`. For a model already trained, retrain and
    re-score it (and the baseline) on the larger set.

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
        then = ("then retrain and re-score the model and the baseline on it"
                if already_trained(system) else "before training")
        yield Violation(
            f"{held}, fewer than min_eval_examples ({minimum}): too few to tell a real gain "
            "from noise",
            f"extend the labelled eval set to at least {minimum} examples, {then}",
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


def _same_file(system: System, first: Tuple[str, ...], second: Tuple[str, ...]) -> bool:
    """Whether two evidence keys name one file, once relative parts and links are resolved.

    Only the names are compared (the file need not exist): the same path written twice is
    the same file whatever it holds.
    """
    import os

    paths = [system.get(*keys, "path") for keys in (first, second)]
    if not all(isinstance(p, str) and p for p in paths):
        return False
    base = os.path.dirname(os.path.abspath(system.document.file))
    resolved = {os.path.normcase(os.path.realpath(os.path.join(base, str(p)))) for p in paths}
    return len(resolved) == 1


@rule("EV009", "eval-is-training-data", Severity.ERROR)
def eval_is_training_data(system: System, context: Context) -> Iterator[Violation]:
    """The eval set (or the regression suite) is the training set itself.

    Why: a model scored on the examples it was trained on shows how well it remembers them,
    not how well it does the task; the score is inflated by exactly the contamination an eval
    exists to rule out. When `eval.path` and `fine_tune.training_data` name the same file
    (after resolving `..` and symbolic links), that is certain from the declaration alone,
    with no need to read the files. The same holds for `fine_tune.regression_suite`, which
    watches general ability and says nothing if it was trained on.

    Fix: split off an eval set that shares no example with the training data (build it before
    training), point `eval.path` at it, and score the model again.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl
            eval:
              path: ./data/../data/train.jsonl

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl
            eval:
              path: evals/tone.jsonl
    """
    training = ("fine_tune", "training_data")
    for keys, name in ((("eval", "path"), "eval.path"),
                       (("fine_tune", "regression_suite"), "fine_tune.regression_suite")):
        if _same_file(system, keys, training):
            where = system.get(*training, "path")
            yield Violation(
                f"{name} and fine_tune.training_data name the same file ({where}): the model "
                "is scored on the examples it was trained on, which measures memory",
                f"hold out examples the model never trains on and point {name} at them, then "
                "score the model again",
                keys,
            )


@rule("EV010", "undated-eval", Severity.WARNING)
def undated_eval(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune's eval set with no date: neither `eval.created_at` nor a first commit in git.

    Why: two checks depend on when the eval set was built: whether it was built before the
    model was trained (EV003) and whether it has gone stale (EV004). Without a date both stay
    silent, and an eval written after training, around the model's own answers, passes as if
    it were sound. With evidence read, the day git first saw `eval.path` stands in for the
    date; with evidence off, or an eval that is not in git, only the declared date counts.

    Fix: declare `eval.created_at` (the day the set was built), and `eval.refreshed_at` when it
    was last brought up to date; or commit the eval file so its history dates it.

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
    where = " (and evidence reading is off, so git was not asked)" if not context.evidence \
        else ""
    yield Violation(
        f"the eval set has no eval.created_at and no first-commit date from git{where}: "
        "nothing shows whether it was built before training or how old it is",
        "declare eval.created_at (and eval.refreshed_at), or commit the eval file so its "
        "history dates it",
        ("eval",),
    )
