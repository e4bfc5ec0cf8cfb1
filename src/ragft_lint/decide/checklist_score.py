"""Framework 3, the checklist: count the signs the facts make true, eight for fine-tuning,
eight for RAG and three for both; the side with more signs is the verdict.

One fact counts for one sign only: a goal or a pace that already made one sign count is not
counted again for another sign of the same side.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from ..words import counted as counted_words
from .conditions import Keys, Walk, faster_or_as_fast, num, with_knowledge_layer
from .model import (
    CHECKLIST,
    FINE_TUNE,
    HYBRID,
    PROMPT,
    RAG,
    UNDECIDED,
    FrameworkResult,
    Step,
)

# The checklist's "hundreds or more labelled examples" is a fixed line of the published
# checklist, not one of the overridable thresholds of rules.md.
LABELLED_EXAMPLES_SIGN = 200

# The ids of the signs (``Step.id``), in the order they are listed.
FT_STYLE = "checklist.ft.style"  # a style or persona need
FT_NARROW_TASK = "checklist.ft.narrow_task"  # a narrow task with a clear correct answer
FT_LABELLED = "checklist.ft.labelled"  # hundreds or more labelled examples
FT_LATENCY = "checklist.ft.latency"  # latency matters
FT_BEHAVIOURAL = "checklist.ft.behavioural"  # the need is behavioural, not factual
FT_PLATEAU = "checklist.ft.plateau"  # prompting has plateaued
FT_COST = "checklist.ft.cost"  # token cost to cut
FT_SCHEMA = "checklist.ft.schema"  # a complex output schema
RAG_CHANGES = "checklist.rag.changes"  # knowledge changes monthly or faster
RAG_CITATIONS = "checklist.rag.citations"  # citations needed
RAG_LITTLE_DATA = "checklist.rag.little_data"  # too little labelled data but a corpus
RAG_FACTS = "checklist.rag.facts"  # factual accuracy is the need
RAG_PRIVATE = "checklist.rag.private"  # private documents
RAG_UPDATES = "checklist.rag.updates"  # updates without retraining
RAG_LONG_TAIL = "checklist.rag.long_tail"  # a corpus larger than the context window
RAG_PER_USER = "checklist.rag.per_user"  # per-user access
BOTH_VOICE = "checklist.both.voice"  # a voice or format need with fast-changing knowledge
BOTH_FORMAT = "checklist.both.format"  # a fine-tune for format with a live knowledge base
BOTH_COST = "checklist.both.cost"  # a fine-tune to shrink the prompt, documents still injected
FIT = "checklist.fit"  # RAG's signs won, but the corpus fits in the context
KNOWLEDGE_LAYER = "checklist.knowledge_layer"  # fine-tuning won beside a knowledge layer
OPEN = "checklist.open"  # what is still open, where the facts leave more than one
STEPS = (FT_STYLE, FT_NARROW_TASK, FT_LABELLED, FT_LATENCY, FT_BEHAVIOURAL, FT_PLATEAU, FT_COST,
         FT_SCHEMA, RAG_CHANGES, RAG_CITATIONS, RAG_LITTLE_DATA, RAG_FACTS, RAG_PRIVATE,
         RAG_UPDATES, RAG_LONG_TAIL, RAG_PER_USER, BOTH_VOICE, BOTH_FORMAT, BOTH_COST, FIT,
         KNOWLEDGE_LAYER, OPEN)


def walk(facts: Walk, limits: Mapping[str, Any]) -> FrameworkResult:
    fine_tune = _fine_tune_signs(facts, limits)
    rag = _rag_signs(facts)
    both = _both_signs(facts)
    counts = [sum(1 for s in group if s.counted) for group in (fine_tune, rag, both)]
    ft_count, rag_count, both_count = counts
    if both_count >= 2:
        verdict = HYBRID
    elif ft_count > rag_count:
        verdict = FINE_TUNE
    elif rag_count > ft_count:
        verdict = RAG
    elif ft_count == 0:
        verdict = UNDECIDED  # no sign at all is not a tie between two sides
    else:
        verdict = HYBRID
    after: List[Step] = []
    if verdict in (RAG, HYBRID) and facts.gaps() and not facts.knowledge_need():
        # decide.md: a corpus beside behaviour-only gaps, with neither citations nor per-user
        # access, is style examples in an index; the checklist ends where behaviour ends.
        verdict = PROMPT if verdict == RAG else FINE_TUNE
        after.append(facts.step(
            KNOWLEDGE_LAYER, "Is there a knowledge need for retrieval to serve?",
            f"no: the gaps hold only behaviour, with neither citations nor per-user access; "
            f"retrieving examples serves behaviour, not knowledge (KN005) -> {verdict}",
            ("gaps",)))
    elif verdict == RAG and facts.fits(limits):
        # Before any framework: a corpus that fits in the context goes in the prompt.
        verdict = PROMPT
        after.append(facts.step(
            FIT, "RAG's signs win: does the knowledge fit in the context?",
            f"yes: knowledge.corpus_tokens is within {num(limits['context_fit_ratio'])} x "
            "prompt.context_window_tokens, so the knowledge goes in the prompt (long context "
            "with caching), not in a retrieval pipeline -> prompt", ("knowledge", "corpus_tokens")))
    elif verdict == RAG and facts.fits(limits) is None and facts.knowledge_need():
        # A knowledge need whose corpus size (or window) is not known: a corpus that fits
        # would make it prompt, so the fit is unknown, not no (decide.md), whether or not a
        # corpus is declared yet, as in the other two frameworks.
        missing = facts.fit_keys()
        after.append(facts.step(
            FIT, "RAG's signs win: does the knowledge fit in the context?",
            f"unknown: declare {'.'.join(missing)}; a corpus within "
            f"{num(limits['context_fit_ratio'])} x prompt.context_window_tokens goes in the "
            "prompt (long context with caching), a larger one needs RAG", missing,
            unknown=True))
    if verdict == FINE_TUNE and not after:
        verdict = with_knowledge_layer(facts, FINE_TUNE)
        if verdict != FINE_TUNE:
            answer = ("yes: a fine-tune beside a knowledge layer is hybrid" if verdict == HYBRID
                      else "unknown: gaps are not declared; a knowledge gap would make one, "
                           "and behaviour-only gaps would make a corpus style examples")
            after.append(facts.step(KNOWLEDGE_LAYER, "Fine-tuning's signs win: is there a "
                                                     "knowledge layer as well?", answer,
                                    facts.layer_keys() if verdict == UNDECIDED
                                    else ("knowledge",), unknown=verdict == UNDECIDED))
    if any(counts):
        # With no sign at all the checklist has nothing to go on, and rules nothing out. Asked
        # after the fit question (above), which the open set then names first.
        _ask_unknowns(facts)
    return FrameworkResult(CHECKLIST, verdict, tuple(fine_tune + rag + both + after),
                           fine_tune_signs=ft_count, rag_signs=rag_count, both_signs=both_count)


def _sign(facts: Walk, step_id: str, side: str, name: str, counted: bool, why: str,
          keys: Optional[Keys], walked: bool = True) -> Step:
    """A sign, counted or not, and why. A ``why`` that starts with "unknown" is a sign whose
    fact is missing (decide.md: unknown is not no): the step is marked unknown, and
    ``_ask_unknowns`` asks its fact, so the open set walks the values that would make it
    count. ``walked`` false: an unknown that decide.md says is simply not counted (prompting
    plateaued, without a target), which the open set does not walk."""
    unknown = walked and not counted and why.startswith("unknown")
    said = "yes: " if counted else "" if why.startswith("unknown") else "no: "
    return facts.step(step_id, f"{side} sign: {name}?", said + why, keys, counted=counted,
                      unknown=unknown, ask=False)


def _labelled_count(facts: Walk) -> Optional[int]:
    """Training examples: declared or measured; 0 when no training data at all; None unknown."""
    count = facts.get("fine_tune", "training_examples")
    if count is not None:
        return int(count)
    return None if facts.has("fine_tune", "training_data") else 0


def _labelled_words(facts: Walk, count: int, bar: str) -> str:
    """The count against the bar ("12 training examples, fewer than 200"), or "no training
    data is declared" when there is none."""
    if facts.get("fine_tune", "training_examples") is None:
        return "no training data is declared"
    return f"{counted_words(count, 'training example')}, {bar} {LABELLED_EXAMPLES_SIGN}"


def _fine_tune_signs(facts: Walk, limits: Mapping[str, Any]) -> List[Step]:
    side = "fine-tune"
    gaps = facts.gaps()
    out: List[Step] = []

    keys = facts.goal_keys("style")
    out.append(_sign(facts, FT_STYLE, side, "a style or persona need", keys is not None,
                     "fine_tune.goals has style" if keys else "style is not in fine_tune.goals",
                     keys or ("fine_tune", "goals")))

    # A format goal with structured output tried is the complex-schema sign; it is not also
    # the narrow-task sign (one fact, one sign).
    format_keys = facts.goal_keys("format")
    structured = facts.get("prompt", "structured_output") is True
    schema = format_keys is not None and structured
    reasoning_keys = facts.goal_keys("reasoning")
    if reasoning_keys is not None:
        counted, why, keys = True, "fine_tune.goals has reasoning", reasoning_keys
    elif format_keys is not None and not schema:
        counted, why, keys = True, "fine_tune.goals has format", format_keys
    elif format_keys is not None:
        counted, why, keys = False, "format already counts as a complex output schema", \
            format_keys
    else:
        counted, why, keys = False, "neither format nor reasoning in fine_tune.goals", \
            ("fine_tune", "goals")
    out.append(_sign(facts, FT_NARROW_TASK, side, "a narrow task with a clear correct answer",
                     counted, why, keys))

    count = _labelled_count(facts)
    if count is None:
        counted, why = False, "unknown: the size of fine_tune.training_data is not known"
    else:
        counted = count >= LABELLED_EXAMPLES_SIGN
        why = _labelled_words(facts, count, "at least" if counted else "fewer than")
    out.append(_sign(facts, FT_LABELLED, side, f"hundreds or more labelled examples "
                                  f"({LABELLED_EXAMPLES_SIGN}+)",
                     counted, why, ("fine_tune", "training_examples")))

    keys = facts.goal_keys("latency")
    out.append(_sign(facts, FT_LATENCY, side, "latency matters", keys is not None,
                     "fine_tune.goals has latency" if keys else "latency is not in "
                                                                "fine_tune.goals",
                     keys or ("fine_tune", "goals")))

    behavioural = [g for g in gaps if g in ("behavior", "reasoning")]
    if not gaps:
        counted, why = False, "unknown: gaps are not declared"
    elif "knowledge" in gaps:
        counted, why = False, "gaps has knowledge"
    elif behavioural:
        counted, why = True, "gaps has " + ", ".join(behavioural) + " and no knowledge"
    else:
        counted, why = False, "no behavior or reasoning gap"
    out.append(_sign(facts, FT_BEHAVIOURAL, side, "the need is behavioural, not factual",
                     counted, why, ("gaps",)))

    out.append(_plateau(facts, limits, side))

    keys = facts.goal_keys("cost")
    out.append(_sign(facts, FT_COST, side, "token cost to cut", keys is not None,
                     "fine_tune.goals has cost" if keys else "cost is not in fine_tune.goals",
                     keys or ("fine_tune", "goals")))

    if format_keys is None:
        why = "format is not in fine_tune.goals"
    elif not structured:
        why = "format is a goal, but structured output was not tried (prompt.structured_output)"
    else:
        why = "format is a goal and structured output was tried"
    out.append(_sign(facts, FT_SCHEMA, side, "a complex output schema", schema, why,
                     ("prompt", "structured_output") if format_keys else ("fine_tune", "goals")))
    return out


def _plateau(facts: Walk, limits: Mapping[str, Any], side: str) -> Step:
    """Prompting plateaued: it was tried, and its score stays below the bar to ship. A prompt
    that reaches ``eval.target_score`` has not plateaued; without a target nobody can say."""
    least = limits["min_few_shot_examples"]
    few = facts.get("prompt", "few_shot_examples")
    score = facts.get("prompt", "baseline_score")
    target = facts.get("eval", "target_score")
    name = "prompting has plateaued (below eval.target_score)"
    keys: Keys = ("prompt", "few_shot_examples")
    counted = False
    if few is None:
        why = "prompt.few_shot_examples is not declared"
    elif few < least:
        why = f"prompt.few_shot_examples is {few}, fewer than min_few_shot_examples ({least})"
    elif score is None:
        why = f"{few} few-shot examples, but no prompt.baseline_score"
        keys = ("prompt", "baseline_score")
    elif target is None:
        why = (f"unknown: {few} few-shot examples score {num(score)}, but eval.target_score is "
               "not declared, so nothing says whether that falls short")
        keys = ("eval", "target_score")
    elif score >= target:
        why = (f"the prompt scores {num(score)}, already at eval.target_score ({num(target)}): "
               "it has not plateaued below the bar")
        keys = ("prompt", "baseline_score")
    else:
        counted = True
        why = (f"{few} few-shot examples score {num(score)}, below eval.target_score "
               f"({num(target)})")
        keys = ("prompt", "baseline_score")
    return _sign(facts, FT_PLATEAU, side, name, counted, why, keys, walked=False)


def _rag_signs(facts: Walk) -> List[Step]:
    side = "RAG"
    out: List[Step] = []
    changes = facts.get("knowledge", "changes")

    counted = changes is not None and faster_or_as_fast(changes, "monthly")
    why = f"knowledge.changes is {changes}" if changes else _pace_unknown(facts)
    out.append(_sign(facts, RAG_CHANGES, side, "knowledge changes monthly or faster", counted, why,
                     _pace_keys(why)))

    citations = facts.get("knowledge", "citations") is True
    out.append(_sign(facts, RAG_CITATIONS, side, "citations needed", citations,
                     "knowledge.citations is true" if citations
                     else "knowledge.citations is not true", ("knowledge", "citations")))

    count = _labelled_count(facts)
    # A corpus is an artefact: the signs count the one declared. A size the open set supposes
    # for the fit question (``FIT``) answers that question and the long tail, and declares
    # no corpus: without one, the walks must still reach what no corpus leads to.
    corpus = facts.declared_corpus()
    if count is None and corpus:
        counted, why = False, "unknown: the size of fine_tune.training_data is not known"
    elif count is None:
        counted, why = False, "no corpus is declared (knowledge.corpus_tokens or " \
                              "knowledge.sources)"
    elif count >= LABELLED_EXAMPLES_SIGN:
        counted, why = False, _labelled_words(facts, count, "at least")
    elif not corpus:
        counted, why = False, f"{_labelled_words(facts, count, 'fewer than')}, but no corpus " \
                              "is declared (knowledge.corpus_tokens or knowledge.sources)"
    else:
        counted, why = True, f"{_labelled_words(facts, count, 'fewer than')}, and a corpus " \
                             "is declared"
    out.append(_sign(facts, RAG_LITTLE_DATA, side, "too little labelled data but a corpus exists",
                     counted, why, ("fine_tune", "training_examples")))

    keys = facts.gap_keys("knowledge")
    why = ("gaps has knowledge" if keys else "no knowledge gap" if facts.gaps()
           else "unknown: gaps are not declared")
    out.append(_sign(facts, RAG_FACTS, side, "factual accuracy is the need", keys is not None,
                     why, keys or ("gaps",)))

    keys = (("knowledge", "sources") if facts.items("knowledge", "sources")
            else ("knowledge", "corpus_tokens"))
    out.append(_sign(facts, RAG_PRIVATE, side, "private documents", corpus,
                     f"{'.'.join(keys)} is declared" if corpus
                     else "neither knowledge.sources nor knowledge.corpus_tokens is declared",
                     keys))

    # How often the knowledge changes is one fact: counted above when monthly or faster, here
    # only when it is slower than that and still not static.
    if changes is None:
        counted, why = False, _pace_unknown(facts)
    elif changes == "static":
        counted, why = False, "knowledge.changes is static"
    elif faster_or_as_fast(changes, "monthly"):
        counted, why = False, f"knowledge.changes ({changes}) already counts as changing " \
                              "monthly or faster"
    else:
        counted, why = True, f"knowledge.changes is {changes}"
    out.append(_sign(facts, RAG_UPDATES, side, "updates without retraining", counted, why,
                     _pace_keys(why)))

    size = facts.get("knowledge", "corpus_tokens")
    window = facts.get("prompt", "context_window_tokens")
    long_keys: Keys = ("knowledge", "corpus_tokens")
    if not corpus:
        # A corpus is an artefact: none declared is none (decide.md), not one of unknown size.
        counted, why = False, "no corpus is declared (knowledge.corpus_tokens or " \
                              "knowledge.sources)"
    elif size is None:
        counted, why = False, "unknown: knowledge.sources is declared but not its size; " \
                              "declare knowledge.corpus_tokens"
    elif window is None:
        counted = False
        why = f"unknown: {size} corpus tokens, but prompt.context_window_tokens is not declared"
        long_keys = ("prompt", "context_window_tokens")
    else:
        counted = size > window
        why = f"{size} corpus tokens, {'more than' if counted else 'within'} a {window}-token " \
              "context window"
    out.append(_sign(facts, RAG_LONG_TAIL, side,
                     "a long-tail corpus larger than the context window", counted, why,
                     long_keys))

    per_user = facts.get("knowledge", "per_user_access") is True
    out.append(_sign(facts, RAG_PER_USER, side, "per-user access", per_user,
                     "knowledge.per_user_access is true" if per_user
                     else "knowledge.per_user_access is not true",
                     ("knowledge", "per_user_access")))
    return out


def _both_signs(facts: Walk) -> List[Step]:
    side = "both"
    out: List[Step] = []
    changes = facts.get("knowledge", "changes")
    fast = changes is not None and faster_or_as_fast(changes, "quarterly")
    voice = facts.goal_keys("style", "format") or facts.gap_keys("behavior")
    if voice is None and not facts.gaps() and (changes is None or fast):
        why = _GAPS_FIRST + ", and a behavior gap would be a voice need (no style or " \
              "format goal is)"
    elif voice is None:
        why = "no style or format goal and no behavior gap"
    elif changes is None:
        pace = _pace_unknown(facts)
        why = (pace if pace.startswith("unknown") else
               f"a voice or format need, but {pace}")
    elif not fast:
        why = f"a voice or format need, but knowledge.changes is {changes}"
    else:
        why = f"a voice or format need, and knowledge.changes is {changes}"
    out.append(_sign(facts, BOTH_VOICE, side, "a voice or format need with knowledge that changes "
                                  "quarterly or faster", voice is not None and fast, why,
                     _pace_keys(why) if voice
                     else ("gaps",) if why.startswith("unknown") else ("fine_tune", "goals")))

    format_keys = facts.goal_keys("format")
    sources = bool(facts.items("knowledge", "sources"))
    if format_keys is None:
        why = "format is not in fine_tune.goals"
    elif not sources:
        why = "format is a goal, but no knowledge.sources are declared"
    else:
        why = "format is a goal and knowledge.sources are declared"
    out.append(_sign(facts, BOTH_FORMAT, side, "a fine-tune for format with a live knowledge base",
                     format_keys is not None and sources, why,
                     ("knowledge", "sources") if format_keys else ("fine_tune", "goals")))

    cost_keys = facts.goal_keys("cost")
    retrieval = facts.system.retrieval
    if cost_keys is None:
        why = "cost is not in fine_tune.goals"
    elif not retrieval:
        why = f"cost is a goal, but architecture {facts.system.architecture} injects no documents"
    else:
        why = f"cost is a goal and architecture {facts.system.architecture} still injects " \
              "documents per query"
    out.append(_sign(facts, BOTH_COST, side, "fine-tuning to shrink the prompt while documents "
                                             "are still injected per query",
                     cost_keys is not None and retrieval, why,
                     ("architecture",) if cost_keys else ("fine_tune", "goals")))
    return out


_GAPS_FIRST = "unknown: gaps are not declared"


def _pace_unknown(facts: Walk) -> str:
    """Why a sign on how fast the knowledge changes did not count, when ``knowledge.changes``
    is not declared: unknown where there is knowledge whose pace it is (or may be: the gaps are
    not declared), else no knowledge to change."""
    if facts.has_knowledge() or facts.has_corpus():
        return "unknown: knowledge.changes is not declared"
    if not facts.gaps():
        return (_GAPS_FIRST + ", and with a knowledge gap how fast the knowledge changes "
                "(knowledge.changes) would count")
    return "no knowledge to change (no knowledge gap, citations, per-user access or corpus)"


def _pace_keys(why: str) -> Keys:
    """The key a sign on the knowledge's pace names: the gaps while they are what is unknown
    (``_pace_unknown``), else ``knowledge.changes``."""
    return ("gaps",) if why.startswith(_GAPS_FIRST) else ("knowledge", "changes")


def _ask_unknowns(facts: Walk) -> None:
    """Record the unknown facts whose value could make a sign count (``open_sets`` tries
    each): a sign left uncounted for want of a fact is unknown, not no (decide.md)."""
    if not facts.gaps():
        facts.asked(("gaps",))
    if facts.has("fine_tune", "training_data") and not facts.has("fine_tune",
                                                                  "training_examples"):
        facts.asked(("fine_tune", "training_examples"))
    # How often the knowledge changes counts for RAG's signs whatever the gaps, so a style
    # corpus (no knowledge need) still asks it: its pace can tip the count.
    if (facts.has_knowledge() or facts.has_corpus()) and not facts.has("knowledge", "changes"):
        facts.asked(("knowledge", "changes"))
    if facts.has_corpus():
        if not facts.has("knowledge", "corpus_tokens"):
            facts.asked(("knowledge", "corpus_tokens"))
        elif not facts.has("prompt", "context_window_tokens"):
            facts.asked(("prompt", "context_window_tokens"))
