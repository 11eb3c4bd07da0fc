"""Ingest benchmark: generate a county (or reuse a landing folder), load it from an empty
database, print wall time, rows/s and peak memory per backend.

    python benchmarks/ingest.py --residents 334400 --backend sqlite --backend postgresql
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _machine import describe  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat the load; the median is shown")
    args = parser.parse_args()
    backends = args.backend or ["sqlite"]
    print(f"machine: {describe()}")
    landing = args.work / f"landing-{args.residents}-{args.seed}"
    truth = args.work / f"truth-{args.residents}-{args.seed}"
    if not landing.exists():
        started = time.perf_counter()
        _run([sys.executable, "-m", "hub.cli", "generate", "--residents", str(args.residents),
              "--seed", str(args.seed), "--out", str(landing), "--truth", str(truth)])  # fmt: skip
        print(f"generate {args.residents} residents: {time.perf_counter() - started:.1f}s")
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    print(f"landing folder: {size / 1e6:.1f} MB")
    for backend in backends:
        times, peaks, rows = [], [], 0
        for _ in range(args.runs):
            url = _fresh_database(backend, args.work, args.postgres_url)
            started = time.perf_counter()
            out = _run([sys.executable, "-c", _CHILD, url, str(landing)], capture=True)
            times.append(time.perf_counter() - started)
            rows_text, peak_text = out.strip().splitlines()[-1].split()
            rows, peaks = int(rows_text), [*peaks, float(peak_text)]
        median = statistics.median(times)
        print(
            f"ingest [{backend}]: {median:.1f}s median of {len(times)} "
            f"({rows} rows, {rows / median:,.0f} rows/s), peak memory {max(peaks):.0f} MiB"
        )


# The load runs in a child process so its peak memory is its own.
_CHILD = """
import resource, sys
from pathlib import Path
from hub.ingest.service import ingest_landing
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory
url, landing = sys.argv[1], Path(sys.argv[2])
migrate.upgrade(url)
engine = make_engine(url)
report = ingest_landing(session_factory(engine), landing)
assert all(d.reconciles for d in report.deliveries)
rows = sum(d.rows_read for d in report.deliveries)
print(rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _fresh_database(backend: str, work: Path, postgres_url: str) -> str:
    if backend == "sqlite":
        path = work / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("drop schema if exists hub_bench cascade"))
        conn.execute(text("create schema hub_bench"))
    engine.dispose()
    return (
        make_url(postgres_url)
        .update_query_dict({"options": "-csearch_path=hub_bench"})
        .render_as_string(hide_password=False)
    )


def _run(cmd: list[str], capture: bool = False) -> str:
    result = subprocess.run(cmd, check=True, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE if capture else None)  # fmt: skip
    return result.stdout or ""


if __name__ == "__main__":
    main()
