"""FT007 and EV008 from two real result files, through the command line: the comparison of
measured-quality.md decides, and its figures are in the message itself (text and GitHub)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.contingency_tables import mcnemar

from ragft_lint.cli import main

DECLARATION = """\
systems:
  tone-bot:
    architecture: fine-tune
    gaps: [behavior]
    prompt:
      few_shot_examples: 6
      baseline_results: results/base.jsonl
    fine_tune:
      goals: [style]
      trained_at: 2026-05-02
      results: results/ft.jsonl
    eval:
      path: evals/tone.jsonl
"""


def plain(scores: Dict[str, float]) -> str:
    """A plain result file as tests/results/documented/plain.jsonl: one ``{id, score}`` a line."""
    return "".join(json.dumps({"id": case, "score": score}) + "\n"
                   for case, score in scores.items())


def passes(prefix: str, n: int, passed: int) -> Dict[str, float]:
    return {f"{prefix}{i}": 1.0 if i < passed else 0.0 for i in range(n)}


def run(root: Path, baseline: Dict[str, float], tuned: Dict[str, float],
        capsys: pytest.CaptureFixture[str], *extra: str) -> Tuple[int, List[str]]:
    """``ragft-lint check`` on a project with the two result files; its status and the lines
    it printed about FT007 or EV008."""
    (root / ".git").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "evals").mkdir()
    (root / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    (root / "results" / "base.jsonl").write_text(plain(baseline), encoding="utf-8")
    (root / "results" / "ft.jsonl").write_text(plain(tuned), encoding="utf-8")
    records = max(len(baseline), len(tuned))
    (root / "evals" / "tone.jsonl").write_text(
        "".join(json.dumps({"input": f"q{i}", "output": "a"}) + "\n" for i in range(records)),
        encoding="utf-8")
    capsys.readouterr()
    status = main(["check", "--no-cache", "--as-of", "2026-11-23", "--select", "FT007,EV008",
                   *extra, str(root / "ragft.yaml")])
    out = capsys.readouterr().out
    return status, [line for line in out.splitlines() if "FT007" in line or "EV008" in line]


def loss_behind_easy_cases() -> Tuple[Dict[str, float], Dict[str, float]]:
    baseline = passes("c", 60, 40)
    tuned = {**passes("c", 60, 25), **{f"easy{i}": 1.0 for i in range(100)}}
    return baseline, tuned


def test_ft007_is_an_error_for_a_loss_on_every_shared_case_behind_extra_easy_cases(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run(tmp_path / "p", *loss_behind_easy_cases(), capsys)
    assert status == 1
    [line] = lines
    p_value = float(mcnemar([[25, 15], [0, 20]], exact=True).pvalue)
    assert "FT007" in line and "error" in line
    assert f"measured: worse on the 60 cases both scored, p = {p_value:.2g}" in line
    assert "by the exact McNemar test; the files hold 60 and 160 scored cases, 60 shared" in line
    assert "the overall figures point the other way only because the files cover different " \
           "cases" in line


def test_ft007_loss_shows_in_github_annotations(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run(tmp_path / "p", *loss_behind_easy_cases(), capsys, "--format", "github")
    assert status == 1
    [line] = lines
    assert line.startswith("::error ") and "measured: worse on the 60 cases both scored" in line


def test_a_significant_gain_fires_neither(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run(tmp_path / "p", passes("c", 200, 60), passes("c", 200, 150), capsys)
    assert (status, lines) == (0, [])


def test_ev008_message_gives_the_interval_p_method_and_the_cases_that_would_resolve_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 5 of 50 shared cases gained, none lost: McNemar's p is 0.0625, inside the noise.
    _, lines = run(tmp_path / "p", passes("c", 50, 30), passes("c", 50, 35), capsys,
                   "--format", "github")
    [line] = lines
    assert line.startswith("::warning ")
    low, high = proportion.proportion_confint(5, 5, alpha=0.05, method="beta")
    interval = [round(5 / 50 * (2 * float(bound) - 1), 3) for bound in (low, high)]
    found = re.search(r"over the 50 cases both scored the gain is 0\.1 \(95%(?:25)? interval "
                      r"(-?[\d.]+) to (-?[\d.]+), p = 0\.06[23] by the exact McNemar test; the "
                      r"files hold 50 and 50 scored cases, 50 shared\)", line)
    assert found is not None, line
    assert [float(found.group(1)), float(found.group(2))] == pytest.approx(interval, abs=1e-3)
    assert float(found.group(1)) <= 0  # the interval agrees with the p-value
    assert re.search(r"about \d+ cases scored by both models would tell a gain of 0\.1 from "
                     r"noise", line)


def test_ev008_two_shared_ids_of_a_hundred_are_compared_unpaired(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = {**passes("a", 98, 60), "s0": 0.0, "s1": 1.0}
    tuned = {**passes("b", 98, 66), "s0": 1.0, "s1": 0.0}
    _, lines = run(tmp_path / "p", baseline, tuned, capsys)
    [line] = lines
    low, high = proportion.confint_proportions_2indep(67, 100, 61, 100, method="newcomb",
                                                      compare="diff", alpha=0.05)
    assert (f"over all cases, as independent samples the gain is 0.06 (95% interval "
            f"{float(low):.3f} to {float(high):.3f}") in line
    assert "by the Newcombe interval; the files hold 100 and 100 scored cases, only 2 shared: " \
           "too few to pair" in line
    assert "cases in each result file would tell a gain of 0.06 from noise" in line


def test_graded_files_without_shared_ids_are_compared_by_welch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = {f"a{i}": 0.45 + (i % 11) / 100 for i in range(40)}
    tuned = {f"b{i}": 0.52 + (i % 11) / 100 for i in range(40)}
    status, lines = run(tmp_path / "p", baseline, tuned, capsys)
    # Welch's t: p far below 0.05, a real gain; as rounded pass rates it looked like noise.
    assert float(stats.ttest_ind(list(tuned.values()), list(baseline.values()),
                                 equal_var=False).pvalue) < 1e-6
    assert (status, lines) == (0, [])


def test_graded_files_within_the_noise_name_welch_and_its_p(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = {f"a{i}": (i * 37 % 100) / 100 for i in range(30)}
    tuned = {f"b{i}": min(1.0, (i * 37 % 100) / 100 + 0.04) for i in range(30)}
    _, lines = run(tmp_path / "p", baseline, tuned, capsys)
    [line] = lines
    expected = float(stats.ttest_ind(list(tuned.values()), list(baseline.values()),
                                     equal_var=False).pvalue)
    assert f"p = {expected:.2g} by the Welch t test; the files hold 30 and 30 scored cases, " \
           "none shared" in line


def test_ev008_from_declared_scores_gives_p_method_and_size_in_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: fine-tune\n    prompt: {baseline_score: 0.8}\n"
        "    fine_tune: {score: 0.81}\n    eval: {examples: 150}\n", encoding="utf-8")
    main(["check", "--as-of", "2026-11-23", "--select", "EV008", str(root / "ragft.yaml")])
    [line] = [line for line in capsys.readouterr().out.splitlines() if "EV008" in line]
    error = (0.81 * 0.19 / 150 + 0.8 * 0.2 / 150) ** 0.5
    expected = float(2 * stats.norm.sf(0.01 / error))
    assert f"(p = {expected:.2g} by the two-proportion normal interval)" in line
    assert re.search(r"an eval set of about \d+ examples would tell a gain of 0\.01 from noise",
                     line)
