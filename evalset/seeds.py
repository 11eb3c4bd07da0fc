"""Seeded randomness: one named stream per purpose, so a change in one part of the world does
not reshuffle another, and the same seed always writes the same bytes.

``hash()`` of a string changes between processes (PYTHONHASHSEED); streams are derived with
BLAKE2b instead, and nothing iterates over a set.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def derive(seed: int, *labels: object) -> int:
    """A 64-bit seed for the stream named by ``labels`` under ``seed``."""
    text = "\x1f".join([str(seed), *map(str, labels)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class Rng(random.Random):
    """``random.Random`` with the few helpers the generator keeps needing."""

    def __init__(self, seed: int, *labels: object) -> None:
        super().__init__(derive(seed, *labels))
        self._seed = seed
        self._labels = labels

    def child(self, *labels: object) -> Rng:
        """An independent stream below this one."""
        return Rng(self._seed, *self._labels, *labels)

    def chance(self, p: float) -> bool:
        return self.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.randrange(len(items))]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        return self.choices(items, weights=weights, k=1)[0]

    def digits(self, n: int) -> str:
        return f"{self.randrange(10**n):0{n}d}" if n else ""

    def poisson(self, mean: float) -> int:
        """Knuth's method for small means, a rounded normal beyond."""
        if mean <= 0:
            return 0
        if mean > 40:
            return max(0, round(self.gauss(mean, mean**0.5)))
        limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
        while True:
            p *= self.random()
            if p <= limit:
                return k
            k += 1
