"""Ingest benchmark: load a landing folder from an empty database; print wall time, rows/s,
the time of each stage per delivery and the peak memory of the loading process and its
mapping workers, per backend.

    python benchmarks/ingest.py --residents 334400 --backend sqlite --backend postgresql
    python benchmarks/ingest.py --landing var/bench/landing-50000-1 \\
        --next var/bench/next-50000-1 --checked --backend sqlite

``--landing`` reuses a landing folder instead of generating one. ``--next`` names a landing
folder holding that first snapshot and the next one (``hub generate --next-snapshot`` on a
copy of it): once the first snapshot is loaded, the files only there are loaded and timed
as a second phase. ``--checked`` loads each delivery as ``hub run`` does, with its Great
Expectations suite in the same transaction (``hub.pipeline.ingest_checked``).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
    parser.add_argument("--landing", type=Path, help="load this landing folder")
    parser.add_argument("--next", type=Path, help="then the next snapshot from this folder")
    parser.add_argument("--checked", action="store_true", help="validate each delivery (GX)")
    parser.add_argument("--workers", type=int, help="mapping processes (default: the setting)")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat the load; the median is shown")
    args = parser.parse_args()
    backends = args.backend or ["sqlite"]
    print(f"machine: {describe()}")
    landing = args.landing or args.work / f"landing-{args.residents}-{args.seed}"
    truth = args.work / f"truth-{args.residents}-{args.seed}"
    if not landing.exists():
        started = time.perf_counter()
        _run([sys.executable, "-m", "hub.cli", "generate", "--residents", str(args.residents),
              "--seed", str(args.seed), "--out", str(landing), "--truth", str(truth)])  # fmt: skip
        print(f"generate {args.residents} residents: {time.perf_counter() - started:.1f}s")
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    print(f"landing folder: {landing} ({size / 1e6:.1f} MB)")
    mode = "ingest + quality check per delivery" if args.checked else "ingest"
    for backend in backends:
        phases: dict[str, list[dict[str, Any]]] = {}
        for _ in range(args.runs):
            url = _fresh_database(backend, args.work, args.postgres_url)
            workers = "" if args.workers is None else str(args.workers)
            child = [sys.executable, "-c", _CHILD, url, str(landing), str(args.next or ""),
                     "1" if args.checked else "", workers]  # fmt: skip
            for line in _run(child, capture=True).splitlines():
                event = json.loads(line)
                if event["kind"] == "delivery" and args.runs == 1:
                    print(_delivery_line(backend, event))
                elif event["kind"] == "phase":
                    phases.setdefault(event["phase"], []).append(event)
        for phase, runs in phases.items():
            wall = statistics.median(r["wall"] for r in runs)
            rows = runs[0]["rows"]
            print(
                f"{mode} [{backend}] {phase}: {wall:.1f}s median of {len(runs)} "
                f"({rows} rows, {rows / wall:,.0f} rows/s), peak memory "
                f"{max(r['peak_mib'] for r in runs):.0f} MiB (with workers; loading process "
                f"alone {max(r['own_mib'] for r in runs):.0f} MiB); "
                f"CPU {runs[0]['cpu']:.1f}s (with workers)"
            )


def _delivery_line(backend: str, event: dict[str, Any]) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in event["seconds"].items())
    return (
        f"  [{backend}] {event['phase']:<5} {event['file']:<28} {event['rows']:>8} rows "
        f"{event['wall']:6.1f}s  {stages}"
    )


# The load runs in a child process so that its memory (and its workers') is its own. A thread
# samples the resident memory of the process tree (the mapping workers are its descendants).
_CHILD = r"""
import inspect, json, os, resource, sys, threading, time
from pathlib import Path
from hub.ingest.service import ingest_file
from hub.ingest.grid import refresh_grid_reference
from hub.sources import catalog
from hub.sources.landing import discover
from hub.storage import migrate
from hub.storage.models import DeliveryStatus
from hub.storage.session import make_engine, session_factory
import hub.pipeline

url, landing, next_landing, checked, workers = sys.argv[1:6]
migrate.upgrade(url)
factory = session_factory(make_engine(url))
options = {}
if "options" in inspect.signature(ingest_file).parameters:  # absent before the pool existed
    from hub.config import load_settings
    from hub.ingest.service import IngestOptions
    count = int(workers) if workers else load_settings().ingest_workers
    options = {"options": IngestOptions(workers=count)}

TICK = os.sysconf("SC_CLK_TCK")
worker_cpu = {}  # pid of a descendant -> the most CPU seconds seen for it

def tree_rss(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
            if p != pid:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                worker_cpu[p] = (int(fields[11]) + int(fields[12])) / TICK
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            pass
    return total / 1024

peak = [0.0]
def sample():
    while True:
        peak[0] = max(peak[0], tree_rss(os.getpid()))
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()

def emit(**event):
    print(json.dumps(event, ensure_ascii=False), flush=True)

def load(phase, folder):
    peak[0] = 0.0
    cpu0 = sum(os.times()[:4]) + sum(worker_cpu.values())
    started = time.perf_counter()
    rows = 0
    grid = False
    for item in discover(Path(folder)).deliveries:
        t0 = time.perf_counter()
        if checked:
            result = hub.pipeline.ingest_checked(factory, item, None, **options)
            report = None if result is None else result.report
        else:
            with factory() as session, session.begin():
                report = ingest_file(session, item, **options)
        if report is None or report.status is None:
            continue
        assert report.reconciles, report.file
        grid = grid or (report.status is DeliveryStatus.LOADED and item.dataset is catalog.GRIDS)
        rows += report.rows_read
        emit(kind="delivery", phase=phase, file=report.file, rows=report.rows_read,
             wall=time.perf_counter() - t0, seconds=getattr(report, "seconds", {}))
    if grid:
        with factory() as session, session.begin():
            refresh_grid_reference(session)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit(kind="phase", phase=phase, rows=rows, wall=time.perf_counter() - started,
         cpu=sum(os.times()[:4]) + sum(worker_cpu.values()) - cpu0,
         peak_mib=max(peak[0], own), own_mib=own)

load("first", landing)
if next_landing:
    load("next", next_landing)
"""


def _fresh_database(backend: str, work: Path, postgres_url: str) -> str:
    if backend == "sqlite":
        path = work / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine

    schema = f"hub_bench_{os.getpid()}"  # other benchmarks may share the server
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f"drop schema if exists {schema} cascade"))
        conn.execute(text(f"create schema {schema}"))
    engine.dispose()
    atexit.register(_drop_schema, postgres_url, schema)
    return (
        make_url(postgres_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def _drop_schema(postgres_url: str, schema: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f"drop schema if exists {schema} cascade"))
    engine.dispose()


def _run(cmd: list[str], capture: bool = False) -> str:
    result = subprocess.run(cmd, check=True, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE if capture else None)  # fmt: skip
    return result.stdout or ""


if __name__ == "__main__":
    main()
