"""What the figures were measured on: printed by every benchmark."""

from __future__ import annotations

import os
import platform
import resource
import sys


def describe() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            total_kb = int(handle.readline().split()[1])
        mem = f", {total_kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}){mem}, "
        f"Python {sys.version.split()[0]}, {platform.system()} {platform.release()}"
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process (and its waited-for children), MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
