"""One pipeline for every entry point: the same path, plugins and evidence give the same answer.

Each of the first three tests is a drift that the entry points once had between them, when each
built the pipeline by hand.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from evidence_project import Project, chat, jsonl
from ragft_lint import check
from ragft_lint.cli import main
from ragft_lint.session import Options, Session

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

# A fine-tune whose declared training count (100) is far below what its file holds (700): the
# gates are blocked by data on the declared figure and pass on the measured one.
MEASURED_CHANGES_THE_DECISION = """\
    systems:
      tone-bot:
        architecture: fine-tune
        gaps: [behavior]
        baseline_queries: 80
        prompt:
          few_shot_examples: 8
          baseline_score: 0.6
        fine_tune:
          goals: [format]
          training_data: data/train.jsonl
          training_examples: 100
          base_model: llama-3.1-8b-instruct
        eval:
          path: evals/tone.jsonl
          examples: 200
          labeled: true
          created_at: 2026-01-05
    """


def measured_project(root: Path) -> Project:
    project = Project(root)
    project.declare(MEASURED_CHANGES_THE_DECISION)
    project.write("data/train.jsonl", jsonl(chat(f"training question {n}") for n in range(700)))
    project.write("evals/tone.jsonl", jsonl({"input": f"eval question {n}", "output": "ok"}
                                            for n in range(200)))
    return project


def verdicts(decisions: Any) -> Dict[str, List[str]]:
    return {name: [f.verdict for f in d.frameworks] for name, d in decisions.items()}


def test_the_notebook_decides_from_the_measured_evidence_as_decide_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("IPython")
    from ragft_lint.notebook import ragft_lint

    project = measured_project(tmp_path / "project")
    monkeypatch.chdir(project.root)
    assert main(["decide", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    from_cli = {name: [system["frameworks"][f]["verdict"]
                       for f in ("failure_mode", "gates", "checklist")]
                for name, system in printed["systems"].items()}

    result = ragft_lint("")
    assert result is not None
    assert verdicts(result.decisions) == from_cli
    # The measured count matters here: declared facts alone would decide otherwise.
    declared_only = Session().decisions(Session().declaration(), Options(evidence=False))
    assert verdicts(declared_only) != from_cli


def test_check_of_an_evidence_file_checks_the_declaration_above_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    evidence = "examples/support-bot/evals/support.jsonl"
    report = check(evidence, evidence=False)
    assert report.declaration == "examples/support-bot/ragft.yaml"
    assert report.findings == check("examples/support-bot", evidence=False).findings
    assert main(["check", "--format", "json", "--no-evidence", evidence]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["declaration"] == report.declaration
    assert len(printed["findings"]) == len(report.findings)


PLUGIN = '''\
from ragft_lint import Severity, Violation, hookimpl, rule, spec


@hookimpl
def ragft_lint_system_keys():
    return {"org_review": spec.Table({"ticket": spec.Str("the review's ticket")},
                                      description="the risk review of this system")}


@rule("ORG001", "risk-review-ticket", Severity.WARNING)
def reviewed(system, context):
    """A system's risk review names no ticket.

    Why: a review nobody can find is no review.

    Fix: name the ticket.
    """
    if not system.get("org_review", "ticket"):
        yield Violation("no risk review ticket", "name the ticket", ("architecture",))


@hookimpl
def ragft_lint_rules():
    return [reviewed]
'''


def install_plugin(site: Path) -> None:
    """A plugin distribution laid out as an installer leaves it: module, metadata, entry point."""
    site.mkdir(parents=True)
    (site / "org_keys.py").write_text(PLUGIN)
    info = site / "org_keys-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: org-keys\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[ragft_lint]\norg = org_keys\n")


@pytest.mark.plugins
def test_pytest_reads_a_plugins_keys_as_check_does(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = pytester.path / "site"
    install_plugin(site)
    (pytester.path / ".git").mkdir()
    pytester.makefile(".yaml", ragft=textwrap.dedent("""\
        systems:
          triage:
            architecture: prompt
            gaps: [behavior]
            baseline_queries: 60
            org_review:
              ticket: RISK-42
        """))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]))
    cli = pytester.run(sys.executable, "-m", "ragft_lint", "check", "--no-evidence")
    assert cli.ret == 0, cli.stderr.str()
    assert "unknown key" not in cli.stderr.str(), cli.stderr.str()
    result = pytester.runpytest_subprocess("--ragft-lint", "-p", "no:cacheprovider")
    assert "unknown key" not in result.stdout.str()
    result.assert_outcomes(passed=1)


def test_a_session_measures_the_evidence_once_for_report_and_decisions(tmp_path: Path) -> None:
    project = measured_project(tmp_path / "project")
    session = Session()
    declaration = session.declaration(project.root)
    settings = session.settings(declaration, Options())
    measured = session.evidence(declaration, settings)
    assert measured is not None
    assert session.evidence(declaration, settings) is measured
    session.report(declaration)
    session.decisions(declaration)
    assert session.evidence(declaration, session.settings(declaration)) is measured


def test_applying_a_baseline_returns_new_reports(tmp_path: Path) -> None:
    from ragft_lint import baseline

    project = measured_project(tmp_path / "project")
    report = check(project.root, evidence=False)
    assert report.findings
    recorded = tmp_path / "baseline.json"
    baseline.write([report], str(recorded))
    (applied,) = baseline.apply([report], str(recorded))
    assert applied is not report
    assert applied.findings == [] and applied.baselined == len(report.findings)
    assert report.baselined == 0 and report.findings  # the original is as it was


def test_decide_shows_the_errors_check_reports_as_blockers(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT / "examples" / "support-bot")
    assert main(["check", "--format", "json", "--no-evidence"]) == 1
    checked = json.loads(capsys.readouterr().out)
    errors = {(f["system"], f["rule"]) for f in checked["findings"]
              if f["severity"] == "error" and not f["waived"] and f["rule"][:2] in
              ("KN", "EV", "FT", "RG", "DA")}
    assert errors  # the example's draft system is not ready
    assert main(["decide", "--format", "json"]) == 0
    decided = json.loads(capsys.readouterr().out)
    blockers = {(name, b["rule"]) for name, system in decided["systems"].items()
                for b in system["blockers"]}
    assert blockers == errors


def test_every_check_output_says_which_thresholds_were_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = measured_project(tmp_path / "project")
    declaration = project.root / "ragft.yaml"
    declaration.write_text("thresholds:\n  min_training_examples:\n    value: 50\n"
                           "    reason: a pilot on a small queue\n"
                           + declaration.read_text(), encoding="utf-8")
    main(["check", "--no-evidence", "--format", "json", str(declaration)])
    printed = json.loads(capsys.readouterr().out)
    assert printed["thresholds"]["min_training_examples"]["value"] == 50
    assert printed["thresholds"]["min_training_examples"]["reason"] == "a pilot on a small queue"
    main(["check", "--no-evidence", str(declaration)])
    assert "min_training_examples" in capsys.readouterr().out
