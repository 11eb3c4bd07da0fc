"""One snapshot's deliveries: every dataset's file on the snapshot date, plus what lands beside
them (a ``.tmp`` copy in progress, a copy whose name breaks the pattern, Excel's lock file),
and half-written last lines.

Run with ``landing=None`` when replaying earlier snapshots: the same draws are made and the same
records marked delivered, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from evalset import files, names
from evalset.datasets import (
    ADDRESS,
    ASSISTANCE,
    DOOR_PLATE,
    GRID,
    HEALTH_GROUP,
    MEMBER,
    POPULATION,
    REPORT,
    VACCINATION,
    dangjian,
    gongan,
    minzheng,
)
from evalset.model import Grid
from evalset.places import TOWNSHIPS
from evalset.seeds import Rng

if TYPE_CHECKING:
    from evalset.world import World

GRID_HEADER = ["网格编码", "网格名称", "层级", "上级编码", "网格员", "网格员电话", "楼栋编码"]


@dataclass(slots=True)
class File:
    dataset: str
    path: str  # relative to the landing folder
    record_ids: list[str]  # in file order
    render: Callable[[], bytes]
    encoding: str  # of a line-based file; "" for xlsx / GeoJSON
    truncated: bool = False


@dataclass(slots=True)
class Delivered:
    """Which records reached the hub complete, and which only as a broken last line."""

    complete: set[tuple[str, str]] = field(default_factory=set)
    broken: dict[tuple[str, str], str] = field(default_factory=dict)  # -> file path


def snapshot_files(world: World) -> list[File]:
    d = world.datasets
    day = f"{world.today:%Y%m%d}"
    pop_rows = sorted(d.population.rows.values(), key=lambda r: (r.household, r.record_id))
    houses = sorted((h for h in world.houses if h.ended is None), key=lambda h: h.code)
    assistance = sorted(
        (r for r in d.assistance.values() if not r.gone),
        key=lambda r: (_township_order(r.township), r.record_id),
    )
    doses = sorted(d.immunisation.doses(), key=lambda x: x.record_id)
    groups = sorted(
        (r for r in d.health_groups.records.values() if not r.gone), key=lambda r: r.record_id
    )
    members = sorted((r for r in d.members.values() if not r.gone), key=lambda r: r.record_id)
    plates = sorted((p for p in d.plates.values() if not p.gone), key=lambda p: p.record_id)
    reports = sorted(d.reports.events.values(), key=lambda r: r.event_id)
    grid_rows = sorted(world.grids, key=lambda g: g.code)
    month = f"{world.today:%Y%m}"
    title = f"德化县{world.today.year}年{world.today.month}月救助对象花名册"
    footer = _footer(world, assistance)
    saved = datetime(world.today.year, world.today.month, world.today.day, 17, 30)
    return [
        File(
            POPULATION,
            f"gongan/人口_{day}.csv",
            [r.record_id for r in pop_rows],
            lambda: files.csv_bytes(
                gongan.POPULATION_HEADER, (r.values() for r in pop_rows), "gb18030"
            ),
            "gb18030",
        ),
        File(
            ADDRESS,
            f"gongan/标准地址_{day}.csv",
            [h.code for h in houses],
            lambda: files.csv_bytes(
                gongan.ADDRESS_HEADER, (gongan.address_values(h) for h in houses), "gb18030"
            ),
            "gb18030",
        ),
        File(
            ASSISTANCE,
            f"minzheng/救助对象_{month}.xlsx",
            [r.record_id for r in assistance],
            lambda: files.xlsx_bytes(
                "救助对象", title, minzheng.HEADER, (r.cells for r in assistance), footer, saved
            ),
            "",
        ),
        File(
            VACCINATION,
            f"weijian/接种记录_{day}.jsonl",
            [x.record_id for x in doses],
            lambda: files.jsonl_bytes(x.obj() for x in doses),
            "utf-8",
        ),
        File(
            HEALTH_GROUP,
            f"weijian/重点人群_{day}.jsonl",
            [r.record_id for r in groups],
            lambda: files.jsonl_bytes(r.obj() for r in groups),
            "utf-8",
        ),
        File(
            MEMBER,
            f"dangjian/党员_{day}.csv",
            [r.record_id for r in members],
            lambda: files.csv_bytes(dangjian.HEADER, (r.values for r in members), "utf-8-sig"),
            "utf-8-sig",
        ),
        File(
            DOOR_PLATE,
            f"chengguan/门牌_{day}.geojson",
            [p.record_id for p in plates],
            lambda: files.geojson_bytes([p.feature() for p in plates]),
            "",
        ),
        File(
            REPORT,
            f"chengguan/随手拍_{day}.jsonl",
            [r.event_id for r in reports],
            lambda: files.jsonl_bytes(r.obj() for r in reports),
            "utf-8",
        ),
        File(
            GRID,
            f"wangge/网格_{day}.csv",
            [g.code for g in grid_rows],
            lambda: files.csv_bytes(GRID_HEADER, (_grid_values(g) for g in grid_rows), "utf-8"),
            "utf-8",
        ),
    ]


def _township_order(name: str) -> int:
    return next((i for i, t in enumerate(TOWNSHIPS) if t.name == name), len(TOWNSHIPS))


def _grid_values(grid: Grid) -> list[str]:
    buildings = ";".join(b.code for b in grid.buildings) if grid.level == "责任网格" else ""
    return [
        grid.code,
        grid.name,
        grid.level,
        grid.parent,
        grid.worker_name,
        grid.worker_phone,
        buildings,
    ]


def _footer(world: World, rows: list[minzheng.AssistanceRow]) -> list[list[object]]:
    rng = world.rng.child("minzheng-footer", world.snapshot)
    if not world.noise.hit("rows.footer", rng=rng):
        return []
    total = sum(r.covered for r in rows)
    clerk = names.surname(rng) + names.given_name("女", 1985, rng)
    checker = names.surname(rng) + names.given_name("男", 1975, rng)
    return [
        [],
        ["合计", f"{len(rows)}户", "", "", "", "", "", total],
        [
            f"制表人：{clerk}",
            "",
            "",
            f"审核人：{checker}",
            "",
            "",
            f"制表日期：{world.today:%Y年%m月%d日}",
        ],
    ]


def deliver(world: World, landing: Path | None, delivered: Delivered) -> list[str]:
    """Mark (and, given ``landing``, write) the snapshot's files; return the paths written."""
    rng = world.rng.child("delivery", world.snapshot)
    noise = world.noise
    written: list[str] = []
    snapshot = snapshot_files(world)
    earlier = _deliveries_on_disk(landing, snapshot)
    for file in snapshot:
        ids = file.record_ids
        line_based = file.encoding != "" and file.dataset != GRID
        if line_based and ids and noise.hit("file.truncated", rng=rng):
            file.truncated = True
        complete = ids[:-1] if file.truncated else ids
        delivered.complete.update((file.dataset, i) for i in complete)
        if file.truncated:
            delivered.broken[(file.dataset, ids[-1])] = file.path
        cut = rng.uniform(0.2, 0.8)
        if landing is None:
            continue
        data = file.render()
        if file.truncated:
            data = files.truncate_last_line(data, file.encoding, cut)
        files.write(landing / file.path, data)
        written.append(file.path)
    extras = _extras(world, snapshot, rng)
    if world.snapshot > 0 and noise.hit("file.redelivered", rng=rng):
        previous = _previous(landing, earlier, rng)
        if previous is not None:
            extras.append(previous)
    if landing is not None:
        for path, make in extras:
            files.write(landing / path, make())
            written.append(path)
    return written


def _deliveries_on_disk(landing: Path | None, snapshot: list[File]) -> list[str]:
    """Deliveries of earlier snapshots in the landing folder (not this snapshot's)."""
    if landing is None or not landing.is_dir():
        return []
    names = {f.path.split("/")[-1].rsplit("_", 1)[0] for f in snapshot}
    current = {f.path for f in snapshot}
    found = []
    for path in sorted(landing.glob("*/*")):
        relative = path.relative_to(landing).as_posix()
        stem = path.name.rsplit("_", 1)[0]
        tail = path.name.rsplit("_", 1)[-1].split(".")[0]
        if (
            relative not in current
            and stem in names
            and tail.isdigit()
            and path.name.count(".") == 1
        ):
            found.append(relative)
    return found


def _previous(
    landing: Path | None, earlier: list[str], rng: Rng
) -> tuple[str, Callable[[], bytes]] | None:
    """A file of an earlier snapshot, to arrive again with the same bytes."""
    if landing is None or not earlier:
        return None
    path = rng.pick(earlier)
    data = (landing / path).read_bytes()
    return path, lambda: data


def _extras(world: World, snapshot: list[File], rng: Rng) -> list[tuple[str, Callable[[], bytes]]]:
    """Files that land beside the deliveries and are not deliveries."""
    noise = world.noise
    out: list[tuple[str, Callable[[], bytes]]] = []
    line_files = [f for f in snapshot if f.encoding]
    if noise.hit("file.tmp", rng=rng):
        source = rng.pick(line_files)
        data = source.render()
        out.append((source.path + ".tmp", lambda: data[: len(data) // 2]))
    if noise.hit("file.bad_name", rng=rng):
        source = rng.pick(snapshot)
        stem, _, ext = source.path.rpartition(".")
        broken = rng.pick(
            (
                f"{stem}(1).{ext}",
                f"{stem} - 副本.{ext}",
                f"{stem}.{ext}.bak",
                f"{stem.replace('_', '-')}.{ext}",
            )
        )
        out.append((broken, source.render))
    if noise.hit("file.excel_lock", rng=rng):
        workbook = next(f for f in snapshot if f.dataset == ASSISTANCE)
        folder, _, name = workbook.path.rpartition("/")
        out.append((f"{folder}/~${name}", lambda: files.excel_lock_bytes("县民政局")))
    return out
