"""The three decision frameworks of ``ragft-lint decide``, as pure functions of declared facts.

Each framework walks the same facts of one system and returns its verdict (``prompt``, ``rag``,
``fine-tune``, ``hybrid``, or ``undecided`` when a fact it needs is missing) together with every
step it took: the question, the answer, and the key that answered it with where it was declared.
The frameworks are kept apart on purpose: where they disagree, the disagreement is the finding.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from . import thresholds as thresholds_module
from .declaration.model import Declaration, System
from .declaration.schema import FREQUENCIES
from .findings import Location

PROMPT = "prompt"
RAG = "rag"
FINE_TUNE = "fine-tune"
HYBRID = "hybrid"
UNDECIDED = "undecided"
VERDICTS = (PROMPT, RAG, FINE_TUNE, HYBRID, UNDECIDED)

FAILURE_MODE = "failure_mode"
GATES = "gates"
CHECKLIST = "checklist"
TITLES = {FAILURE_MODE: "failure-mode tree", GATES: "five gates", CHECKLIST: "checklist"}

# The checklist's "hundreds or more labelled examples" is a fixed line of the published
# checklist, not one of the overridable thresholds of rules.md.
LABELLED_EXAMPLES_SIGN = 200

# The nodes of the five-gates chart, in the order a walk can visit them; a gates result's
# ``route`` is a sequence of these ids, and the mermaid output draws exactly these nodes.
GATE_NODES = (
    "start", "g0", "k_prompt", "g1", "k_rag", "g2", "lookup", "g3", "blocked", "g4",
    "ft_format", "g5", "ft_volume", "rag_prompts", "undecided", "verdict",
)

# A measured fact is located at the declared key that pointed to its evidence.
_MEASURED_FROM: Dict[Tuple[str, ...], Tuple[str, ...]] = {
    ("eval", "examples"): ("eval", "path"),
    ("fine_tune", "training_examples"): ("fine_tune", "training_data"),
    ("rag", "retrieval_eval", "examples"): ("rag", "retrieval_eval", "path"),
    ("knowledge", "changes"): ("knowledge", "sources"),
}

Keys = Tuple[Any, ...]
Measured = Mapping[Tuple[str, ...], Any]


class Step(NamedTuple):
    """One question a framework asked, its answer, and the fact that answered it.

    ``key`` is the dotted key of that fact (``systems.bot.knowledge.changes``), also when the
    fact is missing, so the reader knows what to declare; ``location`` is where it was
    declared, and None when it was not. ``counted`` is set for checklist signs only;
    ``unknown`` marks a step answered without a fact it asked for: declaring or measuring that
    fact could change the verdict.
    """

    question: str
    answer: str
    key: Optional[str] = None
    location: Optional[Location] = None
    counted: Optional[bool] = None
    unknown: bool = False


class FrameworkResult(NamedTuple):
    """One framework's verdict on one system and the path it took to reach it.

    ``route`` (five gates only) is the chart nodes visited, from ``start`` to ``verdict``; the
    sign counts are set for the checklist only.
    """

    name: str
    verdict: str
    steps: Tuple[Step, ...]
    route: Tuple[str, ...] = ()
    fine_tune_signs: Optional[int] = None
    rag_signs: Optional[int] = None
    both_signs: Optional[int] = None

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)


class Decision(NamedTuple):
    """The three frameworks' verdicts on one system, beside the architecture it declares."""

    system: str
    declared: str
    failure_mode: FrameworkResult
    gates: FrameworkResult
    checklist: FrameworkResult

    @property
    def frameworks(self) -> Tuple[FrameworkResult, FrameworkResult, FrameworkResult]:
        return (self.failure_mode, self.gates, self.checklist)

    @property
    def consensus(self) -> str:
        """The verdict at least two frameworks share (``undecided`` included), else ``split``."""
        verdict, count = Counter(f.verdict for f in self.frameworks).most_common(1)[0]
        return verdict if count >= 2 else "split"

    @property
    def agreeing(self) -> Tuple[FrameworkResult, ...]:
        """The frameworks whose verdict is the declared architecture."""
        return tuple(f for f in self.frameworks if f.verdict == self.declared)

    @property
    def agreement(self) -> str:
        """``all``, ``some`` or ``none`` of the three verdicts match the declared architecture."""
        count = len(self.agreeing)
        return "all" if count == 3 else "none" if count == 0 else "some"

    @property
    def missing(self) -> Tuple[str, ...]:
        """The keys of the facts some framework needed and did not find, each once."""
        keys: Dict[str, None] = {}
        for result in self.frameworks:
            for step in result.steps:
                if step.unknown and step.key is not None:
                    keys[step.key] = None
        return tuple(keys)

    @property
    def reached(self) -> bool:
        """Whether at least one framework reached a verdict."""
        return any(f.verdict != UNDECIDED for f in self.frameworks)

    # A decision shows itself: as decide's text tree when printed, and as HTML (the verdicts
    # and the five-gates chart) in a notebook. The renderers are imported only when asked for.

    def __str__(self) -> str:
        from .output import decision_text

        return decision_text.render_one(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from .output import html

        return html.decision(self)


class Decisions(Dict[str, Decision]):
    """The decision for every system, keyed by system name in declaration order.

    A plain dict that prints as ``decide``'s text output and renders as HTML in a notebook.
    """

    def __str__(self) -> str:
        from .output import decision_text

        return decision_text.render(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from .output import html

        return html.decisions(self)


def decide(declaration: Declaration,
           measured: Optional[Mapping[str, Measured]] = None) -> Decisions:
    """The decision for every system of a declaration, in declaration order.

    ``measured`` maps a system name to measured facts (key path -> value, e.g.
    ``("eval", "examples"): 180``) that take precedence over the declared ones.
    """
    limits = thresholds_module.resolve(declaration.settings.thresholds)
    return Decisions(
        (name, decide_system(system, limits, (measured or {}).get(name)))
        for name, system in declaration.systems.items()
    )


def decide_system(system: System, thresholds: Mapping[str, Any],
                  measured: Optional[Measured] = None) -> Decision:
    """Walk the three frameworks over one system's facts."""
    facts = _Facts(system, measured)
    return Decision(
        system=system.name,
        declared=system.architecture,
        failure_mode=_failure_mode(facts, thresholds),
        gates=_five_gates(facts, thresholds),
        checklist=_checklist(facts, thresholds),
    )


def disagreement(system: System, thresholds: Mapping[str, Any],
                 measured: Optional[Measured] = None) -> Optional[Decision]:
    """The decision on a system when no framework reaches its declared architecture, else None.

    What DE001 asks, answered cheaply enough for thousands of systems: the walk stops at the
    first framework that agrees, and the steps explain nothing (no question, answer or
    location; a key only where a fact is missing), which is all ``missing`` needs.
    """
    facts = _Facts(system, measured, explain=False)
    declared = system.architecture
    failure_mode = _failure_mode(facts, thresholds)
    if failure_mode.verdict == declared:
        return None
    gates = _five_gates(facts, thresholds)
    if gates.verdict == declared:
        return None
    checklist = _checklist(facts, thresholds)
    if checklist.verdict == declared:
        return None
    return Decision(system.name, declared, failure_mode, gates, checklist)


def failure_mode_tree(system: System, thresholds: Mapping[str, Any],
                      measured: Optional[Measured] = None) -> FrameworkResult:
    """Framework 1: from what the unmodified model got wrong to the layers that fix it."""
    return _failure_mode(_Facts(system, measured), thresholds)


def five_gates(system: System, thresholds: Mapping[str, Any],
               measured: Optional[Measured] = None) -> FrameworkResult:
    """Framework 2: gates 0 to 5, from "does it fit in the context" to budget and volume."""
    return _five_gates(_Facts(system, measured), thresholds)


def checklist(system: System, thresholds: Mapping[str, Any],
              measured: Optional[Measured] = None) -> FrameworkResult:
    """Framework 3: count the signs for fine-tuning, for RAG, and for both."""
    return _checklist(_Facts(system, measured), thresholds)


# -- facts -------------------------------------------------------------------------------------


class _Facts:
    """One system's facts, measured first and declared second, and steps located at them."""

    def __init__(self, system: System, measured: Optional[Measured],
                 explain: bool = True) -> None:
        self.system = system
        self.measured: Measured = measured or {}
        self.explain = explain
        # The frameworks ask for the same few facts many times over; facts do not change
        # during a decision, so each is looked up once.
        self._seen: Dict[Keys, Any] = {}
        self._gaps: Optional[List[str]] = None
        self._goals: Optional[List[str]] = None

    def _lookup(self, keys: Keys) -> Any:
        if keys in self.measured:
            value = self.measured[keys]
        else:
            value = _walk(self.system.facts, keys, _MISSING)
        self._seen[keys] = value
        return value

    def get(self, *keys: Any) -> Any:
        value = self._seen.get(keys, _UNSEEN)
        if value is _UNSEEN:
            value = self._lookup(keys)
        return None if value is _MISSING else value

    def declared(self, *keys: Any) -> bool:
        value = self._seen.get(keys, _UNSEEN)
        if value is _UNSEEN:
            value = self._lookup(keys)
        return value is not _MISSING

    def items(self, *keys: Any) -> List[Any]:
        value = self.get(*keys)
        return list(value) if isinstance(value, list) else []

    def step(self, question: str, answer: str, keys: Optional[Keys] = None,
             counted: Optional[bool] = None, unknown: bool = False) -> Step:
        if not self.explain:  # only the keys of missing facts are still needed (``missing``)
            if not unknown:
                return _QUIET[counted]
            key = self.system.key(*keys) if keys is not None else None
            return Step("", "", key, None, counted, unknown)
        if keys is None:
            return Step(question, answer, None, None, counted, unknown)
        location = None
        if keys in self.measured:
            source = _MEASURED_FROM.get(keys, keys)
            location = self.system.where(*source)
        elif self.declared(*keys):
            location = self.system.where(*keys)
        return Step(question, answer, self.system.key(*keys), location, counted, unknown)

    # Facts several frameworks read in the same way.

    def gaps(self) -> List[str]:
        """The declared gaps as words (the same list each time: not to be changed)."""
        if self._gaps is None:
            self._gaps = [str(g) for g in self.items("gaps")]
        return self._gaps

    def goals(self) -> List[str]:
        """The fine-tune goals as words (the same list each time: not to be changed)."""
        if self._goals is None:
            self._goals = [str(g) for g in self.items("fine_tune", "goals")]
        return self._goals

    def goal_keys(self, *names: str) -> Optional[Keys]:
        """The key of the first goal among ``names``, or None when none of them is a goal."""
        goals = self.goals()
        for index, goal in enumerate(goals):
            if goal in names:
                return ("fine_tune", "goals", index)
        return None

    def gap_keys(self, name: str) -> Optional[Keys]:
        gaps = self.gaps()
        return ("gaps", gaps.index(name)) if name in gaps else None

    def has_eval(self) -> bool:
        return self.declared("eval", "path") or self.declared("eval", "examples")

    def has_corpus(self) -> bool:
        sources = self.items("knowledge", "sources")
        return self.declared("knowledge", "corpus_tokens") or bool(sources)

    def has_knowledge(self) -> bool:
        """Whether the system serves knowledge: a knowledge gap, a corpus, or document needs."""
        return (
            "knowledge" in self.gaps()
            or self.has_corpus()
            or self.get("knowledge", "citations") is True
            or self.get("knowledge", "per_user_access") is True
            or self.declared("knowledge", "depth")
        )


_MISSING = object()
_UNSEEN = object()

# The steps of a walk that explains nothing, by ``counted``: one object each, shared.
_QUIET = {flag: Step("", "", None, None, flag) for flag in (None, True, False)}


def _walk(node: Any, keys: Sequence[Any], default: Any = None) -> Any:
    for key in keys:
        if isinstance(node, dict):
            if key not in node:
                return default
        elif not (isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)):
            return default
        node = node[key]
    return node


def _faster_or_as_fast(frequency: str, than: str) -> bool:
    """True when ``frequency`` is ``than`` or faster (realtime is the fastest)."""
    return FREQUENCIES.index(frequency) <= FREQUENCIES.index(than)


def _num(value: Any) -> str:
    """A number as a person writes it: 64000, not 64000.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- conditions shared by the failure-mode tree and the gates --------------------------------


def _eval_ready(facts: _Facts, limits: Mapping[str, Any],
                question: str) -> Tuple[Optional[bool], Step]:
    """A labelled eval of at least ``min_eval_examples``: True, False, or None when unknown."""
    least = limits["min_eval_examples"]
    if not facts.has_eval():
        keys: Keys = ("eval",) if facts.declared("eval") else ("eval", "examples")
        return False, facts.step(question, "no: no eval set is declared (eval.path or "
                                           "eval.examples)", keys)
    if facts.get("eval", "labeled") is False:
        return False, facts.step(question, "no: eval.labeled is false; a fine-tune needs "
                                           "human-labelled expected outputs", ("eval", "labeled"))
    count = facts.get("eval", "examples")
    if count is None:
        return None, facts.step(question, "unknown: eval.path is declared but not its size; "
                                          "declare eval.examples (or count it with evidence on)",
                                ("eval", "examples"), unknown=True)
    if count < least:
        return False, facts.step(question, f"no: eval.examples is {count}, fewer than "
                                           f"min_eval_examples ({least})", ("eval", "examples"))
    return True, facts.step(question, f"yes: eval.examples is {count}, at least "
                                      f"min_eval_examples ({least})", ("eval", "examples"))


def _training_ready(facts: _Facts, limits: Mapping[str, Any],
                    question: str) -> Tuple[Optional[bool], Step]:
    """At least ``min_training_examples`` training examples: True, False, or None (unknown)."""
    least = limits["min_training_examples"]
    count = facts.get("fine_tune", "training_examples")
    if count is None:
        if facts.declared("fine_tune", "training_data"):
            return None, facts.step(
                question, "unknown: fine_tune.training_data is declared but not its size; "
                          "declare fine_tune.training_examples (or count it with evidence on)",
                ("fine_tune", "training_examples"), unknown=True)
        return False, facts.step(question, "no: no training data is declared "
                                           "(fine_tune.training_data or training_examples)",
                                 ("fine_tune", "training_examples"))
    if count < least:
        return False, facts.step(question, f"no: fine_tune.training_examples is {count}, fewer "
                                           f"than min_training_examples ({least})",
                                 ("fine_tune", "training_examples"))
    return True, facts.step(question, f"yes: fine_tune.training_examples is {count}, at least "
                                      f"min_training_examples ({least})",
                            ("fine_tune", "training_examples"))


def _volume(facts: _Facts, limits: Mapping[str, Any], question: str) -> Tuple[bool, Step]:
    """At least ``min_requests_per_month`` requests; an undeclared volume justifies nothing."""
    least = limits["min_requests_per_month"]
    count = facts.get("fine_tune", "requests_per_month")
    keys = ("fine_tune", "requests_per_month")
    if count is None:
        # As FT006 reads it: a fine-tune has to be justified by a volume someone measured.
        return False, facts.step(question, "no: fine_tune.requests_per_month is not declared; "
                                           "a behaviour fine-tune pays back only at volume, so "
                                           "measure it", keys, unknown=True)
    if count < least:
        return False, facts.step(question, f"no: fine_tune.requests_per_month is {count}, fewer "
                                           f"than min_requests_per_month ({least})", keys)
    return True, facts.step(question, f"yes: fine_tune.requests_per_month is {count}, at least "
                                      f"min_requests_per_month ({least})", keys)


def _combine(knowledge: Optional[str], behaviour: Optional[str]) -> str:
    """The verdict of a knowledge layer (rag, prompt or none) and a behaviour layer."""
    if behaviour == UNDECIDED:
        return UNDECIDED
    if behaviour == FINE_TUNE:
        return HYBRID if knowledge == RAG else FINE_TUNE
    return RAG if knowledge == RAG else PROMPT


# -- 1. the failure-mode tree ------------------------------------------------------------------


def _failure_mode(facts: _Facts, limits: Mapping[str, Any]) -> FrameworkResult:
    steps: List[Step] = []
    gaps = facts.gaps()
    question = "What did the unmodified model get wrong (gaps)?"
    if not gaps:
        steps.append(facts.step(
            question,
            f"nothing declared: run at least {limits['min_baseline_queries']} real queries "
            "(min_baseline_queries) against the unmodified model and name the failure mode "
            "(knowledge, reasoning or behavior) in gaps",
            ("gaps",), unknown=True))
        return FrameworkResult(FAILURE_MODE, UNDECIDED, tuple(steps))
    steps.append(facts.step(question, ", ".join(gaps) + _baseline_note(facts, limits), ("gaps",)))

    knowledge: Optional[str] = None
    if "knowledge" in gaps:
        knowledge = RAG
        steps.extend(_knowledge_layer(facts, limits))

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

    verdict = _combine(knowledge, behaviour)
    parts = []
    if knowledge:
        parts.append("knowledge by RAG")
    if behaviour:
        parts.append(f"behaviour by {behaviour}" if behaviour != UNDECIDED
                     else "behaviour undecided")
    steps.append(facts.step("Combining the layers", f"{' + '.join(parts)} -> {verdict}"))
    return FrameworkResult(FAILURE_MODE, verdict, tuple(steps))


def _baseline_note(facts: _Facts, limits: Mapping[str, Any]) -> str:
    queries = facts.get("baseline_queries")
    if queries is None:
        return " (baseline_queries not declared)"
    least = limits["min_baseline_queries"]
    if queries < least:
        return (f" (from {queries} baseline queries, fewer than min_baseline_queries ({least}): "
                "the diagnosis may not be representative)")
    return f" (from {queries} baseline queries)"


def _knowledge_layer(facts: _Facts, limits: Mapping[str, Any]) -> List[Step]:
    reranker = facts.get("rag", "reranker")
    answer = ("retrieval: the knowledge layer is RAG with a reranker (retrieve about 20 "
              "candidates, rerank, keep the best 5)")
    if reranker:
        answer += f"; rag.reranker is {reranker}"
    else:
        answer += "; no rag.reranker is declared yet"
    gap_index = facts.gaps().index("knowledge")
    steps = [facts.step("Knowledge gap: what closes it?", answer, ("gaps", gap_index))]
    least = limits["min_precision_at_5"]
    question = f"Is retrieval precise enough (precision@5 of at least {_num(least)})?"
    keys = ("rag", "retrieval_eval", "precision_at_5")
    precision = facts.get(*keys)
    if precision is None:
        steps.append(facts.step(question, "not measured: measure precision@5 on a labelled "
                                          "retrieval eval (rag.retrieval_eval)", keys))
    elif precision < least:
        steps.append(facts.step(
            question, f"no: precision@5 is {_num(precision)}, below min_precision_at_5 "
                      f"({_num(least)}): fix retrieval (chunking, embeddings, reranking) before "
                      "anything else", keys))
    else:
        steps.append(facts.step(question, f"yes: precision@5 is {_num(precision)}, at least "
                                          f"min_precision_at_5 ({_num(least)})", keys))
    return steps


def _reasoning_layer(facts: _Facts, limits: Mapping[str, Any], steps: List[Step]) -> str:
    eval_ok, eval_step = _eval_ready(
        facts, limits, f"Reasoning gap: is there a labelled eval of at least "
                       f"{limits['min_eval_examples']} examples?")
    stable, stable_step = _conventions_stable(facts)
    data_ok, data_step = _training_ready(
        facts, limits, f"Reasoning gap: are there at least {limits['min_training_examples']} "
                       "training examples?")
    steps.extend((eval_step, stable_step, data_step))
    conditions = (("a labelled eval", eval_ok), ("stable conventions", stable),
                  ("enough training data", data_ok))
    failed = [name for name, ok in conditions if ok is False]
    unknown = [name for name, ok in conditions if ok is None]
    question = "Reasoning gap: which layer?"
    if failed:
        steps.append(facts.step(question, "prompt: a fine-tune needs " + " and ".join(failed)
                                + "; keep reasoning in the prompt (instructions and worked "
                                  "examples)"))
        return PROMPT
    if unknown:
        steps.append(facts.step(question, "undecided: " + " and ".join(unknown)
                                + " not known; measure them (see above)"))
        return UNDECIDED
    steps.append(facts.step(question, "fine-tune: labelled eval, stable conventions and enough "
                                      "training data all hold"))
    return FINE_TUNE


def _conventions_stable(facts: _Facts) -> Tuple[Optional[bool], Step]:
    question = "Reasoning gap: are the conventions stable (knowledge changes yearly or slower)?"
    changes = facts.get("knowledge", "changes")
    keys = ("knowledge", "changes")
    if changes is None:
        return True, facts.step(question, "yes: knowledge.changes is not declared, taken as "
                                          "stable", keys)
    if changes in ("yearly", "static"):
        return True, facts.step(question, f"yes: knowledge.changes is {changes}", keys)
    return False, facts.step(question, f"no: knowledge.changes is {changes}; trained-in "
                                       "conventions would need retraining at that pace", keys)


def _behaviour_layer(facts: _Facts, limits: Mapping[str, Any], steps: List[Step]) -> str:
    least = limits["min_few_shot_examples"]
    question = (f"Behaviour gap: was prompting tried (at least {least} few-shot examples and a "
                "baseline score)?")
    few = facts.get("prompt", "few_shot_examples")
    score = facts.get("prompt", "baseline_score")
    tried = False
    if few is None:
        step = facts.step(question, "no: prompt.few_shot_examples is not declared",
                          ("prompt", "few_shot_examples"))
    elif few < least:
        step = facts.step(question, f"no: prompt.few_shot_examples is {few}, fewer than "
                                    f"min_few_shot_examples ({least})",
                          ("prompt", "few_shot_examples"))
    elif score is None:
        step = facts.step(question, f"no: {few} few-shot examples, but prompt.baseline_score "
                                    "is not declared; score the prompted model on the eval set",
                          ("prompt", "baseline_score"))
    else:
        tried = True
        step = facts.step(question, f"yes: {few} few-shot examples, baseline score "
                                    f"{_num(score)}", ("prompt", "few_shot_examples"))
    steps.append(step)
    conclusion = "Behaviour gap: which layer?"
    if not tried:
        steps.append(facts.step(conclusion, f"prompt: a system prompt with {least} or more "
                                            "examples first; fine-tune only once that "
                                            "measurably falls short"))
        return PROMPT
    enough, volume_step = _volume(
        facts, limits, f"Behaviour gap: does the volume justify a fine-tune (at least "
                       f"{limits['min_requests_per_month']} requests per month)?")
    steps.append(volume_step)
    if not enough:
        steps.append(facts.step(conclusion, "prompt: at this volume a fine-tune's upkeep costs "
                                            "more than it saves"))
        return PROMPT
    steps.append(facts.step(conclusion, "fine-tune: prompting plateaued and the volume pays "
                                        "for it"))
    return FINE_TUNE


# -- 2. the five gates -------------------------------------------------------------------------


def _five_gates(facts: _Facts, limits: Mapping[str, Any]) -> FrameworkResult:
    walk = _GateWalk(facts, limits)
    verdict = walk.run()
    walk.route.append("verdict")
    return FrameworkResult(GATES, verdict, tuple(walk.steps), tuple(walk.route))


class _GateWalk:
    """The gates in order; ``knowledge`` is where the knowledge layer has been placed so far."""

    def __init__(self, facts: _Facts, limits: Mapping[str, Any]) -> None:
        self.facts = facts
        self.limits = limits
        self.steps: List[Step] = []
        self.route: List[str] = ["start"]
        self.knowledge: Optional[str] = None  # PROMPT (long context) or RAG once placed
        self.deep_knowledge = False  # knowledge to be internalised, still open after gate 2

    def run(self) -> str:
        self.route.append("g0")
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

    def finish(self, fine_tuned: bool) -> str:
        if fine_tuned:
            # Deep knowledge that does not change goes into the fine-tune with the behaviour.
            return _combine(self.knowledge, FINE_TUNE)
        return _combine(RAG if self.deep_knowledge else self.knowledge, PROMPT)

    def gate0(self) -> None:
        facts, ratio = self.facts, self.limits["context_fit_ratio"]
        question = (f"Gate 0: does the knowledge fit in the context (knowledge.corpus_tokens at "
                    f"most {_num(ratio)} x prompt.context_window_tokens)?")
        corpus = facts.get("knowledge", "corpus_tokens")
        window = facts.get("prompt", "context_window_tokens")
        if corpus is not None and window is not None:
            room = ratio * window
            if corpus <= room:
                self.knowledge = PROMPT
                self.route.append("k_prompt")
                self.steps.append(facts.step(
                    question, f"yes: {corpus} tokens, within {_num(ratio)} x {window} = "
                              f"{_num(room)}: the knowledge layer is prompt (long context with "
                              "caching); only behaviour continues, to gate 2",
                    ("knowledge", "corpus_tokens")))
                return
            self.steps.append(facts.step(
                question, f"no: {corpus} tokens, more than {_num(ratio)} x {window} = "
                          f"{_num(room)}", ("knowledge", "corpus_tokens")))
        elif not facts.has_knowledge():
            self.steps.append(facts.step(question, "no knowledge corpus is declared",
                                         ("knowledge", "corpus_tokens")))
        else:
            missing = [keys for keys, value in ((("knowledge", "corpus_tokens"), corpus),
                                                (("prompt", "context_window_tokens"), window))
                       if value is None]
            names = " and ".join(".".join(keys) for keys in missing)
            self.steps.append(facts.step(
                question, f"unknown: declare {names}; a corpus that fits needs no retrieval "
                          "pipeline, so this gate is passed by for now", missing[0],
                unknown=True))

    def gate1(self) -> None:
        facts = self.facts
        self.route.append("g1")
        question = "Gate 1: does the knowledge change quarterly or faster (knowledge.changes)?"
        keys = ("knowledge", "changes")
        changes = facts.get(*keys)
        if changes is not None and _faster_or_as_fast(changes, "quarterly"):
            self.knowledge = RAG
            self.route.append("k_rag")
            self.steps.append(facts.step(
                question, f"yes: knowledge.changes is {changes}: the knowledge layer is RAG; "
                          "only behaviour continues, to gate 2", keys))
        elif changes is not None:
            self.steps.append(facts.step(question, f"no: knowledge.changes is {changes}", keys))
        elif facts.has_knowledge():
            self.steps.append(facts.step(question, "not declared: declare knowledge.changes "
                                                   "(how often the facts change)", keys,
                                         unknown=True))
        else:
            self.steps.append(facts.step(question, "no knowledge is declared", keys))

    def gate2(self) -> Optional[str]:
        """Reference ends here; a deep need (or deep knowledge) continues to gate 3."""
        facts = self.facts
        self.route.append("g2")
        question = "Gate 2: reference or deep (knowledge.depth, and the gaps)?"
        gaps = facts.gaps()
        deep_needs = [g for g in gaps if g in ("reasoning", "behavior")]
        parts: List[str] = []
        keys: Optional[Keys] = None
        if self.knowledge is not None:
            gate = "gate 0, long context" if self.knowledge == PROMPT else "gate 1, RAG"
            parts.append(f"the knowledge layer is already placed ({gate})")
        elif facts.has_knowledge():
            depth = facts.get("knowledge", "depth")
            if depth == "deep":
                self.deep_knowledge = True
                parts.append("knowledge.depth is deep: the knowledge would have to be "
                             "internalised, so it continues to gate 3")
                keys = ("knowledge", "depth")
            else:
                self.knowledge = RAG
                said = "knowledge.depth is reference" if depth else "knowledge to look up"
                parts.append(f"{said}: reference ends at RAG")
                keys = ("knowledge", "depth") if depth else keys
        if deep_needs:
            parts.append(" and ".join(f"the {g} gap" for g in deep_needs)
                         + " counts as deep: continues to gate 3")
            keys = keys or ("gaps", gaps.index(deep_needs[0]))
        elif gaps:
            parts.append("no reasoning or behaviour need in gaps")
            keys = keys or ("gaps",)

        if not deep_needs and not self.deep_knowledge:
            if self.knowledge is None:
                self.steps.append(facts.step(
                    question, "unknown: no knowledge and no gaps are declared; run at least "
                              f"{self.limits['min_baseline_queries']} real queries against the "
                              "unmodified model and declare gaps (and knowledge.depth)",
                    ("gaps",), unknown=True))
                self.route.append("undecided")
                return UNDECIDED
            if not gaps:
                parts.append("no gaps declared, so no behaviour need is known")
                keys = keys or ("gaps",)
            verdict = self.finish(fine_tuned=False)
            self.steps.append(facts.step(question, "; ".join(parts) + f" -> ends at {verdict}",
                                         keys))
            self.route.append("lookup")
            return verdict
        self.steps.append(facts.step(question, "; ".join(parts), keys))
        return None

    def gate3(self) -> Optional[str]:
        facts, limits = self.facts, self.limits
        self.route.append("g3")
        data_ok, data_step = _training_ready(
            facts, limits, f"Gate 3: are there at least {limits['min_training_examples']} "
                           "training examples?")
        eval_ok, eval_step = _eval_ready(
            facts, limits, f"Gate 3: is there a labelled eval of at least "
                           f"{limits['min_eval_examples']} examples?")
        self.steps.extend((data_step, eval_step))
        if data_ok is False or eval_ok is False:
            verdict = self.finish(fine_tuned=False)
            self.steps.append(facts.step(
                "Gate 3: result", f"fine-tuning is blocked by data -> {verdict} "
                                  "(RAG where there is knowledge to retrieve, else prompt)"))
            self.route.append("blocked")
            return verdict
        if data_ok is None or eval_ok is None:
            self.steps.append(facts.step("Gate 3: result", "undecided: the size of the data "
                                                           "is not known (see above)"))
            self.route.append("undecided")
            return UNDECIDED
        return None

    def gate4(self) -> bool:
        facts = self.facts
        self.route.append("g4")
        question = "Gate 4: is the output format-specific (format in fine_tune.goals)?"
        keys = facts.goal_keys("format")
        if keys is not None:
            self.steps.append(facts.step(question, "yes: fine_tune.goals has format: fine-tune "
                                                   "the behaviour layer", keys))
            self.route.append("ft_format")
            return True
        self.steps.append(facts.step(question, "no: format is not in fine_tune.goals",
                                     ("fine_tune", "goals")))
        return False

    def gate5(self) -> str:
        facts = self.facts
        self.route.append("g5")
        enough, step = _volume(facts, self.limits, "Gate 5: do budget and volume justify a "
                                                   "fine-tune (at least "
                                                   f"{self.limits['min_requests_per_month']} "
                                                   "requests per month)?")
        self.steps.append(step)
        if enough:
            self.route.append("ft_volume")
            return self.finish(fine_tuned=True)
        self.route.append("rag_prompts")
        return self.finish(fine_tuned=False)


# -- 3. the checklist --------------------------------------------------------------------------


def _checklist(facts: _Facts, limits: Mapping[str, Any]) -> FrameworkResult:
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
    return FrameworkResult(CHECKLIST, verdict, tuple(fine_tune + rag + both),
                           fine_tune_signs=ft_count, rag_signs=rag_count, both_signs=both_count)


def _sign(facts: _Facts, side: str, name: str, counted: bool, why: str,
          keys: Optional[Keys]) -> Step:
    return facts.step(f"{side} sign: {name}?", ("yes: " if counted else "no: ") + why, keys,
                      counted=counted)


def _labelled_count(facts: _Facts) -> Optional[int]:
    """Training examples: declared or measured; 0 when no training data at all; None unknown."""
    count = facts.get("fine_tune", "training_examples")
    if count is not None:
        return int(count)
    return None if facts.declared("fine_tune", "training_data") else 0


def _fine_tune_signs(facts: _Facts, limits: Mapping[str, Any]) -> List[Step]:
    side = "fine-tune"
    gaps, goals = facts.gaps(), facts.goals()
    out: List[Step] = []

    keys = facts.goal_keys("style") or facts.gap_keys("behavior")
    if "style" in goals:
        why = "fine_tune.goals has style"
    elif "behavior" in gaps:
        why = "gaps has behavior"
    else:
        why = "no style goal and no behavior gap"
    out.append(_sign(facts, side, "a style or persona need", keys is not None, why,
                     keys or ("fine_tune", "goals")))

    keys = facts.goal_keys("format", "reasoning")
    why = (f"fine_tune.goals has {facts.get(*keys)}" if keys
           else "neither format nor reasoning in fine_tune.goals")
    out.append(_sign(facts, side, "a narrow task with a clear correct answer", keys is not None,
                     why, keys or ("fine_tune", "goals")))

    count = _labelled_count(facts)
    if count is None:
        counted, why = False, "the size of fine_tune.training_data is not known"
    else:
        counted = count >= LABELLED_EXAMPLES_SIGN
        why = f"{count} training examples, {'at least' if counted else 'fewer than'} " \
              f"{LABELLED_EXAMPLES_SIGN}"
    out.append(_sign(facts, side, f"hundreds or more labelled examples "
                                  f"({LABELLED_EXAMPLES_SIGN}+)",
                     counted, why, ("fine_tune", "training_examples")))

    keys = facts.goal_keys("latency")
    out.append(_sign(facts, side, "latency matters", keys is not None,
                     "fine_tune.goals has latency" if keys else "latency is not in "
                                                                "fine_tune.goals",
                     keys or ("fine_tune", "goals")))

    if not gaps:
        counted, why = False, "no gaps declared"
    elif "knowledge" in gaps:
        counted, why = False, "gaps has knowledge"
    else:
        counted, why = True, "gaps has " + ", ".join(gaps) + " and no knowledge"
    out.append(_sign(facts, side, "the need is behavioural, not factual", counted, why,
                     ("gaps",)))

    least = limits["min_few_shot_examples"]
    few = facts.get("prompt", "few_shot_examples")
    score = facts.get("prompt", "baseline_score")
    counted = few is not None and few >= least and score is not None
    if few is None:
        why = "prompt.few_shot_examples is not declared"
    elif few < least:
        why = f"prompt.few_shot_examples is {few}, fewer than min_few_shot_examples ({least})"
    elif score is None:
        why = f"{few} few-shot examples, but no prompt.baseline_score"
    else:
        why = f"{few} few-shot examples with a baseline score of {_num(score)}"
    out.append(_sign(facts, side, "prompting has plateaued", counted, why,
                     ("prompt", "few_shot_examples")))

    keys = facts.goal_keys("cost")
    out.append(_sign(facts, side, "token cost to cut", keys is not None,
                     "fine_tune.goals has cost" if keys else "cost is not in fine_tune.goals",
                     keys or ("fine_tune", "goals")))

    format_keys = facts.goal_keys("format")
    structured = facts.get("prompt", "structured_output") is True
    if format_keys is None:
        why = "format is not in fine_tune.goals"
    elif not structured:
        why = "format is a goal, but structured output was not tried (prompt.structured_output)"
    else:
        why = "format is a goal and structured output was tried"
    out.append(_sign(facts, side, "a complex output schema", format_keys is not None and
                     structured, why,
                     ("prompt", "structured_output") if format_keys else ("fine_tune", "goals")))
    return out


def _rag_signs(facts: _Facts) -> List[Step]:
    side = "RAG"
    out: List[Step] = []
    changes = facts.get("knowledge", "changes")
    changes_keys = ("knowledge", "changes")

    counted = changes is not None and _faster_or_as_fast(changes, "monthly")
    why = f"knowledge.changes is {changes}" if changes else "knowledge.changes is not declared"
    out.append(_sign(facts, side, "knowledge changes monthly or faster", counted, why,
                     changes_keys))

    citations = facts.get("knowledge", "citations") is True
    out.append(_sign(facts, side, "citations needed", citations,
                     "knowledge.citations is true" if citations
                     else "knowledge.citations is not true", ("knowledge", "citations")))

    count = _labelled_count(facts)
    corpus = facts.has_corpus()
    if count is None:
        counted, why = False, "the size of fine_tune.training_data is not known"
    elif count >= LABELLED_EXAMPLES_SIGN:
        counted, why = False, f"{count} training examples, at least {LABELLED_EXAMPLES_SIGN}"
    elif not corpus:
        counted, why = False, f"{count} training examples, but no corpus is declared " \
                              "(knowledge.corpus_tokens or knowledge.sources)"
    else:
        counted, why = True, f"{count} training examples, fewer than " \
                             f"{LABELLED_EXAMPLES_SIGN}, and a corpus is declared"
    out.append(_sign(facts, side, "too little labelled data but a corpus exists", counted, why,
                     ("fine_tune", "training_examples")))

    keys = facts.gap_keys("knowledge")
    out.append(_sign(facts, side, "factual accuracy is the need", keys is not None,
                     "gaps has knowledge" if keys else "no knowledge gap", keys or ("gaps",)))

    keys = (("knowledge", "sources") if facts.items("knowledge", "sources")
            else ("knowledge", "corpus_tokens"))
    out.append(_sign(facts, side, "private documents", corpus,
                     f"{'.'.join(keys)} is declared" if corpus
                     else "neither knowledge.sources nor knowledge.corpus_tokens is declared",
                     keys))

    counted = changes is not None and changes != "static"
    why = (f"knowledge.changes is {changes}" if changes
           else "knowledge.changes is not declared")
    out.append(_sign(facts, side, "updates without retraining", counted, why, changes_keys))

    size = facts.get("knowledge", "corpus_tokens")
    window = facts.get("prompt", "context_window_tokens")
    if size is None or window is None:
        counted = False
        why = "knowledge.corpus_tokens and prompt.context_window_tokens are not both declared"
    else:
        counted = size > window
        why = f"{size} corpus tokens, {'more than' if counted else 'within'} a {window}-token " \
              "context window"
    out.append(_sign(facts, side, "a long-tail corpus larger than the context window", counted,
                     why, ("knowledge", "corpus_tokens")))

    per_user = facts.get("knowledge", "per_user_access") is True
    out.append(_sign(facts, side, "per-user access", per_user,
                     "knowledge.per_user_access is true" if per_user
                     else "knowledge.per_user_access is not true",
                     ("knowledge", "per_user_access")))
    return out


def _both_signs(facts: _Facts) -> List[Step]:
    side = "both"
    out: List[Step] = []
    changes = facts.get("knowledge", "changes")
    fast = changes is not None and _faster_or_as_fast(changes, "quarterly")
    voice = facts.goal_keys("style", "format") or facts.gap_keys("behavior")
    if voice is None:
        why = "no style or format goal and no behavior gap"
    elif not fast:
        why = (f"a voice or format need, but knowledge.changes is {changes}" if changes
               else "a voice or format need, but knowledge.changes is not declared")
    else:
        why = f"a voice or format need, and knowledge.changes is {changes}"
    out.append(_sign(facts, side, "a voice or format need with knowledge that changes "
                                  "quarterly or faster", voice is not None and fast, why,
                     ("knowledge", "changes") if voice else ("fine_tune", "goals")))

    format_keys = facts.goal_keys("format")
    sources = bool(facts.items("knowledge", "sources"))
    if format_keys is None:
        why = "format is not in fine_tune.goals"
    elif not sources:
        why = "format is a goal, but no knowledge.sources are declared"
    else:
        why = "format is a goal and knowledge.sources are declared"
    out.append(_sign(facts, side, "a fine-tune for format with a live knowledge base",
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
    out.append(_sign(facts, side, "fine-tuning to shrink the prompt while documents are still "
                                  "injected per query", cost_keys is not None and retrieval,
                     why, ("architecture",) if cost_keys else ("fine_tune", "goals")))
    return out
