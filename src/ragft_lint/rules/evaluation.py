"""EV: is there an eval set that can prove it worked?"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import EVAL_EXAMPLES
from ..findings import Severity
from ..rule import Context, Violation, rule
from ..words import counted as counted_words
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
        held = (counted.evidence if counted.measured
                else f"eval holds {counted_words(size, 'example')}")
        then = ("then retrain and re-score the model and the baseline on it"
                if already_trained(system) else "before training")
        yield Violation(
            f"{held}, fewer than min_eval_examples ({minimum}): too few to tell a real gain "
            "from noise",
            f"extend the labelled eval set to at least {minimum} examples, {then}",
            counted.source,
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


@rule("EV011", "no-answer-eval", Severity.WARNING)
def no_answer_eval(system: System, context: Context) -> Iterator[Violation]:
    """A RAG or hybrid system whose only eval scores the retrieval, not the answers.

    Why: a retrieval eval (`rag.retrieval_eval`) says whether the right passages come back;
    that is the ceiling of the system, not its answer. "The retrieved content was right but
    the model missed it" (ignored the passage, mixed up two, answered beside the question) is
    a failure of its own, and only an eval of the answers shows it. The same eval is what says
    when the numbers call for another architecture.

    Fix: keep a labelled set of real questions with their expected answers, score the
    system's answers on it, and declare it under `eval` (`path`, or `examples` with its size)
    beside the retrieval eval.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                examples: 200

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                examples: 200
            eval:
              path: evals/answers.jsonl
    """
    if not system.retrieval or has_eval(system) or not has_retrieval_eval(system):
        return
    if system.has("eval"):
        said = "eval declares neither a path nor a number of examples"
    else:
        said = "no eval is declared"
    yield Violation(
        f"architecture is {system.architecture} and the only eval is rag.retrieval_eval "
        f"({said}): it scores the passages retrieved, not the answers, so an answer that "
        "misses or misreads the right passage goes unseen",
        "score the system's answers on a labelled set of real questions and declare it under "
        "eval (path to the file, or examples with its size)",
        ("eval",) if system.has("eval") else ("rag", "retrieval_eval"),
    )


def _same_file(system: System, first: Tuple[str, ...], second: Tuple[str, ...]) -> bool:
    """Whether two evidence keys name one file, once relative parts and links are resolved.

    The names are compared (the file need not exist): the same path written twice is the same
    file whatever it holds. Two names of one file (a hard link) are one file too: that is
    asked of the file system, which reads nothing of the file.
    """
    import os

    paths = [system.get(*keys, "path") for keys in (first, second)]
    if not all(isinstance(p, str) and p for p in paths):
        return False
    base = os.path.dirname(os.path.abspath(system.document.file))
    resolved = {os.path.normcase(os.path.realpath(os.path.join(base, str(p)))) for p in paths}
    if len(resolved) == 1:
        return True
    try:
        return os.path.samefile(*resolved)
    except (OSError, ValueError):  # not there (yet), or a name no file system takes
        return False


@rule("EV009", "eval-is-training-data", Severity.ERROR)
def eval_is_training_data(system: System, context: Context) -> Iterator[Violation]:
    """The eval set (or the regression suite) is the training set itself.

    Why: a model scored on the examples it was trained on shows how well it remembers them,
    not how well it does the task; the score is inflated by exactly the contamination an eval
    exists to rule out. When `eval.path` and `fine_tune.training_data` name the same file
    (after resolving `..` and symbolic links, or as two names of one file), that is certain
    from the declaration alone, with no need to read the files. `fine_tune.regression_suite`
    is another matter: it watches general ability on tasks outside the fine-tune's own, and
    the training file holds only the tuned task, so it can say nothing about what else was
    lost.

    Fix: split off an eval set that shares no example with the training data (build it before
    training), point `eval.path` at it, and score the model again. Point
    `fine_tune.regression_suite` at general-ability tasks the model is not trained on (not a
    held-out split of its own task).

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
    where = system.get(*training, "path")
    if _same_file(system, ("eval", "path"), training):
        yield Violation(
            f"eval.path and fine_tune.training_data name the same file ({where}): the model "
            "is scored on the examples it was trained on, which measures memory",
            "hold out examples the model never trains on and point eval.path at them, then "
            "score the model again",
            ("eval", "path"),
        )
    if _same_file(system, ("fine_tune", "regression_suite"), training):
        # The suite watches what the fine-tune may break elsewhere; examples of the tuned
        # task, held out or not, cannot show that.
        yield Violation(
            f"fine_tune.regression_suite and fine_tune.training_data name the same file "
            f"({where}): a regression suite is there to show whether the model lost general "
            "ability on tasks outside the fine-tune's own, which the training file cannot "
            "show, and neither can a held-out split of the same task",
            "point fine_tune.regression_suite at general-ability tasks the fine-tune does not "
            "train on (not a held-out split of its own task), and score the base and the "
            "fine-tuned model on them",
            ("fine_tune", "regression_suite"),
        )
