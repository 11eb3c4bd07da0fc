"""Write one delivery: every dataset's file for the world's current date, and its truth."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from hub.generate import writers
from hub.generate.badrows import TRUNCATABLE, BadRows, Entry
from hub.generate.dice import Dice
from hub.generate.options import FileStats
from hub.generate.render import Context, Rendered, renderers
from hub.generate.truth import Truth
from hub.generate.world import World
from hub.sources.catalog import ADDRESSES, BY_KEY, GRIDS, REPORTS, Dataset, FileFormat

TITLE = "德化县{year}年{month}月救助对象花名册"
EXPORT_TIME = time(9, 0)  # fixed file timestamps (workbook metadata), for reproducible bytes
CLEAN_DATASETS = (GRIDS.key,)  # reference data: no bad rows, never half-written


@dataclass(frozen=True, slots=True)
class Delivery:
    """One file written, with the quirks it carries (for the manifest)."""

    stats: FileStats
    truncated: bool
    quirks: dict[str, int]


def write_snapshot(world: World, out: Path, truth: Truth) -> list[Delivery]:
    """Write every dataset's file for ``world.today`` under ``out``; add its truth."""
    on = world.today
    token = f"{on:%Y%m%d}"
    ctx = Context(world, Dice(world.seed), on, world.month)
    truncated = truncated_datasets(world.seed, world.month, world.rates.truncated_file)
    deliveries = []
    for key, renderer in renderers().items():
        dataset = BY_KEY[key]
        file = dataset.file_name(token)  # file names are unique across sources
        path = f"{dataset.source}/{file}"
        rendered = Rendered(dataset)
        rows = renderer(ctx, rendered)
        if key in CLEAN_DATASETS:
            entries: Iterable[Entry] = (Entry(row) for row in rows)
        else:
            rng = random.Random(f"{world.seed}/bad/{world.month}/{key}")
            junk = junk_ids(world, dataset)
            bad = BadRows(dataset, world.rates, rng, junk, truncate=key in truncated)
            entries = bad.stream(rows)
        truth.forget_file(file)
        tally = _Tally()
        size = writers.write(
            dataset,
            out / path,
            _track(entries, tally, truth, dataset, file),
            title=TITLE.format(year=on.year, month=on.month),
            when=datetime.combine(on, EXPORT_TIME),
        )
        _add_truth(truth, rendered)
        stats = FileStats(path, key, tally.rows, tally.bad, size)
        deliveries.append(Delivery(stats, key in truncated, dict(sorted(rendered.quirks.items()))))
    return deliveries


def truncated_datasets(seed: int, month: int, rate: float) -> list[str]:
    """The datasets whose file in this snapshot is half-written (at least one if rate > 0)."""
    eligible = [
        d.key
        for d in BY_KEY.values()
        if d.file_format in TRUNCATABLE and d.key not in CLEAN_DATASETS
    ]
    if rate <= 0:
        return []
    count = min(len(eligible), max(1, round(rate * len(eligible))))
    return sorted(random.Random(f"{seed}/truncate/{month}").sample(eligible, count))


def junk_ids(world: World, dataset: Dataset) -> Callable[[int], str]:
    """Record ids for made-up bad rows of a dataset in this snapshot, never a real one."""
    ids = world.ids
    month = world.month
    if dataset is ADDRESSES:
        buildings = world.buildings
        return lambda i: buildings[i % len(buildings)].code + f"{9000 + i // len(buildings):04d}"
    if dataset is REPORTS:
        token = f"{world.today:%Y%m%d}"
        return lambda i: f"CG{token}{ids.report.junk(month, i)}"
    space = {
        "gongan.population": ids.population,
        "minzheng.assistance": ids.assistance,
        "weijian.vaccination": ids.vaccination,
        "weijian.health_group": ids.health,
        "dangjian.member": ids.party,
        "chengguan.door_plate": ids.door_plate,
    }[dataset.key]
    return lambda i: space.junk(month, i)


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    bad: int = 0


def _first_line(dataset: Dataset) -> int:
    """Line (or sheet row, or feature number) of the first data row."""
    if dataset.file_format in (FileFormat.CSV, FileFormat.XLSX):
        return dataset.header_row + 1
    return 1


def _track(
    entries: Iterable[Entry], tally: _Tally, truth: Truth, dataset: Dataset, file: str
) -> Iterator[writers.Item]:
    first = _first_line(dataset)
    for entry in entries:
        if entry.reason is not None:
            truth.add_bad_row(dataset.key, file, first + tally.rows, entry.record_id, entry.reason)
            tally.bad += 1
        tally.rows += 1
        yield entry.item


def _add_truth(truth: Truth, rendered: Rendered) -> None:
    key = rendered.dataset.key
    for record_id, person in rendered.persons:
        truth.add_person(key, record_id, person)
    for record_id, house, building in rendered.houses:
        truth.add_house(key, record_id, house, building)
    for record_id, column, code in rendered.issues:
        truth.add_issue(key, record_id, column, code)
