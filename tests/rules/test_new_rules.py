"""The rules added for decisions that agree with the field, at their boundaries: KN007, EV008,
EV009, EV010, FT010, FT011, FT012, RG009 and TH001, and the thresholds written with reasons."""

from __future__ import annotations

import datetime
import os
from typing import Any, List

import pytest

from helpers import AS_OF, fired
from ragft_lint import Severity
from ragft_lint import thresholds as thresholds_module
from ragft_lint.report import Report
from ragft_lint.rules.scores import uplift
from ragft_lint.rules.upkeep import after


def one(report: Any, rule: str) -> Any:
    (finding,) = fired(report, rule)
    return finding


# -- KN007 ------------------------------------------------------------------------------------


def kn007(corpus: int, architecture: str = "prompt", window: int = 128000,
          ratio: str = "") -> str:
    settings = f"thresholds: {{context_fit_ratio: {ratio}}}\n" if ratio else ""
    return settings + f"""\
systems:
  bot:
    architecture: {architecture}
    knowledge: {{corpus_tokens: {corpus}}}
    prompt: {{context_window_tokens: {window}}}
"""


@pytest.mark.parametrize(("corpus", "severity"), [
    (64000, None), (64001, Severity.WARNING), (128000, Severity.WARNING),
    (128001, Severity.ERROR), (600000, Severity.ERROR),
])
def test_kn007_boundaries(run_yaml: Any, corpus: int, severity: Any) -> None:
    found = fired(run_yaml(kn007(corpus)), "KN007")
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert found[0].key == "systems.bot.knowledge.corpus_tokens"
        assert str(corpus) in found[0].message


@pytest.mark.parametrize("architecture", ["rag", "hybrid", "fine-tune"])
def test_kn007_is_for_prompt_systems_only(run_yaml: Any, architecture: str) -> None:
    assert not fired(run_yaml(kn007(600000, architecture)), "KN007")


def test_kn007_reads_the_ratio(run_yaml: Any) -> None:
    assert not fired(run_yaml(kn007(100000, ratio="0.8")), "KN007")
    assert fired(run_yaml(kn007(100000, ratio="0.7")), "KN007")


# -- EV008 ------------------------------------------------------------------------------------


def ev008(score: float, baseline: float, examples: int, architecture: str = "fine-tune",
          confidence: str = "") -> str:
    settings = f"thresholds: {{uplift_confidence: {confidence}}}\n" if confidence else ""
    return settings + f"""\
systems:
  bot:
    architecture: {architecture}
    prompt: {{baseline_score: {baseline}}}
    fine_tune: {{score: {score}}}
    eval: {{examples: {examples}}}
"""


def test_ev008_names_the_difference_its_interval_and_the_size_that_resolves_it(
        run_yaml: Any) -> None:
    finding = one(run_yaml(ev008(0.81, 0.80, 150)), "EV008")
    assert "0.01 above" in finding.message and "150 eval examples" in finding.message
    assert "95% interval" in finding.message
    gain = uplift(0.81, 0.80, 150, 0.95)
    assert gain is not None and gain.within_noise
    assert f"at least {gain.needed} examples" in finding.fix
    # At the size named, the same gain is out of the noise.
    assert not fired(run_yaml(ev008(0.81, 0.80, gain.needed)), "EV008")
    assert fired(run_yaml(ev008(0.81, 0.80, gain.needed - 1)), "EV008")


@pytest.mark.parametrize(("score", "baseline"), [(0.80, 0.80), (0.79, 0.80), (0.95, 0.70)])
def test_ev008_quiet_without_a_gain_or_with_a_clear_one(run_yaml: Any, score: float,
                                                       baseline: float) -> None:
    assert not fired(run_yaml(ev008(score, baseline, 150)), "EV008")


def test_ev008_reads_the_confidence_and_skips_systems_not_fine_tuned(run_yaml: Any) -> None:
    assert fired(run_yaml(ev008(0.85, 0.80, 300)), "EV008")
    assert not fired(run_yaml(ev008(0.85, 0.80, 300, confidence="0.5")), "EV008")
    assert not fired(run_yaml(ev008(0.81, 0.80, 150, architecture="prompt")), "EV008")


def test_uplift_has_no_interval_without_noise() -> None:
    assert uplift(1.0, 0.0, 10, 0.95) is None  # scores of 0 and 1: no sampling noise
    assert uplift(1.0, 1.0, 10, 0.95) is None
    assert uplift(0.9, 0.8, 0, 0.95) is None


# -- EV009 ------------------------------------------------------------------------------------


def ev009(eval_path: str, regression: str = "evals/general.jsonl") -> str:
    return f"""\
systems:
  bot:
    architecture: fine-tune
    fine_tune:
      training_data: data/train.jsonl
      regression_suite: {regression}
    eval:
      path: {eval_path}
"""


@pytest.mark.parametrize(("path", "same"), [
    ("data/train.jsonl", True), ("./data/train.jsonl", True), ("data/../data/train.jsonl", True),
    ("data/train2.jsonl", False), ("evals/train.jsonl", False),
])
def test_ev009_compares_resolved_paths(run_yaml: Any, path: str, same: bool) -> None:
    found = fired(run_yaml(ev009(path)), "EV009")
    assert bool(found) is same
    if found:
        assert found[0].key == "systems.bot.eval.path"
        assert str(found[0].severity) == "error"


def test_ev009_sees_the_regression_suite_too(run_yaml: Any) -> None:
    finding = one(run_yaml(ev009("evals/bot.jsonl", regression="data/train.jsonl")), "EV009")
    assert "fine_tune.regression_suite" in finding.message


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_ev009_follows_links(run_yaml: Any, tmp_path: Any) -> None:
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "train.jsonl").write_text("{}\n", encoding="utf-8")
    (folder / "data" / "eval.jsonl").symlink_to(folder / "data" / "train.jsonl")
    assert fired(run_yaml(ev009("data/eval.jsonl")), "EV009")


# -- EV010 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("architecture", "eval_", "fires"), [
    ("fine-tune", "{examples: 200}", True),
    ("hybrid", "{path: evals/bot.jsonl}", True),
    ("fine-tune", "{examples: 200, created_at: 2026-03-01}", False),
    ("fine-tune", "{labeled: true}", False),  # no eval at all: EV001's finding
    ("prompt", "{examples: 200}", False),
])
def test_ev010_boundaries(run_yaml: Any, architecture: str, eval_: str, fires: bool) -> None:
    text = f"systems:\n  bot:\n    architecture: {architecture}\n    eval: {eval_}\n"
    found = fired(run_yaml(text), "EV010")
    assert bool(found) is fires
    if found:  # with evidence off, a named file's git date is unknown, not missing
        message = found[0].message
        assert ("unknown" in message and "evidence reading is off" in message) \
            if "path" in eval_ else "no eval.path" in message


# -- FT010 ------------------------------------------------------------------------------------


def ft010(trained: datetime.date, every: str) -> str:
    return (f"systems:\n  bot:\n    architecture: fine-tune\n    fine_tune:\n"
            f"      trained_at: {trained.isoformat()}\n      retrain_every: {every}\n")


@pytest.mark.parametrize(("trained", "every", "severity"), [
    (datetime.date(2026, 8, 23), "quarterly", None),  # due exactly on the run date
    (datetime.date(2026, 8, 22), "quarterly", Severity.INFO),
    (datetime.date(2026, 5, 23), "quarterly", Severity.INFO),
    (datetime.date(2026, 5, 22), "quarterly", Severity.WARNING),
    (datetime.date(2026, 11, 16), "weekly", None),
    (datetime.date(2026, 11, 15), "weekly", Severity.INFO),
    (datetime.date(2026, 11, 8), "weekly", Severity.WARNING),
    (datetime.date(2025, 11, 22), "yearly", Severity.INFO),
    (datetime.date(2020, 1, 1), "static", None),
    (datetime.date(2026, 11, 20), "realtime", None),
])
def test_ft010_boundaries(run_yaml: Any, trained: datetime.date, every: str,
                          severity: Any) -> None:
    found = fired(run_yaml(ft010(trained, every)), "FT010")
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_periods_end_on_the_last_day_of_a_short_month() -> None:
    assert after(datetime.date(2026, 1, 31), "monthly", 1) == datetime.date(2026, 2, 28)
    assert after(datetime.date(2025, 11, 30), "quarterly", 1) == datetime.date(2026, 2, 28)
    assert after(datetime.date(2024, 2, 29), "yearly", 1) == datetime.date(2025, 2, 28)
    assert after(datetime.date(2026, 1, 1), "static", 1) is None


# -- FT011 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "fires"), [(365, False), (366, True)])
def test_ft011_boundary(run_yaml: Any, days: int, fires: bool) -> None:
    released = AS_OF - datetime.timedelta(days=days)
    text = (f"systems:\n  bot:\n    architecture: hybrid\n    fine_tune:\n"
            f"      base_model: m\n      base_model_date: {released.isoformat()}\n")
    found = fired(run_yaml(text), "FT011")
    assert bool(found) is fires
    if found:
        assert f"{days} days old" in found[0].message and "(m)" in found[0].message
    prompt = text.replace("architecture: hybrid", "architecture: prompt")
    assert not fired(run_yaml(prompt), "FT011")


def test_ft011_reads_its_threshold(run_yaml: Any) -> None:
    text = ("thresholds: {max_base_model_age_days: 1000}\nsystems:\n  bot:\n"
            "    architecture: fine-tune\n    fine_tune: {base_model_date: 2024-07-23}\n")
    assert not fired(run_yaml(text), "FT011")


# -- FT012 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("architecture", "fine_tune", "fires"), [
    ("fine-tune", "{trained_at: 2026-09-01}", True),
    ("hybrid", "{trained_at: 2026-09-01}", True),
    ("fine-tune", "{trained_at: 2026-09-01, score: 0}", False),
    ("fine-tune", "{training_examples: 900}", False),
    ("prompt", "{trained_at: 2026-09-01}", False),
])
def test_ft012_boundaries(run_yaml: Any, architecture: str, fine_tune: str,
                          fires: bool) -> None:
    text = f"systems:\n  bot:\n    architecture: {architecture}\n    fine_tune: {fine_tune}\n"
    assert bool(fired(run_yaml(text), "FT012")) is fires


# -- RG009 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("architecture", "changes", "refresh", "fires"), [
    ("rag", "monthly", None, True), ("hybrid", "realtime", None, True),
    ("rag", "quarterly", None, False), ("rag", "daily", "daily", False),
    ("prompt", "daily", None, False), ("rag", None, None, False),
])
def test_rg009_boundaries(run_yaml: Any, architecture: str, changes: Any, refresh: Any,
                          fires: bool) -> None:
    text = f"systems:\n  bot:\n    architecture: {architecture}\n"
    if changes:
        text += f"    knowledge: {{changes: {changes}}}\n"
    if refresh:
        text += f"    rag: {{index_refresh: {refresh}}}\n"
    found = fired(run_yaml(text), "RG009")
    assert bool(found) is fires


# -- FT005 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prompt", "severity"), [
    ("{few_shot_examples: 4}", Severity.ERROR),
    ("{baseline_score: 0.8}", Severity.INFO),
    ("{baseline_score: 0.8, baseline_model: big-70b}", Severity.WARNING),
    ("{baseline_score: 0.8, baseline_model: small-3b}", None),
])
def test_ft005_levels(run_yaml: Any, prompt: str, severity: Any) -> None:
    text = (f"systems:\n  bot:\n    architecture: fine-tune\n    prompt: {prompt}\n"
            "    fine_tune: {goals: [latency], base_model: small-3b}\n")
    found = fired(run_yaml(text), "FT005")
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert "small-3b" in found[0].message


# -- TH001 and the thresholds ------------------------------------------------------------------


def th001(setting: str, systems: int = 1) -> str:
    body = "".join(f"  bot{n}:\n    architecture: prompt\n" for n in range(systems))
    return f"thresholds:\n  {setting}\nsystems:\n{body}"


@pytest.mark.parametrize(("setting", "fires"), [
    ("min_eval_examples: 149", True), ("min_eval_examples: 150", False),
    ("min_eval_examples: 151", False),
    ("max_eval_age_days: 184", True), ("max_eval_age_days: 182", False),
    ("min_precision_at_5: 0.69", True), ("score_tolerance: 0.03", True),
    ("uplift_confidence: 0.9", True), ("uplift_confidence: 0.99", False),
    ("context_fit_ratio: 0.6", True), ("context_fit_ratio: 0.4", True),
    ("min_eval_examples: {value: 100, reason: \"five labels, twenty each\"}", False),
    ("min_eval_examples: {value: 100}", True),
])
def test_th001_boundaries(run_yaml: Any, setting: str, fires: bool) -> None:
    found = fired(run_yaml(th001(setting)), "TH001")
    assert bool(found) is fires
    if found:
        name = setting.split(":")[0]
        assert f"thresholds.{name}" in found[0].message
        assert (found[0].location.line, found[0].system) == (2, None)  # the threshold's line


def test_th001_is_told_once_per_declaration(run_yaml: Any) -> None:
    found = fired(run_yaml(th001("min_eval_examples: 10", systems=3)), "TH001")
    assert [(f.system, f.location.line) for f in found] == [(None, 2)]


def test_a_threshold_table_sets_the_value_the_rules_use(run_yaml: Any) -> None:
    text = ("thresholds:\n  min_training_examples: {value: 100, reason: \"a narrow task\"}\n"
            "systems:\n  bot:\n    architecture: fine-tune\n"
            "    fine_tune: {training_examples: 120}\n")
    assert not fired(run_yaml(text), "FT001")
    assert not fired(run_yaml(text), "TH001")


def test_changed_thresholds_are_listed_with_default_value_and_reason() -> None:
    changed = thresholds_module.changed({
        "min_eval_examples": {"value": 100, "reason": "why"}, "max_eval_age_days": 183,
        "context_fit_ratio": 0.25})
    assert [(c.name, c.default, c.value, c.reason) for c in changed] == [
        ("min_eval_examples", 150, 100, "why"), ("context_fit_ratio", 0.5, 0.25, None)]
    assert thresholds_module.summary(changed) == (
        "thresholds changed from the defaults: min_eval_examples 100 (default 150): why; "
        "context_fit_ratio 0.25 (default 0.5)")
    assert thresholds_module.resolve({"min_eval_examples": {"value": 100}})[
        "min_eval_examples"] == 100


class _Carrying(Report):
    """A report that carries the changed thresholds, as the engine is to hand them over."""


def test_every_check_output_shows_the_changed_thresholds() -> None:
    from ragft_lint.findings import Severity as Sev
    from ragft_lint.output import github, html, sarif, text
    from ragft_lint.output import json as json_output

    report = _Carrying("ragft.yaml", ["bot"], [], Sev.ERROR)
    report.thresholds = thresholds_module.changed(  # type: ignore[attr-defined]
        {"min_eval_examples": {"value": 100, "reason": "five labels"}})
    line = "thresholds changed from the defaults: min_eval_examples 100 (default 150): five labels"
    assert line in text.render([report])
    assert json_output.document([report])["thresholds"] == {
        "min_eval_examples": {"default": 150, "value": 100, "reason": "five labels"}}
    assert sarif.document([report])["runs"][0]["properties"]["thresholds"][
        "min_eval_examples"]["value"] == 100
    assert "::notice title=ragft-lint thresholds::" + line in github.render([report])
    assert line in html.report(report)
    plain = Report("ragft.yaml", ["bot"], [], Sev.ERROR)
    assert "thresholds" not in json_output.document([plain])
    assert "thresholds changed" not in text.render([plain])


def test_messages_of_the_new_rules_name_their_keys(run_yaml: Any) -> None:
    texts: List[str] = [f.message for f in run_yaml(kn007(600000)).findings]
    assert any("knowledge.corpus_tokens is 600000" in t for t in texts)
