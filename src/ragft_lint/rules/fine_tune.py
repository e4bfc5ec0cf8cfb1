"""FT: is the fine-tune ready and justified?"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

from ..declaration.model import System
from ..evidence import TRAINING_EXAMPLES
from ..findings import Severity
from ..rule import Context, Violation, rule
from .evidence import facts_of
from .scores import measured_loss

# Goals a fine-tune can serve without adding knowledge or reasoning: their payback is per
# request, so they only make sense at volume.
BEHAVIOUR_AND_COST_GOALS = ("style", "format", "cost", "latency")


def training_size(system: System, context: Optional[Context] = None) -> Optional[int]:
    """How many training examples the fine-tune has, or None when nobody said.

    The records counted in `fine_tune.training_data` when evidence was read (a ``context``
    that measured it), else the declared `fine_tune.training_examples`.
    """
    size = facts_of(system, context).get(*TRAINING_EXAMPLES)
    return int(size) if size is not None else None


def goals(system: System) -> List[str]:
    """The declared goals of a fine-tuned system; none for a system that is not fine-tuned."""
    if not system.fine_tuned:
        return []
    declared: List[str] = system.get("fine_tune", "goals", default=[])
    return declared


def first_goal(system: System, *wanted: str) -> Optional[Tuple[str, int]]:
    """The first of ``wanted`` among the goals, with its index, or None."""
    for index, goal in enumerate(goals(system)):
        if goal in wanted:
            return goal, index
    return None


def already_trained(system: System) -> bool:
    """Whether the fine-tune has been trained (a training date or a score is declared): then
    the remedy is to retrain and re-score, not to prepare before training."""
    return system.has("fine_tune", "trained_at") or system.has("fine_tune", "score")


def fine_tune_anchor(system: System) -> Tuple[Any, ...]:
    """Where to point a finding about a missing fine_tune key: the table, else the choice."""
    return ("fine_tune",) if system.has("fine_tune") else ("architecture",)


@rule("FT001", "too-few-training-examples", Severity.ERROR)
def too_few_training_examples(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune with too few training examples to learn the intended behaviour.

    Why: with a small or noisy data set the model picks up the mistakes and quirks of the few
    examples instead of the behaviour they were meant to show. Collecting and cleaning the
    data is most of the work of a fine-tune. Below `hard_min_training_examples` this is an
    error; below `min_training_examples` a warning. With evidence read, the count is the
    number of readable records in `fine_tune.training_data`.

    Fix: collect and clean more examples (hundreds at least, thousands preferably) before
    training, and declare the new count in `fine_tune.training_examples`. A model already
    trained on too few is retrained on the larger set and scored again.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 80

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 1800
    """
    counted = context.facts(system).fact(*TRAINING_EXAMPLES)
    size = training_size(system, context)
    if not system.fine_tuned or size is None:
        return
    hard_minimum = context.threshold("hard_min_training_examples")
    minimum = context.threshold("min_training_examples")
    if size < hard_minimum:
        name, limit, severity = "hard_min_training_examples", hard_minimum, Severity.ERROR
    elif size < minimum:
        name, limit, severity = "min_training_examples", minimum, Severity.WARNING
    else:
        return
    held = counted.evidence if counted.measured else f"fine_tune.training_examples is {size}"
    then = ("then retrain and re-score the model" if already_trained(system)
            else "before training")
    yield Violation(
        f"{held}, fewer than {name} ({limit}): the model will learn the noise of so few "
        "examples rather than the intent",
        f"collect and clean at least {minimum} training examples, {then}",
        counted.source,
        severity,
    )


@rule("FT002", "prompting-not-exhausted", Severity.WARNING)
def prompting_not_exhausted(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune for style or format before a strong prompt was shown to fall short.

    Why: most behaviour gaps close with a good system prompt and four to six examples. A
    fine-tune is worth its cost only once that prompt has been tried and measured, and failed.

    Fix: try a system prompt with at least `min_few_shot_examples` examples, score it on the
    eval set, and declare `prompt.few_shot_examples` and `prompt.baseline_score`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]
            prompt:
              few_shot_examples: 2
              baseline_score: 0.61

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]
            prompt:
              few_shot_examples: 6
              baseline_score: 0.61
    """
    goal = first_goal(system, "style", "format")
    if goal is None:
        return
    minimum = context.threshold("min_few_shot_examples")
    shots = system.get("prompt", "few_shot_examples")
    problems = []
    at: Tuple[Any, ...] = ()
    # An undeclared example count is not compared; a missing baseline score is the finding.
    if shots is not None and shots < minimum:
        problems.append(f"prompt.few_shot_examples is {shots}, fewer than "
                        f"min_few_shot_examples ({minimum})")
        at = ("prompt", "few_shot_examples")
    if not context.facts(system).has("prompt", "baseline_score"):  # measured or declared
        problems.append("prompt.baseline_score is not declared, so nothing shows the prompt "
                        "falls short")
        at = at or (("prompt",) if system.has("prompt") else ("fine_tune", "goals", goal[1]))
    if problems:
        yield Violation(
            f"fine_tune.goals includes {goal[0]}, but {'; and '.join(problems)}",
            f"try a system prompt with at least {minimum} examples, score it on the eval set "
            "(prompt.baseline_score), and fine-tune only if it falls short",
            at,
        )


@rule("FT003", "structured-output-not-tried", Severity.WARNING)
def structured_output_not_tried(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune for output format before structured output was tried.

    Why: constrained decoding, JSON-schema modes and validate-and-retry loops make a model
    keep to many formats with no training at all.

    Fix: try structured output first and set `prompt.structured_output: true`; fine-tune for
    format only if it is not enough.

    Fires:
        systems:
          extract-bot:
            architecture: fine-tune
            fine_tune:
              goals: [format]

    Passes:
        systems:
          extract-bot:
            architecture: fine-tune
            fine_tune:
              goals: [format]
            prompt:
              structured_output: true
    """
    goal = first_goal(system, "format")
    if goal is None or system.get("prompt", "structured_output") is True:
        return
    if system.has("prompt", "structured_output"):
        message = "fine_tune.goals includes format, but prompt.structured_output is false"
        at: Tuple[Any, ...] = ("prompt", "structured_output")
    else:
        message = "fine_tune.goals includes format, but prompt.structured_output is not declared"
        at = ("fine_tune", "goals", goal[1])
    yield Violation(
        message + ": structured output may enforce the format without training",
        "try constrained decoding, a JSON-schema mode or validate-and-retry first, then set "
        "prompt.structured_output: true",
        at,
    )


@rule("FT004", "no-forgetting-check", Severity.WARNING)
def no_forgetting_check(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune with no regression suite to catch lost general ability.

    Why: a narrow fine-tune can cost the model some of what it could do before (catastrophic
    forgetting, the "alignment tax"). The domain metric alone does not show it; general
    ability has to be measured next to it.

    Fix: keep a suite of general-capability checks, run it on the base and the fine-tuned
    model, and declare it in `fine_tune.regression_suite`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 1800

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 1800
              regression_suite: evals/general.jsonl
    """
    if system.fine_tuned and not system.has("fine_tune", "regression_suite"):
        yield Violation(
            f"architecture is {system.architecture}, but fine_tune.regression_suite is not "
            "declared: nothing would show what general ability the fine-tune lost",
            "run a general-capability suite on the base and the fine-tuned model and declare "
            "it as fine_tune.regression_suite",
            fine_tune_anchor(system),
        )


@rule("FT005", "cost-before-quality", Severity.ERROR)
def cost_before_quality(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune for cost or latency with no proof that the model to be tuned is good enough.

    Why: a fine-tune for cost or latency makes a smaller or cheaper model do the work. That
    model has to reach the quality bar first: optimising the cost of a model that was never
    good enough saves nothing. A baseline measured on the large model says nothing about the
    small one, so the baseline has to be measured on the model that will be fine-tuned. With
    no `prompt.baseline_score` at all this is an error; a baseline on another model
    (`prompt.baseline_model` is not `fine_tune.base_model`) is a warning; a baseline that does
    not say which model it was measured on is information.

    Fix: score the model to be fine-tuned (`fine_tune.base_model`) with the best prompt on the
    eval set, declare the score in `prompt.baseline_score` and the model in
    `prompt.baseline_model`, and only then optimise its cost or latency.

    Fires:
        systems:
          router-bot:
            architecture: fine-tune
            fine_tune:
              goals: [cost]
              base_model: llama-3.1-8b-instruct

    Passes:
        systems:
          router-bot:
            architecture: fine-tune
            fine_tune:
              goals: [cost]
              base_model: llama-3.1-8b-instruct
            prompt:
              baseline_score: 0.82
              baseline_model: llama-3.1-8b-instruct
    """
    goal = first_goal(system, "cost", "latency")
    if goal is None:
        return
    facts = context.facts(system)
    base = system.get("fine_tune", "base_model")
    tuned = (f"the model to be fine-tuned ({base}, fine_tune.base_model)" if base
             else "the model to be fine-tuned (fine_tune.base_model is not declared)")
    if not facts.has("prompt", "baseline_score"):
        yield Violation(
            f"fine_tune.goals includes {goal[0]}, but prompt.baseline_score is not declared: "
            f"nothing shows that {tuned} reaches the quality bar",
            f"score {base or 'the model to be fine-tuned'} with the best prompt on the eval set "
            f"(prompt.baseline_score, prompt.baseline_model) before optimising its {goal[0]}",
            ("prompt",) if system.has("prompt") else ("fine_tune", "goals", goal[1]),
        )
        return
    measured_on = system.get("prompt", "baseline_model")
    if measured_on is None:
        yield Violation(
            f"fine_tune.goals includes {goal[0]}, and prompt.baseline_score is declared, but "
            f"not the model it was measured on (prompt.baseline_model); it has to be {tuned}",
            f"declare prompt.baseline_model; if the score was measured on another model than "
            f"{base or 'the one to be fine-tuned'}, measure it again on that one",
            ("prompt", "baseline_score"),
            Severity.INFO,
        )
    elif base is None or measured_on != base:
        yield Violation(
            f"fine_tune.goals includes {goal[0]}, but prompt.baseline_score was measured on "
            f"{measured_on} (prompt.baseline_model), not on {tuned}: a baseline on another "
            "model proves nothing about the one whose cost is cut",
            f"score {base or 'the model to be fine-tuned'} with the best prompt on the eval set "
            "and declare that as prompt.baseline_score and prompt.baseline_model",
            ("prompt", "baseline_model"),
            Severity.WARNING,
        )


@rule("FT006", "volume-too-low", Severity.WARNING)
def volume_too_low(system: System, context: Context) -> Iterator[Violation]:
    """A behaviour or cost fine-tune without the request volume that usually pays for one.

    Why: such a fine-tune saves a little on each request, or makes each one a little better.
    At low volume those gains rarely catch up with the upkeep: curating data, running evals,
    retraining as base models move on. Rarely is not never: high-value work (a costly
    mistake avoided per request) can justify a fine-tune at low volume, and a waiver with that
    reason is the way to say so.

    Fix: declare `fine_tune.requests_per_month`; below `min_requests_per_month`, compare what
    the fine-tune saves or earns per month with what its upkeep costs, and stay with prompting
    unless the comparison favours it (then waive FT006 with the figures as the reason).

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]
              requests_per_month: 2000

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]
              requests_per_month: 30000
    """
    declared = goals(system)
    if not declared or any(g not in BEHAVIOUR_AND_COST_GOALS for g in declared):
        return
    minimum = context.threshold("min_requests_per_month")
    volume = system.get("fine_tune", "requests_per_month")
    listed = ", ".join(declared)
    if volume is None:
        yield Violation(
            f"fine_tune.goals is only {listed}, and fine_tune.requests_per_month is not "
            "declared: nothing shows the volume that would pay the fine-tune back",
            f"declare fine_tune.requests_per_month; below {minimum} a prompt is usually the "
            "cheaper thing to keep",
            ("fine_tune", "goals"),
        )
    elif volume < minimum:
        yield Violation(
            f"fine_tune.goals is only {listed}, and fine_tune.requests_per_month is {volume}, "
            f"fewer than min_requests_per_month ({minimum}): at this volume the upkeep of a "
            "fine-tune usually outweighs what it saves per request",
            "compare the monthly saving with the upkeep (data, evals, retraining); stay with "
            "prompting unless the saving wins, and if it does, waive FT006 with the figures",
            ("fine_tune", "requests_per_month"),
        )


@rule("FT007", "no-uplift", Severity.WARNING)
def no_uplift(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune that scores no better than the prompt-only baseline.

    Why: on the same eval set, a fine-tuned model that does not beat the unmodified model with
    its best prompt adds training, hosting and upkeep for nothing.

    The scores are the measured ones where `fine_tune.results` and `prompt.baseline_results`
    name the eval tool's result files (the mean over the scored cases), else the declared ones.
    With both files, compared as EV008 compares them, a fine-tune measured significantly worse
    is an error, even when the files' overall figures point the other way.

    Fix: drop the fine-tune and ship the prompt, or improve the training data until
    `fine_tune.score` is above `prompt.baseline_score`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            prompt:
              baseline_score: 0.81
            fine_tune:
              score: 0.79

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            prompt:
              baseline_score: 0.81
            fine_tune:
              score: 0.9
    """
    if not system.fine_tuned:
        return
    facts = context.facts(system)
    tuned, base = facts.fact("fine_tune", "score"), facts.fact("prompt", "baseline_score")
    score, baseline = tuned.value, base.value
    if score is None or baseline is None:
        return
    loss = measured_loss(system, context, tuned, base)
    if loss is not None:
        yield loss
        return
    if score <= baseline:
        yield Violation(
            f"fine_tune.score is {score}{_measured(tuned.evidence)}, "
            f"{'equal to' if score == baseline else 'below'} prompt.baseline_score "
            f"({baseline}{_measured(base.evidence)}): the fine-tune does not beat the "
            "prompt-only baseline",
            "ship the prompt-only system, or improve the training data until the fine-tune "
            "beats the baseline on the same eval set",
            ("fine_tune", "score"),
        )


def _measured(evidence: str) -> str:
    """``, measured from results/ft.json: ...`` for a measured score; nothing for a declared one."""
    return f", {evidence}" if evidence else ""


@rule("FT008", "no-retraining-plan", Severity.INFO)
def no_retraining_plan(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune with no schedule for re-evaluating and retraining it.

    Why: a fine-tune is not done once. New base models and drifting queries mean it has to
    be re-evaluated, and retrained, on a schedule.

    Fix: decide how often to re-evaluate and retrain, and declare it in
    `fine_tune.retrain_every`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 1800

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 1800
              retrain_every: quarterly
    """
    if system.fine_tuned and not system.has("fine_tune", "retrain_every"):
        yield Violation(
            f"architecture is {system.architecture}, but fine_tune.retrain_every is not "
            "declared: nothing plans for the next base model or for drift",
            "set fine_tune.retrain_every to the pace at which you will re-evaluate and retrain",
            fine_tune_anchor(system),
        )


@rule("FT009", "no-training-data", Severity.WARNING)
def no_training_data(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune that declares no training data.

    Why: without the training set, or at least its size, nobody can check the fine-tune or
    train it again.

    Fix: point `fine_tune.training_data` at the training set, or at least declare
    `fine_tune.training_examples`.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              goals: [style]
              training_data: data/train.jsonl
    """
    if not system.fine_tuned:
        return
    if system.has("fine_tune", "training_data") or system.has("fine_tune", "training_examples"):
        return
    yield Violation(
        f"architecture is {system.architecture}, but neither fine_tune.training_data nor "
        "fine_tune.training_examples is declared",
        "declare the training set as fine_tune.training_data (or at least its size as "
        "fine_tune.training_examples)",
        fine_tune_anchor(system),
    )
