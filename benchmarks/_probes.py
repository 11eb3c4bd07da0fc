"""Timers wrapped around the hub's own functions, to split a step the hub times as one.

A probe replaces ``owner.attr`` with a wrapper that adds the call's wall time to a named stage
and calls the original: the code measured is the code that runs. Probes are a benchmark's
instrument, installed only in a benchmark's child process. When the hub renames or removes a
function, the probe is reported missing and its stage is left out; nothing fails.

Where the hub reports a breakdown itself (a ``seconds`` mapping on its report), the harness
uses that and installs no probe for it.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


class Stopwatch:
    """Seconds and calls per stage, from probes and from explicit laps."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.missing: list[str] = []

    def probe(
        self,
        owner: Any,
        attr: str,
        stage: str,
        *,
        keep: Callable[[Any], None] | None = None,
    ) -> bool:
        """Time every call of ``owner.attr`` as ``stage``; ``keep`` sees each return value.

        Returns False (and records the name as missing) when ``owner`` has no such attribute.
        """
        original = getattr(owner, attr, None)
        if original is None or not callable(original):
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{attr}")
            return False

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started
                self.calls[stage] += 1
            if keep is not None:
                keep(result)
            return result

        setattr(owner, attr, timed)
        return True

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds
        self.calls[stage] += 1


class Peaks:
    """Peak RSS per stage in one process, and the process's overall peak.

    Resetting the peak (see :func:`reset_peak_rss`) also resets what ``getrusage`` reports,
    so the overall peak is kept here, from each stage's reading before the next reset.
    """

    def __init__(self) -> None:
        self.overall: float | None = peak_rss_mib()
        self.resettable = reset_peak_rss()

    def stage(self) -> float | None:
        """The peak since the last call (or since start), then reset for the next stage."""
        peak = peak_rss_mib()
        if peak is not None:
            self.overall = max(self.overall or 0.0, peak)
        if self.resettable:
            reset_peak_rss()
        return peak if self.resettable else None


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (``VmHWM``), so the next reading is one stage's peak.

    Linux only (``/proc/self/clear_refs``); False where the kernel refuses.
    """
    try:
        _CLEAR_REFS.write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float | None:
    """Peak RSS of this process since it started or since :func:`reset_peak_rss`, MiB."""
    return status_mib("VmHWM")


def rss_mib() -> float | None:
    """Resident memory of this process now, MiB."""
    return status_mib("VmRSS")


def status_mib(field: str, status: Path = _STATUS) -> float | None:
    """A ``kB`` field of a ``/proc/<pid>/status`` file, MiB (None where unreadable)."""
    try:
        text = status.read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None
