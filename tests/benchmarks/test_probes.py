"""Probes time the hub's own functions without changing what they return."""

from __future__ import annotations

import sys
import types

import pytest

from benchmarks._probes import Peaks, Stopwatch, peak_rss_mib


def test_a_probe_times_each_call_and_passes_results_through() -> None:
    module = types.SimpleNamespace(double=lambda x: 2 * x)
    kept: list[int] = []
    watch = Stopwatch()
    assert watch.probe(module, "double", "stage", keep=kept.append)
    assert module.double(3) == 6
    assert module.double(4) == 8
    assert kept == [6, 8]
    assert watch.calls["stage"] == 2
    assert watch.seconds["stage"] >= 0


def test_a_probe_times_a_call_that_raises() -> None:
    def fail() -> None:
        raise KeyError("x")

    module = types.SimpleNamespace(fail=fail)
    watch = Stopwatch()
    watch.probe(module, "fail", "stage")
    with pytest.raises(KeyError):
        module.fail()
    assert watch.calls["stage"] == 1


def test_a_missing_function_is_reported_not_fatal() -> None:
    watch = Stopwatch()
    assert not watch.probe(types.SimpleNamespace(), "gone", "stage")
    assert len(watch.missing) == 1 and watch.missing[0].endswith(".gone")
    assert "stage" not in watch.seconds


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peaks_per_stage_and_overall() -> None:
    peaks = Peaks()
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    del block  # the first stage ends having let go of its 64 MiB, as a step does
    first = peaks.stage()
    second = peaks.stage()
    if not peaks.resettable:
        pytest.skip("this kernel does not reset the peak RSS")
    assert first is not None and second is not None
    assert first - second > 48  # the second stage did not hold the 64 MiB block
    assert peaks.overall is not None and peaks.overall >= first
    assert (peak_rss_mib() or 0) <= first
