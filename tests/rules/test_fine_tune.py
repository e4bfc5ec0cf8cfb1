"""FT001 to FT009: is the fine-tune ready and justified?"""

from __future__ import annotations

import textwrap
from typing import Any, List

import pytest

from helpers import fired
from ragft_lint import Severity
from ragft_lint.rule import Rule
from ragft_lint.rules import fine_tune

# A fine-tune that every FT rule accepts; tests change one fact at a time.
SOUND = """\
    systems:
      bot:
        architecture: {architecture}
        prompt:
          few_shot_examples: 6
          structured_output: true
          baseline_score: 0.7
          baseline_model: llama-3.1-8b-instruct
        fine_tune:
          goals: [{goals}]
          base_model: llama-3.1-8b-instruct
          training_data: data/train.jsonl
          training_examples: 1800
          score: 0.9
          regression_suite: evals/general.jsonl
          requests_per_month: 30000
          retrain_every: quarterly
        eval:
          path: evals/bot.jsonl
          examples: 200
    """


def declaration(architecture: str = "fine-tune", goals: str = "style, format",
                drop: tuple[str, ...] = (), thresholds: str = "", **values: Any) -> str:
    """SOUND with some keys dropped and some values replaced (``key=value``)."""
    lines = []
    for line in SOUND.format(architecture=architecture, goals=goals).splitlines():
        key = line.strip().split(":", 1)[0]
        if key in drop:
            continue
        if key in values:
            line = line.split(":", 1)[0] + f": {values[key]}"
        lines.append(line)
    text = textwrap.dedent("\n".join(lines)) + "\n"
    return (thresholds + "\n" if thresholds else "") + text


def line_of(text: str, needle: str) -> int:
    lines = textwrap.dedent(text).splitlines()
    matches = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(matches) == 1, f"{needle!r} is not on exactly one line"
    return matches[0]


def rules_by_id() -> dict[str, Rule]:
    return {r.id: r for r in vars(fine_tune).values() if isinstance(r, Rule)}


def example(rule: Rule, label: str) -> str:
    after = rule.doc.split(f"{label}:\n", 1)[1]
    block = []
    for line in after.splitlines():
        if line and not line.startswith("    "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip() + "\n"


RULE_IDS = [f"FT00{n}" for n in range(1, 10)]


@pytest.mark.parametrize(
    ("rule_id", "name", "severity"),
    [
        ("FT001", "too-few-training-examples", Severity.ERROR),
        ("FT002", "prompting-not-exhausted", Severity.WARNING),
        ("FT003", "structured-output-not-tried", Severity.WARNING),
        ("FT004", "no-forgetting-check", Severity.WARNING),
        ("FT005", "cost-before-quality", Severity.ERROR),
        ("FT006", "volume-too-low", Severity.WARNING),
        ("FT007", "no-uplift", Severity.WARNING),
        ("FT008", "no-retraining-plan", Severity.INFO),
        ("FT009", "no-training-data", Severity.WARNING),
    ],
)
def test_rules_have_the_ids_names_and_severities_of_the_spec(
    rule_id: str, name: str, severity: Severity
) -> None:
    rule = rules_by_id()[rule_id]
    assert (rule.name, rule.severity) == (name, severity)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_documented_examples_fire_and_pass(run_yaml: Any, rule_id: str) -> None:
    rule = rules_by_id()[rule_id]
    assert fired(run_yaml(example(rule, "Fires")), rule_id)
    assert not fired(run_yaml(example(rule, "Passes")), rule_id)


@pytest.mark.parametrize("architecture", ["fine-tune", "hybrid"])
@pytest.mark.parametrize("goals", ["style, format", "cost, latency", "reasoning"])
def test_a_sound_fine_tune_raises_no_ft_finding(run_yaml: Any, architecture: str,
                                                goals: str) -> None:
    report = run_yaml(declaration(architecture, goals))
    assert [f.rule for f in report.findings if f.rule.startswith("FT")] == []


@pytest.mark.parametrize("architecture", ["prompt", "rag"])
def test_fine_tune_facts_of_a_system_that_is_not_fine_tuned_are_ignored(
    run_yaml: Any, architecture: str
) -> None:
    # Everything wrong that can be, but the system does not fine-tune.
    report = run_yaml(declaration(
        architecture, "style, format, cost",
        drop=("training_data", "training_examples", "regression_suite", "retrain_every",
              "baseline_score", "requests_per_month", "structured_output"),
        few_shot_examples=1,
    ))
    assert [f.rule for f in report.findings if f.rule.startswith("FT")] == []


# -- FT001 too-few-training-examples -----------------------------------------------------


def ft001(run_yaml: Any, **kw: Any) -> List[Any]:
    return fired(run_yaml(declaration(**kw)), "FT001")


def test_ft001_is_an_error_below_the_hard_minimum(run_yaml: Any) -> None:
    text = declaration(training_examples=99)
    [finding] = fired(run_yaml(text), "FT001")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.fine_tune.training_examples"
    assert finding.location.line == line_of(text, "training_examples")
    assert "99" in finding.message and "hard_min_training_examples (100)" in finding.message


def test_ft001_is_a_warning_from_the_hard_minimum_up(run_yaml: Any) -> None:
    [finding] = ft001(run_yaml, training_examples=100)
    assert finding.severity is Severity.WARNING
    assert "min_training_examples (500)" in finding.message


def test_ft001_is_a_warning_one_below_the_minimum(run_yaml: Any) -> None:
    [finding] = ft001(run_yaml, training_examples=499)
    assert finding.severity is Severity.WARNING


def test_ft001_passes_at_the_minimum(run_yaml: Any) -> None:
    assert not ft001(run_yaml, training_examples=500)


def test_ft001_does_not_guess_an_undeclared_count(run_yaml: Any) -> None:
    assert not ft001(run_yaml, drop=("training_examples",))


def test_ft001_thresholds_can_be_overridden(run_yaml: Any) -> None:
    overridden = "thresholds: {min_training_examples: 200, hard_min_training_examples: 50}"
    assert not ft001(run_yaml, training_examples=200, thresholds=overridden)
    [warning] = ft001(run_yaml, training_examples=50, thresholds=overridden)
    assert warning.severity is Severity.WARNING
    assert "min_training_examples (200)" in warning.message
    [error] = ft001(run_yaml, training_examples=49, thresholds=overridden)
    assert error.severity is Severity.ERROR
    assert "hard_min_training_examples (50)" in error.message


def test_ft001_severity_override_applies_to_both_levels(run_yaml: Any) -> None:
    overridden = "severity: {FT001: info}"
    [finding] = ft001(run_yaml, training_examples=10, thresholds=overridden)
    assert finding.severity is Severity.INFO


# -- FT002 prompting-not-exhausted -------------------------------------------------------


def ft002(run_yaml: Any, **kw: Any) -> List[Any]:
    return fired(run_yaml(declaration(**kw)), "FT002")


def test_ft002_fires_below_the_few_shot_minimum(run_yaml: Any) -> None:
    text = declaration(goals="style", few_shot_examples=3)
    [finding] = fired(run_yaml(text), "FT002")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.prompt.few_shot_examples"
    assert finding.location.line == line_of(text, "few_shot_examples")
    assert "min_few_shot_examples (4)" in finding.message


def test_ft002_passes_at_the_few_shot_minimum(run_yaml: Any) -> None:
    assert not ft002(run_yaml, goals="format", few_shot_examples=4)


def test_ft002_fires_without_a_baseline_score(run_yaml: Any) -> None:
    [finding] = ft002(run_yaml, goals="format", drop=("baseline_score",))
    assert finding.key == "systems.bot.prompt"
    assert "prompt.baseline_score is not declared" in finding.message


def test_ft002_without_a_prompt_table_points_at_the_goal(run_yaml: Any) -> None:
    text = declaration(goals="reasoning, style",
                       drop=("prompt", "few_shot_examples", "structured_output",
                             "baseline_score", "baseline_model", "score"))
    [finding] = fired(run_yaml(text), "FT002")
    assert finding.key == "systems.bot.fine_tune.goals[1]"


def test_ft002_does_not_compare_an_undeclared_few_shot_count(run_yaml: Any) -> None:
    assert not ft002(run_yaml, goals="style", drop=("few_shot_examples",))


@pytest.mark.parametrize("goals", ["reasoning", "cost, latency"])
def test_ft002_only_concerns_style_and_format(run_yaml: Any, goals: str) -> None:
    assert not ft002(run_yaml, goals=goals, few_shot_examples=0, drop=("baseline_score",))


def test_ft002_threshold_can_be_overridden(run_yaml: Any) -> None:
    overridden = "thresholds: {min_few_shot_examples: 8}"
    assert ft002(run_yaml, few_shot_examples=7, thresholds=overridden)
    assert not ft002(run_yaml, few_shot_examples=8, thresholds=overridden)


# -- FT003 structured-output-not-tried ---------------------------------------------------


def test_ft003_fires_when_structured_output_is_false(run_yaml: Any) -> None:
    text = declaration(goals="format", structured_output="false")
    [finding] = fired(run_yaml(text), "FT003")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.prompt.structured_output"
    assert finding.location.line == line_of(text, "structured_output")


def test_ft003_fires_when_structured_output_is_not_declared(run_yaml: Any) -> None:
    text = declaration(goals="style, format", drop=("structured_output",))
    [finding] = fired(run_yaml(text), "FT003")
    assert finding.key == "systems.bot.fine_tune.goals[1]"
    assert finding.location.line == line_of(text, "goals:")


def test_ft003_only_concerns_format(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(goals="style", structured_output="false")), "FT003")


# -- FT004 no-forgetting-check -----------------------------------------------------------


def test_ft004_fires_without_a_regression_suite(run_yaml: Any) -> None:
    [finding] = fired(run_yaml(declaration(drop=("regression_suite",))), "FT004")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.fine_tune"


def test_ft004_without_a_fine_tune_table_points_at_the_architecture(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: hybrid
        """
    [finding] = fired(run_yaml(text), "FT004")
    assert finding.key == "systems.bot.architecture"
    assert finding.location.line == 3


def test_ft004_passes_with_a_regression_suite(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(regression_suite="evals/general.jsonl")), "FT004")


# -- FT005 cost-before-quality -----------------------------------------------------------


@pytest.mark.parametrize("goal", ["cost", "latency"])
def test_ft005_fires_without_a_baseline_score(run_yaml: Any, goal: str) -> None:
    text = declaration(goals=f"style, {goal}", drop=("baseline_score",))
    [finding] = fired(run_yaml(text), "FT005")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.prompt"
    assert goal in finding.message


def test_ft005_passes_with_a_baseline_score(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(goals="cost, latency")), "FT005")


def test_ft005_only_concerns_cost_and_latency(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(goals="style", drop=("baseline_score",))), "FT005")


# -- FT006 volume-too-low ----------------------------------------------------------------


def ft006(run_yaml: Any, **kw: Any) -> List[Any]:
    return fired(run_yaml(declaration(**kw)), "FT006")


def test_ft006_fires_one_request_below_the_minimum(run_yaml: Any) -> None:
    text = declaration(goals="style, cost", requests_per_month=9999)
    [finding] = fired(run_yaml(text), "FT006")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.fine_tune.requests_per_month"
    assert finding.location.line == line_of(text, "requests_per_month")
    assert "9999" in finding.message and "min_requests_per_month (10000)" in finding.message


def test_ft006_passes_at_the_minimum(run_yaml: Any) -> None:
    assert not ft006(run_yaml, goals="latency", requests_per_month=10000)


def test_ft006_fires_when_the_volume_is_not_declared(run_yaml: Any) -> None:
    [finding] = ft006(run_yaml, goals="format", drop=("requests_per_month",))
    assert finding.key == "systems.bot.fine_tune.goals"


@pytest.mark.parametrize("goals", ["style, reasoning", "reasoning", ""])
def test_ft006_only_concerns_behaviour_and_cost_fine_tunes(run_yaml: Any, goals: str) -> None:
    assert not ft006(run_yaml, goals=goals, requests_per_month=10)


def test_ft006_threshold_can_be_overridden(run_yaml: Any) -> None:
    overridden = "thresholds: {min_requests_per_month: 500}"
    assert not ft006(run_yaml, requests_per_month=500, thresholds=overridden)
    assert ft006(run_yaml, requests_per_month=499, thresholds=overridden)


# -- FT007 no-uplift ---------------------------------------------------------------------


def test_ft007_fires_when_the_fine_tune_scores_below_the_baseline(run_yaml: Any) -> None:
    text = declaration(score=0.69)
    [finding] = fired(run_yaml(text), "FT007")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.fine_tune.score"
    assert finding.location.line == line_of(text, "  score:")
    assert "0.69" in finding.message and "0.7" in finding.message


def test_ft007_fires_on_a_tie(run_yaml: Any) -> None:
    [finding] = fired(run_yaml(declaration(score=0.7)), "FT007")
    assert "equal to" in finding.message


def test_ft007_passes_when_the_fine_tune_is_better(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(score=0.71)), "FT007")


@pytest.mark.parametrize("missing", ["score", "baseline_score"])
def test_ft007_needs_both_scores(run_yaml: Any, missing: str) -> None:
    assert not fired(run_yaml(declaration(drop=(missing,))), "FT007")


# -- FT008 no-retraining-plan ------------------------------------------------------------


def test_ft008_fires_without_a_retraining_schedule(run_yaml: Any) -> None:
    text = declaration(drop=("retrain_every",))
    [finding] = fired(run_yaml(text), "FT008")
    assert finding.severity is Severity.INFO
    assert finding.key == "systems.bot.fine_tune"


def test_ft008_passes_with_a_schedule(run_yaml: Any) -> None:
    assert not fired(run_yaml(declaration(retrain_every="yearly")), "FT008")


# -- FT009 no-training-data --------------------------------------------------------------


def test_ft009_fires_with_neither_data_nor_count(run_yaml: Any) -> None:
    text = declaration(drop=("training_data", "training_examples"))
    [finding] = fired(run_yaml(text), "FT009")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.fine_tune"


@pytest.mark.parametrize("kept", ["training_data", "training_examples"])
def test_ft009_passes_with_either(run_yaml: Any, kept: str) -> None:
    other = "training_examples" if kept == "training_data" else "training_data"
    assert not fired(run_yaml(declaration(drop=(other,))), "FT009")


def test_training_size_is_the_declared_count() -> None:
    from ragft_lint.declaration.model import System

    facts = {"architecture": "fine-tune", "fine_tune": {"training_examples": 42}}
    assert fine_tune.training_size(System("bot", facts, None)) == 42  # type: ignore[arg-type]
    bare = System("bot", {"architecture": "fine-tune"}, None)  # type: ignore[arg-type]
    assert fine_tune.training_size(bare) is None
