"""Token buckets and subscription slots: the arithmetic, on a clock the test sets."""

from __future__ import annotations

import pytest

from hub.api.limits import Quota, Quotas, Rate, RateLimited, StreamSlots, TooManyStreams


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    quotas = Quotas({Quota.REQUEST: Rate(per_second=2.0, burst=3)})
    for _ in range(3):
        quotas.charge(Quota.REQUEST, "a", now=100.0)
    with pytest.raises(RateLimited) as limited:
        quotas.charge(Quota.REQUEST, "a", now=100.0)
    assert limited.value.retry_after == pytest.approx(0.5)
    assert "try again in 1 s" in str(limited.value)
    quotas.charge(Quota.REQUEST, "b", now=100.0)  # another token: its own bucket
    quotas.charge(Quota.REQUEST, "a", now=100.5)  # one unit back after half a second
    with pytest.raises(RateLimited):
        quotas.charge(Quota.REQUEST, "a", now=100.6)
    for _ in range(3):  # a long pause fills the bucket to its burst, not beyond
        quotas.charge(Quota.REQUEST, "a", now=200.0)
    with pytest.raises(RateLimited):
        quotas.charge(Quota.REQUEST, "a", now=200.0)


def test_a_quota_without_a_rate_is_not_limited() -> None:
    quotas = Quotas({Quota.REQUEST: Rate(1.0, 1)})
    for _ in range(100):
        quotas.charge(Quota.WRITE, "a", now=0.0)


def test_a_rate_needs_a_refill_and_a_burst() -> None:
    with pytest.raises(ValueError):
        Rate(0, 5)
    with pytest.raises(ValueError):
        Rate(1.0, 0)


def test_slots_per_token_and_in_all() -> None:
    slots = StreamSlots(per_key=2, total=3)
    slots.acquire("a")
    slots.acquire("a")
    with pytest.raises(TooManyStreams, match="2 subscriptions open"):
        slots.acquire("a")
    slots.acquire("b")
    with pytest.raises(TooManyStreams, match="no room"):
        slots.acquire("c")
    slots.release("a")
    slots.acquire("c")
    assert slots.open == 3
