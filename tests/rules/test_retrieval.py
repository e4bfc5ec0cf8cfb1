"""RG: will retrieval find the right thing? (RG001 to RG008)"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable, List

import pytest

from helpers import fired
from ragft_lint.engine import Report
from ragft_lint.findings import Severity
from ragft_lint.rule import Rule
from ragft_lint.rules import retrieval

Run = Callable[..., Report]

SOUND = """\
    systems:
      support-bot:
        architecture: hybrid
        gaps: [knowledge, behavior]
        baseline_queries: 60
        knowledge:
          changes: weekly
          structured_documents: true
          corpus_tokens: 4000000
          citations: true
          per_user_access: true
        prompt:
          context_window_tokens: 128000
        rag:
          chunking: structural
          reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
          retrieve_k: 20
          context_k: 5
          index_refresh: daily
          acl_filtering: true
          leakage_tested: true
          retrieval_eval:
            path: evals/retrieval.jsonl
            examples: 300
            precision_at_5: 0.78
            recall_at_5: 0.81
    """


def one(report: Report, rule_id: str) -> Any:
    found = fired(report, rule_id)
    assert len(found) == 1, [f.message for f in report.findings]
    return found[0]


def rg(report: Report) -> List[str]:
    return sorted(f.rule for f in report.findings if f.rule.startswith(("RG", "KN")))


def test_a_sound_retrieval_design_draws_no_rg_or_kn_finding(run_yaml: Run) -> None:
    assert rg(run_yaml(SOUND)) == []


@pytest.mark.parametrize("architecture", ["prompt", "fine-tune"])
def test_systems_without_retrieval_draw_no_pipeline_findings(
    run_yaml: Run, architecture: str
) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            knowledge:
              changes: yearly
              structured_documents: true
            rag:
              chunking: fixed
              reranker: some-reranker
              retrieve_k: 5
              context_k: 5
              index_refresh: static
        """)
    assert rg(report) == []


# --- RG001 -------------------------------------------------------------------------------


def test_rg001_fires_when_reranker_is_false(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: false
        """)
    finding = one(report, "RG001")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.docs-bot.rag.reranker"
    assert finding.location.line == 5
    assert "rag.reranker is false" in finding.message
    assert "cross-encoder" in finding.fix


def test_rg001_fires_when_reranker_is_not_declared(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: hybrid
            rag:
              chunking: structural
        """)
    finding = one(report, "RG001")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.docs-bot.rag"
    assert finding.location.line == 5
    assert "no rag.reranker is declared" in finding.message


def test_rg001_points_at_the_architecture_without_a_rag_table(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
        """)
    finding = one(report, "RG001")
    assert finding.key == "systems.docs-bot.architecture"
    assert finding.location.line == 3


def test_rg001_passes_with_a_reranker(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
        """)
    assert fired(report, "RG001") == []


def rg001_with_precision(run_yaml: Run, precision: str, extra: str = "") -> Any:
    return one(run_yaml(f"""\
        {extra}
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: false
              retrieval_eval:
                precision_at_5: {precision}
        """), "RG001")


def test_rg001_is_only_information_when_retrieval_meets_the_bar(run_yaml: Run) -> None:
    finding = rg001_with_precision(run_yaml, "0.70")
    assert finding.severity is Severity.INFO
    assert "0.7" in finding.message and "min_precision_at_5" in finding.message
    assert finding.key == "systems.docs-bot.rag.reranker"


def test_rg001_stays_a_warning_below_the_bar(run_yaml: Run) -> None:
    assert rg001_with_precision(run_yaml, "0.69").severity is Severity.WARNING


def test_rg001_bar_follows_the_threshold_override(run_yaml: Run) -> None:
    extra = "thresholds: {min_precision_at_5: 0.8}"
    assert rg001_with_precision(run_yaml, "0.78", extra).severity is Severity.WARNING
    assert rg001_with_precision(run_yaml, "0.80", extra).severity is Severity.INFO


def test_rg001_severity_override_wins(run_yaml: Run) -> None:
    finding = rg001_with_precision(run_yaml, "0.9", "severity: {RG001: error}")
    assert finding.severity is Severity.ERROR


def test_rg001_can_be_waived_with_a_reason(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: false
            waivers:
              RG001:
                reason: "a 40 ms latency budget leaves no room for a reranker"
        """)
    finding = one(report, "RG001")
    assert finding.waived
    assert not report.failed


# --- RG002 -------------------------------------------------------------------------------


def test_rg002_fires_without_a_retrieval_eval(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: some-reranker
        """)
    finding = one(report, "RG002")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.docs-bot.rag"
    assert finding.location.line == 5
    assert "rag.retrieval_eval" in finding.message
    assert "precision@5" in finding.fix


def test_rg002_fires_on_an_empty_retrieval_eval(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: hybrid
            rag:
              retrieval_eval: {}
        """)
    finding = one(report, "RG002")
    assert finding.key == "systems.docs-bot.rag.retrieval_eval"
    assert finding.location.line == 5


def test_rg002_points_at_the_architecture_without_a_rag_table(run_yaml: Run) -> None:
    finding = one(run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
        """), "RG002")
    assert finding.key == "systems.docs-bot.architecture"


@pytest.mark.parametrize(
    ("declared", "fires"),
    [("path: evals/retrieval.jsonl", True), ("examples: 300", True), ("recall_at_5: 0.8", True),
     ("precision_at_5: 0.8", False), ("precision_at_5: 0.0", False)],
)
def test_rg002_needs_a_precision_figure(run_yaml: Run, declared: str, fires: bool) -> None:
    # A retrieval eval that gives no precision@5 measures nothing the other rules can use.
    report = run_yaml(f"""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                {declared}
        """)
    found = fired(report, "RG002")
    assert bool(found) is fires
    if fires:
        assert "but no precision@5" in found[0].message
        assert declared.split(":")[0] in found[0].message


# --- RG003 -------------------------------------------------------------------------------


def rg003(run_yaml: Run, precision: str, architecture: str = "rag",
          extra: str = "") -> List[Any]:
    return fired(run_yaml(f"""\
        {extra}
        systems:
          docs-bot:
            architecture: {architecture}
            rag:
              retrieval_eval:
                path: evals/retrieval.jsonl
                precision_at_5: {precision}
        """), "RG003")


def test_rg003_fires_just_below_the_bar(run_yaml: Run) -> None:
    [finding] = rg003(run_yaml, "0.69")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.docs-bot.rag.retrieval_eval.precision_at_5"
    assert finding.location.line == 8
    assert "0.69" in finding.message
    assert "min_precision_at_5 (0.7)" in finding.message


def test_rg003_passes_at_the_bar(run_yaml: Run) -> None:
    assert rg003(run_yaml, "0.70") == []


def test_rg003_threshold_override(run_yaml: Run) -> None:
    extra = "thresholds: {min_precision_at_5: 0.8}"
    [finding] = rg003(run_yaml, "0.79", extra=extra)
    assert "min_precision_at_5 (0.8)" in finding.message
    assert rg003(run_yaml, "0.80", extra=extra) == []


@pytest.mark.parametrize("architecture", ["hybrid", "fine-tune"])
def test_rg003_also_fires_where_a_fine_tune_is_meant_to_make_up_for_it(
    run_yaml: Run, architecture: str
) -> None:
    assert len(rg003(run_yaml, "0.5", architecture=architecture)) == 1


def test_rg003_passes_a_prompt_system(run_yaml: Run) -> None:
    assert rg003(run_yaml, "0.5", architecture="prompt") == []


def test_rg003_passes_without_a_declared_precision(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                recall_at_5: 0.4
        """)
    assert fired(report, "RG003") == []


# --- RG004 -------------------------------------------------------------------------------


def rg004(run_yaml: Run, chunking: str, structured: str, architecture: str = "rag") -> List[Any]:
    return fired(run_yaml(f"""\
        systems:
          manual-bot:
            architecture: {architecture}
            knowledge:
              structured_documents: {structured}
            rag:
              chunking: {chunking}
        """), "RG004")


def test_rg004_fires_on_fixed_chunks_of_structured_documents(run_yaml: Run) -> None:
    [finding] = rg004(run_yaml, "fixed", "true")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.manual-bot.rag.chunking"
    assert finding.location.line == 7
    assert "structural" in finding.fix


def test_rg004_fires_for_hybrid(run_yaml: Run) -> None:
    assert len(rg004(run_yaml, "fixed", "true", "hybrid")) == 1


@pytest.mark.parametrize("chunking", ["recursive", "semantic", "structural"])
def test_rg004_passes_other_chunking(run_yaml: Run, chunking: str) -> None:
    assert rg004(run_yaml, chunking, "true") == []


def test_rg004_passes_fixed_chunks_of_flat_documents(run_yaml: Run) -> None:
    assert rg004(run_yaml, "fixed", "false") == []


# --- RG005, RG006 ------------------------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "key", "severity"),
                         [("RG005", "acl_filtering", Severity.ERROR),
                          ("RG006", "leakage_tested", Severity.WARNING)])
def test_rg005_rg006_fire_when_declared_false(
    run_yaml: Run, rule_id: str, key: str, severity: Severity
) -> None:
    report = run_yaml(f"""\
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              chunking: structural
              {key}: false
        """)
    finding = one(report, rule_id)
    assert finding.severity is severity
    assert finding.key == f"systems.hr-bot.rag.{key}"
    assert finding.location.line == 8
    assert f"rag.{key} is false" in finding.message
    assert f"rag.{key}: true" in finding.fix


@pytest.mark.parametrize("rule_id", ["RG005", "RG006"])
def test_rg005_rg006_point_at_the_rag_table_when_the_key_is_missing(
    run_yaml: Run, rule_id: str
) -> None:
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: hybrid
            knowledge:
              per_user_access: true
            rag:
              chunking: structural
        """)
    finding = one(report, rule_id)
    assert finding.key == "systems.hr-bot.rag"
    assert finding.location.line == 7
    assert "not declared" in finding.message


@pytest.mark.parametrize("rule_id", ["RG005", "RG006"])
def test_rg005_rg006_point_at_per_user_access_without_a_rag_table(
    run_yaml: Run, rule_id: str
) -> None:
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
        """)
    finding = one(report, rule_id)
    assert finding.key == "systems.hr-bot.knowledge.per_user_access"
    assert finding.location.line == 5


def test_rg005_rg006_pass_filtered_and_tested_retrieval(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true
              leakage_tested: true
        """)
    assert fired(report, "RG005") == [] and fired(report, "RG006") == []


def test_rg006_fires_alone_when_filtering_is_in_place(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true
        """)
    assert fired(report, "RG005") == []
    assert len(fired(report, "RG006")) == 1


@pytest.mark.parametrize("access", ["false", None])
def test_rg005_rg006_pass_shared_documents(run_yaml: Run, access: Any) -> None:
    line = f"per_user_access: {access}" if access else "citations: true"
    report = run_yaml(f"""\
        systems:
          docs-bot:
            architecture: rag
            knowledge:
              {line}
            rag:
              acl_filtering: false
        """)
    assert fired(report, "RG005") == [] and fired(report, "RG006") == []


def test_rg005_rg006_leave_fine_tunes_to_kn004(run_yaml: Run) -> None:
    report = run_yaml("""\
        systems:
          hr-bot:
            architecture: fine-tune
            knowledge:
              per_user_access: true
        """)
    assert fired(report, "RG005") == [] and fired(report, "RG006") == []
    assert len(fired(report, "KN004")) == 1


# --- RG007 -------------------------------------------------------------------------------


def rg007(run_yaml: Run, refresh: str, changes: str, architecture: str = "rag") -> List[Any]:
    return fired(run_yaml(f"""\
        systems:
          pricing-bot:
            architecture: {architecture}
            knowledge:
              changes: {changes}
            rag:
              index_refresh: {refresh}
        """), "RG007")


def test_rg007_fires_on_an_index_one_step_slower(run_yaml: Run) -> None:
    [finding] = rg007(run_yaml, "weekly", "daily")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.pricing-bot.rag.index_refresh"
    assert finding.location.line == 7
    assert "weekly" in finding.message and "daily" in finding.message


@pytest.mark.parametrize(("refresh", "changes"),
                         [("daily", "realtime"), ("static", "yearly"), ("quarterly", "monthly")])
def test_rg007_fires_on_slower_refresh(run_yaml: Run, refresh: str, changes: str) -> None:
    assert len(rg007(run_yaml, refresh, changes, "hybrid")) == 1


@pytest.mark.parametrize(("refresh", "changes"),
                         [("daily", "daily"), ("daily", "weekly"), ("realtime", "realtime"),
                          ("weekly", "static")])
def test_rg007_passes_an_index_as_fresh_or_fresher(
    run_yaml: Run, refresh: str, changes: str
) -> None:
    assert rg007(run_yaml, refresh, changes) == []


@pytest.mark.parametrize("missing", ["index_refresh", "changes"])
def test_rg007_needs_both_frequencies(run_yaml: Run, missing: str) -> None:
    text = """\
        systems:
          pricing-bot:
            architecture: rag
            knowledge:
              changes: daily
              citations: true
            rag:
              index_refresh: monthly
              chunking: structural
        """
    lines = [line for line in text.splitlines() if missing not in line]
    assert fired(run_yaml("\n".join(lines) + "\n"), "RG007") == []


def test_knowledge_changes_is_the_declared_pace(tmp_path: Path) -> None:
    from ragft_lint.declaration import load

    def system(text: str) -> Any:
        folder = tmp_path / "changes"
        folder.mkdir(exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)
        (folder / "ragft.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return load(folder / "ragft.yaml").systems["bot"]

    declared = system("""\
        systems:
          bot:
            architecture: rag
            knowledge:
              changes: weekly
        """)
    assert retrieval.knowledge_changes(declared) == "weekly"
    undeclared = system("""\
        systems:
          bot:
            architecture: rag
        """)
    assert retrieval.knowledge_changes(undeclared) is None


# --- RG008 -------------------------------------------------------------------------------


def rg008(run_yaml: Run, retrieve_k: Any, context_k: Any, reranker: str = "bge-reranker-base",
          architecture: str = "rag") -> List[Any]:
    lines = [f"reranker: {reranker}"]
    if retrieve_k is not None:
        lines.append(f"retrieve_k: {retrieve_k}")
    if context_k is not None:
        lines.append(f"context_k: {context_k}")
    body = "\n".join("      " + line for line in lines)
    return fired(run_yaml(
        f"systems:\n  docs-bot:\n    architecture: {architecture}\n    rag:\n{body}\n"
    ), "RG008")


@pytest.mark.parametrize(("retrieve_k", "context_k"), [(5, 5), (4, 5), (0, 0)])
def test_rg008_fires_when_there_is_nothing_to_drop(
    run_yaml: Run, retrieve_k: int, context_k: int
) -> None:
    [finding] = rg008(run_yaml, retrieve_k, context_k)
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.docs-bot.rag.retrieve_k"
    assert finding.location.line == 6
    assert f"rag.retrieve_k is {retrieve_k}" in finding.message
    assert f"rag.context_k is {context_k}" in finding.message
    assert "bge-reranker-base" in finding.message


def test_rg008_passes_one_more_candidate_than_kept(run_yaml: Run) -> None:
    assert rg008(run_yaml, 6, 5) == []
    assert rg008(run_yaml, 20, 5, architecture="hybrid") == []


def test_rg008_passes_without_a_reranker(run_yaml: Run) -> None:
    assert rg008(run_yaml, 5, 5, reranker="false") == []


@pytest.mark.parametrize(("retrieve_k", "context_k"), [(5, None), (None, 5)])
def test_rg008_needs_both_numbers(run_yaml: Run, retrieve_k: Any, context_k: Any) -> None:
    assert rg008(run_yaml, retrieve_k, context_k) == []


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


RULES = [item for item in vars(retrieval).values() if isinstance(item, Rule)]


def test_every_rg_rule_is_here_with_its_spec_name_and_severity() -> None:
    assert {(r.id, r.name, r.severity) for r in RULES} == {
        ("RG001", "no-reranker", Severity.WARNING),
        ("RG002", "no-retrieval-eval", Severity.WARNING),
        ("RG003", "low-retrieval-precision", Severity.ERROR),
        ("RG004", "fixed-chunks-on-structured-docs", Severity.WARNING),
        ("RG005", "no-acl-filtering", Severity.ERROR),
        ("RG006", "no-leakage-test", Severity.WARNING),
        ("RG007", "index-slower-than-knowledge", Severity.WARNING),
        ("RG008", "nothing-to-rerank", Severity.WARNING),
        ("RG009", "no-index-refresh", Severity.WARNING),
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_documentation_examples_fire_and_pass(run_yaml: Run, rule: Rule) -> None:
    assert rule.summary.endswith(".")
    assert "\nWhy: " in rule.doc
    assert "\nFix: " in rule.doc
    assert fired(run_yaml(example(rule.doc, "Fires:")), rule.id) != []
    assert fired(run_yaml(example(rule.doc, "Passes:")), rule.id) == []
