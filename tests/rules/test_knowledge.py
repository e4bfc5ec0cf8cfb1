"""KN: does the architecture fit the knowledge? (KN001 to KN006)"""

from __future__ import annotations

import textwrap
from typing import Any, Callable, List

import pytest

from helpers import fired
from ragft_lint.engine import Report
from ragft_lint.findings import Severity
from ragft_lint.rule import Rule
from ragft_lint.rules import knowledge

Run = Callable[..., Report]


def one(report: Report, rule_id: str) -> Any:
    found = fired(report, rule_id)
    assert len(found) == 1, [f.message for f in report.findings]
    return found[0]


# --- KN001 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "severity"),
    [
        ("realtime", Severity.ERROR),
        ("daily", Severity.ERROR),
        ("weekly", Severity.ERROR),
        ("monthly", Severity.ERROR),
        ("quarterly", Severity.WARNING),
    ],
)
def test_kn001_fires_on_changing_knowledge(run_yaml: Run, changes: str, severity: Severity) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: fine-tune
            knowledge:
              changes: {changes}
        """)
    finding = one(report, "KN001")
    assert finding.severity is severity
    assert finding.key == "systems.bot.knowledge.changes"
    assert finding.location.line == 5
    assert changes in finding.message


@pytest.mark.parametrize("changes", ["yearly", "static"])
def test_kn001_passes_slow_knowledge(run_yaml: Run, changes: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: fine-tune
            knowledge:
              changes: {changes}
        """)
    assert fired(report, "KN001") == []


@pytest.mark.parametrize("architecture", ["hybrid", "rag", "prompt"])
def test_kn001_passes_when_retrieval_or_prompt_holds_the_facts(
    run_yaml: Run, architecture: str
) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            knowledge:
              changes: monthly
        """)
    assert fired(report, "KN001") == []


def test_kn001_passes_when_the_pace_is_not_declared(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          bot:
            architecture: fine-tune
        """)
    assert fired(report, "KN001") == []


# --- KN002 -------------------------------------------------------------------------------


def test_kn002_fires_on_knowledge_goal_and_points_at_it(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          bot:
            architecture: hybrid
            fine_tune:
              goals: [style, knowledge]
        """)
    finding = one(report, "KN002")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.fine_tune.goals[1]"
    assert finding.location.line == 5


def test_kn002_fires_on_fine_tune_only_for_a_knowledge_gap(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          bot:
            architecture: fine-tune
            gaps: [behavior, knowledge]
        """)
    finding = one(report, "KN002")
    assert finding.key == "systems.bot.gaps[1]"
    assert finding.location.line == 4


def test_kn002_passes_hybrid_for_a_knowledge_gap_with_behaviour_goals(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          bot:
            architecture: hybrid
            gaps: [knowledge, behavior]
            fine_tune:
              goals: [style]
        """)
    assert fired(report, "KN002") == []


# --- KN003, KN004 ------------------------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "key"), [("KN003", "citations"),
                                              ("KN004", "per_user_access")])
def test_kn003_kn004_fire_on_fine_tune_only(run_yaml: Run, rule_id: str, key: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: fine-tune
            knowledge:
              {key}: true
        """)
    finding = one(report, rule_id)
    assert finding.severity is Severity.ERROR
    assert finding.key == f"systems.bot.knowledge.{key}"
    assert finding.location.line == 5


@pytest.mark.parametrize("key", ["citations", "per_user_access"])
@pytest.mark.parametrize(("architecture", "value"),
                         [("hybrid", "true"), ("rag", "true"), ("fine-tune", "false")])
def test_kn003_kn004_pass(run_yaml: Run, key: str, architecture: str, value: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            knowledge:
              {key}: {value}
        """)
    assert fired(report, "KN003") == []
    assert fired(report, "KN004") == []


# --- KN005 -------------------------------------------------------------------------------


@pytest.mark.parametrize("gaps", ["[behavior]", "[behavior, behavior]"])
def test_kn005_fires_on_rag_for_behaviour_only(run_yaml: Run, gaps: str) -> None:
    report = run_yaml(f"""\
        systems:
          tone-bot:
            architecture: rag
            gaps: {gaps}
        """)
    finding = one(report, "KN005")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.tone-bot.gaps"
    assert finding.location.line == 4
    assert "behavior" in finding.message
    assert "prompt" in finding.fix


@pytest.mark.parametrize("gaps", ["[behavior, knowledge]", "[reasoning]", "[]"])
def test_kn005_passes_when_the_gaps_are_not_only_behaviour(run_yaml: Run, gaps: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: rag
            gaps: {gaps}
        """)
    assert fired(report, "KN005") == []


def test_kn005_passes_undiagnosed_rag(run_yaml: Run) -> None:
    # No diagnosis at all is BL001's business, not a sign that retrieval is misused.
    report = run_yaml("""\
        systems:
          bot:
            architecture: rag
        """)
    assert fired(report, "KN005") == []


@pytest.mark.parametrize("architecture", ["prompt", "fine-tune"])
def test_kn005_only_concerns_systems_that_retrieve(run_yaml: Run, architecture: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            gaps: [behavior]
        """)
    assert fired(report, "KN005") == []


def test_kn005_a_hybrids_retrieval_layer_for_behaviour(run_yaml: Run) -> None:
    # Past approved posts in an index "so the model sees the voice": the fine-tune carries
    # the behaviour, and the retrieval layer serves no knowledge need.
    text = """\
        systems:
          brand-voice:
            architecture: hybrid
            gaps: [behavior]
            knowledge:
              corpus_tokens: 30000000
              sources: ["cms/approved-posts/**"]{extra}
        """
    (finding,) = fired(run_yaml(text.format(extra="")), "KN005")
    assert "hybrid" in finding.message and "no knowledge need" in finding.message
    assert finding.location.line == 4
    # Citations (or per-user access) ask for the documents in the context: then it is no
    # retrieval for behaviour.
    for need in ("citations", "per_user_access"):
        extra = f"\n              {need}: true"
        assert fired(run_yaml(text.format(extra=extra)), "KN005") == []


# --- KN006 -------------------------------------------------------------------------------


def kn006(run_yaml: Run, corpus: int, window: int = 128000, architecture: str = "rag",
          extra: str = "") -> List[Any]:
    report = run_yaml(f"""\
        {extra}
        systems:
          faq-bot:
            architecture: {architecture}
            knowledge:
              corpus_tokens: {corpus}
            prompt:
              context_window_tokens: {window}
        """)
    return fired(report, "KN006")


def test_kn006_fires_at_the_boundary_inclusive(run_yaml: Run) -> None:
    found = kn006(run_yaml, 64000)
    assert len(found) == 1
    finding = found[0]
    assert finding.severity is Severity.INFO
    assert finding.key == "systems.faq-bot.knowledge.corpus_tokens"
    assert finding.location.line == 6
    assert "64000" in finding.message
    assert "context_fit_ratio (0.5)" in finding.message
    assert "128000" in finding.message


def test_kn006_passes_one_token_above_the_boundary(run_yaml: Run) -> None:
    assert kn006(run_yaml, 64001) == []


def test_kn006_fires_for_hybrid(run_yaml: Run) -> None:
    assert len(kn006(run_yaml, 20000, architecture="hybrid")) == 1


@pytest.mark.parametrize("architecture", ["prompt", "fine-tune"])
def test_kn006_passes_systems_that_do_not_retrieve(run_yaml: Run, architecture: str) -> None:
    assert kn006(run_yaml, 20000, architecture=architecture) == []


def test_kn006_threshold_override(run_yaml: Run) -> None:
    extra = "thresholds: {context_fit_ratio: 0.25}"
    found = kn006(run_yaml, 32000, extra=extra)
    assert len(found) == 1
    assert "context_fit_ratio (0.25)" in found[0].message
    assert kn006(run_yaml, 32001, extra=extra) == []


def test_kn006_boundary_is_exact_for_ratios_floats_cannot_hold(run_yaml: Run) -> None:
    # 0.29 * 100 is 28.999999999999996 in binary floating point.
    extra = "thresholds: {context_fit_ratio: 0.29}"
    assert len(kn006(run_yaml, 29, window=100, extra=extra)) == 1
    assert kn006(run_yaml, 30, window=100, extra=extra) == []


@pytest.mark.parametrize("missing", ["corpus_tokens", "context_window_tokens"])
def test_kn006_needs_both_sizes(run_yaml: Run, missing: str) -> None:
    text = """\
        systems:
          faq-bot:
            architecture: rag
            knowledge:
              corpus_tokens: 1000
            prompt:
              context_window_tokens: 128000
        """
    lines = [line for line in text.splitlines() if missing not in line]
    assert fired(run_yaml("\n".join(lines) + "\n"), "KN006") == []


def test_kn006_passes_per_user_documents(run_yaml: Run) -> None:
    # A prompt holding the whole corpus would show every user every document.
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              corpus_tokens: 20000
              per_user_access: true
            prompt:
              context_window_tokens: 128000
        """)
    assert fired(report, "KN006") == []


# --- documentation -----------------------------------------------------------------------


def example(doc: str, heading: str) -> str:
    """The YAML declaration indented under ``heading`` in a rule's documentation."""
    lines = doc.splitlines()
    start = lines.index(heading) + 1
    block = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip() + "\n"


RULES = [item for item in vars(knowledge).values() if isinstance(item, Rule)]


def test_every_kn_rule_is_here() -> None:
    assert sorted(r.id for r in RULES) == [f"KN00{n}" for n in range(1, 8)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_documentation_examples_fire_and_pass(run_yaml: Run, rule: Rule) -> None:
    assert rule.summary.endswith(".")
    assert "\nWhy: " in rule.doc
    assert "\nFix: " in rule.doc
    assert fired(run_yaml(example(rule.doc, "Fires:")), rule.id) != []
    assert fired(run_yaml(example(rule.doc, "Passes:")), rule.id) == []
