"""Buildings and houses: apartment compounds, self-built houses, village houses, shops, factories.

Each building has one door plate and a 16-digit code (its village's 12-digit code plus a
4-digit number); each house (unit) adds 4 digits to that. The mix is tuned so the county has
about 3.7 houses per building and 8% non-residential units, as in Dehua's address register.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import ClassVar

from hub.generate.model import Building, House, Village

# Building archetypes per kind of place: name -> weight (by number of buildings).
_MIX: dict[str, dict[str, float]] = {
    "urban": {"apartment": 0.08, "self_built": 0.50, "shop": 0.06, "village_house": 0.26,
              "factory": 0.05, "public": 0.05},
    "suburban": {"apartment": 0.03, "self_built": 0.36, "shop": 0.04, "village_house": 0.46,
                 "factory": 0.08, "public": 0.03},
    "rural": {"self_built": 0.12, "shop": 0.03, "village_house": 0.75, "factory": 0.06,
              "public": 0.04},
}  # fmt: skip
_GROUP_SIZE = 25  # buildings per 村民小组, in the order they line the lanes
_COMPOUND_MINIMUM = 30  # dwellings still to build before an apartment compound fits
MAX_BUILDINGS = 9999  # 4 digits in the building code


class HousingBuilder:
    """Builds the houses of one village after another, numbering them county-wide."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._building_serial = 0
        self._house_serial = 0
        self._village: Village | None = None
        self._doors: dict[str, int] = {}

    def build_village(self, village: Village, dwellings: int) -> None:
        """Add buildings to a village until it has at least ``dwellings`` dwellings."""
        self._village = village
        self._doors = {}
        mix = _MIX[_setting(village)]
        kinds = list(mix)
        weights = list(mix.values())
        built = 0
        while built < dwellings:
            kind = self._rng.choices(kinds, weights)[0]
            if kind == "apartment" and dwellings - built < _COMPOUND_MINIMUM:
                continue  # a small village (or a small world) has no room for a compound
            built += self._ARCHETYPES[kind](self)
        _assign_resp_grids(village)

    # Each archetype adds buildings to the current village and returns the dwellings it made.

    def _apartment(self) -> int:
        street, door = self._address(street_only=True)
        made = 0
        for number in range(1, self._rng.randint(2, 5) + 1):
            floors = self._rng.choice((5, 6, 6, 7, 7, 8, 11))
            stairs = self._rng.choice((1, 1, 2))
            shops = self._rng.random() < 0.25
            building = self._building(street, door, number, 0, floors, "商住" if shops else "住宅")
            for stair in range(1, stairs + 1):
                for floor in range(1, floors + 1):
                    for room in (1, 2):
                        purpose = "商铺" if shops and floor == 1 else "住宅"
                        made += self._house(
                            building, door, stair if stairs > 1 else 0, f"{floor}{room:02d}",
                            purpose,
                        )  # fmt: skip
        return made

    def _self_built(self) -> int:
        street, door = self._address(street_only=False)
        floors = self._rng.randint(2, 6)
        shop = self._rng.random() < 0.3
        building = self._building(street, door, 0, 0, floors, "商住" if shop else "住宅")
        if self._rng.random() < 0.3:
            return self._house(building, door, 0, "", "商住" if shop else "住宅")
        made = 0
        for floor in range(1, floors + 1):
            purpose = "商铺" if shop and floor == 1 else "住宅"
            made += self._house(building, door, 0, f"{floor}01", purpose)
        return made

    def _village_house(self) -> int:
        street, door = self._address(street_only=False)
        group = 0 if street and self._current.urban else self._group()
        building = self._building(street, door, 0, group, self._rng.randint(1, 4), "住宅")
        made = self._house(building, door, 0, "", "住宅")
        if self._rng.random() < 0.25:
            made += self._house(building, door.replace("号", "-1号"), 0, "", "住宅")
        return made

    def _shop(self) -> int:
        street, door = self._address(street_only=True)
        building = self._building(street, door, 0, 0, self._rng.randint(1, 3), "商铺")
        for i in range(self._rng.randint(1, 2)):
            self._house(building, door if i == 0 else door.replace("号", f"-{i}号"), 0, "", "商铺")
        return 0

    def _factory(self) -> int:
        street, door = self._address(street_only=False)
        building = self._building(street, door, 0, 0, self._rng.randint(1, 4), "厂房")
        self._house(building, door, 0, "", "厂房")
        return 0

    def _public(self) -> int:
        street, door = self._address(street_only=False)
        building = self._building(street, door, 0, 0, self._rng.randint(1, 5), "公共建筑")
        self._house(building, door, 0, "", "其他")
        return 0

    _ARCHETYPES: ClassVar[dict[str, Callable[[HousingBuilder], int]]] = {
        "apartment": _apartment,
        "self_built": _self_built,
        "village_house": _village_house,
        "shop": _shop,
        "factory": _factory,
        "public": _public,
    }

    @property
    def _current(self) -> Village:
        if self._village is None:
            raise RuntimeError("no village being built")
        return self._village

    def _address(self, *, street_only: bool) -> tuple[str, str]:
        """A street (may be empty in villages without streets) and the next door number on it."""
        streets = self._current.streets
        if streets and (street_only or self._current.urban or self._rng.random() < 0.7):
            street = self._rng.choice(streets)
        else:
            street = ""
        last = self._doors.get(street, self._rng.randint(0, 4))
        number = last + self._rng.choice((1, 2, 2, 2, 3, 4))
        self._doors[street] = number
        return street, f"{number}号"

    def _group(self) -> int:
        return 1 + len(self._current.buildings) // _GROUP_SIZE

    def _building(
        self, street: str, door: str, number: int, group: int, floors: int, kind: str
    ) -> Building:
        village = self._current
        if len(village.buildings) >= MAX_BUILDINGS:
            raise ValueError(f"{village.name}: more than {MAX_BUILDINGS} buildings")
        spread = 0.004 if village.urban else 0.009
        building = Building(
            serial=self._building_serial,
            code=f"{village.code}{len(village.buildings) + 1:04d}",
            village=village,
            street=street,
            door=door,
            number=number,
            group=group,
            floors=floors,
            kind=kind,
            lng=round(village.lng + self._rng.gauss(0, spread), 6),
            lat=round(village.lat + self._rng.gauss(0, spread * 0.85), 6),
        )
        self._building_serial += 1
        village.buildings.append(building)
        return building

    def _house(self, building: Building, door: str, stair: int, room: str, purpose: str) -> int:
        house = House(
            serial=self._house_serial,
            code=f"{building.code}{len(building.houses) + 1:04d}",
            building=building,
            door=door,
            stair=stair,
            room=room,
            purpose=purpose,
        )
        self._house_serial += 1
        building.houses.append(house)
        return 1 if house.dwelling else 0


def _setting(village: Village) -> str:
    central = village.township.name in ("龙浔镇", "浔中镇")
    if central and village.urban:
        return "urban"
    if central or village.urban:
        return "suburban"
    return "rural"


def _assign_resp_grids(village: Village) -> None:
    """Consecutive buildings (along the streets) share a responsibility grid."""
    grids = [r for u in village.unit_grids for r in u.resp_grids]
    n = len(village.buildings)
    for i, building in enumerate(village.buildings):
        grid = grids[i * len(grids) // n]
        building.resp = grid
        grid.buildings.append(building)
