"""Summaries of repeated measurements: medians with their spread, percentiles, growth.

These machines are shared: one figure is an indication, the median of several with its spread
is a measurement, and a ratio of two figures taken in one run is the most trustworthy of all.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    """The median of repeated runs and the range they spanned."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no values to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    @property
    def spread(self) -> float:
        """(max - min) / median: 0.1 means the runs differed by 10% of the median."""
        return (self.high - self.low) / self.median if self.median else 0.0

    def text(self, unit: str = "", digits: int = 1) -> str:
        """``12.3 s`` for one run, ``12.3 s (11.9-13.0)`` for several."""
        figure = f"{self.median:,.{digits}f}{unit}"
        if self.runs == 1:
            return figure
        return f"{figure} ({self.low:,.{digits}f}-{self.high:,.{digits}f})"


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    lower = math.floor(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


def growth_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """The least-squares slope of log(cost) against log(size).

    Cost growing as ``size ** k`` gives ``k``: 1.0 is linear, 2.0 quadratic. Needs two
    distinct sizes and positive figures.
    """
    if len(sizes) != len(costs):
        raise ValueError("sizes and costs differ in length")
    if len(set(sizes)) < 2:
        raise ValueError("a growth exponent needs at least two distinct sizes")
    if any(v <= 0 for v in (*sizes, *costs)):
        raise ValueError("sizes and costs must be positive")
    xs = [math.log(s) for s in sizes]
    ys = [math.log(c) for c in costs]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mean_x) ** 2 for x in xs)
    return num / den
