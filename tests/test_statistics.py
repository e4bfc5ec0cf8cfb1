"""The statistics agree with the established implementations (scipy, statsmodels) and with the
published worked examples, on fixed tables and on generated inputs; the edge cases are the ones
the docstrings promise."""

from __future__ import annotations

import math
from typing import Any, Callable, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import proportion

from ragft_lint.evidence import differences, statistics
from ragft_lint.evidence.differences import mcnemar_exact, paired_t, two_proportion
from ragft_lint.evidence.statistics import (
    Estimate,
    cases_to_resolve,
    cases_to_resolve_proportions,
    mean_interval,
    normal_cdf,
    normal_quantile,
    t_cdf,
    t_quantile,
    wilson,
)

# The references are slow to import on a first call; the figures are what is under test.
CHECKED = settings(max_examples=200, deadline=None)
CONFIDENCES = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
DEGREES = st.one_of(st.integers(1, 2000).map(float),
                    st.floats(0.2, 1e5, allow_nan=False, allow_infinity=False))


def close(actual: float, expected: float, tolerance: float) -> bool:
    """Relative to the figure where it is larger than 1, absolute below."""
    return abs(actual - expected) <= tolerance * max(1.0, abs(expected))


# --- normal -----------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [1e-300, 1e-100, 1e-20, 1e-9, 1e-3, 0.02, 0.02425, 0.025, 0.1,
                               0.3, 0.5, 0.7, 0.975, 0.97575, 0.999, 1 - 1e-12])
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert close(normal_quantile(p), float(stats.norm.ppf(p)), 1e-13)


@CHECKED
@given(st.floats(1e-300, 1.0, exclude_max=True))
def test_normal_quantile_matches_scipy_anywhere(p: float) -> None:
    assert close(normal_quantile(p), float(stats.norm.ppf(p)), 1e-13)
    assert close(normal_cdf(normal_quantile(p)), p, 1e-13)


def test_normal_quantile_ends_and_refusals() -> None:
    assert normal_quantile(0.0) == -math.inf
    assert normal_quantile(1.0) == math.inf
    assert normal_quantile(0.5) == 0.0
    # Subnormal tails: the refinement would overflow there, so Acklam's value stands alone.
    assert close(normal_quantile(5e-324), float(stats.norm.ppf(5e-324)), 1e-8)
    assert math.isfinite(t_quantile(5e-324, 3)) and t_quantile(5e-324, 3) < -1e100
    with pytest.raises(ValueError, match="p must lie between 0 and 1"):
        normal_quantile(1.5)
    with pytest.raises(ValueError, match="p must be a finite number"):
        normal_quantile(math.nan)


# --- Student's t ------------------------------------------------------------------------------

@pytest.mark.parametrize("df", [0.5, 1, 2, 3, 5, 10, 29, 100, 1000, 1e5, 1e6])
@pytest.mark.parametrize("t", [-1e3, -50, -5, -2.1, -1, -0.1, 0, 0.01, 0.5, 1.96, 3, 10, 1e3])
def test_t_cdf_matches_scipy(t: float, df: float) -> None:
    assert abs(t_cdf(t, df) - float(stats.t.cdf(t, df))) < 1e-9


@pytest.mark.parametrize("df", [0.5, 1, 2, 3, 5, 10, 29, 100, 1000, 1e5, 1e6])
@pytest.mark.parametrize("p", [1e-10, 1e-3, 0.025, 0.3, 0.5, 0.6, 0.975, 0.995, 1 - 1e-9])
def test_t_quantile_matches_scipy(p: float, df: float) -> None:
    assert close(t_quantile(p, df), float(stats.t.ppf(p, df)), 1e-9)


@CHECKED
@given(st.floats(-1e4, 1e4), DEGREES)
def test_t_cdf_matches_scipy_anywhere(t: float, df: float) -> None:
    assert abs(t_cdf(t, df) - float(stats.t.cdf(t, df))) < 1e-9


@CHECKED
@given(st.floats(1e-12, 1 - 1e-12), DEGREES)
def test_t_quantile_matches_scipy_anywhere(p: float, df: float) -> None:
    assert close(t_quantile(p, df), float(stats.t.ppf(p, df)), 1e-8)


def test_t_refusals() -> None:
    with pytest.raises(ValueError, match="df must be positive"):
        t_cdf(1.0, 0)
    with pytest.raises(ValueError, match="df must be a finite number"):
        t_quantile(0.5, math.inf)
    with pytest.raises(ValueError, match="t must be a finite number"):
        t_cdf(math.nan, 3)
    assert t_quantile(1.0, 4) == math.inf
    assert t_quantile(0.0, 4) == -math.inf


# --- McNemar ----------------------------------------------------------------------------------

@CHECKED
@given(st.integers(0, 3000), st.integers(0, 3000))
def test_mcnemar_matches_the_binomial_test(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)
    actual = mcnemar_exact(b, c)
    assert abs(actual - expected) <= 1e-9 * expected or abs(actual - expected) < 1e-300
    assert actual == mcnemar_exact(c, b)


@pytest.mark.parametrize(("b", "c", "expected"), [
    (0, 0, 1.0), (3, 3, 1.0), (0, 1, 1.0), (0, 5, 0.0625), (1, 9, 0.021484375),
    # 2 · (1 + 10 + 45) / 1024: hand-computed from the binomial coefficients.
    (2, 8, 0.109375),
])
def test_mcnemar_by_hand(b: int, c: int, expected: float) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_on_many_discordant_pairs() -> None:
    expected = float(stats.binomtest(49_000, 100_000, 0.5).pvalue)
    assert mcnemar_exact(49_000, 51_000) == pytest.approx(expected, rel=1e-8)


def test_mcnemar_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="c must not be negative"):
        mcnemar_exact(1, -1)


# --- Wilson -----------------------------------------------------------------------------------

@CHECKED
@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       CONFIDENCES)
def test_wilson_matches_statsmodels(counts: Any, confidence: float) -> None:
    successes, n = counts
    low, high = proportion.proportion_confint(successes, n, alpha=1 - confidence,
                                              method="wilson")
    estimate = wilson(successes, n, confidence)
    assert estimate.value == successes / n
    assert estimate.low == pytest.approx(float(low), abs=1e-12)
    assert estimate.high == pytest.approx(float(high), abs=1e-12)
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    assert (estimate.n, estimate.method) == (n, "wilson")


def test_wilson_at_the_ends_and_without_cases() -> None:
    assert wilson(0, 10).low == 0.0
    assert wilson(10, 10).high == 1.0
    # Published: 0/10 at 95 % gives 0 to 0.2775 (Newcombe 1998, Table I).
    assert wilson(0, 10).high == pytest.approx(0.2775, abs=5e-5)
    empty = wilson(0, 0)
    assert math.isnan(empty.value)
    assert (empty.low, empty.high, empty.n) == (0.0, 1.0, 0)


def test_wilson_refusals() -> None:
    with pytest.raises(ValueError, match=r"successes \(5\) must not exceed n \(4\)"):
        wilson(5, 4)
    with pytest.raises(ValueError, match="confidence must lie strictly between 0 and 1"):
        wilson(1, 4, confidence=1.0)
    with pytest.raises(ValueError, match="confidence must be a finite number"):
        wilson(1, 4, confidence=math.nan)


# --- two proportions --------------------------------------------------------------------------

# Newcombe (1998), Table II, method 10 (x1/n1 against x2/n2 there is p1 - p2; here p2 - p1).
NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "interval"), NEWCOMBE)
def test_newcombe_published_examples(counts: Any, interval: Any) -> None:
    x1, n1, x2, n2 = counts
    estimate = two_proportion(x2, n2, x1, n1)
    assert estimate.value == pytest.approx(x1 / n1 - x2 / n2)
    assert (round(estimate.low, 4), round(estimate.high, 4)) == interval
    assert estimate.method == "newcombe"


@CHECKED
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       CONFIDENCES)
def test_two_proportion_matches_statsmodels(first: Any, second: Any, confidence: float) -> None:
    (x1, n1), (x2, n2) = first, second
    low, high = proportion.confint_proportions_2indep(x2, n2, x1, n1, method="newcomb",
                                                      compare="diff", alpha=1 - confidence)
    estimate = two_proportion(x1, n1, x2, n2, confidence)
    assert estimate.low == pytest.approx(float(low), abs=1e-12)
    assert estimate.high == pytest.approx(float(high), abs=1e-12)
    assert -1.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    mirrored = two_proportion(x2, n2, x1, n1, confidence)
    assert mirrored.low == pytest.approx(-estimate.high, abs=1e-12)


def test_two_proportion_without_cases() -> None:
    estimate = two_proportion(0, 0, 3, 4)
    assert math.isnan(estimate.value)
    assert (estimate.low, estimate.high) == (-1.0, 1.0)


# --- means ------------------------------------------------------------------------------------

GRADED = st.lists(st.integers(0, 100).map(lambda i: i / 100), min_size=2, max_size=300)
DIFFERENCES = st.lists(st.integers(-100, 100).map(lambda i: i / 100), min_size=2, max_size=300)


@CHECKED
@given(GRADED, CONFIDENCES)
def test_mean_interval_matches_scipy(values: List[float], confidence: float) -> None:
    mean = math.fsum(values) / len(values)
    spread = float(stats.tstd(values)) if len(set(values)) > 1 else 0.0
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * spread / math.sqrt(len(values))
    estimate = mean_interval(values, confidence)
    assert estimate.value == pytest.approx(mean, abs=1e-12)
    assert estimate.low == pytest.approx(mean - half, abs=1e-12)
    assert estimate.high == pytest.approx(mean + half, abs=1e-12)
    clamped = mean_interval(values, confidence, bounds=(0.0, 1.0))
    assert clamped.low == pytest.approx(max(0.0, mean - half), abs=1e-12)
    assert clamped.high == pytest.approx(min(1.0, mean + half), abs=1e-12)
    assert (clamped.n, clamped.method) == (len(values), "normal")


def test_mean_interval_edges() -> None:
    empty = mean_interval([], bounds=(0.0, 1.0))
    assert math.isnan(empty.value) and (empty.low, empty.high, empty.n) == (0.0, 1.0, 0)
    assert mean_interval([0.4]) == Estimate(0.4, -math.inf, math.inf, 1, "normal")
    assert mean_interval([0.4], bounds=(0.0, 1.0)) == Estimate(0.4, 0.0, 1.0, 1, "normal")
    assert mean_interval([1.0] * 30, bounds=(0.0, 1.0)) == Estimate(1.0, 1.0, 1.0, 30, "normal")


def test_mean_interval_refusals() -> None:
    with pytest.raises(ValueError, match=r"values\[2\] must be a finite number"):
        mean_interval([0.1, 0.2, math.nan])
    with pytest.raises(ValueError, match=r"values\[0\] must be a finite number"):
        mean_interval([math.inf])
    with pytest.raises(ValueError, match="bounds must be"):
        mean_interval([0.1, 0.2], bounds=(1.0, 0.0))
    with pytest.raises(ValueError, match=r"bounds\[1\] must be a finite number"):
        mean_interval([0.1, 0.2], bounds=(0.0, math.inf))


@CHECKED
@given(DIFFERENCES.filter(lambda d: len(set(d)) > 1), CONFIDENCES)
def test_paired_t_matches_scipy(differences: List[float], confidence: float) -> None:
    result = stats.ttest_1samp(differences, 0.0)
    low, high = result.confidence_interval(confidence)
    estimate, p_value = paired_t(differences, confidence)
    assert estimate.value == pytest.approx(math.fsum(differences) / len(differences), abs=1e-12)
    assert estimate.low == pytest.approx(float(low), abs=1e-9)
    assert estimate.high == pytest.approx(float(high), abs=1e-9)
    assert p_value == pytest.approx(float(result.pvalue), rel=1e-8, abs=1e-12)
    assert (estimate.n, estimate.method) == (len(differences), "paired t")


def test_paired_t_edges() -> None:
    empty, p_empty = paired_t([])
    assert math.isnan(empty.value) and (empty.low, empty.high, p_empty) == (-math.inf, math.inf,
                                                                             1.0)
    assert paired_t([0.3]) == (Estimate(0.3, -math.inf, math.inf, 1, "paired t"), 1.0)
    assert paired_t([0.0] * 5) == (Estimate(0.0, 0.0, 0.0, 5, "paired t"), 1.0)
    assert paired_t([0.25] * 5) == (Estimate(0.25, 0.25, 0.25, 5, "paired t"), 0.0)
    with pytest.raises(ValueError, match=r"differences\[1\] must be a finite number"):
        paired_t([0.1, -math.inf])


# --- cases that would resolve a gain ----------------------------------------------------------

@pytest.mark.parametrize(("gain", "spread", "expected"), [
    # ((1.959964 + 0.841621) · spread / gain)², rounded up.
    (1.0, 1.0, 8), (0.03, 0.3, 785), (-0.03, 0.3, 785), (0.5, 1.0, 32), (1.0, 0.0, 2),
])
def test_cases_to_resolve_by_hand(gain: float, spread: float, expected: int) -> None:
    assert cases_to_resolve(gain, spread) == expected


@CHECKED
@given(st.floats(1e-3, 1.0), st.floats(1e-3, 1.0), CONFIDENCES,
       st.sampled_from([0.5, 0.8, 0.9, 0.95]))
def test_cases_to_resolve_matches_the_formula(gain: float, spread: float, confidence: float,
                                              power: float) -> None:
    z = float(stats.norm.ppf(0.5 + confidence / 2) + stats.norm.ppf(power))
    exact = (z * spread / gain) ** 2
    assert abs(cases_to_resolve(gain, spread, confidence, power) - max(2, math.ceil(exact))) <= 1


def test_cases_to_resolve_proportions_by_hand() -> None:
    # The textbook case, 50 % against 60 % at 95 % and 80 % power: 387.3, so 388 per group.
    assert cases_to_resolve_proportions(0.5, 0.6) == 388
    assert cases_to_resolve_proportions(0.6, 0.5) == 388
    # 0 % against 100 %: (1.96 · sqrt(0.5))² = 1.92, so 2 per group.
    assert cases_to_resolve_proportions(0.0, 1.0) == 2


@CHECKED
@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), CONFIDENCES)
def test_cases_to_resolve_proportions_matches_the_formula(p1: float, p2: float,
                                                          confidence: float) -> None:
    if abs(p1 - p2) < 1e-3:
        return
    mean = (p1 + p2) / 2
    root = (stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(2 * mean * (1 - mean))
            + stats.norm.ppf(0.8) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    exact = float(root) ** 2 / (p2 - p1) ** 2
    assert abs(cases_to_resolve_proportions(p1, p2, confidence) - max(1, math.ceil(exact))) <= 1


@pytest.mark.parametrize(("call", "message"), [
    (lambda: cases_to_resolve(0.0, 0.3), "gain must not be 0"),
    (lambda: cases_to_resolve(math.nan, 0.3), "gain must be a finite number"),
    (lambda: cases_to_resolve(0.1, -0.3), "spread must not be negative"),
    (lambda: cases_to_resolve(0.1, math.inf), "spread must be a finite number"),
    (lambda: cases_to_resolve(0.1, 0.3, power=1.0), "power must lie strictly between"),
    (lambda: cases_to_resolve_proportions(0.5, 0.5), "p1 and p2 must differ"),
    (lambda: cases_to_resolve_proportions(0.5, 1.5), "p2 must lie between 0 and 1"),
    (lambda: cases_to_resolve_proportions(math.nan, 0.5), "p1 must be a finite number"),
])
def test_cases_to_resolve_refusals(call: Callable[[], int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- documentation ----------------------------------------------------------------------------

@pytest.mark.parametrize(("module", "name"),
                         [(statistics, name) for name in statistics.__all__]
                         + [(differences, name) for name in differences.__all__])
def test_every_figure_says_how_it_is_computed(module: Any, name: str) -> None:
    assert len((getattr(module, name).__doc__ or "").split()) >= 10
