"""The three decision frameworks of ``ragft-lint decide``: every branch, at the boundaries."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragft_lint import thresholds
from ragft_lint.decide import (
    STEP_IDS,
    Decision,
    FrameworkResult,
    Step,
    chart,
    checklist,
    decide,
    decide_system,
    disagreement,
    failure_mode_tree,
    five_gates,
)
from ragft_lint.declaration import load
from ragft_lint.declaration.model import Declaration
from ragft_lint.declaration.schema import ARCHITECTURES, DEPTHS, FREQUENCIES, GAPS, GOALS
from ragft_lint.evidence.measurements import Evidence, FileFacts, History, SystemEvidence
from ragft_lint.facts import Facts
from ragft_lint.rule import Context

Load = Callable[..., Declaration]


@pytest.fixture
def declare(tmp_path: Path) -> Load:
    """Load a declaration given as YAML text, or as the facts of one system named ``bot``.

    Facts given as a dict are written as JSON, which is YAML too.
    """

    def run(source: Any, settings: Optional[Dict[str, Any]] = None) -> Declaration:
        folder = tmp_path / "project"
        folder.mkdir(exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)
        target = folder / "ragft.yaml"
        if isinstance(source, str):
            text = textwrap.dedent(source)
        else:
            text = json.dumps({**(settings or {}), "systems": {"bot": source}})
        target.write_text(text, encoding="utf-8")
        return load(target)

    return run


@pytest.fixture
def decision(declare: Load) -> Callable[..., Decision]:
    def run(source: Any, **settings: Any) -> Decision:
        decisions = decide(declare(source, settings))
        return next(iter(decisions.values()))

    return run


def answers(result: FrameworkResult) -> str:
    return "\n".join(f"{s.id}: {s.question} -> {s.answer}" for s in result.steps)


def step(result: FrameworkResult, step_id: str) -> Step:
    """The step of ``result`` with this id (``gate1``, ``checklist.ft.style``)."""
    found = [s for s in result.steps if s.id == step_id]
    assert len(found) == 1, f"no one step {step_id!r}:\n{answers(result)}"
    return found[0]


REASONING_READY: Dict[str, Any] = {
    "architecture": "fine-tune",
    "gaps": ["reasoning"],
    "knowledge": {"changes": "yearly"},
    "fine_tune": {"training_examples": 500},
    "eval": {"examples": 150, "labeled": True},
}

BEHAVIOUR_TRIED: Dict[str, Any] = {
    "architecture": "fine-tune",
    "gaps": ["behavior"],
    "prompt": {"few_shot_examples": 4, "baseline_score": 0.6},
    "fine_tune": {"requests_per_month": 10000},
}


# A corpus too large for the context: the knowledge layer is RAG, not long context.
LARGE = {"knowledge": {"corpus_tokens": 2_000_000}, "prompt": {"context_window_tokens": 128000}}
LARGE_CHANGES = {"knowledge__corpus_tokens": 2_000_000, "prompt__context_window_tokens": 128000}


def with_(base: Dict[str, Any], **changes: Any) -> Dict[str, Any]:
    """A deep copy of ``base`` with ``section__key=value`` changes (None removes the key)."""
    out = json.loads(json.dumps(base))
    for dotted, value in changes.items():
        parts = dotted.split("__")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return out


# -- 1. failure-mode tree -----------------------------------------------------------------------


class TestFailureMode:
    def test_no_gaps_is_undecided_and_says_what_to_measure(self, decision: Any) -> None:
        result = decision({"architecture": "rag"}).failure_mode
        assert result.verdict == "undecided"
        step, still = result.steps
        assert still.id == "tree.open" and "declare gaps" in still.answer
        assert "run at least 50 real queries" in step.answer
        assert step.key == "systems.bot.gaps"
        assert step.location is None  # the fact is missing
        assert step.unknown

    def test_no_gaps_names_an_overridden_threshold(self, decision: Any) -> None:
        result = decision({"architecture": "rag"},
                          thresholds={"min_baseline_queries": 80}).failure_mode
        assert "at least 80 real queries" in result.steps[0].answer

    def test_empty_gaps_list_is_undecided_and_located(self, decision: Any) -> None:
        result = decision("""\
            systems:
              bot:
                architecture: rag
                gaps: []
            """).failure_mode
        assert result.verdict == "undecided"
        assert result.steps[0].location is not None
        assert result.steps[0].location.line == 4

    def test_knowledge_gap_is_rag_with_a_reranker(self, decision: Any) -> None:
        result = decision({"architecture": "rag", "gaps": ["knowledge"], **LARGE}).failure_mode
        assert result.verdict == "rag"
        assert step(result, "tree.knowledge.fit").answer.startswith("no: 2000000 tokens")
        found = step(result, "tree.knowledge")
        assert "RAG with a reranker" in found.answer
        assert found.key == "systems.bot.gaps[0]"
        precision = step(result, "tree.knowledge.precision")
        assert precision.answer.startswith("not measured")
        assert precision.key == "systems.bot.rag.retrieval_eval.precision_at_5"
        assert precision.location is None

    @pytest.mark.parametrize(("precision", "fix_first"), [(0.69, True), (0.7, False)])
    def test_precision_boundary(self, decision: Any, precision: float, fix_first: bool) -> None:
        facts = {"architecture": "rag", "gaps": ["knowledge"], **LARGE,
                 "rag": {"retrieval_eval": {"precision_at_5": precision}}}
        result = decision(facts).failure_mode
        found = step(result, "tree.knowledge.precision")
        assert ("fix retrieval" in found.answer and "before anything else" in found.answer) \
            is fix_first
        assert found.answer.startswith("no" if fix_first else "yes")
        assert found.location is not None
        assert result.verdict == "rag"  # the note does not change the layer

    def test_precision_threshold_override(self, decision: Any) -> None:
        facts = {"architecture": "rag", "gaps": ["knowledge"], **LARGE,
                 "rag": {"retrieval_eval": {"precision_at_5": 0.75}}}
        result = decision(facts, thresholds={"min_precision_at_5": 0.8}).failure_mode
        assert "below min_precision_at_5 (0.8)" in step(result, "tree.knowledge.precision").answer

    def test_baseline_note_below_threshold(self, decision: Any) -> None:
        result = decision({"architecture": "rag", "gaps": ["knowledge"],
                           "baseline_queries": 49}).failure_mode
        assert "fewer than min_baseline_queries (50)" in result.steps[0].answer
        result = decision({"architecture": "rag", "gaps": ["knowledge"],
                           "baseline_queries": 50}).failure_mode
        assert "fewer than" not in result.steps[0].answer

    # reasoning

    def test_reasoning_fine_tune_when_all_three_hold_at_the_boundary(self, decision: Any) -> None:
        result = decision(REASONING_READY).failure_mode
        assert result.verdict == "fine-tune", answers(result)
        assert step(result, "tree.reasoning.eval").answer.startswith("yes")
        assert step(result, "tree.reasoning.conventions").answer.startswith("yes")
        assert step(result, "tree.reasoning.training").answer.startswith("yes")

    @pytest.mark.parametrize("changes", ["yearly", "static", None])
    def test_reasoning_stable_conventions(self, decision: Any, changes: Optional[str]) -> None:
        facts = with_(REASONING_READY, knowledge__changes=changes)
        assert decision(facts).failure_mode.verdict == "fine-tune"

    @pytest.mark.parametrize(("change", "failed"), [
        ({"eval__examples": 149}, "a labelled eval"),
        ({"eval__labeled": False}, "a labelled eval"),
        ({"eval": None}, "a labelled eval"),
        ({"fine_tune__conventions_change": "quarterly"}, "stable conventions"),
        ({"fine_tune__training_examples": 499}, "enough training data"),
        ({"fine_tune": None}, "enough training data"),
    ])
    def test_reasoning_stays_prompt_and_names_the_failed_condition(
            self, decision: Any, change: Dict[str, Any], failed: str) -> None:
        result = decision(with_(REASONING_READY, **change)).failure_mode
        assert result.verdict == "prompt", answers(result)
        conclusion = step(result, "tree.reasoning")
        assert conclusion.answer.startswith("prompt")
        assert failed in conclusion.answer

    def test_reasoning_thresholds_can_be_overridden(self, decision: Any) -> None:
        facts = with_(REASONING_READY, eval__examples=100, fine_tune__training_examples=300)
        assert decision(facts).failure_mode.verdict == "prompt"
        result = decision(facts, thresholds={"min_eval_examples": 100,
                                             "min_training_examples": 300}).failure_mode
        assert result.verdict == "fine-tune"

    def test_reasoning_unknown_sizes_are_undecided(self, decision: Any) -> None:
        facts = with_(REASONING_READY, eval__examples=None, eval__path="evals/r.jsonl")
        result = decision(facts).failure_mode
        assert result.verdict == "undecided"
        found = step(result, "tree.reasoning.eval")
        assert found.unknown and "declare eval.examples" in found.answer
        assert found.key == "systems.bot.eval.examples" and found.location is None

        facts = with_(REASONING_READY, fine_tune__training_examples=None,
                      fine_tune__training_data="data/train.jsonl")
        result = decision(facts).failure_mode
        assert result.verdict == "undecided"
        assert "fine_tune.training_examples" in step(result, "tree.reasoning.training").answer

    def test_a_failed_condition_beats_an_unknown_one(self, decision: Any) -> None:
        facts = with_(REASONING_READY, eval__examples=None, eval__path="evals/r.jsonl",
                      fine_tune__conventions_change="weekly")
        assert decision(facts).failure_mode.verdict == "prompt"

    # behaviour

    def test_behaviour_fine_tune_when_prompting_tried_and_volume_at_boundary(
            self, decision: Any) -> None:
        result = decision(BEHAVIOUR_TRIED).failure_mode
        assert result.verdict == "fine-tune", answers(result)

    @pytest.mark.parametrize("change", [
        {"prompt__few_shot_examples": 3},
        {"prompt__few_shot_examples": None},
        {"prompt__baseline_score": None},
        {"fine_tune__requests_per_month": 9999},
    ])
    def test_behaviour_stays_prompt(self, decision: Any, change: Dict[str, Any]) -> None:
        result = decision(with_(BEHAVIOUR_TRIED, **change)).failure_mode
        assert result.verdict == "prompt", answers(result)

    def test_behaviour_undeclared_volume_justifies_no_fine_tune(self, decision: Any) -> None:
        result = decision(with_(BEHAVIOUR_TRIED, fine_tune=None)).failure_mode
        assert result.verdict == "prompt"
        found = step(result, "tree.behavior.volume")
        assert found.answer.startswith("no: fine_tune.requests_per_month is not declared")
        # A volume nobody measured is absent, not unknown: it justifies nothing.
        assert not found.unknown and found.key == "systems.bot.fine_tune.requests_per_month"
        assert found.location is None

    def test_behaviour_thresholds_can_be_overridden(self, decision: Any) -> None:
        facts = with_(BEHAVIOUR_TRIED, fine_tune__requests_per_month=5000,
                      prompt__few_shot_examples=2)
        assert decision(facts).failure_mode.verdict == "prompt"
        result = decision(facts, thresholds={"min_requests_per_month": 5000,
                                             "min_few_shot_examples": 2}).failure_mode
        assert result.verdict == "fine-tune"

    # combining the layers

    @pytest.mark.parametrize(("gaps", "base", "verdict"), [
        (["knowledge", "behavior"], BEHAVIOUR_TRIED, "hybrid"),
        (["knowledge", "behavior"], with_(BEHAVIOUR_TRIED, prompt=None), "rag"),
        (["knowledge", "behavior"], with_(BEHAVIOUR_TRIED, fine_tune=None), "rag"),
        (["knowledge", "reasoning"], REASONING_READY, "hybrid"),
        (["knowledge"], BEHAVIOUR_TRIED, "rag"),
        (["behavior"], with_(BEHAVIOUR_TRIED, prompt=None), "prompt"),
        (["reasoning", "behavior"], with_(BEHAVIOUR_TRIED, eval=None), "fine-tune"),
        (["reasoning", "behavior"], with_(REASONING_READY, eval__examples=None,
                                          eval__path="e.jsonl"), "undecided"),
        (["reasoning", "behavior"], with_(REASONING_READY, eval=None), "prompt"),
    ])
    def test_combining_the_layers(self, decision: Any, gaps: List[str], base: Dict[str, Any],
                                  verdict: str) -> None:
        large = LARGE_CHANGES if "knowledge" in gaps else {}
        result = decision(with_(base, gaps=gaps, **large)).failure_mode
        assert result.verdict == verdict, answers(result)
        walked = [s for s in result.steps if s.id != "tree.open"]
        assert walked[-1].id == "tree.layers"
        assert walked[-1].answer.endswith(f"-> {verdict}")


# -- 2. five gates ------------------------------------------------------------------------------


FITS = {"knowledge": {"corpus_tokens": 64000}, "prompt": {"context_window_tokens": 128000}}
DATA_READY = {"fine_tune": {"training_examples": 500, "requests_per_month": 10000},
              "eval": {"examples": 150, "labeled": True}}


def merge(*parts: Dict[str, Any], **top: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"architecture": "rag"}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict):
                out.setdefault(key, {}).update(value)
            else:
                out[key] = value
    out.update(top)
    return out


class TestGates:
    def test_gate0_fits_at_the_boundary_and_ends_at_prompt(self, decision: Any) -> None:
        result = decision(merge(FITS, gaps=["knowledge"])).gates
        assert result.verdict == "prompt", answers(result)
        assert result.route == ("start", "g0", "k_prompt", "g2", "lookup", "verdict")
        found = step(result, "gate0")
        assert found.answer.startswith("yes") and "64000" in found.answer
        assert not any(s.id == "gate1" for s in result.steps)  # skipped

    def test_gate0_one_token_more_does_not_fit(self, decision: Any) -> None:
        facts = merge(FITS, {"knowledge": {"corpus_tokens": 64001, "depth": "reference"}},
                      gaps=["knowledge"])
        result = decision(facts).gates
        assert step(result, "gate0").answer.startswith("no")
        assert result.route[:4] == ("start", "g0", "g1", "g2")
        assert result.verdict == "rag"

    def test_gate0_ratio_override(self, decision: Any) -> None:
        result = decision(merge(FITS, {"knowledge": {"depth": "reference"}}, gaps=["knowledge"]),
                          thresholds={"context_fit_ratio": 0.25}).gates
        assert step(result, "gate0").answer.startswith("no")
        assert result.verdict == "rag"

    def test_gate0_unknown_is_passed_by_with_a_note(self, decision: Any) -> None:
        result = decision(merge({"knowledge": {"corpus_tokens": 10}}, gaps=["knowledge"])).gates
        found = step(result, "gate0")
        assert found.unknown and "prompt.context_window_tokens" in found.answer
        assert found.key == "systems.bot.prompt.context_window_tokens"
        # Whether the corpus fits decides between long context and RAG: not assumed.
        assert result.verdict == "undecided"

    def test_gate0_fits_then_behaviour_fine_tune_is_hybrid(self, decision: Any) -> None:
        facts = merge(FITS, DATA_READY, {"fine_tune": {"goals": ["format"]}},
                      gaps=["knowledge", "behavior"])
        result = decision(facts).gates
        assert result.route == ("start", "g0", "k_prompt", "g2", "g3", "g4", "ft_format",
                                "verdict")
        # Gate 0 placed a knowledge layer (long context); with a fine-tune that is hybrid.
        assert result.verdict == "hybrid"

    @pytest.mark.parametrize(("changes", "rag"), [("quarterly", True), ("yearly", False),
                                                  ("realtime", True), ("static", False)])
    def test_gate1_boundary(self, decision: Any, changes: str, rag: bool) -> None:
        result = decision(merge({"knowledge": {"changes": changes, "depth": "deep"}},
                                gaps=["knowledge"])).gates
        assert ("k_rag" in result.route) is rag
        found = step(result, "gate1")
        assert found.answer.startswith("yes" if rag else "no")
        assert found.key == "systems.bot.knowledge.changes" and found.location is not None

    def test_gate1_rag_and_only_behaviour_continues(self, decision: Any) -> None:
        facts = merge(LARGE, {"knowledge": {"changes": "weekly", "depth": "deep"}},
                      gaps=["knowledge"])
        result = decision(facts).gates
        # deep knowledge that changes weekly stays in RAG: it does not go on to gate 3
        assert result.route == ("start", "g0", "g1", "k_rag", "g2", "lookup", "verdict")
        assert result.verdict == "rag"
        assert "only behaviour continues" in step(result, "gate1").answer

    def test_gate1_rag_then_behaviour_to_volume_is_hybrid(self, decision: Any) -> None:
        facts = merge({"knowledge": {"changes": "weekly"}}, DATA_READY,
                      gaps=["knowledge", "behavior"])
        result = decision(facts).gates
        assert result.route == ("start", "g0", "g1", "k_rag", "g2", "g3", "g4", "g5",
                                "ft_volume", "verdict")
        assert result.verdict == "hybrid"

    def test_gate2_reference_ends_at_rag(self, decision: Any) -> None:
        facts = merge(LARGE, {"knowledge": {"changes": "static", "depth": "reference"}},
                      gaps=["knowledge"])
        result = decision(facts).gates
        assert result.verdict == "rag"
        assert result.route[-2:] == ("lookup", "verdict")
        found = step(result, "gate2")
        assert "reference ends at RAG" in found.answer
        assert found.key == "systems.bot.knowledge.depth"

    def test_gate2_reasoning_counts_as_deep(self, decision: Any) -> None:
        result = decision(merge(gaps=["reasoning"])).gates
        assert "g3" in result.route
        assert "reasoning gap counts as deep" in step(result, "gate2").answer

    def test_gate2_nothing_known_is_undecided(self, decision: Any) -> None:
        result = decision({"architecture": "prompt"}).gates
        assert result.verdict == "undecided"
        assert result.route == ("start", "g0", "g1", "g2", "undecided", "verdict")
        found = step(result, "gate2")
        assert found.unknown and found.key == "systems.bot.gaps"

    def test_gate2_knowledge_placed_and_no_gaps_is_undecided(self, decision: Any) -> None:
        # No declared gaps is not "no behaviour need": a behaviour gap would go on to gate 3.
        result = decision(merge({"knowledge": {"changes": "daily"}})).gates
        assert result.verdict == "undecided"
        found = step(result, "gate2")
        assert found.unknown and found.key == "systems.bot.gaps"
        assert "gaps are not declared" in found.answer

    def test_gate3_blocked_by_data_without_knowledge_is_prompt(self, decision: Any) -> None:
        facts = merge(DATA_READY, {"fine_tune": {"training_examples": 499}}, gaps=["behavior"])
        result = decision(facts).gates
        assert result.verdict == "prompt"
        assert result.route[-3:] == ("g3", "blocked", "verdict")
        assert "blocked by data" in step(result, "gate3").answer

    def test_gate3_blocked_by_data_with_knowledge_is_rag(self, decision: Any) -> None:
        facts = merge(DATA_READY, LARGE, {"eval": {"examples": 149}},
                      {"knowledge": {"changes": "weekly"}}, gaps=["knowledge", "behavior"])
        result = decision(facts).gates
        assert result.verdict == "rag"
        assert "blocked" in result.route

    def test_gate3_deep_knowledge_blocked_goes_to_rag(self, decision: Any) -> None:
        facts = merge(LARGE, {"knowledge": {"depth": "deep", "changes": "static"}},
                      gaps=["knowledge"])
        result = decision(facts).gates
        assert result.verdict == "rag"
        assert "blocked" in result.route

    def test_gate3_unknown_size_is_undecided(self, decision: Any) -> None:
        facts = merge(DATA_READY, gaps=["behavior"])
        # With the volume, the data's size decides between prompt and fine-tune.
        facts["fine_tune"] = {"training_data": "data/train.jsonl", "requests_per_month": 10000}
        result = decision(facts).gates
        assert result.verdict == "undecided"
        assert result.route[-3:] == ("g3", "undecided", "verdict")

    def test_gate3_threshold_override(self, decision: Any) -> None:
        facts = merge(DATA_READY, {"fine_tune": {"training_examples": 300}}, gaps=["behavior"])
        assert decision(facts).gates.verdict == "prompt"
        result = decision(facts, thresholds={"min_training_examples": 300}).gates
        assert result.verdict == "fine-tune"

    def test_gate4_format_fine_tunes_behaviour(self, decision: Any) -> None:
        facts = merge(DATA_READY, {"fine_tune": {"goals": ["format"], "requests_per_month": 1}},
                      gaps=["behavior"])
        result = decision(facts).gates
        assert result.verdict == "fine-tune"
        assert result.route[-3:] == ("g4", "ft_format", "verdict")
        assert step(result, "gate4").key == "systems.bot.fine_tune.goals[0]"

    def test_gate4_format_with_rag_knowledge_is_hybrid(self, decision: Any) -> None:
        facts = merge(DATA_READY, {"fine_tune": {"goals": ["style", "format"]}},
                      {"knowledge": {"changes": "monthly"}}, gaps=["knowledge", "behavior"])
        assert decision(facts).gates.verdict == "hybrid"

    @pytest.mark.parametrize(("requests", "verdict", "end"), [
        (10000, "fine-tune", "ft_volume"), (9999, "prompt", "rag_prompts"),
        (None, "prompt", "rag_prompts"),
    ])
    def test_gate5_volume_boundary(self, decision: Any, requests: Optional[int], verdict: str,
                                   end: str) -> None:
        facts = merge(DATA_READY, gaps=["reasoning"])
        if requests is None:
            del facts["fine_tune"]["requests_per_month"]
        else:
            facts["fine_tune"]["requests_per_month"] = requests
        result = decision(facts).gates
        assert result.verdict == verdict
        assert result.route[-3:] == ("g5", end, "verdict")

    def test_gate5_low_volume_keeps_rag_for_knowledge(self, decision: Any) -> None:
        facts = merge(DATA_READY, LARGE, {"fine_tune": {"requests_per_month": 9999}},
                      {"knowledge": {"changes": "weekly"}}, gaps=["knowledge", "reasoning"])
        assert decision(facts).gates.verdict == "rag"

    def test_gate5_fine_tunes_and_a_declared_corpus_makes_it_hybrid(self,
                                                                     decision: Any) -> None:
        # No knowledge need (no knowledge gap, citations, per-user access or corpus): the
        # volume fine-tunes the behaviour, and that is all.
        facts = merge(DATA_READY, {"knowledge": {"depth": "deep", "changes": "static"}},
                      gaps=["reasoning"])
        result = decision(facts).gates
        assert result.verdict == "fine-tune", answers(result)
        assert "ft_volume" in result.route
        # A corpus declared beside a reasoning gap is a knowledge need (decide.md, "A
        # knowledge layer"), even static and larger than half the window: beside the
        # fine-tune, hybrid.
        facts = merge(facts, {"knowledge": {"corpus_tokens": 100000},
                              "prompt": {"context_window_tokens": 128000}})
        result = decision(facts).gates
        assert result.verdict == "hybrid", answers(result)
        assert "ft_volume" in result.route

    def test_gate5_knowledge_gap_with_a_fine_tune_is_hybrid(self, decision: Any) -> None:
        # Deep or not, a knowledge gap is a knowledge layer: beside a fine-tune, hybrid.
        facts = merge(DATA_READY, LARGE, {"knowledge": {"depth": "deep", "changes": "static"}},
                      gaps=["knowledge"])
        result = decision(facts).gates
        assert result.verdict == "hybrid", answers(result)


# -- 3. checklist -------------------------------------------------------------------------------


ALL_FINE_TUNE = {
    "architecture": "fine-tune",
    "gaps": ["behavior"],
    "prompt": {"few_shot_examples": 4, "baseline_score": 0.5, "structured_output": True},
    "fine_tune": {"goals": ["style", "format", "reasoning", "latency", "cost"],
                  "training_examples": 200},
    "eval": {"target_score": 0.9},
}

ALL_RAG = {
    "architecture": "rag",
    "gaps": ["knowledge"],
    "knowledge": {"changes": "monthly", "citations": True, "per_user_access": True,
                  "sources": ["docs/**"], "corpus_tokens": 200001},
    "prompt": {"context_window_tokens": 200000},
    "fine_tune": {"training_examples": 199},
}


class TestChecklist:
    def test_every_sign_is_listed_with_whether_it_counted(self, decision: Any) -> None:
        result = decision({"architecture": "prompt"}).checklist
        signs = [s for s in result.steps if s.counted is not None]
        assert len(signs) == 19
        assert all(s.counted is False for s in signs)
        # Unknown is not no (decide.md): a sign that turns on the undeclared gaps is unknown,
        # every other one is no.
        unknown = [s.id for s in signs if s.answer.startswith("unknown: gaps are not declared")]
        assert unknown == ["checklist.ft.behavioural", "checklist.rag.changes",
                           "checklist.rag.facts", "checklist.rag.updates",
                           "checklist.both.voice"], answers(result)
        assert all(s.answer.startswith("no: ") for s in signs if s.id not in unknown)
        sides = [s.question.split(" sign:")[0] for s in signs]
        assert sides == ["fine-tune"] * 8 + ["RAG"] * 8 + ["both"] * 3

    def test_no_sign_at_all_is_undecided(self, decision: Any) -> None:
        result = decision({"architecture": "prompt"}).checklist
        assert (result.fine_tune_signs, result.rag_signs, result.both_signs) == (0, 0, 0)
        assert result.verdict == "undecided"

    def test_all_eight_fine_tune_signs(self, decision: Any) -> None:
        result = decision(ALL_FINE_TUNE).checklist
        assert (result.fine_tune_signs, result.rag_signs, result.both_signs) == (8, 0, 0), \
            answers(result)
        assert result.verdict == "fine-tune"

    def test_all_rag_signs_but_the_second_on_one_pace(self, decision: Any) -> None:
        # How often the knowledge changes is one fact: it makes "monthly or faster" count, or
        # "updates without retraining", never both.
        result = decision(ALL_RAG).checklist
        assert (result.fine_tune_signs, result.rag_signs, result.both_signs) == (0, 7, 0), \
            answers(result)
        assert result.verdict == "rag"
        assert step(result, "checklist.rag.updates").counted is False
        assert "already counts" in step(result, "checklist.rag.updates").answer

    def test_labelled_examples_boundary(self, decision: Any) -> None:
        at = decision(with_(ALL_RAG, fine_tune__training_examples=200)).checklist
        assert step(at, "checklist.ft.labelled").counted is True
        assert step(at, "checklist.rag.little_data").counted is False
        below = decision(ALL_RAG).checklist
        assert step(below, "checklist.ft.labelled").counted is False
        assert step(below, "checklist.rag.little_data").counted is True

    def test_no_training_data_is_too_little_only_with_a_corpus(self, decision: Any) -> None:
        facts = with_(ALL_RAG, fine_tune=None)
        assert step(decision(facts).checklist, "checklist.rag.little_data").counted is True
        facts = {"architecture": "rag", "gaps": ["knowledge"]}
        assert step(decision(facts).checklist, "checklist.rag.little_data").counted is False

    def test_unknown_training_size_counts_for_neither_side(self, decision: Any) -> None:
        facts = with_(ALL_RAG, fine_tune__training_examples=None,
                      fine_tune__training_data="data/train.jsonl")
        result = decision(facts).checklist
        assert step(result, "checklist.ft.labelled").counted is False
        assert step(result, "checklist.rag.little_data").counted is False
        assert "not known" in step(result, "checklist.rag.little_data").answer

    @pytest.mark.parametrize(("changes", "monthly", "updates"), [
        ("monthly", True, False), ("quarterly", False, True), ("yearly", False, True),
        ("static", False, False), ("realtime", True, False),
    ])
    def test_change_signs_boundaries(self, decision: Any, changes: str, monthly: bool,
                                     updates: bool) -> None:
        result = decision(with_(ALL_RAG, knowledge__changes=changes)).checklist
        assert step(result, "checklist.rag.changes").counted is monthly
        assert step(result, "checklist.rag.updates").counted is updates

    def test_corpus_as_large_as_the_window_is_not_long_tail(self, decision: Any) -> None:
        result = decision(with_(ALL_RAG, knowledge__corpus_tokens=200000)).checklist
        assert step(result, "checklist.rag.long_tail").counted is False

    def test_plateau_needs_enough_examples_and_a_score(self, decision: Any) -> None:
        result = decision(with_(ALL_FINE_TUNE, prompt__few_shot_examples=3)).checklist
        assert step(result, "checklist.ft.plateau").counted is False
        result = decision(with_(ALL_FINE_TUNE, prompt__baseline_score=None)).checklist
        assert step(result, "checklist.ft.plateau").counted is False
        result = decision(with_(ALL_FINE_TUNE, prompt__few_shot_examples=3),
                          thresholds={"min_few_shot_examples": 3}).checklist
        assert step(result, "checklist.ft.plateau").counted is True

    @pytest.mark.parametrize(("score", "target", "counted"), [
        (0.89, 0.9, True), (0.9, 0.9, False), (0.95, 0.9, False), (0.5, None, False),
    ])
    def test_plateau_is_measured_against_the_target(self, decision: Any, score: float,
                                                    target: Optional[float],
                                                    counted: bool) -> None:
        facts = with_(ALL_FINE_TUNE, prompt__baseline_score=score, eval__target_score=target)
        found = step(decision(facts).checklist, "checklist.ft.plateau")
        assert found.counted is counted, found.answer
        if target is None:
            assert found.answer.startswith("unknown") and found.key == "systems.bot.eval." \
                                                                      "target_score"
        elif score >= target:
            assert "has not plateaued" in found.answer

    def test_schema_sign_needs_structured_output_tried(self, decision: Any) -> None:
        result = decision(with_(ALL_FINE_TUNE, prompt__structured_output=False)).checklist
        assert step(result, "checklist.ft.schema").counted is False
        assert "not tried" in step(result, "checklist.ft.schema").answer

    def test_a_behaviour_gap_counts_once(self, decision: Any) -> None:
        # The behaviour gap is the "behavioural need" sign; it is not a style goal as well.
        result = decision({"architecture": "fine-tune", "gaps": ["behavior"]}).checklist
        assert step(result, "checklist.ft.style").counted is False
        assert step(result, "checklist.ft.behavioural").counted is True
        assert result.fine_tune_signs == 1

    @pytest.mark.parametrize(("goals", "structured", "narrow", "schema"), [
        (["format"], True, False, True), (["format"], False, True, False),
        (["format", "reasoning"], True, True, True), (["reasoning"], True, True, False),
    ])
    def test_a_format_goal_counts_once(self, decision: Any, goals: List[str],
                                       structured: bool, narrow: bool, schema: bool) -> None:
        facts = {"architecture": "fine-tune", "fine_tune": {"goals": goals},
                 "prompt": {"structured_output": structured}}
        result = decision(facts).checklist
        assert step(result, "checklist.ft.narrow_task").counted is narrow
        assert step(result, "checklist.ft.schema").counted is schema

    def test_a_tie_is_hybrid(self, decision: Any) -> None:
        facts = {"architecture": "hybrid", "fine_tune": {"goals": ["latency", "style"]},
                 "gaps": ["knowledge"], "knowledge": {"citations": True, "changes": "static"}}
        result = decision(facts).checklist
        assert (result.fine_tune_signs, result.rag_signs) == (2, 2)
        assert result.verdict == "hybrid"

    def test_two_both_signs_are_hybrid_whatever_the_counts(self, decision: Any) -> None:
        facts = with_(ALL_RAG, fine_tune__goals=["format"])
        result = decision(facts).checklist
        assert result.both_signs == 2, answers(result)
        assert result.rag_signs > result.fine_tune_signs
        assert result.verdict == "hybrid"

    def test_one_both_sign_does_not_decide(self, decision: Any) -> None:
        facts = with_(ALL_RAG, fine_tune__goals=["style"])
        result = decision(facts).checklist
        assert result.both_signs == 1
        assert result.verdict == "rag"

    def test_cost_with_retrieval_counts_for_both(self, decision: Any) -> None:
        facts = {"architecture": "hybrid", "fine_tune": {"goals": ["cost"]}}
        found = step(decision(facts).checklist, "checklist.both.cost")
        assert found.counted is True
        facts = {"architecture": "fine-tune", "fine_tune": {"goals": ["cost"]}}
        assert step(decision(facts).checklist, "checklist.both.cost").counted is False


# -- the decision ------------------------------------------------------------------------------


FAQ = {"gaps": ["knowledge"], "knowledge": {"changes": "weekly", "sources": ["docs/faq/**"],
                                           "depth": "reference", "corpus_tokens": 2_000_000},
       "prompt": {"context_window_tokens": 128000}}


class TestDecision:
    def test_all_three_agree(self, decision: Any) -> None:
        result = decision({"architecture": "rag", **FAQ})
        assert [f.verdict for f in result.frameworks] == ["rag", "rag", "rag"]
        assert result.consensus == "rag"
        assert result.agreement == "all"

    def test_none_agree(self, decision: Any) -> None:
        result = decision({"architecture": "fine-tune", **FAQ})
        assert result.agreement == "none"
        assert result.agreeing == ()
        assert result.reached

    def test_some_agree_and_consensus_of_two(self, decision: Any) -> None:
        facts = merge({"knowledge": {"changes": "weekly"}}, DATA_READY,
                      {"prompt": {"few_shot_examples": 6, "baseline_score": 0.7}},
                      {"fine_tune": {"goals": ["style"]}},
                      architecture="hybrid", gaps=["knowledge", "behavior"])
        facts["knowledge"].update({"sources": ["docs/**"], "citations": True,
                                   "corpus_tokens": 2_000_000})
        facts["prompt"]["context_window_tokens"] = 128_000
        result = decision(facts)
        verdicts = [f.verdict for f in result.frameworks]
        assert verdicts == ["hybrid", "hybrid", "rag"], verdicts
        assert result.consensus == "hybrid"
        assert result.agreement == "some"
        assert [f.name for f in result.agreeing] == ["failure_mode", "gates"]

    def test_no_corpus_size_leaves_the_checklist_open_too(self, decision: Any) -> None:
        # The tree fine-tunes the reasoning beside a knowledge layer (citations); the
        # checklist counts more RAG signs but, like the gates, leaves long context or RAG open:
        # the size of the knowledge is not declared (decide.md: unknown is not no; the fit
        # comes before any framework). No two decided frameworks disagree: no split.
        facts = {"architecture": "hybrid", "gaps": ["reasoning"],
                 "knowledge": {"changes": "weekly", "citations": True, "per_user_access": True},
                 "fine_tune": {"goals": [], "training_examples": 900,
                               "requests_per_month": 100},
                 "eval": {"examples": 300, "labeled": True},
                 "prompt": {"few_shot_examples": 6, "baseline_score": 0.6}}
        result = decision(facts)
        verdicts = [f.verdict for f in result.frameworks]
        assert verdicts == ["hybrid", "undecided", "undecided"], verdicts
        assert result.checklist.open == ("prompt", "rag")
        assert result.consensus == "undecided"
        assert result.agreement == "some"
        assert not result.disagrees  # missing facts alone never fire DE001

    def test_split(self, decision: Any) -> None:
        # The gates put a handbook that fits in the context, the checklist counts as many
        # fine-tuning signs as RAG signs, and the tree waits for the gaps.
        facts = {"architecture": "prompt",
                 "knowledge": {"changes": "static", "depth": "reference",
                               "corpus_tokens": 32000, "per_user_access": True},
                 "prompt": {"context_window_tokens": 128000},
                 "fine_tune": {"goals": ["reasoning", "cost"], "requests_per_month": 100,
                               "training_examples": 900},
                 "eval": {"labeled": True, "examples": 149}}
        result = decision(facts)
        verdicts = [f.verdict for f in result.frameworks]
        # Two decided frameworks disagree, and none of the open sets has one in common.
        assert verdicts == ["undecided", "prompt", "hybrid"], verdicts
        assert result.consensus == "split"
        assert result.agreement == "some"

    def test_nothing_known(self, decision: Any) -> None:
        result = decision({"architecture": "prompt"})
        assert [f.verdict for f in result.frameworks] == ["undecided"] * 3
        assert result.consensus == "undecided"
        assert result.agreement == "none"
        assert not result.reached
        assert result.missing == ("systems.bot.gaps",)

    def test_missing_lists_each_unknown_fact_once(self, decision: Any) -> None:
        result = decision({"architecture": "rag", "gaps": ["knowledge", "behavior"],
                           "knowledge": {"sources": ["docs/**"]},
                           "prompt": {"few_shot_examples": 5, "baseline_score": 0.4}})
        # A volume nobody declared is absent, not missing: it is not listed.
        assert result.missing == (
            "systems.bot.knowledge.corpus_tokens",
            "systems.bot.knowledge.changes",
        )
        # Not knowledge.depth: beside a behaviour gap that goes on to gate 3 anyway, the
        # knowledge keeps its layer whatever its depth, so gate 2 does not ask it (decide.md:
        # a step whose answer cannot change the verdict is not asked).
        gate2 = step(result.gates, "gate2")
        assert not gate2.unknown and "knowledge.depth" not in gate2.answer

    def test_decide_keeps_declaration_order_and_thresholds(self, declare: Load) -> None:
        declaration = declare("""\
            thresholds:
              min_requests_per_month: 100
            systems:
              zeta:
                architecture: fine-tune
                gaps: [behavior]
                prompt: {few_shot_examples: 4, baseline_score: 0.5}
                fine_tune: {requests_per_month: 100}
              alpha:
                architecture: rag
                gaps: [knowledge]
            """)
        decisions = decide(declaration)
        assert list(decisions) == ["zeta", "alpha"]
        assert decisions["zeta"].failure_mode.verdict == "fine-tune"
        assert decisions["alpha"].system == "alpha"
        assert decisions["alpha"].declared == "rag"

    def test_steps_are_located_where_the_facts_were_declared(self, declare: Load) -> None:
        declaration = declare("""\
            systems:
              bot:
                architecture: rag
                gaps: [knowledge]
                knowledge:
                  changes: weekly
            """)
        result = decide(declaration)["bot"]
        found = step(result.gates, "gate1")
        assert found.key == "systems.bot.knowledge.changes"
        assert found.location is not None
        assert (found.location.line, found.location.column) == (6, 16)
        assert found.location.path == declaration.display

    def test_framework_functions_match_decide_system(self, declare: Load) -> None:
        system = declare(REASONING_READY).systems["bot"]
        limits = thresholds.resolve({})
        whole = decide_system(system, limits)
        assert failure_mode_tree(system, limits) == whole.failure_mode
        assert five_gates(system, limits) == whole.gates
        assert checklist(system, limits) == whole.checklist

    def test_measured_facts_take_precedence(self, declare: Load) -> None:
        facts = with_(REASONING_READY, eval__examples=None, eval__path="evals/r.jsonl",
                      fine_tune__training_examples=10,
                      fine_tune__training_data="data/train.jsonl")
        system = declare(facts).systems["bot"]
        limits = thresholds.resolve({})
        assert decide_system(system, limits).failure_mode.verdict == "prompt"
        found = measured({("eval", "path"): 300, ("fine_tune", "training_data"): 900})
        result = decide_system(system, limits, found).failure_mode
        assert result.verdict == "fine-tune", answers(result)
        eval_step = step(result, "tree.reasoning.eval")
        assert "300" in eval_step.answer
        assert eval_step.location == system.where("eval", "path")
        assert step(result, "tree.reasoning.training").location == \
            system.where("fine_tune", "training_data")

    def test_decide_takes_the_evidence_of_each_system(self, declare: Load) -> None:
        declaration = declare(with_(REASONING_READY, eval__examples=None,
                                    eval__path="evals/r.jsonl"))
        assert decide(declaration)["bot"].failure_mode.verdict == "undecided"
        evidence = Evidence()
        evidence.systems["bot"] = measured({("eval", "path"): 300})
        assert decide(declaration, evidence=evidence)["bot"].failure_mode.verdict == "fine-tune"

    def test_a_file_not_read_to_the_end_has_no_count(self, declare: Load) -> None:
        system = declare(with_(REASONING_READY, eval__path="evals/r.jsonl")).systems["bot"]
        found = measured({("eval", "path"): 10}, complete=False)
        result = failure_mode_tree(system, thresholds.resolve({}), found)
        eval_step = step(result, "tree.reasoning.eval")
        assert eval_step.answer == "yes: eval.examples is 150, at least min_eval_examples (150)"
        assert eval_step.location == system.where("eval", "examples")

    @pytest.mark.parametrize(("declared", "pace"), [
        (None, "weekly"), ("quarterly", "weekly"), ("weekly", "weekly"), ("daily", "daily")])
    def test_a_measured_pace_counts_only_when_faster(self, declare: Load,
                                                     declared: Optional[str], pace: str) -> None:
        facts = merge({"knowledge": {"sources": ["docs/**"]}}, gaps=["knowledge"])
        if declared is not None:
            facts["knowledge"]["changes"] = declared
        system = declare(facts).systems["bot"]
        found = SystemEvidence()
        found.history = History("weekly", 30, 40, 35)
        gate1 = step(five_gates(system, thresholds.resolve({}), found), "gate1")
        assert gate1.answer.startswith(f"yes: knowledge.changes is {pace}")
        at = ("knowledge", "sources") if pace != declared else ("knowledge", "changes")
        assert gate1.location == system.where(*at)
        assert gate1.key == "systems.bot.knowledge.changes"


def measured(counts: Dict[Tuple[str, ...], int], complete: bool = True) -> SystemEvidence:
    """Evidence of files read, by the key that names each file: how many records each holds."""
    found = SystemEvidence()
    for keys, records in counts.items():
        found.files[keys] = FileFacts(f"{keys[-1]}.jsonl", "line", records, 0, (), complete,
                                      0, (), 0, 0, ())
    return found


# -- the facts view the rules and decide share ------------------------------------------------


class TestFacts:
    def test_each_fact_says_where_it_came_from(self, declare: Load) -> None:
        system = declare({"architecture": "rag", "eval": {"path": "evals/e.jsonl",
                                                          "examples": 20},
                          "knowledge": {"changes": "yearly", "sources": ["docs/**"]}}
                         ).systems["bot"]
        found = measured({("eval", "path"): 180})
        found.history = History("weekly", 30, 40, 35)
        view = Facts(system, found)
        examples = view.fact("eval", "examples")
        assert (examples.value, examples.origin, examples.source) == \
            (180, "measured", ("eval", "path"))
        assert examples.evidence == "path.jsonl holds 180 records"
        changes = view.fact("knowledge", "changes")
        assert (changes.value, changes.source) == ("weekly", ("knowledge", "sources"))
        assert changes.evidence == ("the git history of knowledge.sources changed in 30 of "
                                    "the last 40 weeks")
        assert view.where("knowledge", "changes") == system.where("knowledge", "sources")
        architecture = view.fact("architecture")
        assert (architecture.origin, architecture.source, architecture.evidence) == \
            ("declared", ("architecture",), "")
        gap = view.fact("gaps", 0)
        assert not gap.known and gap.value is None and view.where("gaps", 0) is None
        assert Facts(system).get("eval", "examples") == 20  # without evidence: as declared

    def test_the_rules_read_the_same_view(self, declare: Load) -> None:
        system = declare({"architecture": "rag"}).systems["bot"]
        context = Context(thresholds.resolve({}), datetime.date(2026, 1, 1))
        found = measured({("eval", "path"): 12})
        context.measured = {"bot": found}
        view = context.facts(system)
        assert view is context.facts(system) and view.evidence is found
        assert view.get("eval", "examples") == 12
        context.evidence = False  # evidence off: nothing measured counts
        assert context.facts(system).get("eval", "examples") is None


# -- step ids ----------------------------------------------------------------------------------


def test_step_ids_are_documented_and_listed_in_order(decision: Any) -> None:
    result = decision(ALL_RAG)
    for framework in result.frameworks:
        ids = [s.id for s in framework.steps]
        documented = STEP_IDS[framework.name]
        assert len(ids) == len(set(ids))
        assert ids == [i for i in documented if i in ids]  # in the documented order
    # The last two are added only where the counted signs need a second look.
    # The last three are added only where the counted signs need a second look.
    assert [s.id for s in result.checklist.steps] == list(STEP_IDS["checklist"])[:-3]
    assert [s.id for s in result.gates.steps] == ["gate0", "gate1", "gate2"]


# -- DE001's quick walk and the full walk agree --------------------------------------------------

def _maybe(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


_COUNT = st.integers(0, 200_000)
_TABLES = {
    "knowledge": {"changes": st.sampled_from(FREQUENCIES), "depth": st.sampled_from(DEPTHS),
                  "corpus_tokens": _COUNT, "citations": st.booleans(),
                  "per_user_access": st.booleans(), "sources": st.just(["docs/**"])},
    "prompt": {"few_shot_examples": st.integers(0, 20), "structured_output": st.booleans(),
               "context_window_tokens": _COUNT,
               "baseline_score": st.floats(0, 1).map(lambda x: round(x, 3))},
    "fine_tune": {"goals": st.lists(st.sampled_from(GOALS), unique=True, max_size=3),
                  "training_examples": st.integers(0, 5000),
                  "conventions_change": st.sampled_from(FREQUENCIES),
                  "requests_per_month": _COUNT},
    "eval": {"examples": st.integers(0, 1000), "labeled": st.booleans(),
             "target_score": st.floats(0, 1).map(lambda x: round(x, 2))},
    "rag": {"reranker": st.sampled_from(["cross-encoder/x", False])},
}


@st.composite
def systems(draw: Any) -> Dict[str, Any]:
    facts: Dict[str, Any] = {"architecture": draw(st.sampled_from(ARCHITECTURES))}
    gaps = draw(_maybe(st.lists(st.sampled_from(GAPS), unique=True, max_size=3)))
    if gaps is not None:
        facts["gaps"] = gaps
    queries = draw(_maybe(st.integers(0, 200)))
    if queries is not None:
        facts["baseline_queries"] = queries
    for table, fields in _TABLES.items():
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
            facts[table] = {name: draw(fields[name]) for name in chosen}
    return facts


def assert_ids_documented(result: FrameworkResult) -> None:
    """Each step of a result has an id of its framework's list, each id at most once."""
    ids = [s.id for s in result.steps]
    assert len(ids) == len(set(ids)) and set(ids) <= set(STEP_IDS[result.name]), ids


@given(systems())
def test_the_quick_walk_of_de001_agrees_with_decide(tmp_path_factory: Any,
                                                   facts: Dict[str, Any]) -> None:
    folder = tmp_path_factory.mktemp("project")
    (folder / ".git").mkdir()
    (folder / "ragft.yaml").write_text(json.dumps({"systems": {"bot": facts}}))
    declaration = load(folder / "ragft.yaml")
    system = declaration.systems["bot"]
    limits = thresholds.resolve(declaration.settings.thresholds)
    full = decide_system(system, limits)
    quick = disagreement(system, limits)
    for result in full.frameworks:
        assert_ids_documented(result)
    # The route is a path through the chart that the outputs draw.
    route = full.gates.route
    assert route[0] == chart.START and route[-1] == chart.VERDICT
    assert set(zip(route, route[1:])) <= {(e.source, e.target) for e in chart.EDGES}
    if not full.disagrees:
        assert quick is None
        return
    assert quick is not None
    assert [f.verdict for f in quick.frameworks] == [f.verdict for f in full.frameworks]
    assert quick.missing == full.missing
    assert quick.reached == full.reached and quick.consensus == full.consensus
    # The quick walk takes the same steps, only without words.
    assert [[s.id for s in f.steps] for f in quick.frameworks] == \
        [[s.id for s in f.steps] for f in full.frameworks]
