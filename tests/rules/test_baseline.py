"""BL001: the architecture was chosen before the base model's failures were diagnosed."""

from __future__ import annotations

import textwrap
from typing import Any, Callable, List

import pytest

from helpers import fired
from ragft_lint import Severity
from ragft_lint.rules import baseline


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the declaration (as run_yaml writes it) that holds ``needle``."""
    lines = textwrap.dedent(text).splitlines()
    matches = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(matches) == 1, f"{needle!r} is not on exactly one line"
    return matches[0]


def bl001(run_yaml: Callable[..., Any], text: str) -> List[Any]:
    return fired(run_yaml(text), "BL001")


def test_the_rule_is_registered_with_its_id_name_and_severity() -> None:
    rule = baseline.no_baseline_diagnosis
    assert (rule.id, rule.name, rule.severity) == ("BL001", "no-baseline-diagnosis",
                                                   Severity.WARNING)


def test_fewer_baseline_queries_than_the_minimum_fires_at_the_count(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 49
        """
    [finding] = bl001(run_yaml, text)
    assert finding.severity is Severity.WARNING
    assert finding.key == "systems.bot.baseline_queries"
    assert finding.location.line == line_of(text, "baseline_queries: 49")
    assert "49" in finding.message and "min_baseline_queries (50)" in finding.message


def test_exactly_the_minimum_of_baseline_queries_passes(run_yaml: Any) -> None:
    assert not bl001(run_yaml, """\
        systems:
          bot:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 50
        """)


@pytest.mark.parametrize("architecture", ["rag", "fine-tune", "hybrid"])
def test_missing_gaps_fires_at_the_architecture(run_yaml: Any, architecture: str) -> None:
    text = f"""\
        systems:
          bot:
            architecture: {architecture}
            baseline_queries: 80
        """
    [finding] = bl001(run_yaml, text)
    assert finding.key == "systems.bot.architecture"
    assert finding.location.line == line_of(text, "architecture:")
    assert "gaps is not declared" in finding.message


def test_empty_gaps_fires_at_the_gaps(run_yaml: Any) -> None:
    text = """\
        systems:
          bot:
            architecture: fine-tune
            gaps: []
            baseline_queries: 80
        """
    [finding] = bl001(run_yaml, text)
    assert finding.key == "systems.bot.gaps"
    assert finding.location.line == line_of(text, "gaps: []")
    assert "gaps is empty" in finding.message


def test_missing_gaps_and_too_few_queries_make_one_finding_naming_both(run_yaml: Any) -> None:
    [finding] = bl001(run_yaml, """\
        systems:
          bot:
            architecture: hybrid
            baseline_queries: 10
        """)
    assert "gaps is not declared" in finding.message
    assert "baseline_queries is 10" in finding.message


def test_declared_gaps_without_a_query_count_pass(run_yaml: Any) -> None:
    # The count is unknown, not low: the declared gaps are the diagnosis.
    assert not bl001(run_yaml, """\
        systems:
          bot:
            architecture: rag
            gaps: [knowledge]
        """)


@pytest.mark.parametrize("extra", ["", "baseline_queries: 3", "gaps: []"])
def test_a_prompt_only_system_never_fires(run_yaml: Any, extra: str) -> None:
    assert not bl001(run_yaml, f"""\
        systems:
          bot:
            architecture: prompt
            {extra}
        """)


def test_the_threshold_can_be_overridden(run_yaml: Any) -> None:
    text = """\
        thresholds:
          min_baseline_queries: 100
        systems:
          bot:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: {n}
        """
    [finding] = bl001(run_yaml, text.format(n=99))
    assert "min_baseline_queries (100)" in finding.message
    assert not bl001(run_yaml, text.format(n=100))


def test_each_system_is_judged_on_its_own(run_yaml: Any) -> None:
    findings = bl001(run_yaml, """\
        systems:
          diagnosed:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 60
          guessed:
            architecture: fine-tune
        """)
    assert [f.system for f in findings] == ["guessed"]
