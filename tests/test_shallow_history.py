"""History-based figures in shallow clones, as CI checks out: real repositories with dated
commits, cloned with ``git clone --depth 1`` and ``--depth 10``. A cut history makes DA005's
pace and EV003's first-commit date unknown, with one note naming the fix; never a guess."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from evidence_project import AS_OF, Project, rules_fired
from ragft_lint import Report, check

DECLARATION = """\
systems:
  policy-bot:
    architecture: fine-tune
    gaps: [behavior]
    knowledge:
      changes: quarterly
      sources: ["docs/**"]
    fine_tune:
      goals: [style]
      trained_at: 2026-06-01
    eval:
      path: evals/policy.jsonl
"""
SELECT = ["DA005", "EV003"]


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A year of weekly changes to docs/, the eval file committed in January, long before the
    fine-tune of June."""
    project = Project(tmp_path_factory.mktemp("origin") / "repo", git=True)
    project.declare(DECLARATION)
    project.write("evals/policy.jsonl", '{"input": "a", "output": "b"}\n')
    start = datetime.date(2025, 12, 1)
    for week in range(50):
        project.write("docs/policy.md", f"version {week}\n")
        project.commit(start + datetime.timedelta(weeks=week), f"policy {week}")
    return project


def _clone(origin: Project, target: Path, *depth: str) -> Path:
    subprocess.run(["git", "clone", "-q", *depth, f"file://{origin.root}", str(target)],
                   check=True, capture_output=True, env=origin.git_env)
    return target


def _shallow(folder: Path) -> bool:
    done = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=folder,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip() == "true"


def _notes(report: Report) -> List[str]:
    return [n.message for n in report.notes if n.code == "history-cut"]


def test_the_whole_history_measures_the_pace(origin: Project, tmp_path: Path) -> None:
    clone = _clone(origin, tmp_path / "full")
    report = check(clone / "ragft.yaml", as_of=AS_OF, cache=False, select=SELECT)
    assert [f.rule for f in report.findings] == ["DA005"]
    assert "weekly" in report.findings[0].message
    assert _notes(report) == []


@pytest.mark.parametrize("depth", ["1", "10"])
def test_a_shallow_clone_leaves_history_figures_unknown(origin: Project, tmp_path: Path,
                                                        depth: str) -> None:
    clone = _clone(origin, tmp_path / f"depth{depth}", "--depth", depth)
    assert _shallow(clone)
    report = check(clone / "ragft.yaml", as_of=AS_OF, cache=False, select=SELECT)
    # No pace from ten weeks of a year, and no "first committed" day at the cut: at the cut
    # every file looks added, after fine_tune.trained_at (the false EV003 error).
    assert rules_fired(report, "DA005") == []
    assert rules_fired(report, "EV003") == []
    [note] = _notes(report)
    assert "fetch-depth: 0" in note and "git fetch --unshallow" in note


def test_a_shallow_clone_deep_enough_for_the_year_is_measured(tmp_path: Path) -> None:
    # Cut, but before the year DA005 reads, and the eval file added after the cut: every
    # figure is known.
    project = Project(tmp_path / "repo", git=True)
    project.declare(DECLARATION.replace("trained_at: 2026-06-01", "trained_at: 2026-01-01"))
    start = datetime.date(2025, 1, 6)
    for week in range(99):
        if week == 60:
            project.write("evals/policy.jsonl", '{"input": "a", "output": "b"}\n')
        project.write("docs/policy.md", f"version {week}\n")
        project.commit(start + datetime.timedelta(weeks=week), f"policy {week}")
    clone = _clone(project, tmp_path / "clone", "--depth", "80")
    assert _shallow(clone)
    report = check(clone / "ragft.yaml", as_of=AS_OF, cache=False, select=SELECT)
    assert sorted(f.rule for f in report.findings) == ["DA005", "EV003"]
    assert _notes(report) == []


def test_the_command_line_says_it_once_on_stderr(origin: Project, tmp_path: Path) -> None:
    clone = _clone(origin, tmp_path / "ci", "--depth", "1")
    done = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--no-cache", "--as-of",
         AS_OF.isoformat(), "--select", ",".join(SELECT), "--format", "json"],
        cwd=clone, capture_output=True, text=True, timeout=60,
        env=dict(os.environ, NO_COLOR="1"))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("the git history is cut") == 1
    assert '"findings": []' in done.stdout
