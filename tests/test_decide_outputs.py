"""The outputs of ``ragft-lint decide`` (text, JSON, mermaid) and rule DE001."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from helpers import fired
from ragft_lint.decide import Decision, decide
from ragft_lint.declaration import load
from ragft_lint.output import decision_json, decision_text, mermaid
from ragft_lint.rules import decision as decision_rules

Decide = Callable[[str], Dict[str, Decision]]

TWO_SYSTEMS = """\
    systems:
      support-bot:
        architecture: hybrid
        gaps: [knowledge, behavior]
        baseline_queries: 60
        knowledge:
          changes: weekly
          corpus_tokens: 4000000
          citations: true
          sources: ["docs/policies/**"]
        prompt:
          few_shot_examples: 6
          context_window_tokens: 128000
          baseline_score: 0.7
        fine_tune:
          goals: [style]
          training_examples: 1800
          requests_per_month: 30000
        eval:
          examples: 180
          labeled: true
      faq-bot:
        architecture: fine-tune
        gaps: [knowledge]
        knowledge:
          changes: weekly
          depth: reference
          corpus_tokens: 2000000
          sources: ["docs/faq/**"]
        prompt:
          context_window_tokens: 128000
    """


@pytest.fixture
def decide_yaml(tmp_path: Path) -> Decide:
    def run(text: str) -> Dict[str, Decision]:
        folder = tmp_path / "project"
        folder.mkdir(exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)
        target = folder / "ragft.yaml"
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return decide(load(target))

    return run


# -- text ---------------------------------------------------------------------------------------


class TestText:
    def test_a_tree_per_system_with_steps_verdicts_and_locations(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml(TWO_SYSTEMS)
        out = decision_text.render(decisions)
        blocks = out.split("\n\n")
        assert len(blocks) == 2
        support = blocks[0].splitlines()
        assert support[0] == "support-bot (declared hybrid)"
        assert "  failure-mode tree: hybrid" in support
        assert "  five gates: hybrid" in support
        assert "  checklist: rag (2 fine-tune signs, 5 RAG signs, 1 for both)" in support
        assert "  consensus: hybrid" in support
        assert support[-1] == ("  declared hybrid: agrees with some (failure-mode tree and five "
                               "gates), not with checklist: rag")
        (gate1,) = [s for s in decisions["support-bot"].gates.steps if s.id == "gate1"]
        assert f"    |- {gate1.question} -> {gate1.answer} ({gate1.location})" in support
        assert str(gate1.location).endswith("ragft.yaml:7:16")

    def test_one_sign_is_singular(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml("""\
            systems:
              policy-assistant:
                architecture: fine-tune
                gaps: [knowledge]
                knowledge: {changes: weekly, citations: true, per_user_access: true,
                            corpus_tokens: 2000000}
                fine_tune: {training_examples: 3000}
                eval: {examples: 300}
            """)
        out = decision_text.render(decisions)
        assert "(1 fine-tune sign, 5 RAG signs, 0 for both)" in out, out

    def test_undecided_frameworks_that_leave_the_declared_choice_open_are_not_against_it(
            self, decide_yaml: Decide) -> None:
        decisions = decide_yaml("""\
            systems:
              sql:
                architecture: fine-tune
                fine_tune: {training_examples: 5000, goals: [format]}
                eval: {examples: 400}
            """)
        line = decision_text.agreement_line(decisions["sql"])
        assert line.startswith("declared fine-tune: no framework decides yet, none rules it "
                               "out (failure-mode tree: undecided ("), line
        assert "checklist: undecided (fine-tune or hybrid open)" in line
        assert "agrees with none" not in line

    def test_one_training_example_is_singular(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml("""\
            systems:
              bot:
                architecture: prompt
                fine_tune: {training_examples: 1}
            """)
        out = decision_text.render(decisions)
        assert "-> no: 1 training example, fewer than 200" in out, out
        assert "1 training examples" not in out

    def test_no_training_data_is_said_not_counted_as_zero(self, decide_yaml: Decide) -> None:
        out = decision_text.render(decide_yaml("""\
            systems:
              docs:
                architecture: rag
                gaps: [knowledge]
                knowledge: {corpus_tokens: 5000000}
            """))
        assert ("RAG sign: too little labelled data but a corpus exists? -> yes: no training "
                "data is declared, and a corpus is declared") in out, out
        assert "0 training examples" not in out

    def test_last_step_closes_the_branch_and_signs_are_ticked(self, decide_yaml: Decide) -> None:
        out = decision_text.render(decide_yaml(TWO_SYSTEMS))
        assert "    `- Combining the layers -> knowledge by RAG + behaviour by fine-tune -> " \
               "hybrid" in out
        assert "|- [x] RAG sign: citations needed? -> yes: knowledge.citations is true" in out
        assert "|- [ ] fine-tune sign: latency matters? -> no:" in out

    def test_missing_fact_shows_the_key_to_declare(self, decide_yaml: Decide) -> None:
        out = decision_text.render(decide_yaml(TWO_SYSTEMS))
        assert "(rag.retrieval_eval.precision_at_5: not declared)" in out
        assert "systems.faq-bot." not in out

    def test_agreement_all_and_none(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml(TWO_SYSTEMS)
        faq = decisions["faq-bot"]
        assert decision_text.agreement_line(faq) == (
            "declared fine-tune: agrees with none (failure-mode tree: rag, five gates: rag, "
            "checklist: rag)")
        rag = decide_yaml(TWO_SYSTEMS.replace("architecture: fine-tune", "architecture: rag"))
        assert decision_text.agreement_line(rag["faq-bot"]) == \
            "declared rag: agrees with all three frameworks"

    def test_colour_only_when_asked(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml(TWO_SYSTEMS)
        assert "\x1b[" not in decision_text.render(decisions)
        assert "\x1b[1mhybrid\x1b[0m" in decision_text.render(decisions, colour=True)

    def test_no_systems(self) -> None:
        assert decision_text.render({}) == "no systems declared\n"


# -- JSON ---------------------------------------------------------------------------------------


STEP_KEYS = {"id", "question", "answer", "key", "path", "line", "column"}


class TestJson:
    def test_shape(self, decide_yaml: Decide) -> None:
        data = json.loads(decision_json.render(decide_yaml(TWO_SYSTEMS)))
        assert set(data) == {"version", "systems", "notes"}  # thresholds only when changed
        assert set(data["systems"]) == {"support-bot", "faq-bot"}
        support = data["systems"]["support-bot"]
        assert set(support) == {"declared", "consensus", "open", "blockers", "frameworks"}
        assert support["open"] == ["hybrid"]
        assert support["blockers"] == []  # no report was given
        assert support["declared"] == "hybrid"
        assert support["consensus"] == "hybrid"
        frameworks = support["frameworks"]
        assert set(frameworks) == {"failure_mode", "gates", "checklist"}
        assert set(frameworks["failure_mode"]) == {"verdict", "open", "steps"}
        assert set(frameworks["gates"]) == {"verdict", "open", "steps"}
        assert set(frameworks["checklist"]) == {"verdict", "open", "fine_tune_signs",
                                                "rag_signs", "both_signs", "steps"}
        assert frameworks["checklist"]["open"] == ["rag"]
        assert frameworks["checklist"]["verdict"] == "rag"
        assert (frameworks["checklist"]["fine_tune_signs"], frameworks["checklist"]["rag_signs"],
                frameworks["checklist"]["both_signs"]) == (2, 5, 1)
        assert len(frameworks["checklist"]["steps"]) == 19
        for framework in frameworks.values():
            for step in framework["steps"]:
                assert set(step) == STEP_KEYS

    def test_step_values(self, decide_yaml: Decide) -> None:
        decisions = decide_yaml(TWO_SYSTEMS)
        data = json.loads(decision_json.render(decisions))
        gates = data["systems"]["support-bot"]["frameworks"]["gates"]["steps"]
        assert [s["id"] for s in gates] == [s.id for s in decisions["support-bot"].gates.steps]
        (gate1,) = [s for s in gates if s["id"] == "gate1"]
        assert gate1["key"] == "systems.support-bot.knowledge.changes"
        assert (gate1["line"], gate1["column"]) == (7, 16)
        assert gate1["path"] == decisions["support-bot"].gates.steps[1].location.path
        assert gate1["answer"].startswith("yes: knowledge.changes is weekly")
        faq = data["systems"]["faq-bot"]["frameworks"]["failure_mode"]["steps"]
        (unmeasured,) = [s for s in faq if s["id"] == "tree.knowledge.precision"]
        assert unmeasured["key"].endswith("precision_at_5")
        assert (unmeasured["path"], unmeasured["line"], unmeasured["column"]) == (None,) * 3
        combine = faq[-1]
        assert combine["id"] == "tree.layers"
        assert combine["key"] is None and combine["path"] is None

    def test_sorted_keys_and_byte_identical_across_runs(self, decide_yaml: Decide) -> None:
        first = decision_json.render(decide_yaml(TWO_SYSTEMS))
        second = decision_json.render(decide_yaml(TWO_SYSTEMS))
        assert first == second
        assert first.encode() == second.encode()
        assert first.endswith("}\n")
        data = json.loads(first)
        assert first == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert list(data["systems"]) == ["faq-bot", "support-bot"]


# -- mermaid ------------------------------------------------------------------------------------


EDGE = re.compile(r"^    (\w+) -->(?:\|[^|]*\|)? (\w+)$")


def edges(chart: str) -> List[str]:
    return [f"{m.group(1)}>{m.group(2)}" for m in map(EDGE.match, chart.splitlines()) if m]


def highlighted(chart: str) -> List[int]:
    return [int(m.group(1)) for m in re.finditer(r"^    linkStyle (\d+) ", chart, re.M)]


class TestMermaid:
    def test_one_fenced_flowchart_per_system(self, decide_yaml: Decide) -> None:
        out = mermaid.render(decide_yaml(TWO_SYSTEMS))
        assert out.count("```mermaid\nflowchart TD\n") == 2
        assert out.count("\n```\n") == 2
        assert out.startswith("```mermaid\n")

    def test_bare_charts(self, decide_yaml: Decide) -> None:
        out = mermaid.render(decide_yaml(TWO_SYSTEMS), fenced=False)
        assert "```" not in out
        assert out.startswith("flowchart TD\n")

    def test_path_taken_is_highlighted(self, decide_yaml: Decide) -> None:
        decision = decide_yaml(TWO_SYSTEMS)["support-bot"]
        chart = mermaid.chart(decision)
        route = ["start", "g0", "g1", "k_rag", "g2", "g3", "g4", "g5", "ft_volume", "verdict"]
        assert list(decision.gates.route) == route
        assert f"    class {','.join(route)} taken" in chart
        assert "    classDef taken " in chart
        all_edges = edges(chart)
        assert len(all_edges) == 23
        taken = [all_edges[i] for i in highlighted(chart)]
        assert taken == [f"{a}>{b}" for a, b in zip(route, route[1:])]
        assert 'verdict(["five gates verdict: hybrid"])' in chart
        assert 'start(["support-bot: declared hybrid"])' in chart

    def test_other_route_other_highlight(self, decide_yaml: Decide) -> None:
        chart = mermaid.chart(decide_yaml(TWO_SYSTEMS)["faq-bot"])
        taken = [edges(chart)[i] for i in highlighted(chart)]
        assert taken == ["start>g0", "g0>g1", "g1>k_rag", "k_rag>g2", "g2>lookup",
                         "lookup>verdict"]
        assert "    class start,g0,g1,k_rag,g2,lookup,verdict taken" in chart

    def test_every_node_is_declared_once_and_edges_use_declared_nodes(
            self, decide_yaml: Decide) -> None:
        chart = mermaid.chart(decide_yaml(TWO_SYSTEMS)["support-bot"])
        declared = re.findall(r"^    (\w+)[\[\{(]", chart, re.M)
        assert len(declared) == len(set(declared)) == 16
        for edge in edges(chart):
            source, target = edge.split(">")
            assert source in declared and target in declared
        assert "end" not in declared  # a reserved word in mermaid flowcharts

    def test_labels_are_escaped(self, decide_yaml: Decide) -> None:
        text = TWO_SYSTEMS.replace("  faq-bot:", '  "bot <#1> \\"x\\"":')
        decisions = decide_yaml(text)
        name = next(n for n in decisions if n.startswith("bot"))
        chart = mermaid.chart(decisions[name])
        assert 'start(["bot #lt;#35;1#gt; #quot;x#quot;: declared fine-tune"])' in chart
        label_lines = [line for line in chart.splitlines() if line.startswith("    start")]
        assert label_lines[0].count('"') == 2


# -- DE001 --------------------------------------------------------------------------------------


class TestDE001:
    def test_fires_when_no_framework_agrees(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              faq-bot:
                architecture: fine-tune
                gaps: [knowledge]
                knowledge:
                  changes: weekly
                  sources: ["docs/faq/**"]
            """)
        (finding,) = fired(report, "DE001")
        assert str(finding.severity) == "warning"
        assert finding.name == "architecture-disagrees"
        assert finding.key == "systems.faq-bot.architecture"
        assert (finding.location.line, finding.location.column) == (3, 19)
        assert "architecture is fine-tune" in finding.message
        # How large the corpus is decides between long context and RAG: every framework waits
        # for it, and none of them leaves the declared fine-tune open.
        assert ("failure-mode tree: undecided (prompt or rag open); five gates: undecided "
                "(prompt or rag open); checklist: undecided (prompt or rag open)") in \
            finding.message
        assert "no decision framework leaves it open" in finding.message
        assert finding.fix.endswith("not declared, and able to change the verdicts: "
                                    "knowledge.corpus_tokens")

    def test_fires_on_the_consensus_with_the_facts_complete(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              faq-bot:
                architecture: fine-tune
                gaps: [knowledge]
                knowledge:
                  changes: weekly
                  depth: reference
                  corpus_tokens: 2000000
                  sources: ["docs/faq/**"]
                prompt:
                  context_window_tokens: 128000
            """)
        (finding,) = fired(report, "DE001")
        assert "the frameworks agree on rag (failure-mode tree: rag; five gates: rag; " \
               "checklist: rag)" in finding.message
        assert "the frameworks point to rag" in finding.fix

    def test_passes_when_one_framework_agrees(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              bot:
                architecture: prompt
                gaps: [knowledge]
                knowledge:
                  corpus_tokens: 64000
                prompt:
                  context_window_tokens: 128000
            """)
        assert fired(report, "DE001") == []

    def test_boundary_one_token_more_makes_prompt_disagree(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              bot:
                architecture: prompt
                gaps: [knowledge]
                knowledge:
                  corpus_tokens: 64001
                prompt:
                  context_window_tokens: 128000
            """)
        (finding,) = fired(report, "DE001")
        assert "the frameworks agree on rag" in finding.message

    def test_threshold_override_changes_the_outcome(self, run_yaml: Any) -> None:
        text = """\
            thresholds:
              context_fit_ratio: {ratio}
            systems:
              bot:
                architecture: prompt
                gaps: [knowledge]
                knowledge:
                  corpus_tokens: 96000
                prompt:
                  context_window_tokens: 128000
            """
        assert len(fired(run_yaml(text.format(ratio=0.5)), "DE001")) == 1
        assert fired(run_yaml(text.format(ratio=0.75)), "DE001") == []

    def test_quiet_when_no_framework_reached_a_verdict(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              bot:
                architecture: fine-tune
            """)
        assert fired(report, "DE001") == []

    def test_missing_facts_alone_never_fire(self, run_yaml: Any) -> None:
        report = run_yaml("""\
            systems:
              bot:
                architecture: prompt
                gaps: [reasoning]
                fine_tune:
                  goals: [latency, reasoning]
                  training_data: data/train.jsonl
                eval:
                  path: evals/bot.jsonl
            """)
        # The sizes of the training data and the eval decide between prompt and fine-tune:
        # the checklist's fine-tune is one framework, and the other two leave prompt open.
        assert fired(report, "DE001") == []

    def test_documentation_examples(self, run_yaml: Any) -> None:
        doc = decision_rules.architecture_disagrees.doc
        fires = textwrap.dedent(doc.split("Fires:\n")[1].split("Passes:")[0])
        passes = textwrap.dedent(doc.split("Passes:\n")[1])
        assert len(fired(run_yaml(fires), "DE001")) == 1
        assert fired(run_yaml(passes), "DE001") == []
        assert doc.splitlines()[0].endswith(".")
        assert "Why:" in doc and "Fix:" in doc
