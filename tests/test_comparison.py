"""Two result files compared (measured-quality.md, "Comparing two result files"): paired only
with enough shared cases, unpaired otherwise, one method for the interval and the p-value, and
a loss seen as well as a gain. Every figure is checked against scipy or statsmodels."""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.contingency_tables import mcnemar

from ragft_lint.evidence.comparison import PAIRED_MINIMUM, compare, pairs
from ragft_lint.evidence.results import CaseScores


def results(scores: Dict[str, float], path: str = "results/x.jsonl") -> CaseScores:
    return CaseScores(path, "plain", None, None, scores, 0, (), 0, (), True, ())


def passes(prefix: str, n: int, passed: int) -> Dict[str, float]:
    return {f"{prefix}{i}": 1.0 if i < passed else 0.0 for i in range(n)}


def loss_behind_easy_cases() -> Tuple[Dict[str, float], Dict[str, float]]:
    """60 shared cases: the baseline passes 40, the fine-tune 15 fewer (and none more); the
    fine-tune's file also holds 100 easy cases it passes, so its overall rate is higher."""
    baseline = passes("c", 60, 40)
    tuned = {**passes("c", 60, 25), **{f"easy{i}": 1.0 for i in range(100)}}
    return baseline, tuned


def test_a_loss_on_every_discordant_shared_case_is_significant_despite_extra_easy_cases() -> None:
    baseline, tuned = loss_behind_easy_cases()
    assert sum(tuned.values()) / len(tuned) > sum(baseline.values()) / len(baseline)
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None
    expected = mcnemar([[25, 15], [0, 20]], exact=True).pvalue
    assert round(compared.p_value, 4) == round(float(expected), 4)
    assert compared.paired and compared.shared == 60 and compared.method == "exact McNemar test"
    assert compared.gain == pytest.approx(-15 / 60)
    assert compared.worse and not compared.better and compared.high < 0


def test_partial_overlap_is_paired_over_the_shared_cases_only() -> None:
    # 40 cases in common of 60 and 50: paired over the 40 (at least half of 50, at least 10).
    baseline = {**passes("c", 40, 20), **passes("b", 20, 20)}
    tuned = {**{f"c{i}": 1.0 if i < 30 else 0.0 for i in range(40)}, **passes("t", 10, 0)}
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None and compared.paired and compared.shared == 40
    # On the shared cases: the fine-tune passes c20..c29 that the baseline failed.
    expected = mcnemar([[20, 0], [10, 10]], exact=True).pvalue
    assert round(compared.p_value, 4) == round(float(expected), 4)
    low, high = proportion.proportion_confint(10, 10, alpha=0.05, method="beta")
    assert round(compared.low, 4) == round(10 / 40 * (2 * float(low) - 1), 4)
    assert round(compared.high, 4) == round(10 / 40 * (2 * float(high) - 1), 4)


def test_two_shared_ids_of_a_hundred_do_not_decide_the_comparison() -> None:
    baseline = {**passes("a", 98, 60), "s0": 0.0, "s1": 1.0}
    tuned = {**passes("b", 98, 66), "s0": 1.0, "s1": 0.0}
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None and not compared.paired and compared.shared == 2
    assert compared.method == "Newcombe interval"
    low, high = proportion.confint_proportions_2indep(
        67, 100, 61, 100, method="newcomb", compare="diff", alpha=0.05)
    assert (round(compared.low, 4), round(compared.high, 4)) == (round(float(low), 4),
                                                                 round(float(high), 4))
    assert -1 <= compared.low <= compared.high <= 1
    assert "only 2 shared: too few to pair" in compared.files


def test_graded_files_without_shared_ids_are_welch_not_pass_rates() -> None:
    baseline = {f"a{i}": 0.45 + (i % 11) / 100 for i in range(40)}
    tuned = {f"b{i}": 0.52 + (i % 11) / 100 for i in range(40)}
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None and compared.method == "Welch t test"
    result = stats.ttest_ind(list(tuned.values()), list(baseline.values()), equal_var=False)
    low, high = result.confidence_interval(0.95)
    assert round(compared.p_value, 4) == round(float(result.pvalue), 4)
    assert (round(compared.low, 4), round(compared.high, 4)) == (round(float(low), 4),
                                                                 round(float(high), 4))
    assert compared.better  # rounded into 20/40 against 23/40 passes it would be noise


def test_graded_shared_cases_are_a_paired_t_test() -> None:
    baseline = {f"c{i}": 0.5 + (i % 5) / 10 for i in range(30)}
    tuned = {f"c{i}": 0.5 + (i % 5) / 10 + (0.06 if i % 3 else -0.04) for i in range(30)}
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None and compared.method == "paired t test"
    result = stats.ttest_rel(list(tuned.values()), list(baseline.values()))
    assert round(compared.p_value, 4) == round(float(result.pvalue), 4)
    low, high = result.confidence_interval(0.95)
    assert (round(compared.low, 4), round(compared.high, 4)) == (round(float(low), 4),
                                                                 round(float(high), 4))


def test_the_p_value_and_the_interval_come_from_one_test() -> None:
    # 5 of 50 shared cases gained, none lost: McNemar p = 0.0625, and so the interval holds 0
    # (a paired t interval on the same cases would run from about 0.014 to 0.186).
    baseline = passes("c", 50, 30)
    tuned = passes("c", 50, 35)
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None and compared.p_value == pytest.approx(0.0625)
    assert compared.low <= 0 <= compared.high and not compared.significant


@pytest.mark.parametrize(("shared", "first", "second", "expected"), [
    (10, 20, 20, True), (9, 9, 9, False), (10, 21, 40, False), (11, 21, 40, True),
    (PAIRED_MINIMUM, PAIRED_MINIMUM, 500, True), (0, 5, 5, False),
])
def test_pairing_needs_half_of_the_smaller_file_and_ten(shared: int, first: int, second: int,
                                                        expected: bool) -> None:
    assert pairs(shared, first, second) is expected


def test_small_files_sharing_every_case_are_compared_unpaired() -> None:
    compared = compare(results(passes("c", 8, 2)), results(passes("c", 8, 7)), 0.95)
    assert compared is not None and not compared.paired and compared.shared == 8


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0]), st.sampled_from([0.0, 1.0])),
                min_size=1, max_size=80),
       st.integers(0, 60), st.integers(0, 60), st.booleans())
def test_significance_and_the_interval_never_disagree(shared: List[Tuple[float, float]],
                                                      only_first: int, only_second: int,
                                                      graded: bool) -> None:
    nudge = 0.25 if graded else 0.0  # graded files: the same pattern, off the pass/fail grid
    baseline = {f"c{i}": abs(b - nudge * (i % 2)) for i, (b, _) in enumerate(shared)}
    tuned = {f"c{i}": abs(t - nudge * (i % 3 == 0)) for i, (_, t) in enumerate(shared)}
    baseline.update({f"x{i}": float(i % 2) for i in range(only_first)})
    tuned.update({f"y{i}": float(i % 3 != 0) for i in range(only_second)})
    compared = compare(results(baseline), results(tuned), 0.95)
    assert compared is not None
    assert compared.significant == (not compared.low <= 0 <= compared.high)
    assert -1 <= compared.low <= compared.high <= 1
