"""Open sets as properties (decide.md, "Verdicts and open sets").

- The consensus is one the open sets allow: a verdict two frameworks share, or one that every
  framework leaves open; an undecided consensus shows only what every framework leaves open.
- Filling in an unknown fact never moves a framework outside the open set it had: a decided
  framework stays where it is, an undecided one narrows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragft_lint import thresholds
from ragft_lint.decide import Decision, decide_system
from ragft_lint.declaration import load
from ragft_lint.declaration.schema import ARCHITECTURES, DEPTHS, FREQUENCIES, GAPS, GOALS

_SOME_GAPS = st.lists(st.sampled_from(GAPS), unique=True, min_size=1)
# Sizes near the lines the frameworks draw (half the window, the window) as often as not.
_CORPUS = st.one_of(st.integers(0, 4_000_000),
                    st.sampled_from([16_000, 16_001, 32_000, 32_001, 64_000, 64_001, 128_000,
                                     128_001]))
_WINDOW = st.one_of(st.integers(1_000, 2_000_000),
                    st.sampled_from([32_000, 64_000, 80_000, 128_000, 200_000]))


@st.composite
def systems(draw: Any) -> Dict[str, Any]:
    """A system with some facts declared and others left out, the artefacts (eval, training
    data, volume) sometimes declared with their size and sometimes only by their file."""
    facts: Dict[str, Any] = {"architecture": draw(st.sampled_from(ARCHITECTURES))}
    if draw(st.booleans()):
        facts["gaps"] = draw(_SOME_GAPS)
    knowledge: Dict[str, Any] = {}
    for key, strategy in (("changes", st.sampled_from(FREQUENCIES)),
                          ("depth", st.sampled_from(DEPTHS)),
                          ("corpus_tokens", _CORPUS),
                          ("citations", st.booleans()), ("per_user_access", st.booleans()),
                          ("sources", st.just(["docs/**"]))):
        if draw(st.booleans()):
            knowledge[key] = draw(strategy)
    if knowledge:
        facts["knowledge"] = knowledge
    prompt: Dict[str, Any] = {}
    for key, strategy in (("few_shot_examples", st.sampled_from([0, 6])),
                          ("baseline_score", st.sampled_from([0.5, 0.8, 0.9])),
                          ("structured_output", st.booleans()),
                          ("context_window_tokens", st.sampled_from([32_000, 128_000]))):
        if draw(st.booleans()):
            prompt[key] = draw(strategy)
    if prompt:
        facts["prompt"] = prompt
    if draw(st.booleans()):
        fine_tune: Dict[str, Any] = {
            "goals": draw(st.lists(st.sampled_from(GOALS), unique=True, max_size=3)),
            "requests_per_month": draw(st.sampled_from([100, 50_000])),
        }
        if draw(st.booleans()):
            fine_tune["training_examples"] = draw(st.sampled_from([50, 199, 200, 900]))
        else:
            fine_tune["training_data"] = "data/train.jsonl"
        facts["fine_tune"] = fine_tune
    if draw(st.booleans()):
        evaluation: Dict[str, Any] = {"labeled": True}
        if draw(st.booleans()):
            evaluation["examples"] = draw(st.sampled_from([20, 149, 150, 300]))
        else:
            evaluation["path"] = "evals/bot.jsonl"
        if draw(st.booleans()):
            evaluation["target_score"] = draw(st.sampled_from([0.8, 0.85]))
        facts["eval"] = evaluation
    return facts


def _decide(folder: Path, facts: Dict[str, Any]) -> Decision:
    (folder / ".git").mkdir(exist_ok=True)
    (folder / "ragft.yaml").write_text(json.dumps({"systems": {"bot": facts}}))
    declaration = load(folder / "ragft.yaml")
    limits = thresholds.resolve(declaration.settings.thresholds)
    return decide_system(declaration.systems["bot"], limits)


def _need(facts: Dict[str, Any]) -> bool:
    """A knowledge need as decide.md defines it; only then are the knowledge's properties
    questions rather than new knowledge."""
    gaps = facts.get("gaps", [])
    knowledge = facts.get("knowledge", {})
    if "knowledge" in gaps or knowledge.get("citations") or knowledge.get("per_user_access"):
        return True
    corpus = "corpus_tokens" in knowledge or "sources" in knowledge
    return corpus and not (gaps and set(gaps) <= {"behavior"})


def _unknowns(facts: Dict[str, Any]) -> List[Tuple[Tuple[str, ...], Any]]:
    """The unknown facts of a system (a property a step asks about, neither declared nor
    measured), each with the values it could be filled in with."""
    knowledge = facts.get("knowledge", {})
    out: List[Tuple[Tuple[str, ...], Any]] = []
    if "gaps" not in facts:
        out.append((("gaps",), _SOME_GAPS))
    if _need(facts):
        for key, strategy in (("changes", st.sampled_from(FREQUENCIES)),
                              ("depth", st.sampled_from(DEPTHS))):
            if key not in knowledge:
                out.append((("knowledge", key), strategy))
    if "sources" in knowledge and "corpus_tokens" not in knowledge:
        out.append((("knowledge", "corpus_tokens"), _CORPUS))
    corpus = "sources" in knowledge or "corpus_tokens" in knowledge
    if corpus and "context_window_tokens" not in facts.get("prompt", {}):
        out.append((("prompt", "context_window_tokens"), _WINDOW))
    if "path" in facts.get("eval", {}):
        out.append((("eval", "examples"), st.integers(0, 1000)))
    if "training_data" in facts.get("fine_tune", {}):
        out.append((("fine_tune", "training_examples"), st.integers(0, 5000)))
    return out


def _filled(facts: Dict[str, Any], keys: Tuple[str, ...], value: Any) -> Dict[str, Any]:
    out = json.loads(json.dumps(facts))
    node = out
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return out


_SETTINGS = settings(max_examples=120, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


@_SETTINGS
@given(facts=systems())
def test_the_consensus_is_inside_the_open_sets(tmp_path_factory: Any,
                                               facts: Dict[str, Any]) -> None:
    decision = _decide(tmp_path_factory.mktemp("p"), facts)
    frameworks = decision.frameworks
    consensus = decision.consensus
    for result in frameworks:
        # A decided framework's open set is its verdict; an undecided one keeps two or more,
        # except the failure-mode tree without gaps: it is undecided whatever it leaves open
        # (decide.md, step 1: "No gaps declared -> undecided"), and may leave one open.
        if result.verdict == "undecided":
            if result.name == "failure_mode" and "gaps" not in facts:
                assert len(result.open) >= 1, result
            else:
                assert len(result.open) >= 2, result
        else:
            assert result.open == (result.verdict,)
    if consensus in ARCHITECTURES:
        sharing = [f for f in frameworks if f.verdict == consensus]
        if len(sharing) < 2:
            # Not a shared verdict: then it is the one architecture every framework leaves
            # open, inside every decided framework's open set (its verdict) too.
            assert all(consensus in f.open for f in frameworks), decision
            assert decision.only_open
        assert decision.open == (consensus,)
    elif consensus == "split":
        decided = {f.verdict for f in frameworks if f.verdict != "undecided"}
        assert len(decided) >= 2
        verdicts = [f.verdict for f in frameworks if f.verdict != "undecided"]
        assert all(verdicts.count(v) == 1 for v in verdicts)
    else:
        assert consensus == "undecided"
        common = [a for a in ARCHITECTURES if all(a in f.open for f in frameworks)]
        if common:
            assert list(decision.open) == common and len(common) != 1
    # DE001's condition (and --fail-on-disagreement's) never rests on missing facts alone:
    # a declared architecture that some framework leaves open is a disagreement only against
    # a consensus.
    if decision.disagrees and consensus not in ARCHITECTURES:
        assert not any(decision.declared in f.open for f in frameworks)


@_SETTINGS
@given(facts=systems(), data=st.data())
def test_filling_in_an_unknown_fact_stays_inside_the_open_set(
        tmp_path_factory: Any, facts: Dict[str, Any], data: Any) -> None:
    folder = tmp_path_factory.mktemp("p")
    before = _decide(folder, facts)
    for keys, strategy in _unknowns(facts):
        value = data.draw(strategy)
        after = _decide(folder, _filled(facts, keys, value))
        for old, new in zip(before.frameworks, after.frameworks):
            note: Optional[str] = f"{old.name}: {keys}={value!r}; {old.open} -> {new.open}"
            assert set(new.open) <= set(old.open), note
            if old.verdict != "undecided":
                assert new.verdict == old.verdict, note
