"""decide against decide.md, case by case: what an audit of the three frameworks found.

- the checklist treats an undeclared corpus size as unknown (no DE001 on missing facts alone);
- a checklist sign on an undeclared fact answers "unknown", not "no";
- a prompt that already reaches the target asks nothing about training data;
- a step whose answer cannot change the verdict is not shown;
- no declared gaps leave the failure-mode tree undecided, with its open set still walked;
- without eval.target_score no step claims that prompting plateaued.

Every case is a real declaration in a temporary folder, decided as ``decide`` does, and
checked with ``check`` where DE001 is concerned.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, List, Optional

from helpers import AS_OF
from ragft_lint import thresholds
from ragft_lint.cli import main
from ragft_lint.decide import Decision, FrameworkResult, Step, decide_system
from ragft_lint.declaration import load
from ragft_lint.output.decision_text import agreement_line


def _write(folder: Path, text: str) -> Path:
    (folder / ".git").mkdir(exist_ok=True)
    target = folder / "ragft.yaml"
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target


def decide(folder: Path, text: str) -> Decision:
    target = _write(folder, text)
    declaration = load(target)
    limits = thresholds.resolve(declaration.settings.thresholds)
    (system,) = declaration.systems.values()
    return decide_system(system, limits)


def rules(capsys: Any, folder: Path) -> List[str]:
    main(["check", str(folder / "ragft.yaml"), "--format", "json", "--as-of",
          AS_OF.isoformat(), "--no-evidence"])
    out, _ = capsys.readouterr()
    return [f["rule"] for f in json.loads(out)["findings"]]


def find(result: FrameworkResult, step_id: str) -> Optional[Step]:
    return next((s for s in result.steps if s.id == step_id), None)


def ids(result: FrameworkResult) -> List[str]:
    return [s.id for s in result.steps]


# -- 1. the checklist does not decide RAG over a corpus of unknown size ----------------------

HANDBOOK = """\
    systems:
      handbook-qa:
        architecture: prompt
        gaps: [knowledge]
        baseline_queries: 60
        knowledge: {changes: yearly, depth: reference, citations: true}
        prompt: {context_window_tokens: 200000}
        eval: {examples: 200, labeled: true, adversarial: true, target_score: 0.8,
               created_at: 2026-06-01}
    """


def test_an_unknown_corpus_size_leaves_the_checklist_open(tmp_path: Path, capsys: Any) -> None:
    decision = decide(tmp_path, HANDBOOK)
    # decide.md: "Before any framework: does the knowledge fit the context?" A knowledge need
    # whose size is not declared leaves long context and RAG open, in the checklist too.
    for result in decision.frameworks:
        assert result.verdict == "undecided", result
        assert result.open == ("prompt", "rag"), result
    fit = find(decision.checklist, "checklist.fit")
    assert fit is not None and fit.unknown
    assert fit.key == "systems.handbook-qa.knowledge.corpus_tokens"
    assert decision.consensus == "undecided"
    # Missing facts alone never fire DE001 (rules.md).
    assert not decision.disagrees
    assert "DE001" not in rules(capsys, tmp_path)


def test_a_corpus_that_fits_is_prompt_in_every_framework(tmp_path: Path) -> None:
    decision = decide(tmp_path, HANDBOOK.replace("citations: true}",
                                                 "citations: true, corpus_tokens: 50000}"))
    assert [f.verdict for f in decision.frameworks] == ["prompt"] * 3


# -- 2. a sign on an undeclared fact is unknown, not no ----------------------------------------

VOICE_INDEX = """\
    systems:
      voice:
        architecture: fine-tune
        gaps: [behavior]
        baseline_queries: 80
        knowledge:
          corpus_tokens: 2000000
        prompt: {few_shot_examples: 6, baseline_score: 0.70}
        fine_tune:
          goals: [style]
          training_examples: 2000
          requests_per_month: 50000
        eval: {examples: 300, labeled: true, target_score: 0.85}
    """

PACE_SIGNS = ("checklist.rag.changes", "checklist.rag.updates", "checklist.both.voice")


def test_signs_on_an_undeclared_pace_are_unknown(tmp_path: Path) -> None:
    checklist = decide(tmp_path, VOICE_INDEX).checklist
    assert checklist.verdict == "fine-tune"
    for step_id in PACE_SIGNS:
        sign = find(checklist, step_id)
        assert sign is not None and sign.counted is False
        assert sign.answer.startswith("unknown: "), sign.answer
        assert "knowledge.changes is not declared" in sign.answer
        # Decided all the same: the sign could not tip the count, and it says so.
        assert sign.answer.endswith("the verdict does not depend on it")
        assert sign.key == "systems.voice.knowledge.changes"


def test_an_unknown_pace_that_could_tip_the_count_is_named(tmp_path: Path) -> None:
    # Four fine-tuning signs (style, latency, cost, labelled examples) against four RAG
    # signs (citations, a knowledge gap, private documents, a long tail): a pace that changes
    # at all would make a fifth RAG sign, a static one a tie (hybrid).
    decision = decide(tmp_path, """\
        systems:
          faq:
            architecture: fine-tune
            gaps: [knowledge]
            knowledge: {citations: true, sources: ["docs/**"], corpus_tokens: 900000}
            prompt: {context_window_tokens: 128000}
            fine_tune: {goals: [style, latency, cost], training_examples: 900}
        """)
    checklist = decision.checklist
    assert checklist.verdict == "undecided"
    assert {"rag", "hybrid"} <= set(checklist.open), checklist.open
    sign = find(checklist, "checklist.rag.updates")
    assert sign is not None and sign.unknown and sign.answer.startswith("unknown: ")
    assert "systems.faq.knowledge.changes" in decision.missing


# -- 3. a prompt that reaches the target asks nothing more -------------------------------------

REACHES = """\
    systems:
      math:
        architecture: prompt
        gaps: [reasoning]
        baseline_queries: 80
        prompt: {few_shot_examples: 6, baseline_score: 0.9}
        fine_tune: {training_data: train.jsonl}
        eval: {examples: 200, labeled: true, adversarial: true, target_score: 0.85,
               created_at: 2026-06-01}
    """


def test_a_prompt_at_the_target_stays_prompt_without_asking_for_data(tmp_path: Path) -> None:
    decision = decide(tmp_path, REACHES)
    tree, gates = decision.failure_mode, decision.gates
    assert tree.verdict == gates.verdict == "prompt"
    assert "tree.reasoning.training" not in ids(tree)
    assert "gate3.training" not in ids(gates)
    result = find(gates, "gate3")
    assert result is not None and "undecided" not in result.answer
    assert "already reaches the target" in result.answer
    target = find(tree, "tree.reasoning.target")
    assert target is not None and target.answer.startswith("yes: the prompt already reaches")


# -- 4. a step whose answer cannot change the verdict is not shown ----------------------------

DEEP_NEEDS = """\
    systems:
      voice:
        architecture: hybrid
        gaps: [behavior, reasoning]
        knowledge: {corpus_tokens: 2000000}
        rag: {reranker: bge, retrieval_eval: {precision_at_5: 0.8}}
        baseline_queries: 80
        prompt: {few_shot_examples: 6, baseline_score: 0.70, context_window_tokens: 128000}
        fine_tune:
          goals: [style]
          training_examples: 2000
          requests_per_month: 50000
        eval: {examples: 300, labeled: true, target_score: 0.85}
    """


def test_no_step_the_verdict_does_not_depend_on(tmp_path: Path) -> None:
    decision = decide(tmp_path, DEEP_NEEDS)
    assert [f.verdict for f in decision.frameworks] == ["hybrid"] * 3
    for result in decision.frameworks:
        for step in result.steps:
            if step.counted is None:  # the checklist shows every sign (decide.md)
                assert "does not depend on it" not in step.answer, step
                assert not step.answer.startswith("not declared"), step
    gates = decision.gates
    assert "gate1" not in ids(gates)  # how fast the knowledge changes cannot move it
    gate2 = find(gates, "gate2")
    assert gate2 is not None and "knowledge.depth" not in gate2.answer
    assert "continues to gate 3" in gate2.answer


def test_a_step_that_matters_is_kept(tmp_path: Path) -> None:
    # Gate 0's fit is what leaves prompt and RAG open: it stays, marked unknown.
    gates = decide(tmp_path, HANDBOOK).gates
    gate0 = find(gates, "gate0")
    assert gate0 is not None and gate0.unknown
    # Training data that could decide a fine-tune at gate 3: its size stays asked.
    gates = decide(tmp_path, DEEP_NEEDS.replace("training_examples: 2000",
                                                "training_data: data/train.jsonl")).gates
    assert gates.verdict == "undecided" and gates.open == ("rag", "hybrid"), gates
    training = find(gates, "gate3.training")
    assert training is not None and training.unknown
    assert training.key == "systems.voice.fine_tune.training_examples"


def test_the_tree_names_the_knowledge_layer_when_its_fit_does_not_matter(
        tmp_path: Path) -> None:
    # Beside a fine-tune a knowledge layer makes hybrid wherever it sits: the fit question
    # is left out, the layer is still named.
    tree = decide(tmp_path, DEEP_NEEDS.replace(", context_window_tokens: 128000", "")
                  .replace("knowledge: {corpus_tokens: 2000000}",
                           "knowledge: {citations: true}")).failure_mode
    assert tree.verdict == "hybrid"
    assert "tree.fit" not in ids(tree)
    layer = find(tree, "tree.knowledge")
    assert layer is not None and "long context if the corpus fits" in layer.answer


# -- 5. no gaps: the tree is undecided, its open set still counts ------------------------------

NO_GAPS = """\
    systems:
      kb:
        architecture: rag
        knowledge: {changes: weekly, citations: true, corpus_tokens: 5000000}
        prompt: {context_window_tokens: 128000}
        rag: {reranker: bge, retrieve_k: 20, context_k: 5, index_refresh: daily,
              retrieval_eval: {precision_at_5: 0.8}}
        eval: {examples: 200, labeled: true, adversarial: true, created_at: 2026-06-01}
    """


def test_no_gaps_leave_the_tree_undecided(tmp_path: Path, capsys: Any) -> None:
    decision = decide(tmp_path, NO_GAPS)
    tree = decision.failure_mode
    # decide.md, step 1: "No gaps declared -> undecided"; what it leaves open still counts.
    assert tree.verdict == "undecided"
    assert tree.open == ("rag",)
    gaps = find(tree, "tree.gaps")
    assert gaps is not None and gaps.unknown and "run at least 50 real queries" in gaps.answer
    # Waiting for a fact, and leaving the declared rag open, the tree is not against it.
    assert agreement_line(decision) == (
        "declared rag: agrees with some (five gates and checklist); none rules it out "
        "(failure-mode tree: undecided (rag open))")
    still = find(tree, "tree.open")
    assert still is not None and "declare gaps" in still.answer
    assert "systems.kb.gaps" in decision.missing
    assert decision.gates.verdict == decision.checklist.verdict == "rag"
    # The verdict two frameworks share; the tree's open set does not rule it out.
    assert decision.consensus == "rag" and not decision.only_open
    assert not decision.disagrees
    assert "DE001" not in rules(capsys, tmp_path)


# -- 6. without a target, no step claims that prompting plateaued ------------------------------

NO_TARGET = """\
    systems:
      tone:
        architecture: fine-tune
        gaps: [behavior]
        baseline_queries: 80
        prompt: {few_shot_examples: 6, baseline_score: 0.70}
        fine_tune:
          goals: [style]
          training_examples: 2000
          requests_per_month: 50000
        eval: {examples: 200, labeled: true, adversarial: true, created_at: 2026-06-01}
    """


def test_without_a_target_nothing_says_prompting_plateaued(tmp_path: Path) -> None:
    decision = decide(tmp_path, NO_TARGET)
    for result in decision.frameworks:
        for step in result.steps:
            assert "prompting plateaued and" not in step.answer, step
    tree = decision.failure_mode
    target = find(tree, "tree.behavior.target")
    assert target is not None and target.key == "systems.tone.eval.target_score"
    assert "eval.target_score is not declared" in target.answer
    conclusion = find(tree, "tree.behavior")
    assert conclusion is not None
    assert "whether prompting plateaued is not known" in conclusion.answer
    gates_target = find(decision.gates, "gate3.target")
    assert gates_target is not None and gates_target.key == "systems.tone.eval.target_score"
    plateau = find(decision.checklist, "checklist.ft.plateau")
    assert plateau is not None and plateau.counted is False
    assert plateau.answer.startswith("unknown: ")


def test_without_a_target_the_target_is_asked_only_where_it_matters(tmp_path: Path) -> None:
    # At this volume a fine-tune does not pay back: prompt, whatever the target would say.
    decision = decide(tmp_path, NO_TARGET.replace("requests_per_month: 50000",
                                                  "requests_per_month: 500"))
    assert decision.failure_mode.verdict == decision.gates.verdict == "prompt"
    assert "tree.behavior.target" not in ids(decision.failure_mode)
    assert "gate3.target" not in ids(decision.gates)
