"""How much one token (and the whole server) may ask for: token buckets per token, and slots
for concurrent subscriptions.

A :class:`TokenBucket` holds up to ``burst`` units and refills at ``rate`` units a second;
each request (or lookup, or write) takes one, and a request that finds the bucket empty is
refused with the seconds until a unit is back (HTTP 429, ``Retry-After``). Buckets live in the
server process: with ``hub serve --workers N`` each process keeps its own, so one token may get
up to N times the rate, spread over the processes its connections land on
(``docs/security.md``). :class:`StreamSlots` counts open subscriptions per token and in all.

Nothing here touches the database or the clock of its own accord: callers pass ``now``
(``time.monotonic()``), so the arithmetic is tested without sleeping.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Buckets kept per kind before the full ones are forgotten (a full bucket is a new one).
_PRUNE_AT = 10_000


class Quota(enum.StrEnum):
    """What a token spends: any request, a lookup by resident ID, a write (a mutation)."""

    REQUEST = "request"
    LOOKUP = "lookup"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` units a second, up to ``burst`` at once."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate needs a positive refill and a burst of at least 1")

    def describe(self) -> str:
        per_minute = self.per_second * 60
        return f"{per_minute:g} a minute, {self.burst} at once"


@dataclass(slots=True)
class TokenBucket:
    """One key's bucket: ``level`` units at ``at`` (monotonic seconds)."""

    rate: Rate
    level: float
    at: float

    def take(self, now: float) -> float | None:
        """Take a unit: ``None`` when there was one, else the seconds until there is."""
        self.level = min(self.rate.burst, self.level + (now - self.at) * self.rate.per_second)
        self.at = now
        if self.level >= 1:
            self.level -= 1
            return None
        return (1 - self.level) / self.rate.per_second

    def full(self, now: float) -> bool:
        return self.level + (now - self.at) * self.rate.per_second >= self.rate.burst


class RateLimited(Exception):
    """Over a token's rate: try again in ``retry_after`` seconds."""

    def __init__(self, quota: Quota, retry_after: float) -> None:
        self.quota = quota
        self.retry_after = retry_after
        super().__init__(
            f"Too many {'requests' if quota is Quota.REQUEST else quota.value + 's'} for this "
            f"token: try again in {math.ceil(retry_after)} s."
        )


@dataclass
class Quotas:
    """Token buckets per (quota, token) for one server process."""

    rates: Mapping[Quota, Rate]
    _buckets: dict[Quota, dict[str, TokenBucket]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(self, quota: Quota, key: str, now: float | None = None) -> None:
        """Take one unit of ``quota`` from ``key``'s bucket; :class:`RateLimited` when empty.
        A quota without a rate is not limited."""
        rate = self.rates.get(quota)
        if rate is None:
            return
        moment = time.monotonic() if now is None else now
        with self._lock:
            buckets = self._buckets.setdefault(quota, {})
            bucket = buckets.get(key)
            if bucket is None:
                if len(buckets) >= _PRUNE_AT:
                    for old in [k for k, b in buckets.items() if b.full(moment)]:
                        del buckets[old]
                bucket = buckets[key] = TokenBucket(rate, float(rate.burst), moment)
            wait = bucket.take(moment)
        if wait is not None:
            raise RateLimited(quota, wait)


class TooManyStreams(Exception):
    """No subscription slot is free for this token, or on this server."""


@dataclass
class StreamSlots:
    """Open subscriptions: at most ``per_key`` per token and ``total`` in all."""

    per_key: int
    total: int
    _open: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, key: str) -> None:
        """Take a slot for ``key`` (:class:`TooManyStreams` when none is free)."""
        with self._lock:
            if self._open[key] >= self.per_key:
                raise TooManyStreams(
                    f"This token has {self.per_key} subscriptions open already, the most it may."
                )
            if sum(self._open.values()) >= self.total:
                raise TooManyStreams("The server has no room for another subscription now.")
            self._open[key] += 1

    def release(self, key: str) -> None:
        with self._lock:
            self._open[key] -= 1
            if self._open[key] <= 0:
                del self._open[key]

    @property
    def open(self) -> int:
        with self._lock:
            return sum(self._open.values())
