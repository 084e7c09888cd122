"""The A/B statistics against cases worked by hand (the arithmetic is in each comment)."""

from __future__ import annotations

import pytest

from parley.quality.stats import compare, fisher_exact, holm, two_proportion_z, wilson


def test_wilson_interval_of_eight_in_ten() -> None:
    # p = 0.8, z^2 = 3.8415, n = 10: denominator 1 + 0.38415 = 1.38415;
    # centre (0.8 + 0.19207) / 1.38415 = 0.71674;
    # margin 1.96 * sqrt(0.016 + 0.0096037) / 1.38415 = 0.22658  ->  [0.4902, 0.9433]
    interval = wilson(8, 10)
    assert interval is not None
    assert interval.low == pytest.approx(0.4902, abs=1e-4)
    assert interval.high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_stays_inside_zero_and_one() -> None:
    # 0/5: centre = margin = 0.38415 / 1.76830 = 0.21724  ->  [0, 0.4345], not [0, 0]
    none = wilson(0, 5)
    assert none is not None
    assert none.low == 0.0
    assert none.high == pytest.approx(0.4345, abs=1e-4)
    every = wilson(5, 5)
    assert every is not None
    assert (every.low, every.high) == (pytest.approx(0.5655, abs=1e-4), 1.0)
    assert wilson(0, 0) is None


def test_two_proportion_z_test() -> None:
    # 60/100 against 45/100: pooled 105/200 = 0.525; se = sqrt(0.525 * 0.475 * 0.02) = 0.070622;
    # z = 0.15 / 0.070622 = 2.1240; two-sided p = erfc(2.1240 / sqrt 2) = 0.03367
    result = two_proportion_z(60, 100, 45, 100)
    assert result.test == "z"
    assert result.statistic == pytest.approx(2.1240, abs=1e-4)
    assert result.p_value == pytest.approx(0.03367, abs=1e-5)


def test_fisher_exact_on_the_tea_tasting_table() -> None:
    # [[3, 1], [1, 3]], all margins 4: P(k) = C(4,k) C(4,4-k) / C(8,4) = 1, 16, 36, 16, 1 over 70.
    # Observed k = 3 (16/70); tables no more likely: k = 0, 1, 3, 4  ->  34/70 = 0.485714
    assert fisher_exact(3, 1, 1, 3).p_value == pytest.approx(34 / 70)


def test_fisher_exact_on_a_lopsided_table() -> None:
    # [[1, 9], [11, 3]]: rows 10 and 14, first column 12, C(24,12) = 2704156 tables.
    # C(10,k) C(14,12-k) for k = 0, 1, 9, 10 (the ones no likelier than k = 1) = 91, 3640, 3640,
    # 91: (2 * 91 + 2 * 3640) / 2704156 = 7462 / 2704156 = 0.0027595
    assert fisher_exact(1, 9, 11, 3).p_value == pytest.approx(0.002759, abs=1e-6)


def test_small_counts_get_fishers_exact_test_large_counts_the_z_test() -> None:
    # 3/4 against 1/4: expected successes per group 2 < 5, so the exact test answers.
    small = compare(3, 4, 1, 4)
    assert (small.test, small.p_value) == ("fisher", pytest.approx(34 / 70))
    large = compare(60, 100, 45, 100)
    assert (large.test, large.p_value) == ("z", pytest.approx(0.03367, abs=1e-5))


def test_identical_unanimous_groups_show_no_difference() -> None:
    assert two_proportion_z(50, 50, 80, 80).p_value == 1.0


def test_holm_adjustment() -> None:
    # sorted 0.01, 0.03, 0.04: 3 * 0.01 = 0.03; 2 * 0.03 = 0.06; 1 * 0.04 = 0.04 -> kept at 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and the number of trials"):
        wilson(6, 5)
    with pytest.raises(ValueError, match="negative"):
        fisher_exact(-1, 2, 3, 4)
