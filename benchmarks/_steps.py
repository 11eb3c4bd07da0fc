"""What a benchmark's child process runs: one step of the pipeline, timed from inside.

    python -m benchmarks._steps ingest  --url URL --landing DIR --docs DIR
    python -m benchmarks._steps publish --url URL --docs DIR [--full]
    python -m benchmarks._steps load    --url URL --docs DIR --landing DIR --dataset KEY [--copy]

``ingest`` migrates the database, then ingests and validates every dataset's new files in
catalogue order and rebuilds the grid reference (the delivery and grid assets of ``hub run``);
``publish`` resolves, validates and publishes (``golden_records``), then reads the published
model and rebuilds the Data Docs (``published_model``). Both call the ``hub.pipeline``
functions the Dagster assets call. ``load`` is the bulk load alone, for ``ingest_limit.py``.
Imports (Great Expectations takes seconds) happen before the clock starts and are reported
apart.

The child prints one line ``BENCH-RESULT {json}`` with seconds per stage, figures per
dataset, counts, and peak memory per stage and overall (MiB).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks._probes import Peaks, Stopwatch, rss_mib

RESULT_MARK = "BENCH-RESULT "


def ingest(url: str, landing: Path, docs: Path) -> dict[str, Any]:
    """Migrate, then every dataset's new deliveries and the grid reference, timed."""
    started = time.perf_counter()
    import hub.ingest.service as service
    import hub.pipeline as pipeline
    import hub.quality.runner as runner
    from hub.sources.catalog import DATASETS
    from hub.storage import migrate
    from hub.storage.session import make_engine, session_factory

    imports = time.perf_counter() - started
    watch, peaks = Stopwatch(), Peaks()
    baseline = rss_mib()
    reported = _reports_seconds(service.DeliveryReport)
    if not reported:  # the hub does not split ingest itself yet: probe read and normalise
        watch.probe(service, "read_delivery", "ingest.read")
        watch.probe(service, "map_rows", "ingest.normalise")
    watch.probe(pipeline, "ingest_file", "ingest.file")
    watch.probe(runner, "check_delivery", "quality.deliveries")

    lap = time.perf_counter()
    migrate.upgrade(url)
    watch.add("migrate", time.perf_counter() - lap)
    peaks.stage()
    engine = make_engine(url)
    factory = session_factory(engine)
    datasets: dict[str, dict[str, Any]] = {}
    try:
        for dataset in DATASETS:
            lap = time.perf_counter()
            checked = pipeline.ingest_dataset(factory, landing, dataset, docs_dir=docs)
            took = time.perf_counter() - lap
            watch.add("ingest.datasets", took)
            for item in checked:
                for stage, value in (getattr(item.report, "seconds", None) or {}).items():
                    watch.add(f"ingest.{stage}", float(value))
            datasets[dataset.key] = {
                "seconds": took,
                "files": len(checked),
                "rows_read": sum(c.report.rows_read for c in checked),
                "rows_loaded": sum(c.report.rows_loaded for c in checked),
                "rows_quarantined": sum(c.report.rows_quarantined for c in checked),
                "refused": [c.report.file for c in checked if not c.applied],
                "peak_mib": peaks.stage(),
            }
        lap = time.perf_counter()
        grid = pipeline.refresh_grid(factory)
        watch.add("grid", time.perf_counter() - lap)
        peaks.stage()
    finally:
        engine.dispose()
    seconds = dict(watch.seconds)
    if not reported and "ingest.file" in seconds:
        inner = seconds.get("ingest.read", 0.0) + seconds.get("ingest.normalise", 0.0)
        seconds["ingest.apply"] = seconds["ingest.file"] - inner
    seconds["ingest.other"] = (
        seconds.pop("ingest.datasets", 0.0)
        - seconds.get("ingest.file", 0.0)
        - seconds.get("quality.deliveries", 0.0)
    )
    return {
        "step": "ingest",
        "imports": imports,
        "seconds": _rounded(seconds),
        "datasets": datasets,
        "counts": {"grids": _grid_count(grid)},
        "breakdown": "report" if reported else "probes",
        "missing_probes": watch.missing,
        "baseline_mib": baseline,
        "peak_mib": peaks.overall,
    }


def publish(url: str, docs: Path, full: bool) -> dict[str, Any]:
    """Resolve, validate and publish, then read the published model and rebuild the docs."""
    started = time.perf_counter()
    import hub.pipeline as pipeline
    import hub.quality.runner as runner
    from hub.storage.session import make_engine, session_factory

    imports = time.perf_counter() - started
    watch, peaks = Stopwatch(), Peaks()
    baseline = rss_mib()
    resolutions: list[Any] = []
    watch.probe(pipeline, "resolve", "resolve", keep=resolutions.append)
    watch.probe(runner, "check_publication", "quality.publication")
    engine = make_engine(url)
    factory = session_factory(engine)
    try:
        lap = time.perf_counter()
        outcome = pipeline.build_publication(factory, full=full, docs_dir=docs)
        build = time.perf_counter() - lap
        build_peak = peaks.stage()
        lap = time.perf_counter()
        with factory() as session:
            model = pipeline.published_model(session)
        pipeline.refresh_data_docs(factory, docs)
        watch.add("docs", time.perf_counter() - lap)
        docs_peak = peaks.stage()
    finally:
        engine.dispose()
    seconds = dict(watch.seconds)
    report_seconds = (
        getattr(resolutions[-1], "seconds", None) if resolutions else None
    ) or getattr(outcome, "seconds", None)
    for stage, value in (report_seconds or {}).items():
        seconds[f"resolve.{stage}"] = float(value)
    if report_seconds and "resolve" in seconds:
        seconds["resolve.other"] = seconds["resolve"] - sum(report_seconds.values())
    seconds["publication.other"] = (
        build - seconds.pop("resolve", 0.0) - seconds.get("quality.publication", 0.0)
    )
    counts = {k: v for k, v in outcome.counts.items() if isinstance(v, int)}
    counts.update(published_persons=model.persons, published_houses=model.houses)
    return {
        "step": "publish",
        "imports": imports,
        "seconds": _rounded(seconds),
        "kind": outcome.kind,
        "published": outcome.published,
        "refused_by": [
            f"{o.expectation}({o.column or ''}): {o.unexpected_count} unexpected"
            for o in outcome.quality.blocking_failures
        ],
        "counts": counts,
        "missing_probes": watch.missing,
        "baseline_mib": baseline,
        "stage_peaks_mib": {"build": build_peak, "docs": docs_peak},
        "peak_mib": peaks.overall,
    }


def load(url: str, landing: Path, dataset_key: str, copy: bool) -> dict[str, Any]:
    """One dataset's files through the hub's bulk load (``ingest_file``, no checks), each in
    one transaction; with ``copy`` (PostgreSQL), the same rows then ``COPY``-ed again."""
    started = time.perf_counter()
    import hub.ingest.service as service
    from hub.sources.catalog import BY_KEY
    from hub.sources.landing import discover
    from hub.storage import migrate
    from hub.storage.session import make_engine, session_factory

    imports = time.perf_counter() - started
    watch, peaks = Stopwatch(), Peaks()
    if not _reports_seconds(service.DeliveryReport):
        watch.probe(service, "read_delivery", "read")
        watch.probe(service, "map_rows", "normalise")
    migrate.upgrade(url)
    files = [d for d in discover(landing).deliveries if d.dataset.key == dataset_key]
    if not files:
        raise SystemExit(f"no {dataset_key} delivery in {landing} ({BY_KEY.keys()})")
    engine = make_engine(url)
    factory = session_factory(engine)
    rows_read = 0
    try:
        lap = time.perf_counter()
        for item in files:
            with factory() as session, session.begin():
                report = service.ingest_file(session, item)
            rows_read += report.rows_read
            for stage, value in (getattr(report, "seconds", None) or {}).items():
                watch.add(stage, float(value))
        seconds = dict(watch.seconds)
        seconds["load"] = time.perf_counter() - lap
        if "read" in seconds and "normalise" in seconds:
            seconds["apply"] = seconds["load"] - seconds["read"] - seconds["normalise"]
        load_peak = peaks.stage()
        copies = _copy_rows(engine, dataset_key) if copy else {}
    finally:
        engine.dispose()
    return {
        "step": "load",
        "imports": imports,
        "dataset": dataset_key,
        "files": len(files),
        "rows_read": rows_read,
        "seconds": _rounded(seconds),
        "copy": copies,
        "missing_probes": watch.missing,
        "load_peak_mib": load_peak,
        "peak_mib": peaks.overall,
    }


def _copy_rows(engine: Any, dataset_key: str) -> dict[str, Any]:
    """The rows the hub wrote, ``COPY``-ed into copies of ``source_record``: without any
    index, with the same indexes, and (server only) from text formatted beforehand."""
    from hub.storage.models import SourceRecord

    columns = [c.name for c in SourceRecord.__table__.columns]
    names = ", ".join(columns)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute(
                f"select {', '.join(f'{c}::text' for c in columns)} from source_record "
                "where dataset = %s order by id",
                (dataset_key,),
            )
            rows = cur.fetchall()
        conn.commit()
        text = "".join("\t".join(_copy_text(v) for v in row) + "\n" for row in rows)
        figures: dict[str, Any] = {"rows": len(rows)}
        for label, like, preformatted in (
            ("unindexed", "", False),
            ("unindexed, text prepared", "", True),
            ("indexed like source_record", " including all", False),
        ):
            with conn.cursor() as cur:
                cur.execute(f"create table bench_copy (like source_record{like})")
            conn.commit()
            lap = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"copy bench_copy ({names}) from stdin") as out:
                if preformatted:
                    out.write(text)
                else:
                    for row in rows:
                        out.write_row(row)
            conn.commit()
            figures[label] = time.perf_counter() - lap
            with conn.cursor() as cur:
                cur.execute("drop table bench_copy")
            conn.commit()
        return figures
    finally:
        raw.close()


def _copy_text(value: str | None) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _rounded(seconds: dict[str, float]) -> dict[str, float]:
    """Milliseconds are plenty; differences of sums lose their float dust (and ``-0.0``)."""
    return {name: round(value, 3) + 0.0 for name, value in seconds.items()}


def _reports_seconds(report_type: type) -> bool:
    """Whether the hub's delivery report carries its own ``seconds`` breakdown."""
    fields = getattr(report_type, "__dataclass_fields__", {})
    return "seconds" in fields


def _grid_count(summary: Any) -> int:
    grids = getattr(summary, "grids", None)
    return sum(grids.values()) if isinstance(grids, dict) else 0


def emit(result: dict[str, Any]) -> None:
    """The one line the parent reads."""
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("step", choices=["ingest", "publish", "load"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--landing", type=Path)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--dataset", help="load: the dataset key, e.g. weijian.vaccination")
    parser.add_argument("--copy", action="store_true", help="load: COPY the rows again (PG)")
    args = parser.parse_args(argv)
    if args.step in ("ingest", "load") and args.landing is None:
        parser.error(f"{args.step} needs --landing")
    if args.step == "ingest":
        emit(ingest(args.url, args.landing, args.docs))
    elif args.step == "load":
        emit(load(args.url, args.landing, args.dataset, args.copy))
    else:
        emit(publish(args.url, args.docs, args.full))


if __name__ == "__main__":
    main()
