from __future__ import annotations

import datetime
import os
import textwrap
from pathlib import Path
from typing import Any, Callable, List

import pytest
from hypothesis import HealthCheck, settings

from ragft_lint import check
from ragft_lint.engine import Report

AS_OF = datetime.date(2026, 11, 23)

# Property-based tests: a fixed number of derandomised examples in CI, thousands on demand
# (HYPOTHESIS_PROFILE=thorough).
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=_HEALTH)
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=_HEALTH)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def run_yaml(tmp_path: Path) -> Callable[..., Report]:
    """Check a YAML declaration given as text (dedented), with evidence off and a fixed date."""

    def run(text: str, **options: Any) -> Report:
        folder = tmp_path / "project"
        folder.mkdir(exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)  # the project root
        target = folder / "ragft.yaml"
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        options.setdefault("as_of", AS_OF)
        options.setdefault("evidence", False)
        return check(target, **options)

    return run


def fired(report: Report, rule: str) -> List[Any]:
    """The findings of one rule in a report."""
    return [f for f in report.findings if f.rule == rule]
