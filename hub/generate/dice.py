"""Deterministic randomness that does not depend on the order things are drawn in.

The world is built with one sequential ``random.Random(seed)``. Noise, however, must be the
same for a record in every snapshot (a clerk's typo does not move about from month to month)
and must not shift when another record is added, so it is rolled with :class:`Dice`: a hash of
(seed, purpose, record id). Record ids come from :class:`IdSpace`, a keyed permutation of
serial numbers, so ids look random, never collide, and need no bookkeeping across snapshots.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_SCALE = 1.0 / 2**64


class Dice:
    """Stable per-key randomness: the same (purpose, key) always rolls the same numbers."""

    __slots__ = ("_salt",)

    def __init__(self, seed: int) -> None:
        self._salt = f"{seed}|".encode()

    def rolls(self, purpose: str, key: str, n: int = 1) -> list[float]:
        """``n`` (at most 8) independent uniform numbers in [0, 1)."""
        digest = hashlib.blake2b(
            self._salt + purpose.encode() + b"|" + key.encode(), digest_size=8 * n
        ).digest()
        return [int.from_bytes(digest[i : i + 8], "big") * _SCALE for i in range(0, 8 * n, 8)]

    def roll(self, purpose: str, key: str) -> float:
        """One uniform number in [0, 1)."""
        return self.rolls(purpose, key, 1)[0]

    def chance(self, rate: float, purpose: str, key: str) -> bool:
        """True with probability ``rate``."""
        return rate > 0.0 and self.roll(purpose, key) < rate

    def rng(self, purpose: str, key: str) -> random.Random:
        """A generator of its own, for when a record needs many numbers."""
        return random.Random(f"{self._salt.decode()}{purpose}|{key}")


def pick(seq: Sequence[T], u: float) -> T:
    """The element a uniform number ``u`` in [0, 1) points at."""
    return seq[min(len(seq) - 1, int(u * len(seq)))]


class IdSpace:
    """Record ids ``prefix + digits``: a keyed permutation of serial numbers.

    Real records take small serials (0, 1, 2, ...); rows made up only to be broken (bad rows)
    take :meth:`junk` serials from the upper half, so they never collide with a real record,
    not even one created in a later snapshot.
    """

    __slots__ = ("_a1", "_a2", "_b1", "_b2", "_m", "digits", "prefix")

    JUNK_SNAPSHOTS = 1024

    def __init__(self, prefix: str, digits: int, seed: int, salt: str) -> None:
        self.prefix = prefix
        self.digits = digits
        self._m = 10**digits
        rng = random.Random(f"{seed}/ids/{salt}")
        self._a1 = self._unit(rng)
        self._a2 = self._unit(rng)
        self._b1 = rng.randrange(self._m)
        self._b2 = rng.randrange(self._m)

    def _unit(self, rng: random.Random) -> int:
        while True:
            a = rng.randrange(self._m // 10 + 1, self._m)
            if a % 2 and a % 5:
                return a

    def number(self, serial: int) -> str:
        """The digits for a serial: affine map, digit reversal, affine map (a bijection)."""
        if not 0 <= serial < self._m:
            raise ValueError(f"serial {serial} outside {self.digits} digits")
        x = (self._a1 * serial + self._b1) % self._m
        x = int(f"{x:0{self.digits}d}"[::-1])
        x = (self._a2 * x + self._b2) % self._m
        return f"{x:0{self.digits}d}"

    def real(self, serial: int) -> str:
        """The id of real record number ``serial``."""
        if serial >= self._m // 2:
            raise ValueError(f"{self.prefix}: more than {self._m // 2} records")
        return self.prefix + self.number(serial)

    def junk(self, snapshot: int, index: int) -> str:
        """The id of made-up bad row ``index`` of a snapshot's file."""
        stride = (self._m // 2) // self.JUNK_SNAPSHOTS
        if index >= stride or snapshot >= self.JUNK_SNAPSHOTS:
            raise ValueError(f"{self.prefix}: too many bad rows for {self.digits} digits")
        return self.prefix + self.number(self._m // 2 + snapshot * stride + index)
