"""The grid hierarchy: 18 townships, 217 villages, 618 unit grids, 794 responsibility grids.

The hierarchy is the county's reference data and has its full size whatever the number of
residents; it is built from a fixed seed so every generated world shares it.
"""

from __future__ import annotations

import random

from hub.generate.idcard import PhoneBook
from hub.generate.model import RespGrid, Township, UnitGrid, Village
from hub.generate.names import NamePicker
from hub.generate.places import (
    CENTRAL_NAMES,
    CENTRAL_SHARES,
    TOWNSHIP_LAYOUT,
    URBAN_STREETS,
    VILLAGE_STEMS,
    chinese_number,
)
from hub.sources.catalog import COUNTY_CODE, TOWNSHIPS

UNIT_GRIDS = 618
RESP_GRIDS = 794
GEOGRAPHY_SEED = 350526
COMMUNITY_WEIGHT = 3.0  # a community houses about three times a village's people


def build_geography() -> list[Township]:
    """The county's townships with their villages and grids (deterministic, seed-free)."""
    rng = random.Random(GEOGRAPHY_SEED)
    townships = [_township(name) for name in TOWNSHIPS]
    stems = iter(VILLAGE_STEMS)
    street_pool = list(URBAN_STREETS)
    rng.shuffle(street_pool)
    rural_total = sum(TOWNSHIP_LAYOUT[t.name][3] for t in townships if t.name not in CENTRAL_SHARES)
    rural_share = 1.0 - sum(CENTRAL_SHARES.values())
    for township in townships:
        _, _, _, n_villages, n_communities = TOWNSHIP_LAYOUT[township.name]
        if township.name in CENTRAL_NAMES:
            communities, villages = CENTRAL_NAMES[township.name]
            share = CENTRAL_SHARES[township.name]
        else:
            communities = (township.name[:-1],)
            villages = tuple(next(stems) for _ in range(n_villages - n_communities))
            share = rural_share * n_villages / rural_total * rng.uniform(0.7, 1.3)
        _add_villages(rng, township, communities, villages, share, street_pool)
    _normalise_weights(townships)
    names = NamePicker(rng)
    phones = PhoneBook(rng)
    villages_all = [v for t in townships for v in t.villages]
    _add_unit_grids(rng, villages_all, names, phones)
    return townships


def _township(name: str) -> Township:
    suffix, lng, lat, _, _ = TOWNSHIP_LAYOUT[name]
    return Township(name=name, code=COUNTY_CODE + suffix, lng=lng, lat=lat)


def _add_villages(
    rng: random.Random,
    township: Township,
    communities: tuple[str, ...],
    villages: tuple[str, ...],
    share: float,
    street_pool: list[str],
) -> None:
    central = township.name in CENTRAL_SHARES
    spread = 0.018 if central else 0.05
    raw: list[tuple[str, bool, float]] = [
        (stem, True, COMMUNITY_WEIGHT * rng.uniform(0.6, 1.4)) for stem in communities
    ] + [(stem, False, rng.uniform(0.6, 1.4)) for stem in villages]
    total = sum(w for _, _, w in raw)
    n_community = 0
    n_village = 0
    for stem, urban, weight in raw:
        if urban:
            n_community += 1
            code = f"{township.code}{n_community:03d}"
            name = stem + "社区"
            streets: tuple[str, ...] = (stem + "路",)
            if central:
                streets += tuple(street_pool.pop() for _ in range(rng.randint(1, 2)) if street_pool)
        else:
            code = f"{township.code}{200 + n_village:03d}"
            n_village += 1
            name = stem + "村"
            if central:
                streets = (stem + "路",)
            elif rng.random() < 0.25:
                streets = (stem + "街",)
            else:
                streets = ()
        township.villages.append(
            Village(
                name=name,
                code=code,
                township=township,
                urban=urban,
                weight=share * weight / total,
                lng=round(township.lng + rng.gauss(0, spread), 6),
                lat=round(township.lat + rng.gauss(0, spread * 0.8), 6),
                streets=streets,
            )
        )


def _normalise_weights(townships: list[Township]) -> None:
    total = sum(v.weight for t in townships for v in t.villages)
    for t in townships:
        for v in t.villages:
            v.weight /= total


def _add_unit_grids(
    rng: random.Random, villages: list[Village], names: NamePicker, phones: PhoneBook
) -> None:
    unit_counts = allocate(UNIT_GRIDS, [v.weight**0.7 for v in villages])
    units: list[UnitGrid] = []
    for village, count in zip(villages, unit_counts, strict=True):
        for i in range(1, count + 1):
            name, phone = _worker(rng, names, phones)
            unit = UnitGrid(
                name=f"{village.name}第{chinese_number(i)}网格",
                code=f"{village.code}{i:03d}",
                village=village,
                worker=name,
                phone=phone,
            )
            village.unit_grids.append(unit)
            units.append(unit)
    resp_counts = allocate(
        RESP_GRIDS, [u.village.weight / len(u.village.unit_grids) for u in units]
    )
    for unit, count in zip(units, resp_counts, strict=True):
        for j in range(1, count + 1):
            name, phone = (unit.worker, unit.phone) if j == 1 else _worker(rng, names, phones)
            unit.resp_grids.append(
                RespGrid(
                    name=f"{unit.name}{j}号责任网格",
                    code=f"{unit.code}{j:02d}",
                    unit=unit,
                    worker=name,
                    phone=phone,
                )
            )


def _worker(rng: random.Random, names: NamePicker, phones: PhoneBook) -> tuple[str, str]:
    sex = "女" if rng.random() < 0.6 else "男"
    return names.surname() + names.given(sex, rng.randint(1970, 1998)), phones.mobile()


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into one share per weight, each at least 1 (largest remainders)."""
    extra = total - len(weights)
    if extra < 0:
        raise ValueError("fewer items than places")
    scale = extra / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: extra - sum(counts)]:
        counts[i] += 1
    return [1 + c for c in counts]
