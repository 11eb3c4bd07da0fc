"""The synthetic world: the real people, houses and facts the departments' files describe.

Departments see this world through their own records (rendered in :mod:`hub.generate.render`);
the truth files say which records describe which person and which house.

    Township > Village > UnitGrid > RespGrid           the grid hierarchy (fixed, full size)
    Building (door plate) > House (standard address)   in a village, covered by a RespGrid
    Household (户号) lives in a House; Person belongs to a Household
    Benefit, PartyMember, HealthRecord, Report         facts about people, with dates
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True, eq=False)
class Township:
    """A township (乡镇): the top of the grid hierarchy."""

    name: str
    code: str  # 9 digits
    lng: float
    lat: float
    villages: list[Village] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Village:
    """A village (村) or community (社区): one first-level grid."""

    name: str  # e.g. 英山社区
    code: str  # 12 digits
    township: Township
    urban: bool
    weight: float  # share of the county's residents
    lng: float
    lat: float
    streets: tuple[str, ...]
    unit_grids: list[UnitGrid] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class UnitGrid:
    """A unit grid (单元网格) of a village; party branches are named after it."""

    name: str  # e.g. 英山社区第二网格
    code: str  # 15 digits
    village: Village
    worker: str
    phone: str
    resp_grids: list[RespGrid] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class RespGrid:
    """A responsibility grid (责任网格): the buildings one grid worker looks after."""

    name: str  # e.g. 英山社区第二网格3号责任网格
    code: str  # 17 digits
    unit: UnitGrid
    worker: str
    phone: str
    buildings: list[Building] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Building:
    """A building with one door plate; the first 16 digits of its houses' address codes."""

    serial: int
    code: str  # 16 digits
    village: Village
    street: str  # may be empty in villages
    door: str  # 门牌号 of the building, e.g. 12号
    number: int  # 楼栋号 within a compound (3 -> 3幢), 0 if none
    group: int  # 村民小组 (rural), 0 if none
    floors: int
    kind: str  # 建筑类型
    lng: float
    lat: float
    resp: RespGrid | None = None
    houses: list[House] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"B{self.serial:07d}"


@dataclass(slots=True, eq=False)
class House:
    """A unit with a standard address (地址编码)."""

    serial: int
    code: str  # 20 digits
    building: Building
    door: str  # 门牌号, e.g. 12号 or 12-1号
    stair: int  # 单元号 (2 -> 2单元), 0 if none
    room: str  # 户室号 digits, e.g. 501, empty for single-family houses
    purpose: str  # 住宅, 商住, 商铺, 厂房, 其他
    households: list[Household] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"H{self.serial:07d}"

    @property
    def dwelling(self) -> bool:
        return self.purpose in ("住宅", "商住")


@dataclass(slots=True, eq=False)
class Household:
    """People registered under one 户号, living in one house."""

    serial: int
    number: str  # 户号, 9 digits
    house: House
    floating: bool
    landline: str  # may be empty
    members: list[Person] = field(default_factory=list)

    def living(self, on: date) -> list[Person]:
        """Members present on a date."""
        return [p for p in self.members if p.present(on)]


@dataclass(slots=True)
class OldRegistration:
    """An earlier 人口 row of a person who re-registered: cancelled, another 人员编号."""

    ga_serial: int
    household_number: str
    registered: date
    house: House | None
    legacy_id: bool  # the old row still carries the 15-digit ID


@dataclass(slots=True, eq=False)
class Person:
    """A real person; every department record about them maps to ``key`` in the truth."""

    serial: int
    name: str
    sex: str  # 男 / 女
    birth: date
    ethnicity: str
    id_no: str  # 18-character resident ID, empty for holders of foreign documents
    doc_type: str  # 居民身份证, 护照, 港澳居民来往内地通行证
    doc_no: str
    household: Household
    relation: str  # 与户主关系
    phone: str  # current mobile, may be empty
    old_phone: str  # an earlier mobile other departments may still have, may be empty
    registered: date  # 登记日期
    ga_serial: int  # the current 人口 row
    guardian: Person | None = None  # for children: whose phone clinics write down
    old_registration: OldRegistration | None = None
    died: date | None = None
    left: date | None = None  # moved away from the county
    final_house: House | None = None  # where a cancelled row stays after the household moves
    key: str = field(init=False, default="")  # the truth files' person key

    def __post_init__(self) -> None:
        self.key = f"P{self.serial:07d}"

    @property
    def house(self) -> House:
        """Where the person lives (or last lived, once gone)."""
        return self.final_house or self.household.house

    @property
    def male(self) -> bool:
        return self.sex == "男"

    @property
    def gone(self) -> date | None:
        """When the person died or left, if they did."""
        return self.died or self.left

    def present(self, on: date) -> bool:
        """Registered and still living in the county on a date."""
        gone = self.gone
        return self.registered <= on and (gone is None or gone > on)

    def age(self, on: date) -> int:
        """Age in whole years on a date."""
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


@dataclass(slots=True, eq=False)
class Benefit:
    """One row of the civil-affairs register: a person receiving one kind of assistance."""

    serial: int
    person: Person
    kind: str  # 低保, 特困供养, 临时救助, 高龄补贴, 残疾人两项补贴
    amount: int  # yuan per month
    start: date
    end: date | None = None
    note: str = ""

    def active(self, on: date) -> bool:
        """Listed in the department's snapshot of that date."""
        return self.start <= on and (self.end is None or self.end > on) and self.person.present(on)


@dataclass(slots=True, eq=False)
class PartyMember:
    """A party membership; 预备党员 during the first year."""

    serial: int
    person: Person
    joined: date
    floating: bool
    role: str  # 网格职务, may be empty
    left: date | None = None

    def active(self, on: date) -> bool:
        """Listed in the department's snapshot of that date."""
        return (
            self.joined <= on and (self.left is None or self.left > on) and self.person.present(on)
        )


@dataclass(slots=True, eq=False)
class HealthRecord:
    """One key-group registration (重点人群): one group per record."""

    serial: int
    person: Person
    group: str
    doctor: str
    signed: date
    end: date | None = None

    def active(self, on: date) -> bool:
        """Listed in the department's snapshot of that date."""
        if self.signed > on or (self.end is not None and self.end <= on):
            return False
        if self.group == "0-6岁儿童" and self.person.age(on) >= 7:
            return False
        return self.person.present(on)


@dataclass(slots=True, eq=False)
class Report:
    """A citizen's snap-and-report event; its status follows from how old it is."""

    serial: int
    category: str
    description: str
    address: str
    lng: float
    lat: float
    reported: datetime
    reporter: Person | None  # None: a visitor's phone
    phone: str
    department: str
    stage_hours: tuple[float, float, float, float]  # 提交->转办->办理->反馈->评价
    rating: int | None  # given once rated; None if the reporter never rates
    valid: bool
