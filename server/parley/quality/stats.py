"""The statistics behind an A/B test of a saved reply, in plain Python (no SciPy for four formulas).

Each measure is a proportion (satisfied ratings, resolutions that stayed resolved, visitors who
had to ask again), so a variant's rate gets a Wilson score interval, which stays inside 0..1 and
keeps its coverage at the small counts a support team sees, where the textbook normal interval
does not. Two variants are compared with the two-sided two-proportion z-test (pooled), the
standard test for a difference of two rates; when any expected cell of the 2x2 table is below 5
the normal approximation is unsafe, so Fisher's exact test answers instead. With three or four
variants each is compared with A (the original wording) and the p-values are Holm-adjusted, so
running more comparisons does not make a fluke look significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Z_95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal
ALPHA = 0.05
MIN_EXPECTED = 5.0  # below this expected count in any cell, Fisher's exact test answers


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """One variant against A: which test, its statistic (z, or None for Fisher) and p-value."""

    test: Literal["z", "fisher"]
    statistic: float | None
    p_value: float


def wilson(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """The Wilson score interval of ``successes / trials``; None without trials."""
    _check_counts(successes, trials)
    if trials == 0:
        return None
    rate = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (rate + z2 / (2 * trials)) / denominator
    margin = z * math.sqrt(rate * (1 - rate) / trials + z2 / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - margin), min(1.0, centre + margin))


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> Comparison:
    """Two-sided pooled z-test of x1/n1 against x2/n2."""
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one trial")
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:  # every trial in both groups agreed: no evidence of a difference
        return Comparison("z", 0.0, 1.0)
    z = (x1 / n1 - x2 / n2) / spread
    return Comparison("z", z, math.erfc(abs(z) / math.sqrt(2)))


def fisher_exact(a: int, b: int, c: int, d: int) -> Comparison:
    """Two-sided Fisher's exact test of the table [[a, b], [c, d]].

    The p-value sums the hypergeometric probabilities of every table with the same margins that
    is no more likely than the one observed (the usual two-sided definition, as in R).
    """
    for count in (a, b, c, d):
        if count < 0:
            raise ValueError("counts cannot be negative")
    row1, row2, col1 = a + b, c + d, a + c
    total = row1 + row2
    lowest, highest = max(0, col1 - row2), min(col1, row1)

    def probability(k: int) -> float:
        return math.comb(row1, k) * math.comb(row2, col1 - k) / math.comb(total, col1)

    observed = probability(a)
    tolerance = observed * 1e-7  # tables as likely as the observed one count, despite rounding
    p = sum(
        chance
        for chance in map(probability, range(lowest, highest + 1))
        if chance <= observed + tolerance
    )
    return Comparison("fisher", None, min(1.0, p))


def compare(x1: int, n1: int, x2: int, n2: int) -> Comparison:
    """x1/n1 against x2/n2: the z-test, or Fisher's exact test when a cell is expected below 5."""
    total = n1 + n2
    successes = x1 + x2
    expected = (
        [n * share / total for n in (n1, n2) for share in (successes, total - successes)]
        if total
        else [0.0]
    )
    if min(expected) < MIN_EXPECTED:
        return fisher_exact(x1, n1 - x1, x2, n2 - x2)
    return two_proportion_z(x1, n1, x2, n2)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given (step-down, kept monotone)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _check_counts(successes: int, trials: int) -> None:
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError("successes must be between 0 and the number of trials")
