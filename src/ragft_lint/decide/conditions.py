"""What the three frameworks share: the walk over a system's facts, and the conditions that
more than one of them asks (a labelled eval, enough training data, enough volume)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..declaration.vocabulary import FREQUENCIES
from ..facts import Facts
from .model import FINE_TUNE, HYBRID, PROMPT, RAG, UNDECIDED, Step

Keys = Tuple[Any, ...]


class Walk:
    """One system's facts as the frameworks read them (``ragft_lint.facts``, measured over
    declared), and the steps they take, located where each fact came from.

    With ``explain`` false the steps say nothing (no question, answer or location; a key only
    where a fact is missing): all that DE001 needs, at a fraction of the cost.
    """

    def __init__(self, facts: Facts, explain: bool = True,
                 supposed: Optional[Mapping[Keys, Any]] = None) -> None:
        self.facts = facts
        self.system = facts.system
        self.explain = explain
        # ``supposed``: values taken for facts that are unknown, to see where each would lead
        # (``open_sets``); they are never shown as declared.
        self.supposed: Dict[Keys, Any] = dict(supposed or {})
        # The keys of the unknown facts the walk asked for, in the order it asked.
        self.unknowns: List[Keys] = []
        if self.supposed:
            self.get = self._supposed_get
            self.has = self._supposed_has
            self.items = self._supposed_items
        else:
            # The frameworks ask for facts at every turn: the view's own lookups, without a
            # detour.
            self.get = facts.get
            self.has = facts.has
            self.items = facts.items
        self._gaps: Optional[List[str]] = None
        self._goals: Optional[List[str]] = None

    def _supposed_get(self, *keys: Any) -> Any:
        return self.supposed[keys] if keys in self.supposed else self.facts.get(*keys)

    def _supposed_has(self, *keys: Any) -> bool:
        return keys in self.supposed or self.facts.has(*keys)

    def _supposed_items(self, *keys: Any) -> List[Any]:
        value = self._supposed_get(*keys)
        return list(value) if isinstance(value, list) else []

    def asked(self, keys: Keys) -> None:
        """Record that the walk needed the unknown fact at ``keys``."""
        if keys not in self.unknowns:
            self.unknowns.append(keys)

    def step(self, step_id: str, question: str, answer: str, keys: Optional[Keys] = None,
             counted: Optional[bool] = None, unknown: bool = False, ask: bool = True) -> Step:
        """A step of the walk; ``unknown`` with ``keys`` records the missing fact as asked
        (``unknowns``), unless ``ask`` is false: the caller asks it (the checklist's signs,
        whose facts ``checklist_score`` asks in its own order)."""
        if unknown and ask and keys is not None:
            self.asked(tuple(keys))
        if not self.explain:  # only the keys of missing facts are still needed (``missing``)
            if not unknown:
                quiet = _QUIET[counted].get(step_id)
                if quiet is None:
                    quiet = _QUIET[counted][step_id] = Step(step_id, "", "", None, None, counted)
                return quiet
            key = self.system.key(*keys) if keys is not None else None
            return Step(step_id, "", "", key, None, counted, unknown)
        if keys is None:
            return Step(step_id, question, answer, None, None, counted, unknown)
        return Step(step_id, question, answer, self.system.key(*keys), self.facts.where(*keys),
                    counted, unknown)

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
        for index, goal in enumerate(self.goals()):
            if goal in names:
                return ("fine_tune", "goals", index)
        return None

    def gap_keys(self, name: str) -> Optional[Keys]:
        gaps = self.gaps()
        return ("gaps", gaps.index(name)) if name in gaps else None

    def has_eval(self) -> bool:
        return self.has("eval", "path") or self.has("eval", "examples")

    def has_corpus(self) -> bool:
        return self.has("knowledge", "corpus_tokens") or bool(self.items("knowledge", "sources"))

    def declared_corpus(self) -> bool:
        """Whether a corpus is declared (or measured), whatever size the walk supposes."""
        return (self.facts.has("knowledge", "corpus_tokens")
                or bool(self.facts.items("knowledge", "sources")))

    def has_knowledge(self) -> bool:
        """Whether the system serves knowledge (``knowledge_need``): how deep the knowledge is
        or how fast it changes is asked only then (decide.md: ask only what the path needs)."""
        return self.knowledge_need()

    def fits(self, limits: Mapping[str, Any]) -> Optional[bool]:
        """Whether the corpus fits in the context (``knowledge.corpus_tokens`` at most
        ``context_fit_ratio`` x ``prompt.context_window_tokens``); None when either is unknown."""
        corpus = self.get("knowledge", "corpus_tokens")
        window = self.get("prompt", "context_window_tokens")
        if corpus is None or window is None:
            return None
        return bool(corpus <= limits["context_fit_ratio"] * window)

    def fit_keys(self) -> Keys:
        """The key to declare for the fit question: the first of the two that is missing."""
        if not self.has("knowledge", "corpus_tokens"):
            return ("knowledge", "corpus_tokens")
        return ("prompt", "context_window_tokens")

    def layer_keys(self) -> Keys:
        """The key whose value would say whether there is a knowledge layer, when that is
        unknown (``knowledge_layer`` is None): only the gaps can leave it open."""
        return ("gaps",)

    def knowledge_need(self) -> bool:
        """Whether the system needs knowledge served (decide.md, "A knowledge layer"): a
        knowledge gap, citations, per-user access, or a corpus or sources declared. A corpus
        beside declared gaps that hold only ``behavior``, with neither citations nor per-user
        access, is no need: past outputs retrieved as style examples serve behaviour (KN005)."""
        gaps = self.gaps()
        if "knowledge" in gaps:
            return True
        if (self.get("knowledge", "citations") is True
                or self.get("knowledge", "per_user_access") is True):
            return True
        if not self.has_corpus():
            return False
        return not (gaps and set(gaps) <= {"behavior"})

    def behaviour_corpus(self) -> bool:
        """A corpus that serves no knowledge need: the declared gaps hold only behaviour."""
        return self.has_corpus() and not self.knowledge_need()

    def knowledge_layer(self) -> Optional[bool]:
        """Whether the system has a knowledge layer (decide.md, "A knowledge layer"): exactly
        when it has a knowledge need (``knowledge_need``), wherever the layer sits (the prompt
        when the corpus fits the context, else RAG). None when the gaps are not declared and
        they alone could settle it: a knowledge gap would make one, and behaviour-only gaps
        would make a style corpus none."""
        if ("knowledge" in self.gaps() or self.get("knowledge", "citations") is True
                or self.get("knowledge", "per_user_access") is True):
            return True
        if not self.gaps():
            return None
        return self.knowledge_need()


# The steps of a walk that explains nothing, by id and ``counted``: one object each, shared.
_QUIET: Dict[Optional[bool], Dict[str, Step]] = {None: {}, True: {}, False: {}}


def faster_or_as_fast(frequency: str, than: str) -> bool:
    """True when ``frequency`` is ``than`` or faster (realtime is the fastest)."""
    return FREQUENCIES.index(frequency) <= FREQUENCIES.index(than)


def num(value: Any) -> str:
    """A number as a person writes it: 64000, not 64000.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settle(steps: List[Step], verdict: str) -> Tuple[Step, ...]:
    """The steps of a framework that reached ``verdict``.

    A step is marked unknown when the fact it asked for was missing; a framework whose
    verdict still stands did not depend on that fact (each framework makes sure of that, by
    deciding ``undecided`` where it does, or ``open_sets`` by walking every value). decide.md:
    "A step whose answer cannot change the verdict is not asked", so such a step is left out
    of the path. A checklist sign is the exception: the checklist shows every sign (decide.md),
    so an unknown sign stays, and says that the verdict does not depend on it.
    """
    if verdict == UNDECIDED or not any(step.unknown for step in steps):
        return tuple(steps)
    return tuple(
        step._replace(unknown=False, answer=step.answer + "; the verdict does not depend on it"
                      if step.answer else "")
        if step.unknown else step
        for step in steps
        if not step.unknown or step.counted is not None
    )


def with_knowledge_layer(facts: Walk, verdict: str) -> str:
    """The principle of decide.md: a framework that ends with a fine-tune while there is a
    knowledge layer ends with ``hybrid``; ``undecided`` when whether there is one is unknown."""
    if verdict != FINE_TUNE:
        return verdict
    layer = facts.knowledge_layer()
    if layer is None:
        return UNDECIDED
    return HYBRID if layer else FINE_TUNE


def combine(knowledge: Optional[str], behaviour: Optional[str]) -> str:
    """The verdict of a knowledge layer (rag, prompt or none) and a behaviour layer."""
    if behaviour == UNDECIDED:
        return UNDECIDED
    if behaviour == FINE_TUNE:
        return HYBRID if knowledge == RAG else FINE_TUNE
    return RAG if knowledge == RAG else PROMPT


def eval_ready(facts: Walk, limits: Mapping[str, Any], step_id: str,
               question: str) -> Tuple[Optional[bool], Step]:
    """A labelled eval of at least ``min_eval_examples``: True, False, or None when unknown."""
    least = limits["min_eval_examples"]
    if not facts.has_eval():
        keys: Keys = ("eval",) if facts.has("eval") else ("eval", "examples")
        return False, facts.step(step_id, question, "no: no eval set is declared (eval.path or "
                                                    "eval.examples)", keys)
    if facts.get("eval", "labeled") is False:
        return False, facts.step(step_id, question, "no: eval.labeled is false; a fine-tune "
                                                    "needs human-labelled expected outputs",
                                 ("eval", "labeled"))
    count = facts.get("eval", "examples")
    if count is None:
        return None, facts.step(step_id, question, "unknown: eval.path is declared but not its "
                                                   "size; declare eval.examples (or count it "
                                                   "with evidence on)",
                                ("eval", "examples"), unknown=True)
    if count < least:
        return False, facts.step(step_id, question, f"no: eval.examples is {count}, fewer than "
                                                    f"min_eval_examples ({least})",
                                 ("eval", "examples"))
    return True, facts.step(step_id, question, f"yes: eval.examples is {count}, at least "
                                               f"min_eval_examples ({least})", ("eval", "examples"))


def training_ready(facts: Walk, limits: Mapping[str, Any], step_id: str,
                   question: str) -> Tuple[Optional[bool], Step]:
    """At least ``min_training_examples`` training examples: True, False, or None (unknown)."""
    least = limits["min_training_examples"]
    keys = ("fine_tune", "training_examples")
    count = facts.get(*keys)
    if count is None:
        if facts.has("fine_tune", "training_data"):
            return None, facts.step(
                step_id, question, "unknown: fine_tune.training_data is declared but not its "
                                   "size; declare fine_tune.training_examples (or count it with "
                                   "evidence on)", keys, unknown=True)
        return False, facts.step(step_id, question, "no: no training data is declared "
                                                    "(fine_tune.training_data or "
                                                    "training_examples)", keys)
    if count < least:
        return False, facts.step(step_id, question, f"no: fine_tune.training_examples is "
                                                    f"{count}, fewer than min_training_examples "
                                                    f"({least})", keys)
    return True, facts.step(step_id, question, f"yes: fine_tune.training_examples is {count}, "
                                               f"at least min_training_examples ({least})", keys)


def volume(facts: Walk, limits: Mapping[str, Any], step_id: str,
           question: str) -> Tuple[bool, Step]:
    """At least ``min_requests_per_month`` requests; an undeclared volume justifies nothing."""
    least = limits["min_requests_per_month"]
    keys = ("fine_tune", "requests_per_month")
    count = facts.get(*keys)
    if count is None:
        # A volume nobody measured is absent, not unknown (decide.md): as FT006 reads it, a
        # fine-tune has to be justified by a volume someone measured.
        return False, facts.step(step_id, question, "no: fine_tune.requests_per_month is not "
                                                    "declared; a behaviour fine-tune pays back "
                                                    "only at volume, so measure it", keys)
    if count < least:
        return False, facts.step(step_id, question, f"no: fine_tune.requests_per_month is "
                                                    f"{count}, fewer than min_requests_per_month "
                                                    f"({least})", keys)
    return True, facts.step(step_id, question, f"yes: fine_tune.requests_per_month is {count}, "
                                               f"at least min_requests_per_month ({least})", keys)


def reaches_bar(facts: Walk, step_id: str, question: str) -> Tuple[Optional[bool], Optional[Step]]:
    """A prompt that reaches the bar has not plateaued (decide.md): True when the baseline
    score (measured, else declared) is at least ``eval.target_score``, False when it falls
    short, None when there is a baseline but no target to judge it by: then whether prompting
    plateaued is unknown, and the step says which key would tell (decide.md). A missing target
    is no bar, not one of the unknown properties a verdict waits for (decide.md lists gaps,
    depth, pace and corpus size; the checklist's plateau sign is "unknown and not counted"):
    the framework's own rule decides, and its steps never claim that prompting plateaued. The
    caller shows the step only where the verdict ends at a fine-tune, the one place the
    answer would matter. Without a baseline score there is nothing to judge, and no step:
    (False, None)."""
    score = facts.get("prompt", "baseline_score")
    if score is None:
        return False, None
    keys = ("eval", "target_score")
    target = facts.get(*keys)
    if target is None:
        return None, facts.step(
            step_id, question, f"not known: the prompt scores {num(score)}, but eval.target_score "
                               "is not declared, so nothing says whether prompting falls short; "
                               "declare the score the system has to reach", keys)
    if score >= target:
        return True, facts.step(
            step_id, question, f"yes: the prompt already reaches the target {num(target)} with "
                               f"{num(score)} measured: it has not plateaued, so it stays at "
                               "prompt", ("prompt", "baseline_score"))
    return False, facts.step(
        step_id, question, f"no: the prompt scores {num(score)}, below the target {num(target)}",
        ("prompt", "baseline_score"))
