"""EV002 to EV007: is there an eval set that can prove the system works?"""

from __future__ import annotations

import textwrap
from typing import Any, List

import pytest

from helpers import fired
from ragft_lint import Severity
from ragft_lint.rule import Rule
from ragft_lint.rules import eval_dates, evaluation

NEW_RULES = ["EV002", "EV003", "EV004", "EV005", "EV006", "EV007"]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the declaration (as run_yaml writes it) that holds ``needle``."""
    lines = textwrap.dedent(text).splitlines()
    matches = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(matches) == 1, f"{needle!r} is not on exactly one line"
    return matches[0]


def rules_by_id() -> dict[str, Rule]:
    return {r.id: r for family in (evaluation, eval_dates) for r in vars(family).values()
            if isinstance(r, Rule)}


def example(rule: Rule, label: str) -> str:
    """The YAML declaration under ``Fires:`` or ``Passes:`` in a rule's documentation."""
    after = rule.doc.split(f"{label}:\n", 1)[1]
    block = []
    for line in after.splitlines():
        if line and not line.startswith("    "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip() + "\n"


@pytest.mark.parametrize(
    ("rule_id", "name", "severity"),
    [
        ("EV002", "eval-too-small", Severity.ERROR),
        ("EV003", "eval-after-training", Severity.ERROR),
        ("EV004", "stale-eval", Severity.WARNING),
        ("EV005", "unlabeled-eval", Severity.ERROR),
        ("EV006", "no-adversarial-eval", Severity.INFO),
        ("EV007", "no-eval", Severity.WARNING),
    ],
)
def test_rules_have_the_ids_names_and_severities_of_the_spec(
    rule_id: str, name: str, severity: Severity
) -> None:
    rule = rules_by_id()[rule_id]
    assert (rule.name, rule.severity) == (name, severity)


def test_ev001_is_still_there() -> None:
    assert rules_by_id()["EV001"].name == "fine-tune-without-eval"


@pytest.mark.parametrize("rule_id", NEW_RULES)
def test_documented_examples_fire_and_pass(run_yaml: Any, rule_id: str) -> None:
    rule = rules_by_id()[rule_id]
    assert fired(run_yaml(example(rule, "Fires")), rule_id)
    assert not fired(run_yaml(example(rule, "Passes")), rule_id)


# -- EV002 eval-too-small ----------------------------------------------------------------


def ev002(run_yaml: Any, examples: int, architecture: str = "fine-tune",
          thresholds: str = "") -> List[Any]:
    return fired(run_yaml(f"""\
        {thresholds}
        systems:
          bot:
            architecture: {architecture}
            eval:
              examples: {examples}
        """), "EV002")


def test_ev002_fires_one_below_the_minimum(run_yaml: Any) -> None:
    [finding] = ev002(run_yaml, 149)
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.eval.examples"
    assert finding.location.line == 6
    assert "149" in finding.message and "min_eval_examples (150)" in finding.message


def test_ev002_passes_at_the_minimum(run_yaml: Any) -> None:
    assert not ev002(run_yaml, 150)


def test_ev002_fires_on_hybrid_systems(run_yaml: Any) -> None:
    assert ev002(run_yaml, 20, architecture="hybrid")


@pytest.mark.parametrize("architecture", ["prompt", "rag"])
def test_ev002_leaves_systems_without_a_fine_tune_alone(run_yaml: Any,
                                                        architecture: str) -> None:
    assert not ev002(run_yaml, 20, architecture=architecture)


def test_ev002_threshold_can_be_overridden(run_yaml: Any) -> None:
    overridden = "thresholds: {min_eval_examples: 100}"
    assert not ev002(run_yaml, 100, thresholds=overridden)
    [finding] = ev002(run_yaml, 99, thresholds=overridden)
    assert "min_eval_examples (100)" in finding.message


def test_ev002_does_not_guess_an_undeclared_count(run_yaml: Any) -> None:
    assert not fired(run_yaml("""\
        systems:
          bot:
            architecture: fine-tune
            eval:
              path: evals/bot.jsonl
        """), "EV002")


def test_eval_size_is_the_declared_count() -> None:
    from ragft_lint.declaration.model import System

    system = System("bot", {"architecture": "fine-tune", "eval": {"examples": 12}}, None)  # type: ignore[arg-type]
    assert evaluation.eval_size(system) == 12
    assert evaluation.eval_size(System("bot", {"architecture": "rag"}, None)) is None  # type: ignore[arg-type]


# -- EV003 eval-after-training -----------------------------------------------------------


def ev003(run_yaml: Any, created: str, trained: str = "2026-05-02",
          architecture: str = "fine-tune") -> List[Any]:
    return fired(run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            fine_tune:
              trained_at: {trained}
            eval:
              examples: 200
              created_at: {created}
        """), "EV003")


def test_ev003_fires_for_an_eval_built_the_day_after_training(run_yaml: Any) -> None:
    [finding] = ev003(run_yaml, "2026-05-03")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.eval.created_at"
    assert finding.location.line == 8
    assert "2026-05-03" in finding.message and "2026-05-02" in finding.message


def test_ev003_passes_for_an_eval_built_on_the_training_day(run_yaml: Any) -> None:
    assert not ev003(run_yaml, "2026-05-02")


def test_ev003_passes_for_an_eval_built_before_training(run_yaml: Any) -> None:
    assert not ev003(run_yaml, "2026-03-01")


def test_ev003_fires_on_hybrid_systems(run_yaml: Any) -> None:
    assert ev003(run_yaml, "2026-06-01", architecture="hybrid")


@pytest.mark.parametrize("missing", ["trained_at", "created_at"])
def test_ev003_needs_both_dates(run_yaml: Any, missing: str) -> None:
    text = """\
        systems:
          bot:
            architecture: fine-tune
            fine_tune:
              training_examples: 900
              trained_at: 2026-05-02
            eval:
              examples: 200
              created_at: 2026-06-01
        """
    text = "\n".join(line for line in text.splitlines() if missing not in line) + "\n"
    assert not fired(run_yaml(text), "EV003")


# -- EV004 stale-eval --------------------------------------------------------------------
# The run date of run_yaml is 2026-11-23: 2026-05-24 is 183 days before it, 2026-05-23 184.


def ev004(run_yaml: Any, eval_lines: str, fine_tune_lines: str = "",
          architecture: str = "fine-tune", thresholds: str = "") -> List[Any]:
    return fired(run_yaml(f"""\
        {thresholds}
        systems:
          bot:
            architecture: {architecture}
            {fine_tune_lines}
            eval:
              examples: 200
              {eval_lines}
        """), "EV004")


def test_ev004_passes_at_exactly_max_eval_age_days(run_yaml: Any) -> None:
    assert not ev004(run_yaml, "created_at: 2026-05-24")


def test_ev004_fires_one_day_past_max_eval_age_days(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: rag
            eval:
              examples: 200
              created_at: 2026-05-23
        """
    [finding] = fired(run_yaml(text), "EV004")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.eval.created_at"
    assert finding.location.line == line_of(text, "created_at")
    assert "184 days old" in finding.message and "max_eval_age_days (183)" in finding.message
    assert "base_model_date" not in finding.message


def test_ev004_a_recent_refresh_makes_an_old_eval_fresh(run_yaml: Any) -> None:
    assert not ev004(run_yaml, "created_at: 2024-01-10\n              refreshed_at: 2026-09-10")


def test_ev004_judges_the_refresh_date_when_there_is_one(run_yaml: Any) -> None:
    [finding] = ev004(run_yaml, "created_at: 2024-01-10\n              refreshed_at: 2026-05-23")
    assert finding.key == "systems.bot.eval.refreshed_at"
    assert "eval.refreshed_at is 2026-05-23" in finding.message


def test_ev004_fires_for_an_eval_older_than_the_base_model(run_yaml: Any) -> None:
    [finding] = ev004(run_yaml, "created_at: 2026-09-01",
                      "fine_tune: {base_model_date: 2026-10-01}")
    assert finding.key == "systems.bot.eval.created_at"
    assert "older than fine_tune.base_model_date (2026-10-01)" in finding.message
    assert "max_eval_age_days" not in finding.message


def test_ev004_passes_for_an_eval_made_on_the_base_models_release_day(run_yaml: Any) -> None:
    assert not ev004(run_yaml, "created_at: 2026-10-01",
                     "fine_tune: {base_model_date: 2026-10-01}")


def test_ev004_names_both_reasons_when_both_hold(run_yaml: Any) -> None:
    [finding] = ev004(run_yaml, "created_at: 2025-01-01",
                      "fine_tune: {base_model_date: 2025-06-01}")
    assert "max_eval_age_days (183)" in finding.message
    assert "fine_tune.base_model_date (2025-06-01)" in finding.message


def test_ev004_ignores_a_base_model_date_of_a_system_that_is_not_fine_tuned(
    run_yaml: Any,
) -> None:
    assert not ev004(run_yaml, "created_at: 2026-09-01",
                     "fine_tune: {base_model_date: 2026-10-01}", architecture="rag")


def test_ev004_without_any_eval_date_passes(run_yaml: Any) -> None:
    assert not ev004(run_yaml, "labeled: true")


def test_ev004_threshold_can_be_overridden(run_yaml: Any) -> None:
    overridden = "thresholds: {max_eval_age_days: 30}"
    # 2026-10-24 is 30 days before the run date, 2026-10-23 is 31.
    assert not ev004(run_yaml, "created_at: 2026-10-24", thresholds=overridden)
    [finding] = ev004(run_yaml, "created_at: 2026-10-23", thresholds=overridden)
    assert "31 days old" in finding.message and "max_eval_age_days (30)" in finding.message


def test_ev004_uses_the_run_date(run_yaml: Any) -> None:
    import datetime

    report = run_yaml("""\
        systems:
          bot:
            architecture: prompt
            eval:
              examples: 200
              created_at: 2026-05-23
        """, as_of=datetime.date(2026, 11, 22))
    assert not fired(report, "EV004")


# -- EV005 unlabeled-eval ----------------------------------------------------------------


def ev005(run_yaml: Any, labeled: str, architecture: str = "fine-tune") -> List[Any]:
    return fired(run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            eval:
              examples: 200
              {labeled}
        """), "EV005")


def test_ev005_fires_on_an_unlabelled_fine_tune_eval(run_yaml: Any) -> None:
    [finding] = ev005(run_yaml, "labeled: false")
    assert finding.severity is Severity.ERROR
    assert finding.key == "systems.bot.eval.labeled"
    assert finding.location.line == 6


def test_ev005_fires_on_hybrid_systems(run_yaml: Any) -> None:
    assert ev005(run_yaml, "labeled: false", architecture="hybrid")


@pytest.mark.parametrize("labeled", ["labeled: true", "adversarial: true"])
def test_ev005_passes_when_labelled_or_not_said(run_yaml: Any, labeled: str) -> None:
    assert not ev005(run_yaml, labeled)


@pytest.mark.parametrize("architecture", ["prompt", "rag"])
def test_ev005_leaves_systems_without_a_fine_tune_alone(run_yaml: Any,
                                                        architecture: str) -> None:
    assert not ev005(run_yaml, "labeled: false", architecture=architecture)


# -- EV006 no-adversarial-eval -----------------------------------------------------------


def ev006(run_yaml: Any, eval_lines: str, architecture: str = "rag") -> List[Any]:
    return fired(run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            eval:
              {eval_lines}
        """), "EV006")


def test_ev006_fires_when_adversarial_is_false(run_yaml: Any) -> None:
    [finding] = ev006(run_yaml, "path: evals/bot.jsonl\n              adversarial: false")
    assert finding.severity is Severity.INFO
    assert finding.key == "systems.bot.eval.adversarial"
    assert finding.location.line == 6


@pytest.mark.parametrize("architecture", ["prompt", "rag", "fine-tune", "hybrid"])
def test_ev006_fires_when_adversarial_is_not_declared(run_yaml: Any, architecture: str) -> None:
    [finding] = ev006(run_yaml, "examples: 200", architecture)
    assert finding.key == "systems.bot.eval"
    assert finding.location.line in (4, 5)  # the eval table: its key or its first entry


def test_ev006_passes_for_an_adversarial_eval(run_yaml: Any) -> None:
    assert not ev006(run_yaml, "examples: 200\n              adversarial: true")


def test_ev006_needs_an_eval_to_exist(run_yaml: Any) -> None:
    # A table with no file and no count is not an eval yet (EV001/EV007 say so).
    assert not ev006(run_yaml, "labeled: true")
    assert not fired(run_yaml("""\
        systems:
          bot:
            architecture: prompt
        """), "EV006")


# -- EV007 no-eval -----------------------------------------------------------------------


def test_ev007_fires_for_a_prompt_system_without_eval(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: prompt
        """
    [finding] = fired(run_yaml(text), "EV007")
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.architecture"
    assert finding.location.line == 3


def test_ev007_fires_for_an_eval_table_without_path_or_count(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: rag
            eval:
              labeled: true
        """
    [finding] = fired(run_yaml(text), "EV007")
    assert finding.key == "systems.bot.eval"
    # the eval table: its key or its first entry
    assert finding.location.line in (line_of(text, "eval:"), line_of(text, "labeled: true"))
    assert "neither a path nor a number of examples" in finding.message


@pytest.mark.parametrize("eval_key", ["path: evals/bot.jsonl", "examples: 40"])
@pytest.mark.parametrize("architecture", ["prompt", "rag"])
def test_ev007_passes_with_an_eval(run_yaml: Any, architecture: str, eval_key: str) -> None:
    assert not fired(run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
            eval:
              {eval_key}
        """), "EV007")


def test_ev007_counts_a_retrieval_eval_as_an_eval(run_yaml: Any) -> None:
    assert not fired(run_yaml("""\
        systems:
          bot:
            architecture: rag
            rag:
              retrieval_eval:
                path: evals/retrieval.jsonl
                precision_at_5: 0.8
        """), "EV007")


@pytest.mark.parametrize("architecture", ["fine-tune", "hybrid"])
def test_ev007_leaves_fine_tuned_systems_to_ev001(run_yaml: Any, architecture: str) -> None:
    report = run_yaml(f"""\
        systems:
          bot:
            architecture: {architecture}
        """)
    assert not fired(report, "EV007")
    assert fired(report, "EV001")


def test_ev004_a_refresh_dated_before_the_creation_does_not_make_the_eval_older(
    run_yaml: Any,
) -> None:
    # The set cannot be older than the day it was built, whatever the refresh date says.
    assert not ev004(run_yaml, "created_at: 2026-09-01\n              refreshed_at: 2025-01-01")
