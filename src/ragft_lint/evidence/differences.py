"""The difference between two runs on an eval set: its interval and the p-value of "no
difference", each pair from one method (measured-quality.md, "Comparing two result files").

Every function here that returns a p-value returns it with the interval of the same method, so
the two never disagree about whether zero is inside: at ``confidence`` the interval leaves zero
out exactly when the p-value is below ``1 - confidence``. The interval is built by inverting the
test (or the test by inverting the interval), and where floating point could put a bound a hair
across zero against its p-value, the bound is set on zero (``agree``). Conventions as in
``statistics``: the difference is the second run's figure minus the first's.
"""

from __future__ import annotations

import math
from typing import Sequence, Tuple

from . import statistics
from .statistics import Estimate

__all__ = ["mcnemar", "mcnemar_exact", "newcombe", "paired_t", "two_proportion", "welch"]

# Bisection steps: each halves a bracket within [0, 1] or [0, 40], far past double precision.
_STEPS = 200


def agree(estimate: Estimate, p_value: float, confidence: float) -> Tuple[Estimate, float]:
    """The interval and the p-value made to agree at ``confidence``: when the p-value is not
    below ``1 - confidence`` the interval holds zero (a bound that rounding put a hair across
    zero is set on it). The methods here agree in exact arithmetic; this keeps it so in floats."""
    if p_value >= 1.0 - confidence and not estimate.low <= 0.0 <= estimate.high:
        estimate = estimate._replace(low=min(estimate.low, 0.0), high=max(estimate.high, 0.0))
    return estimate, p_value


# --- pass/fail, independent ---------------------------------------------------------------------


def two_proportion(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> Estimate:
    """The difference ``p2 - p1`` of two independent proportions with Newcombe's hybrid score
    interval (Newcombe 1998, method 10).

    Each proportion gets its Wilson interval at ``confidence``, ``[l1, u1]`` and ``[l2, u2]``;
    with ``d = p2 - p1`` the interval is ``d - sqrt((p2 - l2)² + (u1 - p1)²)`` to
    ``d + sqrt((u2 - p2)² + (p1 - l1)²)``. Because it is built from Wilson intervals it keeps a
    sensible width when a rate is 0 % or 100 %, where the Wald interval ``d ± z·se`` shrinks to
    a point, and it never leaves [-1, 1]. Example (Newcombe's): 48/80 against 56/70 gives 0.2,
    from 0.0524 to 0.3339. ``n`` is ``n1 + n2``. With either ``n`` 0: NaN over [-1, 1].
    """
    first, second = statistics.wilson(x1, n1, confidence), statistics.wilson(x2, n2, confidence)
    if first.n == 0 or second.n == 0:
        return Estimate(math.nan, -1.0, 1.0, 0, "newcombe")
    difference = second.value - first.value
    low = difference - math.hypot(second.value - second.low, first.high - first.value)
    high = difference + math.hypot(second.high - second.value, first.value - first.low)
    return Estimate(difference, max(-1.0, low), min(1.0, high), first.n + second.n, "newcombe")


def _newcombe_bounds(x1: int, n1: int, x2: int, n2: int, z: float) -> Tuple[float, float]:
    first, second = statistics.wilson_bounds(x1, n1, z), statistics.wilson_bounds(x2, n2, z)
    p1, p2 = x1 / n1, x2 / n2
    difference = p2 - p1
    return (difference - math.hypot(p2 - second[0], first[1] - p1),
            difference + math.hypot(second[1] - p2, p1 - first[0]))


def newcombe(x1: int, n1: int, x2: int, n2: int,
             confidence: float = 0.95) -> Tuple[Estimate, float]:
    """The difference ``p2 - p1`` of two independent pass rates with Newcombe's interval
    (``two_proportion``), and the p-value of the same interval.

    The p-value is the ``alpha`` at which the Newcombe interval at ``1 - alpha`` has a bound
    on zero: the bound nearest zero moves monotonically towards it as ``z`` grows (every Wilson
    interval widens), so ``z*`` is found by bisection and ``p = erfc(z* / sqrt(2))``. The pooled
    z test would be the usual companion, but it disagrees with Newcombe's interval on tables
    near the edge (2/5 against 0/9: p = 0.040 while the interval holds zero); this p-value
    never does. Equal rates, or no case on a side, give p = 1.
    """
    estimate = two_proportion(x1, n1, x2, n2, confidence)
    if estimate.n == 0 or estimate.value == 0.0:
        return estimate, 1.0
    gain = estimate.value > 0.0

    def clear_of_zero(z: float) -> bool:
        low, high = _newcombe_bounds(x1, n1, x2, n2, z)
        return low > 0.0 if gain else high < 0.0

    low_z, high_z = 0.0, 40.0  # erfc(40 / sqrt(2)) is below 1e-300: as good as 0
    if clear_of_zero(high_z):
        return agree(estimate, 0.0, confidence)
    for _ in range(_STEPS):
        middle = (low_z + high_z) / 2.0
        if middle in (low_z, high_z):
            break
        if clear_of_zero(middle):
            low_z = middle
        else:
            high_z = middle
    return agree(estimate, math.erfc(high_z / math.sqrt(2.0)), confidence)


# --- pass/fail, paired ----------------------------------------------------------------------------


def mcnemar_exact(b: int, c: int) -> float:
    """The two-sided exact McNemar p-value over the discordant pairs.

    ``b`` cases pass in one run only and ``c`` in the other only; if neither run is better,
    each discordant case is a fair coin, so the smaller count ``k = min(b, c)`` follows the
    binomial with ``b + c`` trials and p = 1/2. The p-value is ``min(1, 2 · P(X ≤ k))``, the
    cumulative probability taken as the incomplete beta ``I_{1/2}(b + c - k, k + 1)``; it is the
    same figure as the binomial test's, since the distribution is symmetric. ``b + c == 0``
    gives 1.0 (no case tells the runs apart).
    """
    first, second = statistics.count("b", b), statistics.count("c", c)
    trials, smaller = first + second, min(first, second)
    if trials == 0 or first == second:
        return 1.0
    tail = statistics.incomplete_beta(float(trials - smaller), float(smaller + 1), 0.5, 0.5)
    return min(1.0, 2.0 * tail)


def _beta_quantile(probability: float, a: float, b: float) -> float:
    """The ``probability`` quantile of the beta distribution, by bisection on I_x(a, b)."""
    low, high = 0.0, 1.0
    for _ in range(_STEPS):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if statistics.incomplete_beta(a, b, middle, 1.0 - middle) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def mcnemar(better: int, worse: int, n: int,
            confidence: float = 0.95) -> Tuple[Estimate, float]:
    """The paired difference of two pass rates over ``n`` shared cases, with the exact
    conditional interval and the exact McNemar p-value (``mcnemar_exact``).

    ``better`` cases pass in the second run only, ``worse`` in the first only; the difference
    is ``(better - worse) / n``. Given the ``m = better + worse`` discordant cases, ``better``
    is binomial with ``m`` trials and a share ``π`` of the discordant cases going the second
    run's way, and the difference is ``m/n · (2π - 1)``. The interval is the Clopper-Pearson
    interval of ``π`` (the beta quantiles ``B(alpha/2; b, m - b + 1)`` and
    ``B(1 - alpha/2; b + 1, m - b)``) mapped through it: the inversion of the exact test, so it
    leaves zero (π = 1/2) out exactly when the p-value is below ``alpha``, and it lies within
    [-1, 1]. No discordant case: 0 over [0, 0], p = 1 (nothing tells the runs apart).
    """
    b, c = statistics.count("better", better), statistics.count("worse", worse)
    total = statistics.count("n", n)
    if b + c > total:
        raise ValueError(f"better + worse ({b + c}) must not exceed n ({total})")
    alpha = 1.0 - statistics.open_unit("confidence", confidence)
    p_value = mcnemar_exact(b, c)
    discordant = b + c
    if discordant == 0:
        return Estimate(0.0 if total else math.nan, 0.0, 0.0, total, "mcnemar"), p_value
    low_share = 0.0 if b == 0 else _beta_quantile(alpha / 2.0, b, discordant - b + 1)
    high_share = 1.0 if b == discordant else _beta_quantile(1.0 - alpha / 2.0, b + 1,
                                                            discordant - b)
    scale = discordant / total
    estimate = Estimate((b - c) / total, scale * (2.0 * low_share - 1.0),
                        scale * (2.0 * high_share - 1.0), total, "mcnemar")
    return agree(estimate, p_value, confidence)


# --- graded scores ------------------------------------------------------------------------------


def paired_t(differences: Sequence[float], confidence: float = 0.95) -> Tuple[Estimate, float]:
    """The mean of paired differences with its Student t interval, and the two-sided p-value.

    With ``n`` differences, mean ``d̄`` and sample standard deviation ``s`` (divisor ``n - 1``),
    the interval is ``d̄ ± t · s / sqrt(n)``, ``t`` the two-sided quantile of Student's t with
    ``n - 1`` degrees of freedom at ``confidence``; the p-value of "no difference" is
    ``P(|T| ≥ |d̄ / (s / sqrt(n))|)``. Both come from this module's own t distribution (the
    regularised incomplete beta by continued fraction), which agrees with scipy to 1e-8.
    Edge cases: no differences, NaN over -inf to inf and p = 1; one difference, that value over
    -inf to inf and p = 1 (one pair shows no spread); all differences equal, the interval is the
    point and p is 1 if they are 0, else 0 (every pair moved the same way by the same amount).
    """
    data = statistics.finite_all("differences", differences)
    level = statistics.open_unit("confidence", confidence)
    if len(data) < 2:
        value = data[0] if data else math.nan
        return Estimate(value, -math.inf, math.inf, len(data), "paired t"), 1.0
    mean, sd = statistics.mean_and_sd(data)
    n = len(data)
    if sd == 0.0:
        return Estimate(mean, mean, mean, n, "paired t"), 1.0 if mean == 0.0 else 0.0
    error = sd / math.sqrt(n)
    half = statistics.t_quantile(1.0 - (1.0 - level) / 2.0, n - 1) * error
    p_value = statistics.t_two_tailed(mean / error, float(n - 1))
    return agree(Estimate(mean, mean - half, mean + half, n, "paired t"), min(1.0, p_value),
                 level)


def welch(first: Sequence[float], second: Sequence[float],
          confidence: float = 0.95) -> Tuple[Estimate, float]:
    """The difference of the means of two independent samples (``second - first``) with Welch's
    t interval and its two-sided p-value.

    With means ``m1, m2``, sample variances ``v1, v2`` (divisor n - 1) and sizes ``n1, n2``:
    ``se = sqrt(v1/n1 + v2/n2)``, the Welch-Satterthwaite degrees of freedom
    ``df = se⁴ / ((v1/n1)²/(n1 - 1) + (v2/n2)²/(n2 - 1))``, the interval
    ``m2 - m1 ± t(df) · se`` and ``p = P(|T_df| ≥ |m2 - m1| / se)`` — scipy's
    ``ttest_ind(equal_var=False)``. ``n`` is ``n1 + n2``. Fewer than two values on a side: the
    difference (NaN without values) over -inf to inf, p = 1; no spread on either side: the
    interval is the point and p is 1 if the means are equal, else 0.
    """
    one, two = statistics.finite_all("first", first), statistics.finite_all("second", second)
    level = statistics.open_unit("confidence", confidence)
    n1, n2 = len(one), len(two)
    if n1 < 2 or n2 < 2:
        value = (math.fsum(two) / n2 - math.fsum(one) / n1) if n1 and n2 else math.nan
        return Estimate(value, -math.inf, math.inf, n1 + n2, "welch"), 1.0
    mean1, sd1 = statistics.mean_and_sd(one)
    mean2, sd2 = statistics.mean_and_sd(two)
    difference = mean2 - mean1
    share1, share2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    variance = share1 + share2
    if variance == 0.0:
        return (Estimate(difference, difference, difference, n1 + n2, "welch"),
                1.0 if difference == 0.0 else 0.0)
    df = variance * variance / (share1 * share1 / (n1 - 1) + share2 * share2 / (n2 - 1))
    error = math.sqrt(variance)
    half = statistics.t_quantile(1.0 - (1.0 - level) / 2.0, df) * error
    p_value = min(1.0, statistics.t_two_tailed(difference / error, df))
    return agree(Estimate(difference, difference - half, difference + half, n1 + n2, "welch"),
                 p_value, level)
