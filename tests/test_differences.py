"""The difference between two runs: each method's interval and p-value agree with scipy and
statsmodels, and with each other about whether zero is inside (measured-quality.md, "Comparing
two result files": one test gives both numbers)."""

from __future__ import annotations

import math
from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.contingency_tables import mcnemar as statsmodels_mcnemar

from ragft_lint.evidence.differences import agree, mcnemar, newcombe, paired_t, welch
from ragft_lint.evidence.statistics import Estimate

CHECKED = settings(max_examples=150, deadline=None)
CONFIDENCES = st.sampled_from([0.8, 0.9, 0.95, 0.99])
COUNTS = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
SCORES = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=2, max_size=80)


def holds_zero(estimate: Estimate) -> bool:
    return estimate.low <= 0.0 <= estimate.high


# --- McNemar: exact test, exact conditional interval ---------------------------------------------

@CHECKED
@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300), CONFIDENCES)
def test_mcnemar_matches_statsmodels(better: int, worse: int, agreed: int,
                                     confidence: float) -> None:
    n = better + worse + agreed
    if n == 0:
        return
    estimate, p_value = mcnemar(better, worse, n, confidence)
    # statsmodels' table: rows the first run (pass, fail), columns the second.
    table = [[agreed, worse], [better, 0]]
    assert p_value == pytest.approx(float(statsmodels_mcnemar(table, exact=True).pvalue),
                                    abs=1e-9)
    assert estimate.value == pytest.approx((better - worse) / n)
    discordant = better + worse
    if discordant:
        low, high = proportion.proportion_confint(better, discordant, alpha=1 - confidence,
                                                  method="beta")
        scale = discordant / n
        assert round(estimate.low, 4) == round(scale * (2 * float(low) - 1), 4)
        assert round(estimate.high, 4) == round(scale * (2 * float(high) - 1), 4)
    assert -1.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    assert (p_value < 1 - confidence) == (not holds_zero(estimate))


@pytest.mark.parametrize(("better", "worse", "n"), [(4900, 5100, 20000), (49_000, 51_000, 200_000),
                                                    (0, 3000, 3000)])
def test_mcnemar_on_large_files_matches_statsmodels(better: int, worse: int, n: int) -> None:
    estimate, p_value = mcnemar(better, worse, n)
    table = [[n - better - worse, worse], [better, 0]]
    assert p_value == pytest.approx(float(statsmodels_mcnemar(table, exact=True).pvalue),
                                    rel=1e-6, abs=1e-300)
    low, high = proportion.proportion_confint(better, better + worse, alpha=0.05, method="beta")
    scale = (better + worse) / n
    assert estimate.low == pytest.approx(scale * (2 * float(low) - 1), abs=1e-6)
    assert estimate.high == pytest.approx(scale * (2 * float(high) - 1), abs=1e-6)


def test_mcnemar_on_a_loss_over_every_discordant_case() -> None:
    # 15 cases the baseline passed and the fine-tune failed, none the other way: p = 2 / 2^15.
    estimate, p_value = mcnemar(0, 15, 60)
    assert p_value == pytest.approx(2 / 2 ** 15)
    assert estimate.value == pytest.approx(-0.25)
    assert estimate.high < 0  # the interval says the same as the p-value


def test_mcnemar_refuses_more_discordant_cases_than_cases() -> None:
    with pytest.raises(ValueError, match=r"better \+ worse \(5\) must not exceed n \(4\)"):
        mcnemar(3, 2, 4)
    assert mcnemar(0, 0, 10) == (Estimate(0.0, 0.0, 0.0, 10, "mcnemar"), 1.0)


# --- Newcombe, with the p-value of the same interval ------------------------------------------

@CHECKED
@given(COUNTS, COUNTS, CONFIDENCES)
def test_newcombe_p_is_where_statsmodels_interval_reaches_zero(first: Any, second: Any,
                                                               confidence: float) -> None:
    (x1, n1), (x2, n2) = first, second
    estimate, p_value = newcombe(x1, n1, x2, n2, confidence)
    low, high = proportion.confint_proportions_2indep(x2, n2, x1, n1, method="newcomb",
                                                      compare="diff", alpha=1 - confidence)
    assert (round(estimate.low, 4), round(estimate.high, 4)) == (round(float(low), 4),
                                                                 round(float(high), 4))
    assert (p_value < 1 - confidence) == (not holds_zero(estimate))
    if estimate.value == 0.0:
        assert p_value == 1.0
    elif 1e-12 < p_value < 1.0:
        # At the confidence 1 - p, statsmodels' own Newcombe interval has a bound on zero.
        at_p = proportion.confint_proportions_2indep(x2, n2, x1, n1, method="newcomb",
                                                     compare="diff", alpha=p_value)
        assert min(abs(float(bound)) for bound in at_p) == pytest.approx(0.0, abs=1e-6)


def test_newcombe_p_agrees_with_its_interval_where_the_pooled_z_test_does_not() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    # 0/9 against 2/5: the pooled z test says p = 0.040, yet Newcombe's 95 % interval holds 0.
    _, pooled = proportions_ztest([0, 2], [9, 5])
    assert float(pooled) < 0.05
    estimate, p_value = newcombe(0, 9, 2, 5)
    assert holds_zero(estimate) and p_value >= 0.05


# --- Welch's t and the paired t -------------------------------------------------------------------

@CHECKED
@given(SCORES, SCORES, CONFIDENCES)
def test_welch_matches_scipy(first: List[float], second: List[float], confidence: float) -> None:
    if len(set(first)) < 2 or len(set(second)) < 2:
        return
    result = stats.ttest_ind(second, first, equal_var=False)
    low, high = result.confidence_interval(confidence)
    estimate, p_value = welch(first, second, confidence)
    assert round(p_value, 4) == round(float(result.pvalue), 4)
    assert round(estimate.low, 4) == round(float(low), 4)
    assert round(estimate.high, 4) == round(float(high), 4)
    assert (p_value < 1 - confidence) == (not holds_zero(estimate))


def test_welch_edges() -> None:
    estimate, p_value = welch([0.5], [0.2, 0.4])
    assert (estimate.low, estimate.high, p_value) == (-math.inf, math.inf, 1.0)
    assert welch([0.5, 0.5], [0.5, 0.5])[1] == 1.0
    point, p_point = welch([0.5, 0.5], [0.7, 0.7])
    assert point.low == point.value == point.high and p_point == 0.0


@CHECKED
@given(st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)), min_size=2, max_size=60),
       CONFIDENCES)
def test_paired_t_matches_scipy_ttest_rel(pairs: List[Any], confidence: float) -> None:
    before, after = [b for b, _ in pairs], [a for _, a in pairs]
    deltas = [a - b for b, a in pairs]
    if len(set(deltas)) < 2:
        return
    result = stats.ttest_rel(after, before)
    estimate, p_value = paired_t(deltas, confidence)
    low, high = result.confidence_interval(confidence)
    assert round(p_value, 4) == round(float(result.pvalue), 4)
    assert round(estimate.low, 4) == round(float(low), 4)
    assert round(estimate.high, 4) == round(float(high), 4)
    assert (p_value < 1 - confidence) == (not holds_zero(estimate))


def test_agree_sets_a_bound_on_zero_when_the_p_value_is_not_small() -> None:
    moved, p_value = agree(Estimate(0.1, 1e-17, 0.2, 10, "x"), 0.2, 0.95)
    assert (moved.low, moved.high, p_value) == (0.0, 0.2, 0.2)
    kept, _ = agree(Estimate(0.1, 0.01, 0.2, 10, "x"), 0.01, 0.95)
    assert kept.low == 0.01
