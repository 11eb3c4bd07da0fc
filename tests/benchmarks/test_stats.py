"""The summaries every benchmark prints: medians with spread, percentiles, growth exponents."""

from __future__ import annotations

import math

import pytest

from benchmarks._stats import Summary, growth_exponent, percentile


def test_summary_is_the_median_with_the_range() -> None:
    summary = Summary.of([12.0, 10.0, 30.0])
    assert (summary.median, summary.low, summary.high, summary.runs) == (12.0, 10.0, 30.0, 3)
    assert summary.spread == pytest.approx(20 / 12)
    assert summary.text(" s") == "12.0 s (10.0-30.0)"
    assert Summary.of([4.25]).text(" s", 2) == "4.25 s"


def test_summary_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        Summary.of([])


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input


@pytest.mark.parametrize("p", [-1, 101])
def test_percentile_outside_range_is_refused(p: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], p)


@pytest.mark.parametrize("k", [1.0, 2.0, 0.5])
def test_growth_exponent_recovers_a_power_law(k: float) -> None:
    sizes = [10_000, 50_000, 100_000, 334_400]
    costs = [3.0 * s**k for s in sizes]
    assert growth_exponent(sizes, costs) == pytest.approx(k)


def test_growth_exponent_of_linear_cost_with_a_fixed_part_is_below_one() -> None:
    sizes = [10_000, 100_000]
    costs = [20 + s / 1000 for s in sizes]  # 30 s, 120 s
    assert growth_exponent(sizes, costs) == pytest.approx(math.log(4) / math.log(10))


def test_growth_exponent_needs_two_sizes_and_positive_figures() -> None:
    with pytest.raises(ValueError, match="two distinct sizes"):
        growth_exponent([5, 5], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        growth_exponent([1, 2], [0.0, 1.0])
