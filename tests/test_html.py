"""The HTML a report and a decision render as in a notebook."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from helpers import AS_OF
from ragft_lint import check
from ragft_lint.decide import GATE_NODES, Decision, Decisions, chart, decide
from ragft_lint.declaration import load
from ragft_lint.engine import Report
from ragft_lint.findings import Finding, Location, Severity
from ragft_lint.output import decision_text, html, mermaid
from ragft_lint.rule import Rule

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = "<img src=x onerror=alert(1)>&\"'"

WEEKLY_FINE_TUNE = """\
    systems:
      pricing-bot:
        architecture: fine-tune
        gaps: [knowledge]
        knowledge:
          changes: weekly
          citations: true
        fine_tune:
          goals: [knowledge]
          training_examples: 400
    """


def parse(fragment: str) -> ET.Element:
    """The fragment as XML: proves every tag is closed and every entity is escaped."""
    return ET.fromstring(f"<root>{fragment}</root>")


def project(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    (folder / ".git").mkdir(exist_ok=True)
    target = folder / "ragft.yaml"
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target


@pytest.fixture
def decide_facts(tmp_path: Path) -> Callable[[Dict[str, Any]], Decision]:
    def run(facts: Dict[str, Any]) -> Decision:
        target = project(tmp_path, json.dumps({"systems": {"bot": facts}}))
        return decide(load(target))["bot"]

    return run


class TestReport:
    def test_each_finding_is_a_row_with_its_severity_rule_system_message_and_place(
            self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml(WEEKLY_FINE_TUNE)
        page = html.report(report)
        root = parse(page)
        rows = root.findall(".//tbody/tr")
        assert len(rows) == len(report.findings) > 3
        for row, finding in zip(rows, report.findings):
            cells = row.findall("td")
            text = ["".join(c.itertext()) for c in cells]
            assert text[0] == str(finding.severity)
            assert text[1].startswith(finding.rule) and finding.name in text[1]
            assert text[2] == "pricing-bot"
            assert finding.message in text[3] and f"fix: {finding.fix}" in text[3]
            assert text[4] == str(finding.location)
            assert text[4].endswith(f"ragft.yaml:{finding.location.line}:{finding.location.column}")
            # The severity shows at a glance: a coloured badge and a coloured row edge.
            colour = html.SEVERITY_COLOURS[finding.severity]
            assert colour in cells[0].find("span").get("style", "")
            assert colour in row.get("style", "")
        assert "1 system checked" in "".join(root.find(".//p").itertext())

    def test_the_three_severities_have_three_colours(self) -> None:
        assert len(set(html.SEVERITY_COLOURS.values())) == 3

    def test_each_rule_links_to_its_section_of_the_rules_reference(
            self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml(WEEKLY_FINE_TUNE)
        address = "https://docs.example.org/ragft-lint/rules"
        links = parse(html.report(report, docs_url=address)).findall(".//a")
        assert [a.findtext("code") for a in links] == [f.rule for f in report.findings]
        reference = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
        for link, finding in zip(links, report.findings):
            page, _, anchor = link.get("href", "").partition("#")
            assert page == address
            # The anchor a Markdown renderer makes of the rule's "## ID" heading.
            assert anchor == finding.rule.lower()
            assert f"\n## {finding.rule}\n" in reference
            assert finding.name in link.get("title", "")

    def test_without_a_documentation_address_a_rule_names_its_command(
            self, run_yaml: Callable[..., Report]) -> None:
        # The package metadata names no documentation address: no link, never a dead one.
        assert html.rules_url() is None
        report = run_yaml(WEEKLY_FINE_TUNE)
        page = html.report(report)
        assert parse(page).findall(".//a") == []
        assert "example.invalid" not in page
        for finding in report.findings:
            assert f"ragft-lint rule {finding.rule}" in page

    def test_a_plugins_rule_is_not_linked_to_the_built_in_reference(self) -> None:
        finding = Finding("ACME001", "approved-base-model", Severity.ERROR, "bot", "not approved",
                          "use an approved model", Location("ragft.yaml", 3, 5),
                          "systems.bot.fine_tune.base_model")
        rule = Rule("ACME001", "approved-base-model", Severity.ERROR, lambda s, c: (),
                    "Only approved base models.", source="acme")
        page = html.report(Report("ragft.yaml", ["bot"], [finding], Severity.ERROR, [], [rule]))
        root = parse(page)
        assert root.findall(".//a") == []
        code = root.find(".//tbody/tr/td[2]/code")
        assert code is not None and code.text == "ACME001" and "acme" in code.get("title", "")

    def test_every_string_from_the_declaration_is_escaped(
            self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml(f"""\
            systems:
              {json.dumps(HOSTILE)}:
                architecture: fine-tune
                knowledge:
                  changes: weekly
            """)
        page = html.report(report)
        assert "<img" not in page
        cells = [c for c in parse(page).iter("td") if HOSTILE in "".join(c.itertext())]
        assert len(cells) == len(report.findings)
        decisions = decide(load(Path(report.declaration)))
        shown = html.decisions(decisions)
        assert "<img" not in shown
        assert HOSTILE in "".join(parse(shown).itertext())

    def test_waived_findings_come_last_greyed_with_their_reason(
            self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml("""\
            systems:
              bot:
                architecture: fine-tune
                knowledge:
                  changes: weekly
                waivers:
                  KN001:
                    reason: "prices are frozen until the merger <closes>"
            """)
        rows = parse(html.report(report)).findall(".//tbody/tr")
        waived = [r for r in rows if "".join(r.find("td").itertext()) == "waived"]
        assert len(waived) == 1 and rows[-1] is waived[0]
        text = "".join(waived[0].itertext())
        assert "KN001" in text and "waived: prices are frozen until the merger <closes>" in text
        assert html.WAIVED_COLOUR in waived[0].get("style", "")

    def test_no_findings_says_so(self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml("systems:\n  bot:\n    architecture: prompt\n    gaps: [behavior]\n"
                          "    baseline_queries: 60\n    eval:\n      examples: 60\n"
                          "      adversarial: true\n")
        assert report.findings == []
        root = parse(html.report(report))
        assert root.find(".//table") is None
        assert "no findings (1 system checked)" in "".join(root.itertext())

    def test_a_report_renders_itself(self, run_yaml: Callable[..., Report]) -> None:
        report = run_yaml(WEEKLY_FINE_TUNE)
        assert report._repr_html_() == html.report(report)


class TestDecision:
    @pytest.mark.parametrize(("facts", "route"), [
        ({"architecture": "prompt", "gaps": ["knowledge"],
          "knowledge": {"corpus_tokens": 20000, "changes": "static", "depth": "reference"},
          "prompt": {"context_window_tokens": 128000}},
         ["start", "g0", "k_prompt", "g2", "lookup", "verdict"]),
        ({"architecture": "rag", "gaps": ["knowledge"],
          "knowledge": {"changes": "weekly", "corpus_tokens": 2000000},
          "prompt": {"context_window_tokens": 128000}},
         ["start", "g0", "g1", "k_rag", "g2", "lookup", "verdict"]),
        ({"architecture": "prompt", "gaps": ["behavior"], "knowledge": {"changes": "static"}},
         ["start", "g0", "g1", "g2", "g3", "blocked", "verdict"]),
        ({"architecture": "fine-tune", "gaps": ["behavior"],
          "fine_tune": {"goals": ["format"], "training_examples": 900},
          "eval": {"examples": 200, "labeled": True}},
         ["start", "g0", "g1", "g2", "g3", "g4", "ft_format", "verdict"]),
        ({"architecture": "fine-tune", "gaps": ["behavior"],
          "fine_tune": {"goals": ["style"], "training_examples": 900, "requests_per_month": 100},
          "eval": {"examples": 200, "labeled": True}},
         ["start", "g0", "g1", "g2", "g3", "g4", "g5", "rag_prompts", "verdict"]),
        ({"architecture": "prompt"}, ["start", "g0", "g1", "g2", "undecided", "verdict"]),
        ({"architecture": "fine-tune", "gaps": ["behavior"],
          "fine_tune": {"training_data": "data/train.jsonl"},
          "eval": {"examples": 200, "labeled": True}},
         ["start", "g0", "g1", "g2", "g3", "undecided", "verdict"]),
    ])
    def test_the_chart_highlights_exactly_the_path_taken(
            self, decide_facts: Callable[[Dict[str, Any]], Decision], facts: Dict[str, Any],
            route: List[str]) -> None:
        item = decide_facts(facts)
        assert list(item.gates.route) == route
        svg = parse(html.gates_chart(item)).find(".//{http://www.w3.org/2000/svg}svg")
        assert svg is not None
        groups = svg.findall("{http://www.w3.org/2000/svg}g")
        assert sorted(g.get("data-node", "") for g in groups) == sorted(GATE_NODES)
        taken = {g.get("data-node") for g in groups if g.get("class") == "taken"}
        assert taken == set(route)
        lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
        assert len(lines) == len(mermaid.render({"bot": item}).split("-->")) - 1
        assert {p.get("data-edge") for p in lines} == {f"{e.source}-{e.target}"
                                                       for e in chart.EDGES}
        taken_edges = {p.get("data-edge") for p in lines if p.get("class") == "taken"}
        assert taken_edges == {f"{a}-{b}" for a, b in zip(route, route[1:])}
        title = svg.findtext("{http://www.w3.org/2000/svg}title") or ""
        assert title.endswith(html.route_text(item))
        assert html.route_text(item).startswith("start \u2192 gate 0 \u2192 ")
        assert html.route_text(item).endswith(f"verdict: {item.gates.verdict}")

    def test_the_three_verdicts_and_the_consensus(
            self, decide_facts: Callable[[Dict[str, Any]], Decision]) -> None:
        item = decide_facts({"architecture": "fine-tune", "gaps": ["knowledge"],
                             "knowledge": {"changes": "weekly", "corpus_tokens": 2000000,
                                           "depth": "reference"},
                             "prompt": {"context_window_tokens": 128000}})
        root = parse(html.decision(item))
        rows = [["".join(td.itertext()) for td in tr.findall("td")]
                for tr in root.findall(".//table/tbody/tr")]
        assert [r[:2] for r in rows] == [
            ["failure-mode tree", item.failure_mode.verdict],
            ["five gates", item.gates.verdict],
            ["checklist", item.checklist.verdict],
            ["consensus", item.consensus],
        ]
        assert rows[2][2].endswith("for both")
        # None agrees with the declared fine-tune: each verdict is marked as differing.
        badges = [tr.find("td[2]/span") for tr in root.findall(".//table/tbody/tr")[:3]]
        assert all(html.DIFFERS_COLOUR in (b.get("style", "") if b is not None else "")
                   for b in badges)
        text = "".join(root.itertext())
        assert decision_text.agreement_line(item) in text

    def test_every_step_is_listed_with_where_it_was_declared(
            self, decide_facts: Callable[[Dict[str, Any]], Decision]) -> None:
        item = decide_facts({"architecture": "rag", "gaps": ["knowledge"],
                             "knowledge": {"changes": "weekly"}})
        root = parse(html.decision(item))
        details = root.findall(".//details")
        assert len(details) == 3
        for result, block in zip(item.frameworks, details):
            steps = ["".join(li.itertext()) for li in block.findall(".//li")]
            assert len(steps) == len(result.steps)
            for step, shown in zip(result.steps, steps):
                assert step.question in shown and step.answer in shown
                if step.location is not None:
                    assert str(step.location) in shown
        ticks = "".join(details[2].itertext())
        assert "\u2611" in ticks and "\u2610" in ticks

    def test_missing_facts_are_named(
            self, decide_facts: Callable[[Dict[str, Any]], Decision]) -> None:
        item = decide_facts({"architecture": "prompt"})
        assert item.missing
        text = "".join(parse(html.decision(item)).itertext())
        assert "to decide, declare or measure: gaps" in text

    def test_decisions_render_themselves_and_print_as_text(
            self, decide_facts: Callable[[Dict[str, Any]], Decision], tmp_path: Path) -> None:
        decisions = decide(load(project(tmp_path, WEEKLY_FINE_TUNE)))
        assert isinstance(decisions, Decisions) and isinstance(decisions, dict)
        assert decisions._repr_html_() == html.decisions(decisions)
        assert str(decisions) == decision_text.render(decisions)
        item = decisions["pricing-bot"]
        assert item._repr_html_() == html.decision(item)
        assert str(item) == decision_text.render_one(item)
        assert html.decisions(Decisions()).endswith("no systems declared</div>")


def test_a_report_of_the_example_is_well_formed_html() -> None:
    report = check(ROOT / "examples" / "support-bot", evidence=False, as_of=AS_OF)
    page = html.report(report)
    parse(page)
    assert "ragft-lint rule KN001" in page  # no documentation address: the command
    linked = html.report(report, docs_url="https://docs.example.org/rules")
    parse(linked)
    assert re.search(r'<a href="[^"]+#kn001"', linked)


def test_check_format_html_is_a_standalone_page(tmp_path, monkeypatch, capsys) -> None:
    from ragft_lint.cli import main

    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(
        "systems:\n  b<o>t:\n    architecture: fine-tune\n    knowledge: {changes: weekly}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-evidence", "--format", "html"]) == 1
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "KN001" in page
    assert "b&lt;o&gt;t" in page and "b<o>t" not in page
