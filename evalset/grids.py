"""The grid hierarchy (综治网格): township, first-level grid (one village or community), unit
grid (``英山社区第二网格``), responsibility grid (``英山社区第二网格3号责任网格``), in the
county's proportions (217 : 618 : 794 for 334,400 residents), each responsibility grid covering
a run of neighbouring buildings, and each unit and responsibility grid with its worker.
"""

from __future__ import annotations

from datetime import date

from evalset import names
from evalset.model import Building, Grid, Person
from evalset.noise import Noise
from evalset.places import COUNTY_GRIDS, COUNTY_RESIDENTS, TOWNSHIPS, Village, allot
from evalset.seeds import Rng
from evalset.unique import Unique

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")


def build_grids(
    villages: list[Village],
    buildings: list[Building],
    residents: int,
    residents_by_village: dict[str, int],
) -> list[Grid]:
    """Every grid, parents before children; sets ``Building.grid`` and ``Village.units``."""
    scale = residents / COUNTY_RESIDENTS
    first = len(villages)
    unit_total = max(first, round(COUNTY_GRIDS["unit"] * scale))
    resp_total = max(unit_total, round(COUNTY_GRIDS["responsibility"] * scale))
    weights = [max(1, residents_by_village.get(v.code, 0)) for v in villages]
    units_per_village = allot(unit_total, [float(w) for w in weights], [1] * first)
    resp_per_village = allot(resp_total, [float(w) for w in weights], units_per_village)
    by_village: dict[str, list[Building]] = {}
    for building in buildings:
        by_village.setdefault(building.village.code, []).append(building)
    grids = [Grid(code=t.code, name=t.name, level="乡镇", parent="") for t in TOWNSHIPS]
    for village, units, resps in zip(villages, units_per_village, resp_per_village, strict=True):
        grids.append(
            Grid(
                code=village.code, name=village.name, level="一级网格", parent=village.township.code
            )
        )
        in_village = sorted(
            by_village.get(village.code, []), key=lambda b: (b.road, _door_number(b.door), b.code)
        )
        resp_per_unit = allot(resps, [1.0] * units, [1] * units)
        blocks = _split(in_village, resps)
        block = 0
        village.units = []
        for u in range(1, units + 1):
            unit_code = f"{village.code}{u:03d}"
            unit_name = f"{village.name}第{numeral(u)}网格"
            village.units.append(unit_code)
            grids.append(
                Grid(code=unit_code, name=unit_name, level="单元网格", parent=village.code)
            )
            for r in range(1, resp_per_unit[u - 1] + 1):
                resp = Grid(
                    code=f"{unit_code}{r:02d}",
                    name=f"{unit_name}{r}号责任网格",
                    level="责任网格",
                    parent=unit_code,
                    buildings=blocks[block],
                )
                block += 1
                for building in resp.buildings:
                    building.grid = resp.code
                grids.append(resp)
    return grids


def _door_number(door: str) -> int:
    digits = "".join(c for c in door.split("-")[0] if c.isdigit())
    return int(digits) if digits else 0


def _split(buildings: list[Building], parts: int) -> list[list[Building]]:
    """Consecutive runs of buildings with about the same number of houses each; a compound's
    buildings stay together."""
    weights = [max(1, len(b.houses)) for b in buildings]
    total = sum(weights)
    runs: list[list[Building]] = [[] for _ in range(parts)]
    acc = 0
    for building, weight in zip(buildings, weights, strict=True):
        index = min(parts - 1, acc * parts // max(1, total))
        if building.compound and building.compound[0] is not building:
            index = next(i for i, run in enumerate(runs) if building.compound[0] in run)
        runs[index].append(building)
        acc += weight
    return runs


def staff(
    grids: list[Grid],
    people_by_grid: dict[str, list[Person]],
    today: date,
    rng: Rng,
    noise: Noise,
    unique: Unique,
) -> None:
    """A worker for every unit and responsibility grid: a resident of the grid aged 25-55
    (of the village when the grid has none), sometimes the same person for a unit grid and
    one of its responsibility grids. Some use a work mobile no other record holds."""
    taken: set[str] = set()
    for grid in grids:
        if grid.level not in ("单元网格", "责任网格"):
            continue
        worker = None
        if grid.level == "单元网格" and rng.chance(0.3):
            children = [g for g in grids if g.parent == grid.code and g.worker]
            if children:
                worker = children[0].worker
        if worker is None:
            worker = candidate(grid.code, people_by_grid, taken, today, rng)
        if worker is None:
            continue
        taken.add(worker.key)
        grid.worker = worker
        grid.worker_name = worker.name
        if noise.hit("wangge.name_typo"):
            grid.worker_name = names.homophone(worker.name, len(worker.surname), rng) or worker.name
        if worker.phone and not noise.hit("wangge.work_phone"):
            grid.worker_phone = worker.phone
        else:
            grid.worker_phone = unique.mobile()


def candidate(
    code: str, people_by_grid: dict[str, list[Person]], taken: set[str], today: date, rng: Rng
) -> Person | None:
    for prefix in (code, code[:15], code[:12], code[:9]):
        pool = [
            p
            for key, people in people_by_grid.items()
            if key.startswith(prefix)
            for p in people
            if p.active and p.key not in taken and not p.floating and 25 <= p.age_on(today) <= 55
        ]
        if pool:
            return rng.pick(pool)
    return None
