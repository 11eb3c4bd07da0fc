"""Scaling: the same build (empty database -> published model) at several sizes, to show how
its cost grows with the number of residents.

    python benchmarks/scaling.py --sizes 10000,50000,100000,334400 --repeat 1 \\
        --json var/bench/scaling.json

For each size the landing is generated once (and cached under ``--work``), then built as
``build.py`` builds it. Reported: total seconds and peak memory per size, per 1,000 residents,
and the growth exponent k of cost ~ residents^k, the least-squares slope on a log-log scale:
1.0 is linear, 2.0 quadratic. k is fitted over all sizes and between the two largest (fixed
costs such as migrations and suite set-up flatten the small end; the local slope at the top is
the growth that matters). CPU seconds (the children's, imports included) are fitted too: on a
shared machine they move less than wall time. Memory is fitted above the baseline after
imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks._harness import (  # noqa: E402
    BACKENDS,
    POSTGRES_URL,
    WORK,
    Banner,
    BenchmarkError,
    cached_landing,
    say,
    table,
    write_json,
)
from benchmarks._stats import Summary, growth_exponent  # noqa: E402
from benchmarks.build import STAGES, build_once  # noqa: E402

DEFAULT_SIZES = "10000,50000,100000,334400"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="residents, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--repeat", type=int, default=1, help="builds per size (median used)")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if len(sizes) < 2:
        raise BenchmarkError("scaling needs at least two sizes")
    banner = Banner(f"scaling: build at {', '.join(f'{s:,}' for s in sizes)} residents")
    runs: list[dict[str, Any]] = []
    for size in sizes:
        landing = cached_landing(args.work, size, args.seed)
        for index in range(args.repeat):
            run = build_once(landing, args.backend, args.work, args.postgres_url)
            full = run["full"]
            runs.append({"residents": size, **run})
            say(
                f"{size:>8,} residents, run {index + 1}: {full['total']:.1f} s, "
                f"peak {max(full['peak_mib'].values()):,.0f} MiB"
            )
    say("")
    summary = summarise(runs)
    say(report(summary))
    machine = banner.close()
    write_json(
        args.json,
        {
            "benchmark": "scaling",
            **machine,
            "backend": args.backend,
            "summary": summary,
            "runs": runs,
        },
    )


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Medians per size, and growth exponents over all sizes and the top two."""
    sizes = sorted({int(r["residents"]) for r in runs})
    per_size: dict[int, dict[str, float]] = {}
    for size in sizes:
        fulls = [r["full"] for r in runs if r["residents"] == size]
        figures = {
            "seconds": Summary.of([f["total"] for f in fulls]).median,
            "cpu": Summary.of([f["cpu"] for f in fulls]).median,
            "peak_mib": Summary.of([max(f["peak_mib"].values()) for f in fulls]).median,
            "above_baseline_mib": Summary.of(
                [max(f["peak_mib"].values()) - (f.get("baseline_mib") or 0.0) for f in fulls]
            ).median,
        }
        for stage in STAGES:
            values = [f["stages"][stage] for f in fulls if stage in f["stages"]]
            if values:
                figures[stage] = Summary.of(values).median
        per_size[size] = figures
    exponents: dict[str, dict[str, float]] = {}
    for measure in ("seconds", "cpu", "above_baseline_mib", *STAGES):
        points = [(s, per_size[s][measure]) for s in sizes if per_size[s].get(measure, 0.0) > 0]
        if len(points) >= 2:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            exponents[measure] = {
                "all": growth_exponent(xs, ys),
                "top two": growth_exponent(xs[-2:], ys[-2:]),
            }
    return {
        "sizes": sizes,
        "per_size": {str(s): v for s, v in per_size.items()},
        "exponents": exponents,
    }


def report(summary: Mapping[str, Any]) -> str:
    per_size = summary["per_size"]
    rows = []
    for size in summary["sizes"]:
        f = per_size[str(size)]
        rows.append(
            [
                f"{size:,}",
                f"{f['seconds']:.1f}",
                f"{f['cpu']:.1f}",
                f"{f['seconds'] * 1000 / size:.3f}",
                f"{f['peak_mib']:,.0f}",
                f"{f['above_baseline_mib']:,.0f}",
                f"{f['above_baseline_mib'] * 1000 / size:.2f}",
            ]
        )
    sizes = table(
        [
            "residents",
            "build s",
            "CPU s",
            "s per 1k",
            "peak MiB",
            "above baseline MiB",
            "MiB per 1k",
        ],
        rows,
    )
    grow = [
        [measure, f"{k['all']:.2f}", f"{k['top two']:.2f}"]
        for measure, k in summary["exponents"].items()
    ]
    exponents = table(["growth exponent k (cost ~ residents^k)", "all sizes", "top two"], grow)
    return f"{sizes}\n\n{exponents}"


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"scaling benchmark failed: {err}")
