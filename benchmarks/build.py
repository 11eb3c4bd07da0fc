"""County build: the whole pipeline from an empty database to the published model, with wall
time per stage and peak memory, on SQLite and PostgreSQL; optionally the next snapshot
processed on top of it (the incremental run).

    python benchmarks/build.py --residents 334400 --backend sqlite --backend postgresql \\
        --next-snapshot --repeat 3 --json var/bench/build.json

Each run starts from an empty database (SQLite: a new file; PostgreSQL: a new schema, dropped
after). The pipeline runs as ``hub run`` runs it, step by step through the ``hub.pipeline``
functions the Dagster assets call, in two child processes (ingest + grid; publication + Data
Docs), so each one's peak memory is its own; peaks per dataset come from resetting the
process's peak between datasets. ``--runner dagster`` runs ``hub run`` itself instead (one
process, the Dagster step durations, no finer breakdown): a cross-check of the step runner.

Stages, as issue 9 names them:

  ingest           reading files, applying snapshots, bookkeeping, migrations, grid reference
  normalise        mapping rows to records (``hub.ingest.service.map_rows``), inside ingest
  resolve houses   resolution's own ``houses`` seconds
  resolve persons  resolution's ``score`` + ``cluster`` + ``golden`` seconds
  quality          every delivery's and the publication's expectation suite, the Data Docs
  publish          resolution's ``publish`` seconds and the rest of the publication's
                   transaction (storing reports, commit)

Where the hub does not split a stage itself, timers are wrapped around its functions in the
child (``benchmarks/_probes.py``); the output says which. Landings are generated once per size
and seed under ``--work`` and reused (``--landing DIR`` reuses any landing folder, read only).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks._harness import (  # noqa: E402
    BACKENDS,
    POSTGRES_URL,
    Banner,
    BenchmarkError,
    ChildRun,
    Landing,
    add_data_arguments,
    fresh_database,
    next_landing,
    remember_database,
    resolve_landing,
    run_child,
    safe_url,
    say,
    step,
    table,
    write_json,
)
from benchmarks._stats import Summary  # noqa: E402

#: The stages of issue 9, in order, and the detailed stages each one sums.
STAGES: dict[str, tuple[str, ...]] = {
    "ingest": ("migrate", "ingest.read", "ingest.apply", "ingest.other", "grid"),
    "normalise": ("ingest.normalise",),
    "resolve houses": ("resolve.houses",),
    "resolve persons": ("resolve.score", "resolve.cluster", "resolve.golden"),
    "quality": ("quality.deliveries", "quality.publication", "docs"),
    "publish": ("resolve.publish", "resolve.other", "publication.other"),
}
#: Issue 9's targets on the 2-core machine, for the county (334,400 residents).
COUNTY = 334_400
TARGET_SECONDS = 300.0
TARGET_PEAK_MIB = 4096.0
TARGET_INCREMENTAL_RATIO = 0.1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--backend",
        action="append",
        choices=BACKENDS,
        help="sqlite (default) and/or postgresql; repeat for both",
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help="server and database for the throwaway schemas"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per backend (median shown)")
    parser.add_argument(
        "--next-snapshot",
        action="store_true",
        help="after each build, process the next month's snapshot on top",
    )
    parser.add_argument(
        "--runner",
        choices=["steps", "dagster"],
        default="steps",
        help="steps: stage breakdown (default); dagster: `hub run` itself",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the last run's database (for graphql_load.py) and print it",
    )
    parser.add_argument(
        "--digest",
        type=Path,
        metavar="DIR",
        help="write a digest of each build's published model to DIR/<backend>-<run>.txt "
        "(resolution_alone.py's digest), to compare two commits' builds",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    banner = Banner("county build: empty database -> published model")
    landing = resolve_landing(args)
    follow = next_landing(args.work, landing) if args.next_snapshot else None
    say(f"landing: {landing.path} ({landing.residents:,} residents, {landing.megabytes:.0f} MB)")
    runs: list[dict[str, Any]] = []
    for backend in args.backend or ["sqlite"]:
        for index in range(args.repeat):
            keep = args.keep and index == args.repeat - 1
            say(f"[{backend}] run {index + 1} of {args.repeat} ...")
            run = build_once(
                landing,
                backend,
                args.work,
                args.postgres_url,
                runner=args.runner,
                follow=follow,
                keep=keep,
                digest=args.digest / f"{backend}-{index + 1}.txt" if args.digest else None,
            )
            runs.append(run)
            say(f"[{backend}] run {index + 1}: {run_line(run)}")
    say("")
    report(runs, landing.residents)
    machine = banner.close()
    write_json(
        args.json,
        {
            "benchmark": "build",
            **machine,
            "residents": landing.residents,
            "landing": str(landing.path),
            "runner": args.runner,
            "runs": runs,
        },
    )


def build_once(
    landing: Landing,
    backend: str,
    work: Path,
    postgres_url: str,
    *,
    runner: str = "steps",
    follow: Landing | None = None,
    keep: bool = False,
    digest: Path | None = None,
) -> dict[str, Any]:
    """One build from an empty database (and, with ``follow``, the next snapshot on top);
    with ``digest``, a digest of the build's published model is written there."""
    folder = work / "runs" / uuid.uuid4().hex[:10]
    run: dict[str, Any] = {"backend": backend, "runner": runner}
    try:
        with fresh_database(backend, work, postgres_url, keep=keep) as url:
            run["full"] = _pipeline(runner, url, landing, folder)
            if digest is not None:
                write_digest(url, digest)
            if follow is not None:
                run["incremental"] = _pipeline(runner, url, follow, folder)
            if keep:
                remember_database(work, backend, follow or landing, url)
                run["kept_database"] = safe_url(url)
                say(f"kept the database for graphql_load.py: {safe_url(url)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run


def write_digest(url: str, path: Path) -> None:
    """A digest of the published model at ``url`` (see ``resolution_alone.digest``)."""
    from benchmarks.resolution_alone import digest
    from hub.storage.session import make_engine

    engine = make_engine(url)
    try:
        text = digest(engine)
    finally:
        engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    say(f"digest of the published model written to {path}")


def _pipeline(runner: str, url: str, landing: Landing, folder: Path) -> dict[str, Any]:
    if runner == "dagster":
        return _hub_run(url, landing, folder)
    docs = folder / "docs"
    ingest = step("ingest", url, docs, landing=landing.path)
    publish = step("publish", url, docs)
    refused = [] if publish.result.get("published") else publish.result.get("refused_by", ["?"])
    if refused:
        say(
            f"WARNING: the publication suite refused this build ({'; '.join(refused)}): the "
            "figures are of the work done, then rolled back, as the pipeline does"
        )
    seconds = {**ingest.result["seconds"], **publish.result["seconds"]}
    return {
        "seconds": seconds,
        "stages": issue_stages(seconds),
        "total": sum(issue_stages(seconds).values()),
        "wall": ingest.wall + publish.wall,  # includes interpreter start and imports
        "cpu": ingest.cpu + publish.cpu,
        "peak_mib": {"ingest": _peak(ingest), "publish": _peak(publish)},
        "baseline_mib": ingest.result.get("baseline_mib"),
        "datasets": ingest.result["datasets"],
        "rows_read": sum(d["rows_read"] for d in ingest.result["datasets"].values()),
        "kind": publish.result.get("kind"),
        "counts": publish.result.get("counts", {}),
        "refused_by": refused,
        "breakdown": ingest.result.get("breakdown"),
        "missing_probes": ingest.result["missing_probes"] + publish.result["missing_probes"],
    }


def _hub_run(url: str, landing: Landing, folder: Path) -> dict[str, Any]:
    """``hub run`` in a child: wall, CPU, peak, and the duration of each Dagster step."""
    env = {
        "HUB_DATABASE_URL": url,
        "HUB_VAR_DIR": str(folder),
        "DAGSTER_HOME": str(folder / "dagster"),
    }
    child = run_child(
        [sys.executable, "-m", "hub.cli", "run", "--landing", str(landing.path)],
        env=env,
        merge_stderr=True,
    )
    steps: dict[str, float] = {}
    for line in child.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "done" and parts[-1] == "s)":
            steps[parts[1]] = float(parts[2].lstrip("("))
    if "published: unchanged" in child.stdout or "FAILED" in child.stdout:
        raise BenchmarkError("hub run did not publish:\n" + child.stdout[-2000:])
    grouped: dict[str, float] = {}
    for key, value in steps.items():
        grouped[_dagster_group(key)] = grouped.get(_dagster_group(key), 0.0) + value
    return {
        "seconds": steps,
        "stages": grouped,
        "total": child.wall,
        "wall": child.wall,
        "cpu": child.cpu,
        "peak_mib": {"hub run": child.peak_mib},
        "datasets": {},
        "rows_read": 0,
        "counts": {},
        "breakdown": "dagster steps",
        "refused_by": [],
        "missing_probes": [],
    }


def _dagster_group(step_key: str) -> str:
    """The group a Dagster step's duration is shown under (a check under its asset)."""
    if "__" in step_key:
        return "deliveries"
    for group in ("grid_reference", "golden_records", "published_model"):
        if step_key.startswith(group):
            return group
    return step_key


def _peak(child: ChildRun) -> float:
    reported = child.result.get("peak_mib")
    return float(reported) if reported else child.peak_mib


def issue_stages(seconds: Mapping[str, float]) -> dict[str, float]:
    """Detailed stage seconds summed into issue 9's stages (those with any figure)."""
    grouped: dict[str, float] = {}
    for stage, names in components(seconds).items():
        values = [seconds[n] for n in names]
        if values:
            grouped[stage] = sum(values)
    return grouped


def components(seconds: Mapping[str, float]) -> dict[str, list[str]]:
    """The detailed stages present in ``seconds``, by issue 9's stage.

    A stage the hub reports and no stage above names is placed by its name: ``ingest.<name>``
    joins ``normalise`` when its name says so, ``ingest`` otherwise; ``resolve.<name>`` joins
    ``resolve houses``, ``publish`` or else ``resolve persons``. A finer split of a stage
    (``resolve.publish.links``: a second dot) is kept in the JSON but not summed again.

    The hub's own figures win over a probe of the same work: ``ingest.quality`` (each
    delivery's checks, as ``DeliveryReport.seconds`` says) joins ``quality`` in place of the
    ``quality.deliveries`` probe, which times the same calls (summing both counted the
    deliveries' checks twice); ``ingest.map`` (the hub's name for mapping rows) is
    ``normalise``.
    """
    found = {stage: [n for n in names if n in seconds] for stage, names in STAGES.items()}
    known = {name for names in STAGES.values() for name in names} | {"ingest.file"}
    if "ingest.quality" in seconds:
        found["quality"] = [n for n in found["quality"] if n != "quality.deliveries"]
    for name in seconds:
        if name in known or name.count(".") != 1:
            continue
        if name == "ingest.quality":
            found["quality"].insert(0, name)
        elif name.startswith("ingest."):
            normalise = "normalis" in name or name == "ingest.map"
            found["normalise" if normalise else "ingest"].append(name)
        elif name.startswith("resolve."):
            stage = "resolve persons"
            if "house" in name:
                stage = "resolve houses"
            elif "publish" in name:
                stage = "publish"
            found[stage].append(name)
    return found


def run_line(run: Mapping[str, Any]) -> str:
    full = run["full"]
    text = f"build {full['total']:.1f} s, peak {max(full['peak_mib'].values()):,.0f} MiB"
    if "incremental" in run:
        inc = run["incremental"]
        text += (
            f"; next snapshot {inc['total']:.1f} s ({inc['total'] / full['total']:.2f} "
            f"of the build), peak {max(inc['peak_mib'].values()):,.0f} MiB"
        )
    return text


def report(runs: Sequence[Mapping[str, Any]], residents: int) -> None:
    """Tables of medians (and ranges) per backend, then the targets."""
    backends = list(dict.fromkeys(r["backend"] for r in runs))
    by_backend = {b: [r for r in runs if r["backend"] == b] for b in backends}
    for phase in ("full", "incremental"):
        if not any(phase in r for r in runs):
            continue
        title = "build from an empty database" if phase == "full" else "next snapshot on top"
        counts = ", ".join(f"{len(v)} {b}" for b, v in by_backend.items())
        say(f"{title} (seconds, median (min-max) of {counts} runs):")
        say(stage_table(by_backend, phase))
        say("")
    say(memory_table(by_backend))
    say("")
    say(dataset_table(by_backend))
    notes = {
        n for r in runs for p in ("full", "incremental") if p in r for n in r[p]["missing_probes"]
    }
    breakdown = {r["full"]["breakdown"] for r in runs}
    refused = sorted(
        {
            f"{r['backend']} {p}: {'; '.join(r[p]['refused_by'])}"
            for r in runs
            for p in ("full", "incremental")
            if r.get(p, {}).get("refused_by")
        }
    )
    for line in refused:
        say(f"REFUSED publication ({line}): those runs' figures end in a rollback")
    say(
        f"\nbreakdown from: {', '.join(sorted(breakdown))}"
        + (f"; probes not found (stage left out): {', '.join(sorted(notes))}" if notes else "")
    )
    say("")
    targets(by_backend, residents)


def stage_table(by_backend: Mapping[str, Sequence[Mapping[str, Any]]], phase: str) -> str:
    phased = [r[phase] for runs in by_backend.values() for r in runs if phase in r]
    labels: list[tuple[str, str]] = []  # (label, key in "stages" or "seconds")
    if phased and phased[0]["breakdown"] == "dagster steps":
        for group in phased[0]["stages"]:
            labels.append((group, group))
            labels += [
                (f"  {name}", name)
                for name in phased[0]["seconds"]
                if _dagster_group(name) == group and name != group
            ]
    else:
        for stage in STAGES:
            names = list(dict.fromkeys(n for p in phased for n in components(p["seconds"])[stage]))
            if names:
                labels.append((stage, stage))
                labels += [(f"  {n}", n) for n in names] if len(names) > 1 else []
    rows = []
    for label, key in labels:
        row = [label]
        for runs in by_backend.values():
            values = [
                r[phase]["stages"].get(key, r[phase]["seconds"].get(key))
                for r in runs
                if phase in r
            ]
            found = [float(v) for v in values if v is not None]
            row.append(Summary.of(found).text() if found else "-")
        rows.append(row)
    for label, key in (
        ("total (sum of stages)", "total"),
        ("children's wall (with start-up)", "wall"),
        ("CPU", "cpu"),
    ):
        rows.append([label, *[_summary(runs, phase, key) for runs in by_backend.values()]])
    return table(["stage", *by_backend], rows)


def _summary(runs: Sequence[Mapping[str, Any]], phase: str, key: str) -> str:
    values = [float(r[phase][key]) for r in runs if phase in r]
    return Summary.of(values).text() if values else "-"


def memory_table(by_backend: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    rows = []
    for backend, runs in by_backend.items():
        for phase in ("full", "incremental"):
            phased = [r[phase] for r in runs if phase in r]
            if not phased:
                continue
            for child in phased[0]["peak_mib"]:
                peaks = [p["peak_mib"][child] for p in phased]
                rows.append([f"{backend} {phase} {child}", Summary.of(peaks).text(" MiB", 0)])
    return table(["peak memory (child process)", "median (min-max)"], rows)


def dataset_table(by_backend: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    rows = []
    for backend, runs in by_backend.items():
        fulls = [r["full"] for r in runs]
        for key in fulls[0]["datasets"]:
            figures = [f["datasets"][key] for f in fulls]
            seconds = Summary.of([d["seconds"] for d in figures])
            rows_read = figures[0]["rows_read"]
            peaks = [d["peak_mib"] for d in figures if d["peak_mib"] is not None]
            rate = f"{rows_read / seconds.median:,.0f}" if seconds.median else "-"
            rows.append(
                [
                    f"{backend} {key}",
                    f"{rows_read:,}",
                    seconds.text(" s"),
                    rate,
                    Summary.of(peaks).text(" MiB", 0) if peaks else "-",
                ]
            )
    return table(["dataset (build, ingest + checks)", "rows", "seconds", "rows/s", "peak"], rows)


def targets(by_backend: Mapping[str, Sequence[Mapping[str, Any]]], residents: int) -> None:
    if residents < COUNTY:
        say(
            f"targets (issue 9) are for the county ({COUNTY:,} residents); this was "
            f"{residents:,}: figures above are not checked against them"
        )
        return
    for backend, runs in by_backend.items():
        total = Summary.of([r["full"]["total"] for r in runs]).median
        peak = Summary.of([max(r["full"]["peak_mib"].values()) for r in runs]).median
        say(
            f"[{backend}] build {total:.0f} s (target < {TARGET_SECONDS:.0f} s: "
            f"{_verdict(total < TARGET_SECONDS)}), peak {peak:,.0f} MiB (target < "
            f"{TARGET_PEAK_MIB:,.0f} MiB: {_verdict(peak < TARGET_PEAK_MIB)})"
        )
        ratios = [
            r["incremental"]["total"] / r["full"]["total"] for r in runs if "incremental" in r
        ]
        if ratios:
            ratio = Summary.of(ratios).median
            say(
                f"[{backend}] next snapshot {ratio:.2f} of the build, measured in the same run "
                f"(target < {TARGET_INCREMENTAL_RATIO}: "
                f"{_verdict(ratio < TARGET_INCREMENTAL_RATIO)})"
            )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"build benchmark failed: {err}")
