"""Decisions that agree with themselves and with the field: one test per flaw that was found
when realistic declarations were tried as a practitioner would, and the principles of decide.md
as properties.

Each test here failed on the code before these fixes: the flaw it names is the one it catches.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import AS_OF, fired
from ragft_lint import Report, Session
from ragft_lint.decide import Decision, Decisions, FrameworkResult
from ragft_lint.errors import DeclarationError
from ragft_lint.options import Options
from ragft_lint.output import decision_json, decision_text

Decide = Callable[[str], Decision]


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        folder = tmp_path / "project"
        (folder / ".git").mkdir(parents=True, exist_ok=True)
        target = folder / "ragft.yaml"
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    return write


def decisions_of(target: Path, with_report: bool = True) -> Decisions:
    """The decisions of a declaration, with the blockers of ``check``'s report beside them."""
    from ragft_lint.decide import decide

    session = Session()
    declaration = session.declaration(target)
    options = Options(as_of=AS_OF, evidence=False)
    report = session.report(declaration, options) if with_report else None
    return decide(declaration, report=report)


@pytest.fixture
def decide_one(project: Callable[[str], Path]) -> Decide:
    def run(text: str) -> Decision:
        return next(iter(decisions_of(project(text)).values()))

    return run


def verdicts(decision: Decision) -> List[str]:
    return [f.verdict for f in decision.frameworks]


def step(result: FrameworkResult, step_id: str) -> Any:
    (found,) = [s for s in result.steps if s.id == step_id]
    return found


# -- decide contradicts check ------------------------------------------------------------------

LATENCY_FINE_TUNE = """\
    systems:
      router:
        architecture: fine-tune
        gaps: [behavior]
        baseline_queries: 80
        prompt: {few_shot_examples: 6, structured_output: true}
        fine_tune:
          goals: [latency, format]
          base_model: small-3b
          training_examples: 2000
          requests_per_month: 400000
        eval: {examples: 300, labeled: true, created_at: 2026-06-01}
    """


def test_blockers_stand_beside_the_verdicts_in_text_and_json(decide_one: Decide,
                                                              run_yaml: Any) -> None:
    report = run_yaml(LATENCY_FINE_TUNE)
    (ft005,) = fired(report, "FT005")
    assert str(ft005.severity) == "error" and "small-3b" in ft005.message
    decision = decide_one(LATENCY_FINE_TUNE)
    assert [b.rule for b in decision.blockers] == ["FT005"]
    text = decision_text.render_one(decision)
    assert f"consensus: {decision.consensus}, not ready: FT005" in text
    assert "blocked by " in text and "FT005 fine_tune.goals includes latency" in text
    (blocker,) = json.loads(decision_json.render({"router": decision}))["systems"]["router"][
        "blockers"]
    assert blocker["rule"] == "FT005" and blocker["line"] > 0 and blocker["path"]


ICD_CODER = """\
    systems:
      icd10-coder:
        architecture: fine-tune
        gaps: [knowledge, reasoning]
        baseline_queries: 120
        knowledge: {changes: yearly, depth: deep, corpus_tokens: 9000000, citations: true}
        prompt: {few_shot_examples: 6, context_window_tokens: 128000, baseline_score: 0.55}
        fine_tune:
          goals: [reasoning, format]
          training_examples: 6000
          requests_per_month: 50000
        eval: {examples: 400, labeled: true}
    """


def test_a_fine_tune_with_a_knowledge_layer_is_hybrid_and_de001_says_so(
        decide_one: Decide, run_yaml: Any) -> None:
    decision = decide_one(ICD_CODER)
    # A knowledge gap, citations and a corpus far larger than the context: a knowledge layer,
    # so wherever a framework ends with a fine-tune, it ends with hybrid.
    assert "fine-tune" not in verdicts(decision), verdicts(decision)
    assert decision.gates.verdict == "hybrid"
    report = run_yaml(ICD_CODER)
    assert {"KN002", "KN003"} <= {f.rule for f in report.findings}
    (de001,) = fired(report, "DE001")
    assert "hybrid" in de001.message


# -- the checklist approves any behaviour fine-tune ------------------------------------------


def test_one_fact_counts_for_one_sign_and_a_working_prompt_has_not_plateaued(
        decide_one: Decide) -> None:
    decision = decide_one("""\
        systems:
          tone:
            architecture: prompt
            gaps: [behavior]
            prompt: {few_shot_examples: 5, baseline_score: 0.88}
            eval: {examples: 120, labeled: true, target_score: 0.85}
        """)
    checklist = decision.checklist
    assert step(checklist, "checklist.ft.style").counted is False  # the gap is one sign
    assert step(checklist, "checklist.ft.behavioural").counted is True
    assert step(checklist, "checklist.ft.plateau").counted is False
    assert "has not plateaued" in step(checklist, "checklist.ft.plateau").answer
    assert checklist.fine_tune_signs == 1


def test_one_checklist_vote_no_longer_silences_de001(run_yaml: Any) -> None:
    report = run_yaml("""\
        systems:
          startup-bot:
            architecture: fine-tune
            gaps: [behavior]
            baseline_queries: 60
            prompt: {few_shot_examples: 2}
            fine_tune:
              goals: [style, latency]
              training_examples: 120
              requests_per_month: 900
            eval: {examples: 60, labeled: true}
        """)
    (de001,) = fired(report, "DE001")
    assert "the frameworks agree on prompt" in de001.message
    assert "checklist: fine-tune" in de001.message


# -- unknown becomes a verdict -----------------------------------------------------------------


def test_no_declared_gaps_is_not_prompt(decide_one: Decide) -> None:
    decision = decide_one("""\
        systems:
          handbook:
            architecture: prompt
            knowledge: {changes: static, corpus_tokens: 20000}
            prompt: {context_window_tokens: 128000}
            fine_tune: {goals: [format], training_examples: 900, requests_per_month: 50000}
            eval: {examples: 300, labeled: true}
        """)
    assert decision.gates.verdict == "undecided"
    assert "systems.handbook.gaps" in decision.missing


def test_an_undeclared_depth_is_not_reference(decide_one: Decide) -> None:
    decision = decide_one("""\
        systems:
          hr-letters:
            architecture: prompt
            gaps: [behavior]
            knowledge: {changes: yearly, per_user_access: true}
            prompt: {few_shot_examples: 5, context_window_tokens: 128000}
        """)
    assert decision.gates.verdict != "rag", decision.gates.steps
    # Per-user access is a knowledge need (decide.md, "A knowledge layer"); with the corpus's
    # size not declared, the tree leaves long context and RAG open, as the gates do.
    assert decision.failure_mode.verdict == "undecided"
    assert decision.failure_mode.open == ("prompt", "rag")


# -- fit in context, before every framework ------------------------------------------------


def test_a_handbook_that_fits_is_long_context_in_every_framework(decide_one: Decide) -> None:
    decision = decide_one("""\
        systems:
          handbook:
            architecture: prompt
            gaps: [knowledge]
            knowledge: {changes: yearly, depth: reference, corpus_tokens: 30000}
            prompt: {context_window_tokens: 200000}
        """)
    assert verdicts(decision) == ["prompt", "prompt", "prompt"], verdicts(decision)
    assert "reranker" not in step(decision.failure_mode, "tree.knowledge").answer


# -- stable conventions are not changing facts ----------------------------------------------


def test_a_reasoning_fine_tune_over_daily_facts_is_hybrid(decide_one: Decide) -> None:
    decision = decide_one("""\
        systems:
          pest-advisor:
            architecture: hybrid
            gaps: [knowledge, reasoning]
            knowledge: {changes: daily, depth: reference, corpus_tokens: 6000000}
            prompt: {context_window_tokens: 128000}
            fine_tune: {goals: [reasoning], training_examples: 2400, conventions_change: yearly}
            eval: {examples: 300, labeled: true}
        """)
    conventions = step(decision.failure_mode, "tree.reasoning.conventions")
    assert conventions.answer.startswith("yes: fine_tune.conventions_change is yearly")
    assert "knowledge.changes" not in conventions.answer
    assert decision.failure_mode.verdict == "hybrid"


# -- silence rewarded --------------------------------------------------------------------------

SILENT = {
    "RG002": """\
        systems:
          docs:
            architecture: rag
            rag: {retrieval_eval: {path: evals/retrieval.jsonl, examples: 200}}
        """,
    "RG009": """\
        systems:
          prices:
            architecture: rag
            knowledge: {changes: daily}
        """,
    "FT012": """\
        systems:
          tone:
            architecture: fine-tune
            fine_tune: {trained_at: 2026-09-01}
        """,
    "EV010": """\
        systems:
          tone:
            architecture: fine-tune
            eval: {examples: 200, labeled: true}
        """,
    "EV009": """\
        systems:
          tone:
            architecture: fine-tune
            fine_tune: {training_data: data/train.jsonl}
            eval: {path: data/train.jsonl}
        """,
    "KN007": """\
        systems:
          stuffer:
            architecture: prompt
            knowledge: {corpus_tokens: 600000}
            prompt: {context_window_tokens: 128000}
        """,
    "FT010": """\
        systems:
          tone:
            architecture: fine-tune
            fine_tune: {trained_at: 2025-10-20, retrain_every: quarterly}
        """,
    "FT011": """\
        systems:
          tone:
            architecture: fine-tune
            fine_tune: {base_model_date: 2025-09-20}
        """,
    "EV008": """\
        systems:
          tone:
            architecture: fine-tune
            prompt: {baseline_score: 0.80}
            fine_tune: {score: 0.81}
            eval: {examples: 150}
        """,
}


@pytest.mark.parametrize("rule", sorted(SILENT))
def test_a_flaw_that_passed_in_silence_is_found(run_yaml: Any, rule: str) -> None:
    assert fired(run_yaml(SILENT[rule]), rule)


def test_thirteen_months_on_a_quarterly_plan_is_a_warning(run_yaml: Any) -> None:
    (finding,) = fired(run_yaml(SILENT["FT010"]), "FT010")
    assert str(finding.severity) == "warning"


# -- thresholds switch rules off without a trace -------------------------------------------

LOWERED = """\
    thresholds:
      min_training_examples: 100
      min_eval_examples: 25
      min_few_shot_examples: 2
      min_baseline_queries:
        value: 10
        reason: "an internal tool with ten users; ten queries are all of them"
    systems:
      tone:
        architecture: fine-tune
        gaps: [behavior]
        fine_tune: {training_examples: 120}
        eval: {examples: 30, labeled: true}
    """


def test_loosened_thresholds_without_a_reason_are_findings(run_yaml: Any) -> None:
    findings = fired(run_yaml(LOWERED), "TH001")
    named = sorted(f.message.split(" is ")[0] for f in findings)
    assert named == ["thresholds.min_eval_examples", "thresholds.min_few_shot_examples",
                     "thresholds.min_training_examples"]
    assert all(str(f.severity) == "warning" for f in findings)
    assert all(f.system is None for f in findings)  # of the declaration, not of a system


def test_the_changed_thresholds_are_shown_by_decide(project: Callable[[str], Path]) -> None:
    decisions = decisions_of(project(LOWERED))
    text = decision_text.render(decisions)
    assert "thresholds changed from the defaults: min_baseline_queries 10 (default 50): an " \
           "internal tool" in text
    data = json.loads(decision_json.render(decisions))
    assert data["version"]
    assert data["thresholds"]["min_eval_examples"] == {"default": 150, "value": 25,
                                                       "reason": None}
    assert data["thresholds"]["min_baseline_queries"]["reason"].startswith("an internal")


# -- reranker: none ----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["none", "None", "no", "off", "null", "'false'", "'NONE'"])
def test_words_for_no_reranker_are_refused(project: Callable[[str], Path], word: str) -> None:
    target = project(f"""\
        systems:
          docs:
            architecture: rag
            rag: {{reranker: {word}, retrieve_k: 5, context_k: 5}}
        """)
    with pytest.raises(DeclarationError) as caught:
        Session().declaration(target)
    (problem,) = caught.value.problems
    assert "systems.docs.rag.reranker" in str(problem) and "write false" in str(problem)


# -- messages ----------------------------------------------------------------------------------


def test_ft005_names_the_model_without_a_baseline(run_yaml: Any) -> None:
    (finding,) = fired(run_yaml("""\
        systems:
          router:
            architecture: fine-tune
            prompt: {baseline_score: 0.9, baseline_model: big-70b}
            fine_tune: {goals: [cost], base_model: small-3b}
        """), "FT005")
    assert "big-70b" in finding.message and "small-3b" in finding.message
    assert str(finding.severity) == "warning"


@pytest.mark.parametrize(("rule", "facts"), [
    ("FT001", "fine_tune: {training_examples: 80, trained_at: 2026-09-01, score: 0.8}"),
    ("EV002", "fine_tune: {trained_at: 2026-09-01, score: 0.8}\n    eval: {examples: 40}"),
])
def test_a_model_already_trained_is_told_to_retrain_and_re_score(
        run_yaml: Any, rule: str, facts: str) -> None:
    text = "systems:\n  tone:\n    architecture: fine-tune\n    " + facts + "\n"
    (finding,) = fired(run_yaml(text), rule)
    assert "then retrain and re-score" in finding.fix
    assert "before training" not in finding.fix


def test_ft006_does_not_state_the_upkeep_as_fact(run_yaml: Any) -> None:
    (finding,) = fired(run_yaml("""\
        systems:
          tone:
            architecture: fine-tune
            fine_tune: {goals: [style], requests_per_month: 900}
        """), "FT006")
    assert "costs more than it saves" not in finding.message
    assert "usually" in finding.message and "waive FT006" in finding.fix
    assert str(finding.severity) == "warning"


# -- the principles as properties ------------------------------------------------------------

_GAPS = st.one_of(st.none(), st.lists(st.sampled_from(["knowledge", "reasoning", "behavior"]),
                                      unique=True, min_size=1))
_CHANGES = st.one_of(st.none(), st.sampled_from(["daily", "monthly", "quarterly", "yearly",
                                                 "static"]))
_DEPTH = st.one_of(st.none(), st.sampled_from(["reference", "deep"]))
_TOKENS = st.one_of(st.none(), st.sampled_from([10_000, 64_000, 100_000, 2_000_000]))
_WINDOW = st.one_of(st.none(), st.just(128_000))


@st.composite
def systems(draw: Any) -> Dict[str, Any]:
    """Systems whose facts a step asks about are sometimes there and sometimes not, beside
    the artefacts (training data, eval, volume) that make a fine-tune possible."""
    facts: Dict[str, Any] = {"architecture": draw(st.sampled_from(
        ["prompt", "rag", "fine-tune", "hybrid"]))}
    knowledge: Dict[str, Any] = {"citations": draw(st.booleans())}
    if draw(st.booleans()):
        knowledge["sources"] = ["docs/**"]
    for key, strategy in (("changes", _CHANGES), ("depth", _DEPTH), ("corpus_tokens", _TOKENS)):
        value = draw(strategy)
        if value is not None:
            knowledge[key] = value
    facts["knowledge"] = knowledge
    gaps, window = draw(_GAPS), draw(_WINDOW)
    if gaps is not None:
        facts["gaps"] = gaps
    prompt: Dict[str, Any] = {"few_shot_examples": draw(st.sampled_from([0, 6])),
                              "baseline_score": 0.6}
    if window is not None:
        prompt["context_window_tokens"] = window
    facts["prompt"] = prompt
    facts["fine_tune"] = {"goals": draw(st.lists(st.sampled_from(["format", "style", "cost"]),
                                                 unique=True, max_size=2)),
                          "training_examples": draw(st.sampled_from([50, 900])),
                          "requests_per_month": draw(st.sampled_from([100, 50_000]))}
    facts["eval"] = {"examples": draw(st.sampled_from([20, 300])), "labeled": True}
    return facts


def _decide(tmp_path_factory: Any, facts: Dict[str, Any]) -> Decision:
    from ragft_lint.decide import decide
    from ragft_lint.declaration import load

    folder = tmp_path_factory.mktemp("project")
    (folder / ".git").mkdir()
    (folder / "ragft.yaml").write_text(json.dumps({"systems": {"bot": facts}}))
    return decide(load(folder / "ragft.yaml"))["bot"]


# What filling in an unknown property may be set to, per key.
FILLS = {
    ("gaps",): [["knowledge"], ["reasoning"], ["behavior"], ["knowledge", "behavior"]],
    ("knowledge", "changes"): ["daily", "quarterly", "yearly", "static"],
    ("knowledge", "depth"): ["reference", "deep"],
    ("knowledge", "corpus_tokens"): [10_000, 100_000, 2_000_000],
    ("prompt", "context_window_tokens"): [32_000, 128_000, 1_000_000],
}


@given(systems())
def test_no_verdict_comes_from_a_step_whose_fact_is_unknown(tmp_path_factory: Any,
                                                            facts: Dict[str, Any]) -> None:
    decision = _decide(tmp_path_factory, facts)
    for result in (decision.failure_mode, decision.gates):
        if result.verdict == "undecided":
            assert any(s.unknown for s in result.steps), result.steps
            continue
        # A reached verdict rests on no unknown step ...
        assert not any(s.unknown for s in result.steps), result.steps
        # ... and stays what it is whatever the unknown properties turn out to be. A property
        # of the knowledge is unknown only where there is knowledge to ask it of; where there
        # is none, declaring one adds knowledge rather than answering a question.
        # A corpus is an artefact: its size is unknown only where the corpus is declared
        # (its sources), and the window matters only beside a corpus.
        knowledge = facts["knowledge"]
        corpus = "sources" in knowledge or "corpus_tokens" in knowledge
        has_knowledge = ("knowledge" in facts.get("gaps", []) or knowledge["citations"]
                         or corpus or "depth" in knowledge)
        for keys, values in FILLS.items():
            if keys != ("gaps",) and not has_knowledge:
                continue
            if keys == ("knowledge", "corpus_tokens") and "sources" not in knowledge:
                continue
            if keys == ("prompt", "context_window_tokens") and not corpus:
                continue
            node = facts
            for key in keys[:-1]:
                node = node[key]
            if keys[-1] in node:
                continue
            for value in values:
                filled = json.loads(json.dumps(facts))
                target = filled
                for key in keys[:-1]:
                    target = target[key]
                target[keys[-1]] = value
                again = getattr(_decide(tmp_path_factory, filled), result.name)
                assert again.verdict == result.verdict, (keys, value, result.steps)


@given(systems())
def test_a_fine_tune_beside_a_knowledge_layer_is_hybrid(tmp_path_factory: Any,
                                                        facts: Dict[str, Any]) -> None:
    decision = _decide(tmp_path_factory, facts)
    knowledge = facts["knowledge"]
    # A knowledge need (decide.md): how fast facts change makes none on its own.
    layer = "knowledge" in facts.get("gaps", []) or knowledge["citations"]
    if layer:
        assert "fine-tune" not in verdicts(decision), verdicts(decision)


def test_report_is_optional(project: Callable[[str], Path]) -> None:
    decisions = decisions_of(project(LATENCY_FINE_TUNE), with_report=False)
    assert all(d.blockers == () for d in decisions.values())
    assert isinstance(Report, type)
