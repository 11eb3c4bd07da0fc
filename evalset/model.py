"""The real world the departments write about: people, households, buildings, houses, grids.

Nothing here is noisy. Departments' records (``evalset.datasets``) are views of these objects,
typed with defects; the truth files are these objects' keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from evalset.places import Village


@dataclass(slots=True, eq=False)
class Building:
    code: str  # 16 digits: the village's 12 + a serial
    village: Village
    road: str  # may be empty in villages
    door: str  # 门牌号: 12号, 12-3号
    name: str  # 楼栋号: 3幢, or empty
    kind: str  # apartment, house, shop, factory, public
    floors: int
    lng: float
    lat: float
    group: int  # villagers' group (村民小组), 0 in town streets
    houses: list[House] = field(default_factory=list)
    grid: str = ""  # responsibility grid code
    compound: list[Building] = field(default_factory=list)  # buildings behind one door number
    built: date | None = None  # set for buildings added by a later snapshot


@dataclass(slots=True, eq=False)
class House:
    code: str  # 20 digits: the building's 16 + a serial
    building: Building
    unit: str  # 单元号: 2单元, or empty
    room: str  # 户室号: 501室, or empty
    use: str  # 住宅, 商住, 商铺, 厂房, 其他
    ended: date | None = None  # demolished: the standard address table no longer lists it

    @property
    def residential(self) -> bool:
        return self.use in ("住宅", "商住")


@dataclass(slots=True, eq=False)
class Household:
    number: str  # 户号, 9 digits
    floating: bool
    village: Village
    members: list[Person] = field(default_factory=list)
    house: House | None = None
    landline: str = ""  # 0595-23xxxxxx, some households

    def active_members(self) -> list[Person]:
        return [p for p in self.members if p.active and p.household is self]


@dataclass(slots=True, eq=False)
class Person:
    key: str  # the truth key: R + 6 digits
    surname: str
    given: str
    sex: str  # 男 / 女
    birth: date
    ethnicity: str
    rid: str  # 18-character resident ID ('' for visitors on a passport)
    floating: bool
    relation: str  # 与户主关系
    household: Household | None = None
    house: House | None = None  # where the person lives
    phone: str = ""  # own mobile now
    old_phone: str = ""  # the mobile before a change
    status: str = "active"  # active, died, moved_away, visitor
    ended_on: date | None = None
    former: str = ""  # former full name (曾用名)
    rare: bool = False  # the registered name holds a rare character
    twin: Person | None = None
    parents: list[Person] = field(default_factory=list)
    previous_house: House | None = None  # before the last move within the county
    moved_on: date | None = None
    foreign_id: tuple[str, str] = ("", "")  # (id_type, number) of a visitor
    registered_on: date | None = None  # first registration in the population file
    named: bool = True  # False for a newborn not yet named

    @property
    def name(self) -> str:
        return self.surname + self.given

    @property
    def active(self) -> bool:
        return self.status == "active"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth.year
        return years - ((day.month, day.day) < (self.birth.month, self.birth.day))

    def contact(self) -> str:
        """The mobile records of this person carry: their own, else a family member's."""
        if self.phone:
            return self.phone
        for other in [*self.parents, *(self.household.members if self.household else [])]:
            if other is not self and other.phone and other.active:
                return other.phone
        return ""


@dataclass(slots=True, eq=False)
class Grid:
    code: str
    name: str
    level: str  # 乡镇, 一级网格, 单元网格, 责任网格
    parent: str
    worker: Person | None = None
    worker_name: str = ""  # as the grid centre writes it
    worker_phone: str = ""
    buildings: list[Building] = field(default_factory=list)
