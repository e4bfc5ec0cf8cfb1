"""How sure a measured figure is: distributions, intervals and the number of cases that would
settle it. The difference between two runs, its interval and its test, is in ``differences``.

Pure functions on counts and per-case values, standard library only, so that a check needs no
numerical package. Each docstring says exactly how its figure is computed; the rules quote them
as the documentation of the figures they print.

Conventions shared by every function:

- ``confidence`` is two-sided (0.95 gives the 2.5 % and 97.5 % points) and must lie strictly
  between 0 and 1; ``power`` likewise.
- An argument that is NaN or infinite is refused with a ``ValueError`` that names it (for a
  sequence, the position too): a NaN score is a case without a score, which the readers count
  apart and never pass here.
- Without any data the value is NaN and the interval is the whole admissible range, so that no
  caller can mistake "nothing measured" for a measured 0; callers check ``n`` before printing.
"""

from __future__ import annotations

import math
import operator
from typing import NamedTuple, Optional, Sequence, Tuple

__all__ = [
    "Estimate",
    "cases_to_resolve",
    "cases_to_resolve_proportions",
    "mean_interval",
    "normal_cdf",
    "normal_quantile",
    "t_cdf",
    "t_quantile",
    "wilson",
]


class Estimate(NamedTuple):
    """A figure, its interval at the confidence asked for, the cases behind it and the method."""

    value: float
    low: float
    high: float
    n: int
    method: str


# --- validation (shared with ``differences``) --------------------------------------------------


def finite(name: str, value: float) -> float:
    """``value`` as a float; a ``ValueError`` naming it when it is NaN or infinite."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


def finite_all(name: str, values: Sequence[float]) -> Tuple[float, ...]:
    """Every value as a float; a ``ValueError`` naming the first that is not finite."""
    return tuple(finite(f"{name}[{index}]", value) for index, value in enumerate(values))


def open_unit(name: str, value: float) -> float:
    """A probability strictly between 0 and 1 (a confidence, a power), else a ``ValueError``."""
    number = finite(name, value)
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, not {value!r}")
    return number


def count(name: str, value: int) -> int:
    """A count of cases: an integer that is not negative, else a ``ValueError``."""
    number = operator.index(value)
    if number < 0:
        raise ValueError(f"{name} must not be negative, not {value!r}")
    return number


def counts(x_name: str, x: int, n_name: str, n: int) -> Tuple[int, int]:
    """Successes and cases: two counts, the first no larger than the second."""
    successes, total = count(x_name, x), count(n_name, n)
    if successes > total:
        raise ValueError(f"{x_name} ({successes}) must not exceed {n_name} ({total})")
    return successes, total


def two_sided_z(confidence: float) -> float:
    """The normal quantile at ``1 - (1 - confidence) / 2``: 1.96 at 0.95."""
    alpha = 1.0 - open_unit("confidence", confidence)
    return -normal_quantile(alpha / 2.0)


# --- the normal distribution ----------------------------------------------------------------


def normal_cdf(x: float) -> float:
    """The standard normal distribution function, ``erfc(-x / sqrt(2)) / 2``.

    Written with ``erfc`` rather than ``1 + erf`` so that the lower tail keeps its relative
    accuracy far out (``erf`` would round the tail away to 0 below about -8).
    """
    return 0.5 * math.erfc(-finite("x", x) / math.sqrt(2.0))


# Acklam's rational approximations to the normal quantile (relative error below 1.15e-9): a
# central one in q = p - 1/2 and a tail one in r = sqrt(-2 ln p), switched at p = 0.02425.
_CENTRAL_NUM = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
                1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_CENTRAL_DEN = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
                6.680131188771972e01, -1.328068155288572e01, 1.0)
_TAIL_NUM = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
             -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_TAIL_DEN = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
             3.754408661907416e00, 1.0)
_TAIL_SWITCH = 0.02425


def _horner(coefficients: Sequence[float], x: float) -> float:
    total = 0.0
    for coefficient in coefficients:
        total = total * x + coefficient
    return total


def normal_quantile(p: float) -> float:
    """The ``p`` quantile of the standard normal distribution (``-inf`` at 0, ``inf`` at 1).

    Computed on the lower half only, ``q = min(p, 1 - p)`` (``1 - p`` is exact for p ≥ 1/2),
    and negated for the upper half, so both tails keep their relative accuracy. Acklam's
    rational approximation gives a first value x (relative error < 1.15e-9); one Halley step on
    the error ``e = Φ(x) - q``, with ``u = e · sqrt(2π) · exp(x²/2)`` and
    ``x ← x - u / (1 + x·u/2)``, brings it to the accuracy of ``erfc`` (about 1e-15).
    """
    probability = finite("p", p)
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"p must lie between 0 and 1, not {p!r}")
    upper = probability > 0.5
    q = 1.0 - probability if upper else probability
    if q == 0.0:
        return math.inf if upper else -math.inf
    if q < _TAIL_SWITCH:
        r = math.sqrt(-2.0 * math.log(q))
        x = _horner(_TAIL_NUM, r) / _horner(_TAIL_DEN, r)
    else:
        centred = q - 0.5
        square = centred * centred
        x = centred * _horner(_CENTRAL_NUM, square) / _horner(_CENTRAL_DEN, square)
    # Acklam's refinement: a Halley step, cubic convergence from 1e-9 leaves only rounding.
    # Past x = -37 (q below about 1e-300, subnormal) exp(x²/2) overflows; Acklam's value stands.
    if x * x < 1400.0:
        error = 0.5 * math.erfc(-x / math.sqrt(2.0)) - q
        u = error * math.sqrt(2.0 * math.pi) * math.exp(x * x / 2.0)
        x -= u / (1.0 + x * u / 2.0)
    return -x if upper else x


# --- Student's t distribution ---------------------------------------------------------------

_CF_EPSILON = 1e-15
_TINY = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (Abramowitz and Stegun 26.5.8), by modified Lentz."""
    # It converges in O(sqrt(max(a, b))) terms when x is below (a + 1) / (a + b + 2).
    limit = 200 + int(50 * math.sqrt(max(a, b)))
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    fraction = d
    for m in range(1, limit + 1):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            fraction *= c * d
        if abs(c * d - 1.0) < _CF_EPSILON:
            return fraction
    raise ArithmeticError(f"the incomplete beta fraction did not converge (a={a}, b={b})")


def incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """The regularised incomplete beta I_x(a, b), given x and y = 1 - x each computed exactly.

    ``I_x(a, b) = x^a y^b / (a B(a, b)) · CF``; where x is past (a + 1) / (a + b + 2) the
    fraction converges slowly, so the symmetry ``I_x(a, b) = 1 - I_y(b, a)`` is used instead.
    """
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (a * math.log(x) + b * math.log(y)
                 - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, y) / b


def t_two_tailed(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2)."""
    square = t * t
    return incomplete_beta(df / 2.0, 0.5, df / (df + square), square / (df + square))


def _degrees(df: float) -> float:
    degrees = finite("df", df)
    if degrees <= 0.0:
        raise ValueError(f"df must be positive, not {df!r}")
    return degrees


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function: the tail ``I_{df/(df+t²)}(df/2, 1/2) / 2`` below 0,
    one minus it above, with the incomplete beta by its continued fraction."""
    value, degrees = finite("t", t), _degrees(df)
    tail = t_two_tailed(value, degrees) / 2.0
    return tail if value <= 0.0 else 1.0 - tail


def _t_pdf(t: float, df: float) -> float:
    log_density = (math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0)
                   - 0.5 * math.log(df * math.pi) - (df + 1.0) / 2.0 * math.log1p(t * t / df))
    return math.exp(log_density)


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (±inf at 1 and 0).

    Solved on the upper tail ``q = min(p, 1 - p)`` for t ≥ 0, where ``tail(t) = q`` keeps its
    relative accuracy, and negated below 1/2. Newton steps on ``tail(t) - q`` (its derivative is
    minus the density) start from the normal quantile; a bracket that is doubled until it holds
    the root catches any step that leaves it, which then bisects instead. It stops when the
    bracket is within 1e-13 relative or the tail is met exactly (usually about ten steps).
    """
    probability, degrees = finite("p", p), _degrees(df)
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"p must lie between 0 and 1, not {p!r}")
    upper = probability > 0.5
    q = 1.0 - probability if upper else probability
    if q == 0.0:
        return math.inf if upper else -math.inf
    if q == 0.5:
        return 0.0
    low, high = 0.0, max(1.0, -normal_quantile(q))
    while t_two_tailed(high, degrees) / 2.0 > q:
        low, high = high, high * 2.0
    t = high
    for _ in range(200):
        excess = t_two_tailed(t, degrees) / 2.0 - q
        if excess == 0.0:
            break
        if excess > 0.0:
            low = t
        else:
            high = t
        density = _t_pdf(t, degrees)
        # Far out in the tail the density underflows to 0; then only bisection is safe.
        step = t + excess / density if density > 0.0 else math.nan
        t = step if low < step < high else (low + high) / 2.0
        if high - low <= 1e-13 * high:
            break
    return t if upper else -t


# --- proportions ----------------------------------------------------------------------------


def wilson(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """A proportion with its Wilson score interval.

    ``p = successes / n``; with ``z`` the two-sided normal quantile at ``confidence``, the
    interval is ``(p + z²/2n ± z · sqrt(p(1 - p)/n + z²/4n²)) / (1 + z²/n)``, the proportions
    whose score test does not reject the one observed. Unlike the Wald interval ``p ± z·se`` it
    stays inside [0, 1] and does not collapse to a point at 0 % or 100 %. ``n == 0``: the value
    is NaN and the interval is [0, 1] (no case says nothing).
    """
    x, total = counts("successes", successes, "n", n)
    z = two_sided_z(confidence)
    if total == 0:
        return Estimate(math.nan, 0.0, 1.0, 0, "wilson")
    low, high = wilson_bounds(x, total, z)
    return Estimate(x / total, low, high, total, "wilson")


def wilson_bounds(x: int, total: int, z: float) -> Tuple[float, float]:
    """The Wilson interval of ``x`` successes in ``total`` (at least 1) cases at the normal
    quantile ``z`` rather than at a confidence: ``differences`` moves z to find a p-value."""
    p = x / total
    square = z * z
    centre = p + square / (2 * total)
    half = z * math.sqrt(p * (1.0 - p) / total + square / (4 * total * total))
    scale = 1.0 + square / total
    # The bounds are exact at 0 and n successes; rounding must not move them off 0 or 1.
    low = 0.0 if x == 0 else max(0.0, (centre - half) / scale)
    high = 1.0 if x == total else min(1.0, (centre + half) / scale)
    return low, high


# --- means ----------------------------------------------------------------------------------


def mean_and_sd(values: Tuple[float, ...]) -> Tuple[float, float]:
    """The mean and the sample standard deviation (divisor n - 1; NaN for one value)."""
    # Two passes with fsum: one-pass formulas lose the variance of scores that sit close together.
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, math.nan
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def mean_interval(values: Sequence[float], confidence: float = 0.95, *,
                  bounds: Optional[Tuple[float, float]] = None) -> Estimate:
    """The mean of per-item values with a normal interval on it.

    ``mean ± z · s / sqrt(n)``, with ``s`` the sample standard deviation (divisor ``n - 1``) and
    ``z`` the two-sided normal quantile at ``confidence``. With ``bounds=(lo, hi)`` (for
    precision@5, recall@5, MRR@10: ``(0.0, 1.0)``) the interval is clamped to them; the mean is
    not. Edge cases: no values gives NaN; one value gives that value, and since one value shows
    no spread, the interval is the whole range (the bounds, else -inf to inf) rather than a
    false certainty; values all equal give the point itself, as the formula does.
    """
    data = finite_all("values", values)
    z = two_sided_z(confidence)
    low_bound, high_bound = -math.inf, math.inf
    if bounds is not None:
        low_bound, high_bound = finite("bounds[0]", bounds[0]), finite("bounds[1]", bounds[1])
        if low_bound > high_bound:
            raise ValueError(f"bounds must be (low, high) with low <= high, not {bounds!r}")
    if not data:
        return Estimate(math.nan, low_bound, high_bound, 0, "normal")
    mean, sd = mean_and_sd(data)
    if len(data) == 1:
        return Estimate(mean, low_bound, high_bound, 1, "normal")
    half = z * sd / math.sqrt(len(data))
    return Estimate(mean, max(low_bound, mean - half), min(high_bound, mean + half), len(data),
                    "normal")


# --- how many cases would settle it ---------------------------------------------------------


def _ceil_cases(exact: float, minimum: int) -> int:
    # A product that is an integer in exact arithmetic must not round up past it.
    return max(minimum, math.ceil(exact - 1e-9))


def cases_to_resolve(gain: float, spread: float, confidence: float = 0.95,
                     power: float = 0.8) -> int:
    """Roughly how many paired cases would make a mean gain of this size distinguishable from 0.

    ``n = ((z_{1-alpha/2} + z_{power}) · spread / gain)²`` rounded up, with
    ``alpha = 1 - confidence``, ``spread`` the standard deviation of the per-case differences
    and ``z`` normal quantiles:
    the size at which a two-sided test at ``confidence`` detects a true gain of ``gain`` with
    probability ``power``. An approximation: it takes the spread as known and the normal for
    Student's t, so it is a few cases low for small n; at least 2 (a t test needs two). The sign
    of ``gain`` does not matter; a zero gain cannot be resolved and is a ``ValueError``.
    """
    size, sd = abs(finite("gain", gain)), finite("spread", spread)
    if sd < 0.0:
        raise ValueError(f"spread must not be negative, not {spread!r}")
    if size == 0.0:
        raise ValueError("gain must not be 0: no number of cases tells a zero gain from none")
    z = two_sided_z(confidence) + normal_quantile(open_unit("power", power))
    return _ceil_cases((z * sd / size) ** 2, 2)


def cases_to_resolve_proportions(p1: float, p2: float, confidence: float = 0.95,
                                 power: float = 0.8) -> int:
    """Roughly how many cases in each of two independent evals would tell pass rate ``p1`` from
    ``p2`` (the usual normal-approximation sample size for two proportions, without continuity
    correction).

    With ``p̄ = (p1 + p2) / 2``, ``n = (z_{1-alpha/2} · sqrt(2 p̄(1 - p̄)) + z_{power} ·
    sqrt(p1(1 - p1) + p2(1 - p2)))² / (p2 - p1)²`` rounded up, ``alpha = 1 - confidence``: the size
    at which the pooled z test (``two_proportion_p``) at ``confidence`` detects the difference
    with probability ``power``. An approximation, poorest for rates near 0 or 1 and for small n;
    at least 1. Equal rates cannot be resolved and are a ``ValueError``.
    """
    first, second = finite("p1", p1), finite("p2", p2)
    for name, rate in (("p1", first), ("p2", second)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must lie between 0 and 1, not {rate!r}")
    if first == second:
        raise ValueError("p1 and p2 must differ: no number of cases tells equal rates apart")
    mean = (first + second) / 2.0
    numerator = (two_sided_z(confidence) * math.sqrt(2.0 * mean * (1.0 - mean))
                 + normal_quantile(open_unit("power", power))
                 * math.sqrt(first * (1.0 - first) + second * (1.0 - second)))
    return _ceil_cases(numerator ** 2 / (second - first) ** 2, 1)
