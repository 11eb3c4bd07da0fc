"""The world at one snapshot date: places, people, grids, and every department's records.

``build`` makes the first snapshot; ``evalset.events.advance`` moves it to a later date
(births, deaths, moves, benefits, doses, reports, corrections). Both draw only from streams
derived from the seed, so replaying the same dates gives the same world, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from evalset import grids as grid_module
from evalset import places
from evalset.housing import Builder
from evalset.model import Building, Grid, House, Household, Person
from evalset.noise import Noise
from evalset.people import People
from evalset.seeds import Rng
from evalset.unique import Unique

if TYPE_CHECKING:
    from evalset.datasets import Datasets


@dataclass(frozen=True, slots=True)
class Params:
    residents: int
    seed: int
    noise: float


@dataclass(eq=False)
class World:
    params: Params
    today: date
    snapshot: int  # 0 for the first delivery, 1 for the next, ...
    rng: Rng
    noise: Noise
    unique: Unique
    villages: list[places.Village]
    builder: Builder
    households: list[Household]
    persons: list[Person]
    grids: list[Grid]
    datasets: Datasets = field(init=False)
    clerk_factor: dict[str, float] = field(default_factory=dict)  # township -> typing quality

    @property
    def houses(self) -> list[House]:
        return self.builder.houses

    @property
    def buildings(self) -> list[Building]:
        return self.builder.buildings

    def grid(self, code: str) -> Grid:
        return self._grid_index()[code]

    def _grid_index(self) -> dict[str, Grid]:
        return {g.code: g for g in self.grids}

    def active_residents(self) -> list[Person]:
        return [p for p in self.persons if p.active and p.house is not None]


def build(params: Params, today: date) -> World:
    """The first snapshot: about ``residents`` people living in the county on ``today``."""
    from evalset.datasets import Datasets

    rng = Rng(params.seed, "world")
    noise = Noise(params.noise, Rng(params.seed, "noise", 0))
    unique = Unique(Rng(params.seed, "unique"))
    villages = places.build_villages(params.residents, rng.child("villages"))
    persons: list[Person] = []
    people = People(today, rng.child("people"), unique, noise, persons.append)
    quotas = places.allot(params.residents, [v.share for v in villages], [1] * len(villages))
    builder = Builder(rng.child("housing"))
    households: list[Household] = []
    for village, quota in zip(villages, quotas, strict=True):
        made: list[Household] = []
        count = 0
        while count < quota:
            household = people.household(village)
            made.append(household)
            count += sum(1 for p in household.members if p.active)
        builder.village(village, made, quota)
        households.extend(made)
    _namesakes(persons, today, noise, rng.child("namesakes"), unique)
    residents_by_village: dict[str, int] = {}
    for person in persons:
        if person.active and person.house:
            code = person.house.building.village.code
            residents_by_village[code] = residents_by_village.get(code, 0) + 1
    grid_list = grid_module.build_grids(
        villages, builder.buildings, params.residents, residents_by_village
    )
    world = World(
        params=params,
        today=today,
        snapshot=0,
        rng=rng,
        noise=noise,
        unique=unique,
        villages=villages,
        builder=builder,
        households=households,
        persons=persons,
        grids=grid_list,
    )
    grid_module.staff(grid_list, people_by_grid(world), today, rng.child("staff"), noise, unique)
    world.clerk_factor = _clerks(rng.child("clerks"))
    world.datasets = Datasets.build(world)
    return world


def people_by_grid(world: World) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for person in world.persons:
        if person.active and person.house and person.house.building.grid:
            out.setdefault(person.house.building.grid, []).append(person)
    return out


def _namesakes(persons: list[Person], today: date, noise: Noise, rng: Rng, unique: Unique) -> None:
    """Give some adults the name and birth date of another resident of the same sex and
    near age in another household: namesakes born the same day, as common names make them."""
    adults = [
        p
        for p in persons
        if p.active and p.surname and p.age_on(today) >= 20 and not p.rare and not p.former
    ]
    by_sex: dict[str, list[Person]] = {"男": [], "女": []}
    for p in adults:
        by_sex[p.sex].append(p)
    for person in adults:
        if not noise.hit("world.namesake_same_day"):
            continue
        pool = by_sex[person.sex]
        for _ in range(20):
            other = rng.pick(pool)
            near = abs((other.birth - person.birth).days) < 4 * 365
            if other is not person and other.household is not person.household and near:
                person.surname, person.given, person.birth = other.surname, other.given, other.birth
                area = person.rid[:6] or "350526"
                person.rid = unique.resident_id(area, person.birth, person.sex)
                if person.registered_on and person.registered_on <= person.birth:
                    person.registered_on = person.birth + timedelta(days=30)
                break


def _clerks(rng: Rng) -> dict[str, float]:
    """Each township office's typing quality: a factor on hand-typed defects, mean 1 weighted
    by population (two or three offices type much worse than the rest)."""
    raw = {t.name: rng.lognormvariate(0, 0.5) for t in places.TOWNSHIPS}
    mean = sum(raw[t.name] * t.share for t in places.TOWNSHIPS) / sum(
        t.share for t in places.TOWNSHIPS
    )
    return {name: round(value / mean, 3) for name, value in raw.items()}


def days(n: int) -> timedelta:
    return timedelta(days=n)
