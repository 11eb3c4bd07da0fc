"""Party building: the members' roll (党员), one row per member, branches named after unit grids.

About 7% of adults (more among older men), a few floating members among the ceramics workers;
grid duties (网格党组织负责人, 楼栋长, 党员示范户) for some. Typed by branch secretaries: the
birth month in ``YYYY-MM`` or ``YYYY.MM`` as the branch prefers, addresses in free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from evalset import addresses, typed
from evalset.addresses import Target
from evalset.model import House, Person
from evalset.seeds import Rng

if TYPE_CHECKING:
    from evalset.world import World

HEADER = [
    "党员编号",
    "姓名",
    "身份证号码",
    "性别",
    "出生年月",
    "入党时间",
    "党员类别",
    "所在党组织",
    "流动党员",
    "网格职务",
    "联系电话",
    "居住地址",
]
PROFILE = typed.Profile(hand=True, factor=0.6, landline=0.2)


@dataclass(slots=True, eq=False)
class MemberRow:
    record_id: str
    person: Person
    values: list[str]
    joined: date
    target: Target = None
    why_undecidable: str = ""
    gone: bool = False  # died or transferred out


def membership_chance(person: Person, today: date) -> float:
    age = person.age_on(today)
    if age < 20:
        return 0.0
    if person.floating:
        return 0.025
    base = 0.12 if person.sex == "男" else 0.045
    return base * (0.5 if age < 30 else (1.0 if age < 60 else 1.3))


def branch(world: World, person: Person) -> str:
    if person.house is None:
        return f"{person.household.village.township.name}机关党支部" if person.household else ""
    village = person.house.building.village
    grid = person.house.building.grid
    unit = grid[:15] if grid else (village.units[0] if village.units else "")
    unit_name = world.grid(unit).name if unit else village.name
    return f"{village.township.name}{unit_name}党支部"


def type_member(world: World, row: MemberRow, rng: Rng, duty: str) -> None:
    person = row.person
    noise = world.noise
    birth = person.birth
    if noise.hit("birth.month_wrong", rng=rng):
        birth = (birth.replace(day=1) + timedelta(days=rng.pick((-2, 32)))).replace(day=1)
    style = "-" if int(row.record_id[-1]) % 3 else "."
    landline = person.household.landline if person.household else ""
    house = person.house
    if person.previous_house is not None and noise.hit("addr.stale", rng=rng):
        house = person.previous_house
    text, row.target = (
        ("", None) if house is None else addresses.render(house, noise, rng, PROFILE.factor)
    )
    probation = (world.today - row.joined).days < 365
    row.values = [
        row.record_id,
        typed.name(person, noise, rng, PROFILE),
        str(typed.resident_id(person, noise, rng, PROFILE)),
        person.sex,
        f"{birth.year}{style}{birth.month:02d}",
        f"{row.joined:%Y-%m-%d}",
        "预备党员" if probation else "正式党员",
        branch(world, person),
        "是" if person.floating else "否",
        duty,
        typed.phone(person, world.today, noise, rng, PROFILE, landline),
        text,
    ]


def retype_address(world: World, row: MemberRow, house: House, rng: Rng) -> None:
    """The branch updates 居住地址 (and the branch itself) after a move."""
    if row.values[11]:
        row.values[11], row.target = addresses.render(house, world.noise, rng, PROFILE.factor)
    row.values[7] = branch(world, row.person)


def refresh(world: World, row: MemberRow) -> None:
    """A probationary member becomes a full member a year after joining."""
    if (world.today - row.joined).days >= 365:
        row.values[6] = "正式党员"


def new_member(world: World, person: Person, joined: date, rng: Rng, duty: str = "") -> MemberRow:
    row = MemberRow(record_id=world.unique.code("DJ", 8), person=person, values=[], joined=joined)
    type_member(world, row, rng, duty)
    return row


def build_members(world: World) -> dict[str, MemberRow]:
    rows: dict[str, MemberRow] = {}
    rng = world.rng.child("dangjian", 0)
    leaders: set[str] = set()
    for person in world.persons:
        if not person.active or person.house is None:
            continue
        prng = rng.child(person.key)
        if not prng.chance(membership_chance(person, world.today)):
            continue
        earliest = person.birth + timedelta(days=18 * 366)
        joined = earliest + timedelta(days=prng.randrange(max(1, (world.today - earliest).days)))
        unit = person.house.building.grid[:15]
        duty = ""
        if unit and unit not in leaders and person.age_on(world.today) < 70:
            leaders.add(unit)
            duty = "网格党组织负责人"
        elif prng.chance(0.04):
            duty = "楼栋长"
        elif prng.chance(0.05):
            duty = "党员示范户"
        row = new_member(world, person, joined, prng, duty)
        rows[row.record_id] = row
        if world.noise.hit("dangjian.duplicate", rng=prng):
            twin = new_member(world, person, joined, prng.child("dup"))
            twin.values[7] = (
                f"{person.household.village.township.name}机关党支部"
                if person.household
                else twin.values[7]
            )
            rows[twin.record_id] = twin
    return rows
