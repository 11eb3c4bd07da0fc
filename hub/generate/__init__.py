"""Synthetic landing data for Dehua county, with the truth the hub is evaluated against.

    generate(GenerateOptions(residents=2000, seed=1, out=..., truth=...)) -> GenerateReport

builds a world from the seed (:mod:`~hub.generate.world`), renders it as each department
delivers it (:mod:`~hub.generate.render`), adds quirks (:mod:`~hub.generate.noise`) and bad
rows (:mod:`~hub.generate.badrows`), writes the files (:mod:`~hub.generate.writers`) and the
truth (:mod:`~hub.generate.truth`, :mod:`~hub.generate.manifest`). With ``next_snapshot`` it
rebuilds the same world, moves it on one month per snapshot already written
(:mod:`~hub.generate.evolve`) and writes the next delivery beside the earlier ones.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

from hub.generate.evolve import advance
from hub.generate.manifest import Manifest, read_manifest, write_manifest
from hub.generate.options import (
    FileStats,
    GenerateError,
    GenerateOptions,
    GenerateReport,
    NoiseRates,
)
from hub.generate.snapshot import write_snapshot
from hub.generate.truth import Truth
from hub.generate.world import build_world

__all__ = [
    "FileStats",
    "GenerateError",
    "GenerateOptions",
    "GenerateReport",
    "NoiseRates",
    "generate",
]


def generate(options: GenerateOptions) -> GenerateReport:
    """Write the first snapshot, or with ``options.next_snapshot`` the next one."""
    started = time.perf_counter()
    base = _parse_date(options.date)
    _check_folders(options.out, options.truth)
    if options.residents < 1:
        raise GenerateError("--residents must be at least 1")
    if options.next_snapshot:
        manifest = read_manifest(options.truth)
        _check_same_world(manifest, options)
        truth = Truth.load(options.truth)
    else:
        _remove_earlier_files(options)
        manifest = Manifest.for_options(options)
        truth = Truth()
    world = build_world(options.seed, options.residents, base, options.effective_rates)
    for _ in range(len(manifest.snapshots)):
        advance(world)
    deliveries = write_snapshot(world, options.out, truth)
    truth_files = truth.write(options.truth)
    manifest.snapshots.append(
        {
            "index": world.month,
            "date": f"{world.today:%Y%m%d}",
            "files": {
                d.stats.path: {
                    "dataset": d.stats.dataset,
                    "rows": d.stats.rows,
                    "bad_rows": d.stats.bad_rows,
                    "bytes": d.stats.bytes,
                    "truncated": d.truncated,
                    "quirks": d.quirks,
                }
                for d in deliveries
            },
        }
    )
    manifest.truth = {f.path: f.rows for f in truth_files}
    write_manifest(options.truth, manifest)
    return GenerateReport(
        snapshot=world.month,
        date=f"{world.today:%Y%m%d}",
        out=options.out,
        truth=options.truth,
        files=tuple(d.stats for d in deliveries),
        truth_files=tuple(truth_files),
        seconds=time.perf_counter() - started,
    )


def _parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise GenerateError(f"--date must be YYYYMMDD, not {text!r}") from None


def _check_folders(out: Path, truth: Path) -> None:
    landing, truth_dir = out.resolve(), truth.resolve()
    if truth_dir == landing or truth_dir.is_relative_to(landing):
        raise GenerateError("the truth folder must not be inside the landing folder")
    if landing.is_relative_to(truth_dir):
        raise GenerateError("the landing folder must not be inside the truth folder")


def _check_same_world(manifest: Manifest, options: GenerateOptions) -> None:
    expected = manifest.options(options.out, options.truth)
    for name in ("residents", "seed", "date", "noise", "rates"):
        if getattr(expected, name) != getattr(options, name):
            raise GenerateError(
                f"--next-snapshot: {name} differs from the manifest's "
                f"({getattr(options, name)!r} != {getattr(expected, name)!r})"
            )


def _remove_earlier_files(options: GenerateOptions) -> None:
    """A fresh run replaces what an earlier run generated into the same landing folder."""
    try:
        earlier = read_manifest(options.truth)
    except GenerateError:
        return
    landing = options.out.resolve()
    if Path(earlier.landing) != landing:
        return
    for file in earlier.files():
        path = (landing / file).resolve()
        if path.is_relative_to(landing) and path.is_file():
            path.unlink()
