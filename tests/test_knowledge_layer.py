"""A knowledge layer, the same in every framework (decide.md, "A knowledge layer").

There is one exactly when there is a knowledge need: a knowledge gap, citations, per-user
access, or a corpus or sources declared, except a corpus beside gaps that hold only behaviour
(style examples in an index). It sits in the prompt when the corpus fits the context (never
RAG), else in RAG, and beside a fine-tune the verdict is hybrid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragft_lint import thresholds
from ragft_lint.cli import main
from ragft_lint.decide import Decision, FrameworkResult, decide_system
from ragft_lint.declaration import load
from ragft_lint.declaration.schema import DEPTHS, FREQUENCIES, GAPS, GOALS

# Prompting tried and falling short of the target, at a volume that pays for a fine-tune: the
# tree's behaviour step ends at fine-tune.
PROMPTING_PLATEAUED: Dict[str, Any] = {
    "prompt": {"few_shot_examples": 6, "baseline_score": 0.6},
    "eval": {"examples": 300, "labeled": True, "target_score": 0.85},
    "fine_tune": {"requests_per_month": 50_000},
}
WINDOW = 128_000
LARGE = 2_000_000  # more than the window
SMALL = 30_000  # within half the window (context_fit_ratio 0.5)


def _write(folder: Path, system: Dict[str, Any]) -> Path:
    (folder / ".git").mkdir(exist_ok=True)
    path = folder / "ragft.yaml"
    path.write_text(json.dumps({"systems": {"bot": system}}), encoding="utf-8")
    return path


def _decide(folder: Path, system: Dict[str, Any]) -> Decision:
    declaration = load(_write(folder, system))
    limits = thresholds.resolve(declaration.settings.thresholds)
    return decide_system(declaration.systems["bot"], limits)


def _system(knowledge: Dict[str, Any], gaps: Any = ("behavior",), plateaued: bool = False,
            architecture: str = "rag") -> Dict[str, Any]:
    system: Dict[str, Any] = {"architecture": architecture, "gaps": list(gaps),
                              "knowledge": knowledge,
                              "prompt": {"context_window_tokens": WINDOW}}
    if plateaued:
        for key, value in PROMPTING_PLATEAUED.items():
            system.setdefault(key, {}).update(value)
    return system


def _step(result: FrameworkResult, step_id: str) -> Any:
    (found,) = [s for s in result.steps if s.id == step_id]
    return found


def _tree_json(capsys: Any, folder: Path) -> Dict[str, Any]:
    capsys.readouterr()
    assert main(["decide", str(folder), "--format", "json"]) == 0
    data: Dict[str, Any] = json.loads(capsys.readouterr().out)
    tree: Dict[str, Any] = data["systems"]["bot"]["frameworks"]["failure_mode"]
    return tree


@pytest.mark.parametrize("need", ["citations", "per_user_access"])
def test_a_behaviour_gap_with_a_document_need_gets_rag_in_the_tree(
        tmp_path: Path, capsys: Any, need: str) -> None:
    _write(tmp_path, _system({need: True, "corpus_tokens": LARGE, "changes": "monthly"}))
    tree = _tree_json(capsys, tmp_path)
    assert tree["verdict"] == "rag", tree["steps"]
    knowledge = [s for s in tree["steps"] if s["id"] == "tree.knowledge"]
    assert knowledge and "RAG" in knowledge[0]["answer"], tree["steps"]


@pytest.mark.parametrize("need", ["citations", "per_user_access"])
def test_a_behaviour_gap_with_a_document_need_that_fits_is_long_context(
        tmp_path: Path, need: str) -> None:
    decision = _decide(tmp_path, _system({need: True, "corpus_tokens": SMALL,
                                          "changes": "monthly"}))
    for result in (decision.failure_mode, decision.gates):
        assert result.verdict == "prompt", [(s.id, s.answer) for s in result.steps]
    assert "long context" in _step(decision.failure_mode, "tree.knowledge").answer


@pytest.mark.parametrize("need", ["citations", "per_user_access"])
@pytest.mark.parametrize("corpus", [SMALL, LARGE])
def test_a_fine_tuned_behaviour_beside_a_document_need_is_hybrid(
        tmp_path: Path, need: str, corpus: int) -> None:
    decision = _decide(tmp_path, _system({need: True, "corpus_tokens": corpus,
                                          "changes": "monthly"}, plateaued=True,
                                         architecture="hybrid"))
    tree = decision.failure_mode
    assert _step(tree, "tree.behavior").answer.startswith("fine-tune"), tree.steps
    assert tree.verdict == "hybrid", [(s.id, s.answer) for s in tree.steps]


def test_style_examples_stay_no_knowledge_layer(tmp_path: Path) -> None:
    # Past approved posts retrieved so the model sees the voice: behaviour, not knowledge.
    knowledge = {"corpus_tokens": LARGE, "sources": ["posts/**"], "changes": "daily"}
    (tmp_path / "a").mkdir()
    prompted = _decide(tmp_path / "a", _system(knowledge))
    answer = _step(prompted.failure_mode, "tree.knowledge").answer
    assert answer.startswith("no knowledge layer needed"), answer
    assert [f.verdict for f in prompted.frameworks] == ["prompt", "prompt", "prompt"]
    (tmp_path / "b").mkdir()
    tuned = _decide(tmp_path / "b", _system(knowledge, plateaued=True,
                                            architecture="fine-tune"))
    assert tuned.failure_mode.verdict == "fine-tune"
    assert "rag" not in tuned.failure_mode.open and "hybrid" not in tuned.failure_mode.open


@pytest.mark.parametrize("extra", [{}, {"citations": True, "changes": "weekly"},
                                   {"depth": "reference", "changes": "yearly"}])
def test_a_knowledge_gap_that_fits_the_context_is_long_context_never_rag(
        tmp_path: Path, extra: Dict[str, Any]) -> None:
    decision = _decide(tmp_path, _system({"corpus_tokens": SMALL, **extra},
                                         gaps=["knowledge"], architecture="prompt"))
    for result in (decision.failure_mode, decision.gates):
        assert result.verdict == "prompt", [(s.id, s.answer) for s in result.steps]
        assert "rag" not in result.open


def test_a_reasoning_gap_beside_a_declared_corpus_is_hybrid_once_fine_tuned(
        tmp_path: Path) -> None:
    # decide.md: a corpus declared beside any gap but behaviour alone is a knowledge need,
    # whether it would be looked up or internalised; static and between half the window and
    # the window, it is still a layer beside the fine-tune.
    system = _system({"corpus_tokens": 100_000, "changes": "static", "depth": "deep"},
                     gaps=["reasoning"], architecture="fine-tune")
    system["fine_tune"] = {"training_examples": 900, "requests_per_month": 50_000}
    system["eval"] = {"examples": 300, "labeled": True}
    decision = _decide(tmp_path, system)
    assert decision.failure_mode.verdict == "hybrid"
    assert decision.gates.verdict == "hybrid", [(s.id, s.answer) for s in decision.gates.steps]


# -- the three frameworks agree on whether there is a knowledge layer ---------------------------

_CORPUS = st.sampled_from([SMALL, 64_000, 64_001, 100_000, WINDOW, WINDOW + 1, LARGE])


@st.composite
def _systems(draw: Any) -> Dict[str, Any]:
    system: Dict[str, Any] = {
        "architecture": "hybrid",
        "gaps": draw(st.lists(st.sampled_from(GAPS), unique=True, min_size=1)),
    }
    knowledge: Dict[str, Any] = {}
    for key, strategy in (("changes", st.sampled_from(FREQUENCIES)),
                          ("depth", st.sampled_from(DEPTHS)), ("corpus_tokens", _CORPUS),
                          ("citations", st.booleans()), ("per_user_access", st.booleans()),
                          ("sources", st.just(["docs/**"]))):
        if draw(st.booleans()):
            knowledge[key] = draw(strategy)
    if knowledge:
        system["knowledge"] = knowledge
    prompt: Dict[str, Any] = {}
    if draw(st.booleans()):
        prompt["context_window_tokens"] = WINDOW
    if draw(st.booleans()):
        prompt.update(few_shot_examples=6, baseline_score=draw(st.sampled_from([0.6, 0.9])))
    if prompt:
        system["prompt"] = prompt
    if draw(st.booleans()):
        system["fine_tune"] = {
            "goals": draw(st.lists(st.sampled_from(GOALS), unique=True, max_size=3)),
            "requests_per_month": draw(st.sampled_from([100, 50_000])),
            "training_examples": draw(st.sampled_from([50, 900])),
        }
    if draw(st.booleans()):
        system["eval"] = {"examples": draw(st.sampled_from([20, 300])), "labeled": True,
                          "target_score": 0.85}
    return system


def _need(system: Dict[str, Any]) -> bool:
    """decide.md's knowledge need, read off the declaration."""
    gaps, knowledge = system["gaps"], system.get("knowledge", {})
    if "knowledge" in gaps or knowledge.get("citations") or knowledge.get("per_user_access"):
        return True
    corpus = "corpus_tokens" in knowledge or "sources" in knowledge
    return corpus and set(gaps) != {"behavior"}


def _fits(system: Dict[str, Any]) -> Optional[bool]:
    corpus = system.get("knowledge", {}).get("corpus_tokens")
    window = system.get("prompt", {}).get("context_window_tokens")
    if corpus is None or window is None:
        return None
    return bool(corpus <= 0.5 * window)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(system=_systems())
def test_the_frameworks_agree_on_the_knowledge_layer(tmp_path_factory: Any,
                                                     system: Dict[str, Any]) -> None:
    decision = _decide(tmp_path_factory.mktemp("k"), system)
    need, fits = _need(system), _fits(system)
    if not need:
        allowed = {"prompt", "fine-tune"}  # where behaviour ends
    elif fits:
        allowed = {"prompt", "hybrid"}  # the layer in the prompt, never RAG
    else:
        allowed = {"rag", "hybrid"}  # a layer that does not (or may not) fit: RAG
    for result in decision.frameworks:
        if result.verdict != "undecided":
            assert result.verdict in allowed, (result.name, result.verdict, need, fits,
                                               [(s.id, s.answer) for s in result.steps])


def test_a_corpus_pace_left_open_stays_inside_the_checklist_open_set(tmp_path: Path) -> None:
    # Undiagnosed gaps beside a corpus: behaviour-only gaps would make it style examples, and
    # how fast it changes still tips the checklist's count, so declaring the pace only narrows
    # what the checklist leaves open.
    system: Dict[str, Any] = {
        "architecture": "prompt", "knowledge": {"corpus_tokens": 32_001},
        "prompt": {"context_window_tokens": 32_000},
        "fine_tune": {"goals": ["format", "style"], "requests_per_month": 100,
                      "training_data": "data/train.jsonl"},
    }
    (tmp_path / "before").mkdir()
    before = _decide(tmp_path / "before", system).checklist
    system["knowledge"]["changes"] = "realtime"
    (tmp_path / "after").mkdir()
    after = _decide(tmp_path / "after", system).checklist
    assert set(after.open) <= set(before.open), (before.open, after.open)
