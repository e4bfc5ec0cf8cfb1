"""Framework 1, the failure-mode tree: from what the unmodified model got wrong (``gaps``) to
the layers that fix it, one layer per kind of gap, then the layers combined."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple

from .conditions import (
    Keys,
    Walk,
    eval_ready,
    num,
    reaches_bar,
    training_ready,
    volume,
)
from .model import FAILURE_MODE, FINE_TUNE, HYBRID, PROMPT, RAG, UNDECIDED, FrameworkResult, Step

# The ids of the steps (``Step.id``), in the order a walk takes them.
GAPS = "tree.gaps"  # what the unmodified model got wrong
FIT = "tree.knowledge.fit"  # does the knowledge fit in the context?
KNOWLEDGE = "tree.knowledge"  # the knowledge gap: long context, or RAG with a reranker
PRECISION = "tree.knowledge.precision"  # is retrieval precise enough?
REASONING_EVAL = "tree.reasoning.eval"  # the reasoning gap's three conditions ...
REASONING_CONVENTIONS = "tree.reasoning.conventions"
REASONING_TRAINING = "tree.reasoning.training"
REASONING_TARGET = "tree.reasoning.target"  # does the prompt already reach the target?
REASONING = "tree.reasoning"  # ... and the layer they lead to
BEHAVIOUR_PROMPTING = "tree.behavior.prompting"  # was prompting tried?
BEHAVIOUR_TARGET = "tree.behavior.target"  # does the prompt already reach the target?
BEHAVIOUR_VOLUME = "tree.behavior.volume"  # does the volume justify a fine-tune?
BEHAVIOUR = "tree.behavior"  # the behaviour gap's layer
LAYERS = "tree.layers"  # the layers combined into the verdict
OPEN = "tree.open"  # what is still open, where the facts leave more than one (open_sets)
STEPS = (GAPS, FIT, KNOWLEDGE, PRECISION, REASONING_EVAL, REASONING_CONVENTIONS,
         REASONING_TRAINING, REASONING_TARGET, REASONING, BEHAVIOUR_PROMPTING, BEHAVIOUR_TARGET,
         BEHAVIOUR_VOLUME, BEHAVIOUR, LAYERS, OPEN)

# The knowledge layer when the corpus's fit is unknown: the prompt or RAG, not known which.
EITHER = "prompt or rag"


def walk(facts: Walk, limits: Mapping[str, Any]) -> FrameworkResult:
    steps: List[Step] = []
    gaps = facts.gaps()
    question = "What did the unmodified model get wrong (gaps)?"
    if not gaps:
        steps.append(facts.step(
            GAPS, question,
            f"nothing declared: run at least {limits['min_baseline_queries']} real queries "
            "(min_baseline_queries) against the unmodified model and name the failure mode "
            "(knowledge, reasoning or behavior) in gaps",
            ("gaps",), unknown=True))
        return FrameworkResult(FAILURE_MODE, UNDECIDED, tuple(steps))
    steps.append(facts.step(GAPS, question, ", ".join(gaps) + _baseline_note(facts, limits),
                            ("gaps",)))

    # decide.md, "A knowledge layer": not only a knowledge gap but citations, per-user access
    # or a knowledge corpus call for one, placed as any other (long context or RAG).
    knowledge: Optional[str] = None
    if facts.knowledge_need():
        knowledge = _knowledge_layer(facts, limits, steps)
    else:
        steps.append(facts.step(
            KNOWLEDGE, "Is there knowledge to serve?",
            "no knowledge layer needed: the gaps hold only behaviour, with neither citations nor "
            "per-user access, so the corpus serves style, not knowledge (KN005)"
            if facts.behaviour_corpus() else
            "no knowledge layer needed: no knowledge gap, citations, per-user access or "
            "knowledge corpus", ("gaps",)))

    layers: List[str] = []
    if "reasoning" in gaps:
        layers.append(_reasoning_layer(facts, limits, steps))
    if "behavior" in gaps:
        layers.append(_behaviour_layer(facts, limits, steps))
    behaviour: Optional[str] = None
    if FINE_TUNE in layers:  # one fine-tune serves both needs; an open question does not matter
        behaviour = FINE_TUNE
    elif UNDECIDED in layers:
        behaviour = UNDECIDED
    elif layers:
        behaviour = PROMPT

    verdict, note = _combine(knowledge, behaviour)
    parts = []
    if knowledge:
        parts.append("knowledge by " + {PROMPT: "long context", RAG: "RAG"}.get(knowledge,
                                                                                knowledge))
    if behaviour:
        parts.append(f"behaviour by {behaviour}" if behaviour != UNDECIDED
                     else "behaviour undecided")
    steps.append(facts.step(LAYERS, "Combining the layers",
                            f"{' + '.join(parts)}{note} -> {verdict}"))
    return FrameworkResult(FAILURE_MODE, verdict, tuple(steps))


def _combine(knowledge: Optional[str], behaviour: Optional[str]) -> Tuple[str, str]:
    """The verdict of the two layers, and a note on why where it is not plain."""
    if behaviour == UNDECIDED:
        return UNDECIDED, ""
    if behaviour == FINE_TUNE:
        # A knowledge layer beside a fine-tune is hybrid wherever it sits (decide.md).
        return (HYBRID if knowledge is not None else FINE_TUNE), ""
    if knowledge == EITHER:
        return UNDECIDED, " (the knowledge layer is long context or RAG, as the corpus fits)"
    return (RAG if knowledge == RAG else PROMPT), ""


def _baseline_note(facts: Walk, limits: Mapping[str, Any]) -> str:
    queries = facts.get("baseline_queries")
    if queries is None:
        return " (baseline_queries not declared)"
    least = limits["min_baseline_queries"]
    if queries < least:
        return (f" (from {queries} baseline queries, fewer than min_baseline_queries ({least}): "
                "the diagnosis may not be representative)")
    return f" (from {queries} baseline queries)"


def _knowledge_layer(facts: Walk, limits: Mapping[str, Any], steps: List[Step]) -> str:
    """The knowledge layer: long context where the corpus fits, else RAG; ``EITHER`` when the
    fit is unknown."""
    ratio = limits["context_fit_ratio"]
    need, gap = _need(facts)
    question = (f"{need}: does the knowledge fit in the context (knowledge.corpus_tokens "
                f"at most {num(ratio)} x prompt.context_window_tokens)?")
    fits = facts.fits(limits)
    if fits is None:
        missing = facts.fit_keys()
        steps.append(facts.step(
            FIT, question, f"unknown: declare {'.'.join(missing)}; a corpus that fits goes in "
                           "the prompt (long context with caching), one that does not needs RAG",
            missing, unknown=True))
        # Beside a fine-tune the layer makes hybrid wherever it sits: then the fit question
        # is left out of the path (``settle``), and this step still names the layer.
        steps.append(facts.step(KNOWLEDGE, f"{need}: what serves it?",
                                "a knowledge layer: long context if the corpus fits the "
                                "context, else RAG with a reranker", gap))
        return EITHER
    corpus = facts.get("knowledge", "corpus_tokens")
    window = facts.get("prompt", "context_window_tokens")
    room = num(ratio * window)
    if fits:
        steps.append(facts.step(FIT, question, f"yes: {corpus} tokens, within {num(ratio)} x "
                                               f"{window} = {room}",
                                ("knowledge", "corpus_tokens")))
        steps.append(facts.step(KNOWLEDGE, f"{need}: what serves it?",
                                "long context: put the corpus in the prompt, with caching; no "
                                "retrieval pipeline is needed", gap))
        return PROMPT
    steps.append(facts.step(FIT, question, f"no: {corpus} tokens, more than {num(ratio)} x "
                                           f"{window} = {room}", ("knowledge", "corpus_tokens")))
    reranker = facts.get("rag", "reranker")
    answer = ("retrieval: the knowledge layer is RAG with a reranker (retrieve about 20 "
              "candidates, rerank, keep the best 5)")
    if reranker:
        answer += f"; rag.reranker is {reranker}"
    else:
        answer += "; no rag.reranker is declared yet"
    steps.append(facts.step(KNOWLEDGE, f"{need}: what serves it?", answer, gap))
    least = limits["min_precision_at_5"]
    question = f"Is retrieval precise enough (precision@5 of at least {num(least)})?"
    keys = ("rag", "retrieval_eval", "precision_at_5")
    precision = facts.get(*keys)
    if precision is None:
        steps.append(facts.step(PRECISION, question, "not measured: measure precision@5 on a "
                                                     "labelled retrieval eval (rag.retrieval_eval)",
                                keys))
    elif precision < least:
        steps.append(facts.step(
            PRECISION, question, f"no: precision@5 is {num(precision)}, below min_precision_at_5 "
                                 f"({num(least)}): fix retrieval (chunking, embeddings, "
                                 "reranking) before anything else", keys))
    else:
        steps.append(facts.step(PRECISION, question, f"yes: precision@5 is {num(precision)}, at "
                                                     f"least min_precision_at_5 ({num(least)})",
                                keys))
    return RAG


def _need(facts: Walk) -> Tuple[str, Keys]:
    """What calls for the knowledge layer, as the steps name it, and the key that says so."""
    if "knowledge" in facts.gaps():
        return "Knowledge gap", ("gaps", facts.gaps().index("knowledge"))
    for name, key in (("citations", "citations"), ("per-user access", "per_user_access")):
        if facts.get("knowledge", key) is True:
            return f"Knowledge need ({name})", ("knowledge", key)
    keys: Keys = (("knowledge", "sources") if facts.items("knowledge", "sources")
                  else ("knowledge", "corpus_tokens"))
    return "Knowledge need (a knowledge corpus)", keys


def _reasoning_layer(facts: Walk, limits: Mapping[str, Any], steps: List[Step]) -> str:
    question = "Reasoning gap: which layer?"
    # A prompt that reaches the bar has not plateaued (decide.md): asked first, since then no
    # condition of a fine-tune can change the verdict, and none is asked.
    reached, target_step = reaches_bar(facts, REASONING_TARGET, "Reasoning gap: does the prompt "
                                                                "already reach eval.target_score?")
    if reached and target_step is not None:
        steps.append(target_step)
        steps.append(facts.step(REASONING, question,
                                "prompt: the prompt already reaches the target; a fine-tune "
                                "would have nothing to gain"))
        return PROMPT
    eval_ok, eval_step = eval_ready(
        facts, limits, REASONING_EVAL, f"Reasoning gap: is there a labelled eval of at least "
                                       f"{limits['min_eval_examples']} examples?")
    stable, stable_step = _conventions_stable(facts)
    data_ok, data_step = training_ready(
        facts, limits, REASONING_TRAINING, f"Reasoning gap: are there at least "
                                           f"{limits['min_training_examples']} training examples?")
    steps.extend((eval_step, stable_step, data_step))
    conditions = (("a labelled eval", eval_ok), ("stable conventions", stable),
                  ("enough training data", data_ok))
    failed = [name for name, ok in conditions if ok is False]
    unknown = [name for name, ok in conditions if ok is None]
    # Without a target the step says which key would tell, where the answer could matter:
    # not where a failed condition keeps reasoning in the prompt anyway.
    if target_step is not None and (reached is False or not failed):
        steps.append(target_step)
    if failed:
        steps.append(facts.step(REASONING, question, "prompt: a fine-tune needs "
                                + " and ".join(failed) + "; keep reasoning in the prompt "
                                                         "(instructions and worked examples)"))
        return PROMPT
    if unknown:
        steps.append(facts.step(REASONING, question, "undecided: " + " and ".join(unknown)
                                + " not known; measure them (see above)"))
        return UNDECIDED
    steps.append(facts.step(REASONING, question, "fine-tune: labelled eval, stable conventions "
                                                 "and enough training data all hold"
                                + (_NO_TARGET if reached is None else "")))
    return FINE_TUNE


def _conventions_stable(facts: Walk) -> Tuple[Optional[bool], Step]:
    # The conventions a fine-tune encodes (how to reason, what counts as correct) are not the
    # facts it reasons over: how fast the facts change is the knowledge layer's question.
    question = ("Reasoning gap: are the conventions the fine-tune would encode stable "
                "(fine_tune.conventions_change yearly or slower)?")
    keys = ("fine_tune", "conventions_change")
    changes = facts.get(*keys)
    if changes is None:
        return True, facts.step(REASONING_CONVENTIONS, question,
                                "yes: fine_tune.conventions_change is not declared, taken as "
                                "stable; declare it if the conventions change faster than "
                                "yearly", keys)
    if changes in ("yearly", "static"):
        return True, facts.step(REASONING_CONVENTIONS, question,
                                f"yes: fine_tune.conventions_change is {changes}", keys)
    return False, facts.step(REASONING_CONVENTIONS, question,
                             f"no: fine_tune.conventions_change is {changes}; trained-in "
                             "conventions would need retraining at that pace", keys)


def _behaviour_layer(facts: Walk, limits: Mapping[str, Any], steps: List[Step]) -> str:
    least = limits["min_few_shot_examples"]
    question = (f"Behaviour gap: was prompting tried (at least {least} few-shot examples and a "
                "baseline score)?")
    few = facts.get("prompt", "few_shot_examples")
    score = facts.get("prompt", "baseline_score")
    tried = False
    if few is None:
        step = facts.step(BEHAVIOUR_PROMPTING, question, "no: prompt.few_shot_examples is not "
                                                         "declared",
                          ("prompt", "few_shot_examples"))
    elif few < least:
        step = facts.step(BEHAVIOUR_PROMPTING, question, f"no: prompt.few_shot_examples is "
                                                         f"{few}, fewer than "
                                                         f"min_few_shot_examples ({least})",
                          ("prompt", "few_shot_examples"))
    elif score is None:
        step = facts.step(BEHAVIOUR_PROMPTING, question, f"no: {few} few-shot examples, but "
                                                         "prompt.baseline_score is not declared; "
                                                         "score the prompted model on the eval "
                                                         "set", ("prompt", "baseline_score"))
    else:
        tried = True
        step = facts.step(BEHAVIOUR_PROMPTING, question, f"yes: {few} few-shot examples, "
                                                         f"baseline score {num(score)}",
                          ("prompt", "few_shot_examples"))
    steps.append(step)
    conclusion = "Behaviour gap: which layer?"
    reached: Optional[bool] = False
    target_at = len(steps)  # where the target step stands, when it is shown
    target_step: Optional[Step] = None
    if tried:
        reached, target_step = reaches_bar(facts, BEHAVIOUR_TARGET, "Behaviour gap: does the "
                                                                    "prompt already reach "
                                                                    "eval.target_score?")
        if target_step is not None and reached is not None:
            steps.append(target_step)
    if reached:
        steps.append(facts.step(BEHAVIOUR, conclusion, "prompt: the prompt already reaches the "
                                                       "target, so prompting has not plateaued"))
        return PROMPT
    if not tried:
        steps.append(facts.step(BEHAVIOUR, conclusion, f"prompt: a system prompt with {least} or "
                                                       "more examples first; fine-tune only once "
                                                       "that measurably falls short"))
        return PROMPT
    enough, volume_step = volume(
        facts, limits, BEHAVIOUR_VOLUME, f"Behaviour gap: does the volume justify a fine-tune "
                                         f"(at least {limits['min_requests_per_month']} requests "
                                         "per month)?")
    steps.append(volume_step)
    if not enough:
        steps.append(facts.step(BEHAVIOUR, conclusion, "prompt: at this volume a fine-tune's "
                                                       "upkeep is unlikely to pay back"))
        return PROMPT
    if reached is None and target_step is not None:
        # Without a target nothing says prompting plateaued: the fine-tune rests on prompting
        # tried and the volume (step 4), and the target step says which key would tell.
        steps.insert(target_at, target_step)
        steps.append(facts.step(BEHAVIOUR, conclusion, "fine-tune: prompting was tried and the "
                                                       "volume pays for it" + _NO_TARGET))
        return FINE_TUNE
    steps.append(facts.step(BEHAVIOUR, conclusion, "fine-tune: prompting plateaued and the "
                                                   "volume pays for it"))
    return FINE_TUNE


# What a fine-tune's conclusion says when no eval.target_score tells whether prompting
# plateaued (decide.md: "the step says which key would tell"; no step assumes the answer).
_NO_TARGET = ("; whether prompting plateaued is not known: eval.target_score is not declared, "
              "and a prompt that reaches it would stay at prompt")
