"""Ingest against the limit: the hub's bulk load of one large dataset, in rows per second,
against PostgreSQL's ``COPY`` of the same rows, measured in the same run.

    python benchmarks/ingest_limit.py --residents 334400 --dataset weijian.vaccination --repeat 3

Each run, in a child process on a fresh PostgreSQL schema: the hub loads the dataset's files
(``hub.ingest.service.ingest_file``: read, normalise, apply as a snapshot; no quality checks)
into its indexed ``source_record`` table; then the rows it wrote are read back (not timed) and
``COPY``-ed (psycopg 3 ``cursor.copy``) into a table with ``source_record``'s columns and no
index at all (the limit issue 9 names), again from text formatted beforehand (what the server
alone needs), and into a table with the same indexes (what the indexes cost). The hub's load of
the same files on SQLite is measured too, for reference. The hub's rate counts rows read;
COPY's counts rows written (the quarantined rows are the difference).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks._harness import (  # noqa: E402
    POSTGRES_URL,
    Banner,
    BenchmarkError,
    add_data_arguments,
    fresh_database,
    resolve_landing,
    run_child,
    say,
    table,
    write_json,
)
from benchmarks._stats import Summary  # noqa: E402

COPIES = ("unindexed", "unindexed, text prepared", "indexed like source_record")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--dataset",
        default="weijian.vaccination",
        help="dataset key (default weijian.vaccination, the largest file)",
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-sqlite", action="store_true", help="leave the SQLite reference out")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    banner = Banner(f"ingest against the limit: {args.dataset}, hub bulk load vs COPY")
    landing = resolve_landing(args)
    say(f"landing: {landing.path} ({landing.residents:,} residents)")
    runs: list[dict[str, Any]] = []
    for index in range(args.repeat):
        for backend in ("postgresql", *(() if args.no_sqlite else ("sqlite",))):
            with fresh_database(backend, args.work, args.postgres_url) as url:
                child = run_child(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks._steps",
                        "load",
                        "--url",
                        url,
                        "--landing",
                        str(landing.path),
                        "--dataset",
                        args.dataset,
                        "--docs",
                        str(args.work / "runs" / uuid.uuid4().hex[:10]),
                        *(["--copy"] if backend == "postgresql" else []),
                    ]
                )
            run = {"backend": backend, **child.result, "child_peak_mib": child.peak_mib}
            runs.append(run)
            say(f"run {index + 1} [{backend}]: {_line(run)}")
    say("")
    say(report(runs))
    machine = banner.close()
    write_json(
        args.json,
        {
            "benchmark": "ingest_limit",
            **machine,
            "dataset": args.dataset,
            "landing": str(landing.path),
            "runs": runs,
        },
    )


def _line(run: Mapping[str, Any]) -> str:
    seconds = run["seconds"]
    text = f"{run['rows_read']:,} rows, hub load {seconds['load']:.1f} s"
    for label in COPIES:
        if label in run.get("copy", {}):
            text += f", COPY {label} {run['copy'][label]:.1f} s"
    return text


def report(runs: Sequence[Mapping[str, Any]]) -> str:
    """Rows per second, median (min-max) over runs, and each as a share of the COPY limit."""
    rows: list[list[str]] = []
    pg = [r for r in runs if r["backend"] == "postgresql"]
    limit = [r["copy"]["rows"] / r["copy"]["unindexed"] for r in pg if r.get("copy")]
    for backend in ("postgresql", "sqlite"):
        chosen = [r for r in runs if r["backend"] == backend]
        if not chosen:
            continue
        for stage in ("load", "read", "normalise", "apply"):
            rates = [
                r["rows_read"] / r["seconds"][stage] for r in chosen if r["seconds"].get(stage)
            ]
            if rates:
                label = f"hub {backend}: {'bulk load (all of it)' if stage == 'load' else stage}"
                rows.append([label, Summary.of(rates).text(digits=0), _share(chosen, pg, stage)])
    for label in COPIES:
        rates = [r["copy"]["rows"] / r["copy"][label] for r in pg if r.get("copy")]
        if rates:
            ratio = [r["copy"]["unindexed"] / r["copy"][label] for r in pg]
            rows.append(
                [
                    f"COPY {label}",
                    Summary.of(rates).text(digits=0),
                    Summary.of(ratio).text(digits=2),
                ]
            )
    if not limit:
        raise BenchmarkError("no COPY figures: was PostgreSQL reachable?")
    return table(["rows per second", "median (min-max)", "of COPY unindexed"], rows)


def _share(chosen: Sequence[Mapping[str, Any]], pg: Sequence[Mapping[str, Any]], stage: str) -> str:
    """The hub's rate over COPY's, pairing runs of the same repeat (measured together)."""
    ratios = []
    for run, copy_run in zip(chosen, pg, strict=False):
        seconds = run["seconds"].get(stage)
        if seconds and copy_run.get("copy"):
            hub_rate = run["rows_read"] / seconds
            ratios.append(hub_rate / (copy_run["copy"]["rows"] / copy_run["copy"]["unindexed"]))
    return Summary.of(ratios).text(digits=3) if ratios else "-"


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"ingest limit benchmark failed: {err}")
