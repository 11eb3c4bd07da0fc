"""The standard address table (一标三实): buildings and the units in them, and who lives where.

Town streets hold compounds of flats (``英山路8号3幢2单元501室``), self-built family houses of
three to five floors, some with rooms let to floating workers (``东埔路30号201室``), shops
(``28-3号``) and a few workshops; villages hold single family houses on the village's door
numbers (``浔中村128号``), each in a villagers' group that only free-text addresses mention.
About 123,000 houses for 334,400 residents: residents / 2.7.
"""

from __future__ import annotations

from datetime import date

from evalset.model import Building, House, Household
from evalset.places import Village
from evalset.seeds import Rng

HOUSES_PER_RESIDENT = 1 / 2.7


class Builder:
    """Adds buildings and houses to villages, with codes unique within each village."""

    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self.serial: dict[str, int] = {}
        self.doors: dict[tuple[str, str], int] = {}
        self.buildings: list[Building] = []
        self.houses: list[House] = []

    def _building(
        self,
        village: Village,
        road: str,
        door: str,
        name: str,
        kind: str,
        floors: int,
        group: int,
        built: date | None = None,
    ) -> Building:
        self.serial[village.code] = self.serial.get(village.code, 0) + 1
        spread = 0.006 if village.urban else 0.02
        building = Building(
            code=f"{village.code}{self.serial[village.code]:04d}",
            village=village,
            road=road,
            door=door,
            name=name,
            kind=kind,
            floors=floors,
            lng=round(village.lng + self.rng.uniform(-spread, spread), 6),
            lat=round(village.lat + self.rng.uniform(-spread, spread), 6),
            group=group,
            built=built,
        )
        self.buildings.append(building)
        return building

    def _house(self, building: Building, unit: str, room: str, use: str) -> House:
        house = House(
            code=f"{building.code}{len(building.houses) + 1:04d}",
            building=building,
            unit=unit,
            room=room,
            use=use,
        )
        building.houses.append(house)
        self.houses.append(house)
        return house

    def _door(self, village: Village, road: str) -> int:
        key = (village.code, road)
        self.doors[key] = self.doors.get(key, 0) + self.rng.randint(1, 4)
        return self.doors[key]

    def _road(self, village: Village) -> str:
        if not village.roads:
            return ""
        if not village.community and self.rng.chance(0.6):
            return ""
        return self.rng.pick(village.roads)

    # --- kinds of building -------------------------------------------------------------------
    def compound(self, village: Village, limit: int, built: date | None = None) -> list[House]:
        """A compound of 1-5 buildings of flats behind one door number, about ``limit`` flats
        at most (a small town builds small compounds)."""
        rng = self.rng
        road = rng.pick(village.roads) if village.roads else ""
        door = f"{self._door(village, road)}号"
        buildings = rng.weighted((1, 2, 3, 4, 5), (0.3, 0.25, 0.2, 0.15, 0.1))
        shapes = []
        for _ in range(buildings):
            shapes.append(
                (
                    rng.randint(5, 11),
                    rng.weighted((1, 2, 3), (0.35, 0.45, 0.2)),
                    rng.weighted((2, 3), (0.8, 0.2)),
                )
            )
        while len(shapes) > 1 and sum(f * u * k for f, u, k in shapes) > limit:
            shapes.pop()
        floors, units, per_floor = shapes[0]
        while floors * units * per_floor > max(limit, 8) and (units > 1 or floors > 4):
            units, floors = (units - 1, floors) if units > 1 else (units, floors - 1)
        shapes[0] = (floors, units, per_floor)
        flats: list[House] = []
        members: list[Building] = []
        for b, (floors, units, per_floor) in enumerate(shapes, start=1):
            building = self._building(village, road, door, f"{b}幢", "apartment", floors, 0, built)
            members.append(building)
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for k in range(1, per_floor + 1):
                        use = "商住" if floor == 1 and rng.chance(0.1) else "住宅"
                        flats.append(self._house(building, f"{unit}单元", f"{floor}{k:02d}室", use))
        for building in members:
            building.compound = members
        return flats

    def family_house(self, village: Village, group: int, built: date | None = None) -> list[House]:
        """A self-built house: one family, or (in towns) rooms let floor by floor."""
        rng = self.rng
        road = self._road(village)
        door = f"{self._door(village, road)}号"
        floors = rng.randint(2, 5)
        building = self._building(village, road, door, "", "house", floors, group, built)
        if village.community and floors >= 3 and rng.chance(0.3):
            return [self._house(building, "", f"{f}01室", "住宅") for f in range(2, floors + 1)]
        return [self._house(building, "", "", "住宅")]

    def shop_row(self, village: Village) -> None:
        rng = self.rng
        road = rng.pick(village.roads) if village.roads else ""
        base = self._door(village, road)
        for k in range(1, rng.randint(2, 6)):
            building = self._building(village, road, f"{base}-{k}号", "", "shop", 1, 0)
            self._house(building, "", "", "商铺")

    def workshop(self, village: Village) -> None:
        road = self._road(village)
        door = f"{self._door(village, road)}号"
        for b in range(1, self.rng.randint(1, 3) + 1):
            building = self._building(village, road, door, f"{b}幢", "factory", 3, 0)
            self._house(building, "", "", "厂房")

    def public(self, village: Village) -> None:
        road = self._road(village)
        building = self._building(
            village, road, f"{self._door(village, road)}号", "", "public", 3, 0
        )
        self._house(building, "", "", "其他")

    # --- a village -----------------------------------------------------------------------
    def village(self, village: Village, households: list[Household], residents: int) -> None:
        """Enough dwellings for ``households`` (a tenth left empty), then shops, workshops
        and public buildings up to residents / 2.7 units; then each household moves in."""
        rng = self.rng
        local = [h for h in households if not h.floating]
        floating = [h for h in households if h.floating]
        # Households registered apart under one roof (brothers' families in one self-built
        # house, parents registered on their own): more of them in villages.
        share = 0.12 if village.urban else (0.2 if village.community else 0.3)
        sharers = [h for h in local[1:] if rng.chance(share)]
        local = [h for h in local if h not in sharers]
        target = max(len(households) + 1, round(residents * HOUSES_PER_RESIDENT))
        need = round((len(local) + len(floating)) * rng.uniform(1.04, 1.1)) + 1
        flats: list[House] = []
        family: list[House] = []
        rooms: list[House] = []
        while len(flats) + len(family) + len(rooms) < need:
            if village.urban and rng.chance(0.45):
                left = need - len(flats) - len(family) - len(rooms)
                flats.extend(self.compound(village, left))
            else:
                group = rng.randint(1, village.groups) if village.groups else 0
                made = self.family_house(village, group)
                (rooms if len(made) > 1 else family).extend(made)
        total = len(flats) + len(family) + len(rooms)
        while total < target:
            before = len(self.houses)
            kind = rng.weighted(
                ("shop", "workshop", "public"),
                (0.8, 0.15, 0.05) if village.community else (0.3, 0.4, 0.3),
            )
            getattr(self, "shop_row" if kind == "shop" else kind)(village)
            total += len(self.houses) - before
            if not village.community and kind != "shop" and rng.chance(0.5):
                break
        if total < target // 2:
            self.public(village)
        # Floating tenants take let rooms first; families take houses and flats.
        rng.shuffle(rooms)
        for household in floating:
            household.house = (rooms or flats or family).pop()
        homes = flats + family
        rng.shuffle(homes)
        homes.extend(rooms)  # popped last: rooms only when houses and flats ran out
        homes.reverse()
        for household in local:
            household.house = homes.pop()
        for household in sharers:
            household.house = rng.pick(local).house
        for household in households:
            for person in household.members:
                person.house = household.house
