"""Confidence intervals for proportions and for the difference of two proportions.

The "for you" comparison asks whether personalised readers read through or
reach a goal more often than the holdout. The groups are small (the holdout is
10 % of readers by default) and the rates can sit near 0 (goal conversion), where
the textbook normal approximation (Wald) gives intervals that are too narrow and
can leave [0, 1]. Newcombe's hybrid score interval (method 10 of Newcombe 1998,
built from two Wilson score intervals) keeps its coverage there, needs no
iteration and is what statistics packages offer for a difference of
proportions; so it is used here, and the docs say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95 %


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of successes / trials (trials > 0)."""
    p = successes / trials
    spread = z * z / trials
    centre = (p + spread / 2) / (1 + spread)
    half = z * math.sqrt(p * (1 - p) / trials + spread / (4 * trials)) / (1 + spread)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """p1 - p2 with its 95 % interval (Newcombe's hybrid score method)."""

    estimate: float
    low: float
    high: float

    @property
    def contains_zero(self) -> bool:
        return self.low <= 0 <= self.high


def difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> Difference | None:
    """x1/n1 - x2/n2 and its interval; None when either group is empty."""
    if not n1 or not n2:
        return None
    p1, p2 = x1 / n1, x2 / n2
    low1, high1 = wilson(x1, n1, z)
    low2, high2 = wilson(x2, n2, z)
    estimate = p1 - p2
    low = estimate - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = estimate + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return Difference(estimate, max(-1.0, low), min(1.0, high))
