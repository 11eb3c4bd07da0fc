"""Ingest benchmark: generate a county (or reuse a landing folder), load it from an empty
database, print wall time, rows/s and peak memory per backend.

    python benchmarks/ingest.py --residents 334400 --backend sqlite --backend postgresql

The load (``hub.ingest.service.ingest_landing``, no quality checks) runs in a child process,
so its peak memory is its own. ``build.py`` times the whole pipeline, checks included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks._harness import (  # noqa: E402
    BACKENDS,
    POSTGRES_URL,
    Banner,
    BenchmarkError,
    add_data_arguments,
    fresh_database,
    resolve_landing,
    run_child,
    say,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    add_data_arguments(parser)
    parser.set_defaults(residents=50_000)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--runs", "--repeat", type=int, default=1, help="repeat the load; the median is shown"
    )
    args = parser.parse_args()
    banner = Banner("ingest: landing folder -> source records, no checks")
    landing = resolve_landing(args)
    say(f"landing folder: {landing.megabytes:.1f} MB")
    for backend in args.backend or ["sqlite"]:
        times, walls, peaks, rows = [], [], [], 0
        for _ in range(args.runs):
            with fresh_database(backend, args.work, args.postgres_url) as url:
                child = run_child([sys.executable, "-c", _CHILD, url, str(landing.path)])
            times.append(child.result["seconds"])
            walls.append(child.wall)
            rows = child.result["rows"]
            peaks.append(child.peak_mib)
        median = statistics.median(times)
        say(
            f"ingest [{backend}]: {median:.1f}s median of {len(times)} "
            f"({rows} rows, {rows / median:,.0f} rows/s), peak memory {max(peaks):.0f} MiB; "
            f"{statistics.median(walls):.1f}s with interpreter start-up and imports"
        )
    banner.close()


# The load runs in a child process so its peak memory is its own.
_CHILD = """
import json, sys, time
from pathlib import Path
from hub.ingest.service import ingest_landing
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory
url, landing = sys.argv[1], Path(sys.argv[2])
started = time.perf_counter()
migrate.upgrade(url)
engine = make_engine(url)
report = ingest_landing(session_factory(engine), landing)
seconds = time.perf_counter() - started
engine.dispose()
assert all(d.reconciles for d in report.deliveries)
rows = sum(d.rows_read for d in report.deliveries)
print("BENCH-RESULT " + json.dumps({"rows": rows, "seconds": seconds}))
"""


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"ingest benchmark failed: {err}")
