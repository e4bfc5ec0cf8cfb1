"""Framework 2, the five gates: gate 0 to gate 5, from "does the knowledge fit in the context"
to budget and volume. The walk records its route through the chart of ``decide.chart``."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple

from . import chart
from .conditions import (
    Keys,
    Walk,
    eval_ready,
    faster_or_as_fast,
    num,
    reaches_bar,
    training_ready,
    with_knowledge_layer,
)
from .conditions import volume as enough_volume
from .model import FINE_TUNE, GATES, HYBRID, PROMPT, RAG, UNDECIDED, FrameworkResult, Step

# The ids of the steps (``Step.id``), in the order a walk takes them.
STEP_0 = "gate0"  # does the knowledge fit in the context?
STEP_1 = "gate1"  # does it change quarterly or faster?
STEP_2 = "gate2"  # reference or deep?
STEP_3_TRAINING = "gate3.training"  # enough training examples?
STEP_3_EVAL = "gate3.eval"  # a labelled eval?
STEP_3_TARGET = "gate3.target"  # does the prompt already reach the target?
STEP_3 = "gate3"  # gate 3's result, when it ends the walk
STEP_4 = "gate4"  # format-specific output?
STEP_5 = "gate5"  # do budget and volume justify a fine-tune?
STEP_OPEN = "gates.open"  # what is still open, where the facts leave more than one
STEPS = (STEP_0, STEP_1, STEP_2, STEP_3_TRAINING, STEP_3_EVAL, STEP_3_TARGET, STEP_3, STEP_4,
         STEP_5, STEP_OPEN)

# Where the knowledge layer goes when the corpus's fit is unknown: the prompt or RAG.
EITHER = "prompt or rag"


def walk(facts: Walk, limits: Mapping[str, Any]) -> FrameworkResult:
    gates = _Gates(facts, limits)
    verdict = gates.run()
    gates.route.append(chart.VERDICT)
    return FrameworkResult(GATES, verdict, tuple(gates.steps), tuple(gates.route))


class _Gates:
    """The gates in order; ``knowledge`` is where the knowledge layer has been placed so far.

    What a gate could not answer is kept (``fit_unknown``, ``depth_unknown``): the end of the
    walk is ``undecided`` only where the verdict turns on it (decide.md: unknown is not no).
    """

    def __init__(self, facts: Walk, limits: Mapping[str, Any]) -> None:
        self.facts = facts
        self.limits = limits
        self.steps: List[Step] = []
        self.route: List[str] = [chart.START]
        self.knowledge: Optional[str] = None  # PROMPT (long context), RAG or EITHER once placed
        self.deep_knowledge = False  # knowledge to be internalised, still open after gate 2
        self.fit_unknown = False  # there is a corpus, but whether it fits is not known
        self.depth_unknown = False  # knowledge of unknown depth, carried past gate 2
        self.changes_unknown = False  # gate 1 could not say whether the knowledge changes fast
        # Gate 3's target step when no eval.target_score judges the baseline, and where it
        # goes: shown only if the walk ends at a fine-tune, where the answer would matter.
        self.no_target: Optional[Tuple[int, Step]] = None

    def run(self) -> str:
        self.route.append(chart.GATE_0)
        self.gate0()
        if self.knowledge is None:
            self.gate1()
        ends = self.gate2()
        if ends is not None:
            return ends
        ends = self.gate3()
        if ends is not None:
            return ends
        if self.gate4():
            return self.finish(fine_tuned=True)
        return self.gate5()

    def _retrieve(self) -> str:
        """RAG, unless the corpus may fit in the context: then prompt or RAG, not known which."""
        return EITHER if self.fit_unknown else RAG

    def finish(self, fine_tuned: bool) -> str:
        if fine_tuned:
            if self.no_target is not None:
                self.steps.insert(*self.no_target)
            if self.knowledge is not None:
                return HYBRID  # a knowledge layer, placed by gate 0, 1 or 2, and a fine-tune
            # Deep knowledge, or knowledge of unknown depth, is still a knowledge need: it
            # keeps a layer beside the fine-tune (decide.md, "A knowledge layer").
            return with_knowledge_layer(self.facts, FINE_TUNE)
        if self.knowledge is not None:
            return UNDECIDED if self.knowledge == EITHER else self.knowledge
        if self.deep_knowledge or self.depth_unknown:
            return UNDECIDED if self.fit_unknown else RAG  # not fine-tuned, it is retrieved
        return PROMPT

    def gate0(self) -> None:
        facts, ratio = self.facts, self.limits["context_fit_ratio"]
        question = (f"Gate 0: does the knowledge fit in the context (knowledge.corpus_tokens at "
                    f"most {num(ratio)} x prompt.context_window_tokens)?")
        corpus = facts.get("knowledge", "corpus_tokens")
        window = facts.get("prompt", "context_window_tokens")
        fits = facts.fits(self.limits)
        if not facts.has_knowledge():
            said = ("no knowledge layer needed: the gaps hold only behaviour, with neither "
                    "citations nor per-user access, so the corpus serves style, not knowledge "
                    "(KN005)" if facts.behaviour_corpus() else
                    "no knowledge layer needed: no knowledge gap, citations, per-user access or "
                    "knowledge corpus")
            self.steps.append(facts.step(STEP_0, question, said, ("knowledge", "corpus_tokens")))
        elif fits is not None:
            room = ratio * window
            if fits:
                self.knowledge = PROMPT
                self.route.append(chart.KNOWLEDGE_PROMPT)
                self.steps.append(facts.step(
                    STEP_0, question, f"yes: {corpus} tokens, within {num(ratio)} x {window} = "
                                      f"{num(room)}: the knowledge layer is prompt (long context "
                                      "with caching), never RAG; only behaviour continues, to "
                                      "gate 2", ("knowledge", "corpus_tokens")))
                return
            self.steps.append(facts.step(
                STEP_0, question, f"no: {corpus} tokens, more than {num(ratio)} x {window} = "
                                  f"{num(room)}", ("knowledge", "corpus_tokens")))
        else:
            self.fit_unknown = True
            missing = [keys for keys, value in ((("knowledge", "corpus_tokens"), corpus),
                                                (("prompt", "context_window_tokens"), window))
                       if value is None]
            names = " and ".join(".".join(keys) for keys in missing)
            self.steps.append(facts.step(
                STEP_0, question, f"unknown: declare {names}; a corpus that fits needs no "
                                  "retrieval pipeline", missing[0], unknown=True))

    def gate1(self) -> None:
        facts = self.facts
        self.route.append(chart.GATE_1)
        question = "Gate 1: does the knowledge change quarterly or faster (knowledge.changes)?"
        keys = ("knowledge", "changes")
        changes = facts.get(*keys)
        if not facts.has_knowledge():
            # How fast facts change matters only where facts are served (decide.md: ask only
            # what the path needs).
            self.steps.append(facts.step(STEP_1, question, "no knowledge layer needed: no "
                                                           "knowledge gap, citations, per-user "
                                                           "access or knowledge corpus", keys))
        elif changes is not None and faster_or_as_fast(changes, "quarterly"):
            self.knowledge = self._retrieve()
            self.route.append(chart.KNOWLEDGE_RAG)
            self.steps.append(facts.step(
                STEP_1, question, f"yes: knowledge.changes is {changes}: the knowledge layer is "
                                  "RAG; only behaviour continues, to gate 2", keys))
        elif changes is not None:
            self.steps.append(facts.step(STEP_1, question, f"no: knowledge.changes is {changes}",
                                         keys))
        elif facts.has_knowledge():
            self.changes_unknown = True
            self.steps.append(facts.step(STEP_1, question, "not declared: declare "
                                                           "knowledge.changes (how often the "
                                                           "facts change)", keys, unknown=True))
        else:
            self.steps.append(facts.step(STEP_1, question, "no knowledge is declared", keys))

    def _undecided(self, answer: str, keys: Keys) -> str:
        self.steps.append(self.facts.step(STEP_2, "Gate 2: reference or deep (knowledge.depth, "
                                                  "and the gaps)?", answer, keys, unknown=True))
        self.route.append(chart.MISSING)
        return UNDECIDED

    def gate2(self) -> Optional[str]:
        """Reference ends here; a deep need (or deep knowledge) continues to gate 3."""
        facts = self.facts
        self.route.append(chart.GATE_2)
        question = "Gate 2: reference or deep (knowledge.depth, and the gaps)?"
        gaps = facts.gaps()
        deep_needs = [g for g in gaps if g in ("reasoning", "behavior")]
        queries = self.limits["min_baseline_queries"]
        no_gaps = (f"gaps are not declared, and a reasoning or behaviour need would continue "
                   f"to gate 3: run at least {queries} real queries against the unmodified "
                   "model and declare gaps")
        if not gaps:
            # Whether a reasoning or behaviour need goes on to gate 3 is the gaps' to say: no
            # declared gaps is not "no need".
            said = ("unknown: no knowledge and no gaps are declared; " if self.knowledge is None
                    and not facts.has_knowledge() else "unknown: ")
            return self._undecided(said + no_gaps, ("gaps",))
        parts: List[str] = []
        keys: Optional[Keys] = None
        if self.knowledge is not None:
            gate = "gate 0, long context" if self.knowledge == PROMPT else "gate 1, RAG"
            parts.append(f"the knowledge layer is already placed ({gate})")
        elif facts.has_knowledge():
            depth = facts.get("knowledge", "depth")
            if depth == "deep" and self.changes_unknown and not deep_needs:
                # Deep knowledge goes on to gate 3 only if it does not change fast (gate 1).
                return self._undecided(
                    "unknown: knowledge.depth is deep, but whether the knowledge changes "
                    "quarterly or faster (then it is retrieved, not trained in) is not "
                    "declared: declare knowledge.changes", ("knowledge", "changes"))
            if depth == "deep":
                self.deep_knowledge = True
                parts.append("knowledge.depth is deep: it continues to gate 3 (fine-tuned "
                             "or not, the knowledge keeps its layer)")
                keys = ("knowledge", "depth")
            elif depth == "reference":
                self.knowledge = self._retrieve()
                parts.append("knowledge.depth is reference: reference ends at RAG")
                keys = ("knowledge", "depth")
            elif deep_needs:
                # Looked up or internalised, the knowledge is not fine-tuned unless the
                # behaviour is, and keeps its layer either way: its depth cannot change the
                # verdict, so it is not asked (decide.md: ask only what the path needs).
                self.depth_unknown = True
            elif not gaps:
                return self._undecided(no_gaps + " (and knowledge.depth)", ("gaps",))
            else:
                return self._undecided(
                    "unknown: knowledge.depth is not declared; reference knowledge ends at RAG, "
                    "deep knowledge continues to gate 3: declare knowledge.depth",
                    ("knowledge", "depth"))
        if deep_needs:
            parts.append(" and ".join(f"the {g} gap" for g in deep_needs)
                         + (" count" if len(deep_needs) > 1 else " counts")
                         + " as deep: continues to gate 3")
            keys = keys or ("gaps", gaps.index(deep_needs[0]))
        elif gaps:
            parts.append("no reasoning or behaviour need in gaps")
            keys = keys or ("gaps",)

        if not deep_needs and not self.deep_knowledge:
            if not gaps:
                if self.knowledge is None:
                    return self._undecided("unknown: no knowledge and no gaps are declared; "
                                           + no_gaps + " (and knowledge.depth)", ("gaps",))
                return self._undecided("unknown: " + "; ".join(parts) + "; but " + no_gaps,
                                       ("gaps",))
            verdict = self.finish(fine_tuned=False)
            self.steps.append(facts.step(STEP_2, question,
                                         "; ".join(parts) + f" -> ends at {verdict}", keys))
            self.route.append(chart.REFERENCE if verdict != UNDECIDED else chart.MISSING)
            return verdict
        self.steps.append(facts.step(STEP_2, question, "; ".join(parts), keys))
        return None

    def gate3(self) -> Optional[str]:
        facts, limits = self.facts, self.limits
        self.route.append(chart.GATE_3)
        # A prompt that reaches the bar has not plateaued (decide.md): asked first, since then
        # the size of the data cannot change the verdict, and is not asked.
        reached, target_step = reaches_bar(facts, STEP_3_TARGET, "Gate 3: does the prompt "
                                                                 "already reach "
                                                                 "eval.target_score?")
        if reached and target_step is not None:
            self.steps.append(target_step)
            verdict = self.finish(fine_tuned=False)
            self.steps.append(facts.step(
                STEP_3, "Gate 3: result", f"fine-tuning is not needed: the prompt already "
                                          f"reaches the target -> {verdict}"))
            self.route.append(chart.BLOCKED)
            return verdict
        data_ok, data_step = training_ready(
            facts, limits, STEP_3_TRAINING, f"Gate 3: are there at least "
                                            f"{limits['min_training_examples']} training "
                                            "examples?")
        eval_ok, eval_step = eval_ready(
            facts, limits, STEP_3_EVAL, f"Gate 3: is there a labelled eval of at least "
                                        f"{limits['min_eval_examples']} examples?")
        self.steps.extend((data_step, eval_step))
        if target_step is not None and reached is False:
            self.steps.append(target_step)
        elif target_step is not None:
            # Without a target, whether prompting plateaued is unknown (decide.md): the gates
            # go on by their own rule, and the step says which key would tell where a later
            # gate calls for a fine-tune (``finish``).
            self.no_target = (len(self.steps), target_step)
        if data_ok is False or eval_ok is False:
            verdict = self.finish(fine_tuned=False)
            self.steps.append(facts.step(
                STEP_3, "Gate 3: result", f"fine-tuning is blocked by data -> {verdict} "
                                          "(RAG where there is knowledge to retrieve, else "
                                          "prompt)"))
            self.route.append(chart.BLOCKED)
            return verdict
        if data_ok is None or eval_ok is None:
            # Unknown, so left out of the path (``settle``) where every size of the data
            # leads to the same verdict.
            missing = (("fine_tune", "training_examples") if data_ok is None
                       else ("eval", "examples"))
            self.steps.append(facts.step(STEP_3, "Gate 3: result", "undecided: the size of the "
                                                                   "data is not known (see "
                                                                   "above)", missing,
                                         unknown=True))
            self.route.append(chart.MISSING)
            return UNDECIDED
        return None

    def gate4(self) -> bool:
        facts = self.facts
        self.route.append(chart.GATE_4)
        question = "Gate 4: is the output format-specific (format in fine_tune.goals)?"
        keys = facts.goal_keys("format")
        if keys is not None:
            self.steps.append(facts.step(STEP_4, question, "yes: fine_tune.goals has format: "
                                                           "fine-tune the behaviour layer", keys))
            self.route.append(chart.FORMAT_FINE_TUNE)
            return True
        self.steps.append(facts.step(STEP_4, question, "no: format is not in fine_tune.goals",
                                     ("fine_tune", "goals")))
        return False

    def gate5(self) -> str:
        self.route.append(chart.GATE_5)
        least = self.limits["min_requests_per_month"]
        enough, step = enough_volume(self.facts, self.limits, STEP_5,
                                     "Gate 5: do budget and volume justify a fine-tune (at "
                                     f"least {least} requests per month)?")
        self.steps.append(step)
        if enough:
            self.route.append(chart.VOLUME_FINE_TUNE)
            return self.finish(fine_tuned=True)
        self.route.append(chart.RAG_PROMPTS)
        return self.finish(fine_tuned=False)
