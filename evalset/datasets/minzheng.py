"""Civil affairs: the monthly roster of assistance (救助对象), typed by hand in township offices.

Who receives what: 低保 for poorer households (more in the hill townships, more for the
elderly and single parents; the row names the applicant, 保障人数 counts the members covered),
特困供养 for elderly people living alone without family support, 高龄补贴 for everyone over 80
who applied, 残疾人两项补贴 for people with disabilities, 临时救助 now and then. Each township
office types its own rows, some much worse than others (``World.clerk_factor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from evalset import addresses, typed
from evalset.addresses import Target
from evalset.model import House, Household, Person
from evalset.seeds import Rng

if TYPE_CHECKING:
    from evalset.world import World

HEADER = [
    "救助编号",
    "姓名",
    "身份证号",
    "性别",
    "联系电话",
    "家庭住址",
    "救助类别",
    "保障人数",
    "月保障金额",
    "起始日期",
    "所属乡镇",
    "备注",
]
LOW_INCOME = ("低保", "特困供养")
NOTES = ("", "", "", "", "", "续保", "新增", "因病致贫", "复核通过", "动态调整")
Cell = str | int | float | date | datetime


@dataclass(slots=True, eq=False)
class AssistanceRow:
    record_id: str
    person: Person | None
    category: str
    covered: int
    amount: int
    start: date
    township: str
    cells: list[Cell]  # as typed, in HEADER order
    target: Target = None  # what 家庭住址 denotes
    why_undecidable: str = ""
    gone: bool = False  # stopped: no longer on the roster


def profile(world: World, township: str) -> typed.Profile:
    return typed.Profile(
        hand=True,
        factor=world.clerk_factor.get(township, 1.0),
        excel=True,
        spaces=True,
        landline=1.0,
        two_numbers=True,
    )


def type_row(world: World, row: AssistanceRow, rng: Rng) -> None:
    """Type (or retype) the row's cells from the person, as the township office does."""
    person = row.person
    assert person is not None
    noise = world.noise
    prof = profile(world, row.township)
    household = person.household.members if person.household else []
    name = typed.name(person, noise, rng, prof)
    rid = typed.resident_id(person, noise, rng, prof, household)
    sex = "" if noise.hit("minzheng.sex_empty", prof.factor, rng=rng) else person.sex
    landline = person.household.landline if person.household else ""
    phone = typed.phone(person, world.today, noise, rng, prof, landline)
    house = person.house
    if person.previous_house is not None and noise.hit("addr.stale", rng=rng):
        house = person.previous_house
    if house is None:
        text, target = "", None
    else:
        text, target = addresses.render(house, noise, rng, prof.factor)
    row.target = target
    row.cells = [
        row.record_id,
        name,
        rid,
        sex,
        phone,
        text,
        row.category,
        row.covered,
        amount_cell(row.amount, world, rng, prof.factor),
        date_cell(row.start, world, rng, prof.factor),
        row.township,
        _note(world, person, rng),
    ]
    if noise.hit("rows.sparse", prof.factor, rng=rng):
        keep = {0, 1} if rng.chance(0.5) else {0, 1, 6}
        row.cells = [c if i in keep else "" for i, c in enumerate(row.cells)]
        row.target = None


def retype_address(world: World, row: AssistanceRow, house: House, rng: Rng) -> None:
    """The office updates 家庭住址 after a move (the rest of the row stays as typed)."""
    if row.cells and row.cells[5] != "":
        text, row.target = addresses.render(
            house, world.noise, rng, profile(world, row.township).factor
        )
        row.cells[5] = text


def correct(world: World, row: AssistanceRow) -> None:
    """A clerk checks the row against the ID card: name, ID, sex, phone as they should be;
    the address written out in full."""
    person = row.person
    if person is None or not row.cells or row.cells[1] == "":
        return
    row.cells[1] = person.name
    row.cells[2] = person.rid
    row.cells[3] = person.sex
    if person.phone:
        row.cells[4] = person.phone
    if person.house is not None:
        b = person.house.building
        row.cells[5] = (
            f"{b.village.township.name}{b.village.name}{b.road}{b.door}{b.name}"
            f"{person.house.unit}{person.house.room}"
        )
        row.target = addresses.house_target(person.house)


def _note(world: World, person: Person, rng: Rng) -> str:
    household = person.household
    if household is not None and household.active_members() == [person] and rng.chance(0.3):
        return "独居"
    return rng.pick(NOTES)


def amount_cell(amount: int, world: World, rng: Rng, factor: float) -> Cell:
    if world.noise.hit("amount.typed", factor, rng=rng):
        return rng.pick((f"{amount}.00", f"{amount}元", f"{amount:.1f}", f"{amount}.0元"))
    return amount


def date_cell(day: date, world: World, rng: Rng, factor: float) -> Cell:
    """起始日期 as the clerk typed it."""
    noise = world.noise
    if noise.hit("date.impossible", factor, rng=rng):
        return rng.pick(
            (
                f"{day.year}-2-30",
                f"{day.year}-13-{day.day}",
                f"{day.year}/{day.month}/32",
                f"{day.year}0231",
            )
        )
    if noise.hit("date.excel_date", rng=rng):
        return datetime(day.year, day.month, day.day)
    if noise.hit("date.excel_serial", rng=rng):
        return (day - date(1899, 12, 30)).days
    style = rng.randrange(5)
    if style == 0:
        return f"{day.year}-{day.month}-{day.day}"
    if style == 1:
        return f"{day:%Y/%m/%d}"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 3:
        return f"{day:%Y%m%d}"
    return f"{day:%Y-%m-%d}"


def _start(world: World, rng: Rng, earliest: date) -> date:
    span = max(1, (world.today - earliest).days)
    return earliest + timedelta(days=rng.randrange(span))


def new_row(
    world: World, person: Person, category: str, covered: int, amount: int, start: date, rng: Rng
) -> AssistanceRow:
    township = person.house.building.village.township.name if person.house else ""
    row = AssistanceRow(
        record_id=world.unique.code("MZ", 8),
        person=person,
        category=category,
        covered=covered,
        amount=amount,
        start=start,
        township=township,
        cells=[],
    )
    type_row(world, row, rng)
    return row


def low_income_weight(household: Household, today: date) -> float:
    """How likely a registered household receives 低保 (per month's roster)."""
    village = household.village
    base = 0.012 if village.urban else (0.025 if village.community else 0.045)
    members = household.active_members()
    if not members:
        return 0.0
    ages = [p.age_on(today) for p in members]
    if min(ages) >= 60:
        base *= 2.0
    if (
        len(members) >= 2
        and sum(1 for a in ages if 18 <= a < 60) == 1
        and any(a < 18 for a in ages)
    ):
        base *= 2.5  # a single parent
    return base


def entitlements(world: World, person: Person, rng: Rng) -> list[tuple[str, int, int]]:
    """(category, covered, amount) the person is entitled to on ``world.today``, other than
    the household's 低保 (decided per household)."""
    out: list[tuple[str, int, int]] = []
    age = person.age_on(world.today)
    if age >= 80 and rng.chance(0.9):
        out.append(("高龄补贴", 1, 50 if age < 90 else (100 if age < 100 else 300)))
    if rng.chance(0.012):
        out.append(("残疾人两项补贴", 1, rng.pick((90, 140, 230))))
    return out


def build_assistance(world: World) -> dict[str, AssistanceRow]:
    rows: dict[str, AssistanceRow] = {}
    rng = world.rng.child("minzheng", 0)
    for household in world.households:
        if household.floating:
            continue
        hrng = rng.child(household.number)
        members = household.active_members()
        if members and hrng.chance(low_income_weight(household, world.today)):
            applicant = next((p for p in members if p.relation == "户主"), members[0])
            covered = hrng.randint(1, len(members))
            row = new_row(
                world,
                applicant,
                "低保",
                covered,
                covered * hrng.pick((650, 700, 780)),
                _start(world, hrng, date(2015, 1, 1)),
                hrng,
            )
            rows[row.record_id] = row
        if len(members) == 1 and members[0].age_on(world.today) >= 60 and hrng.chance(0.12):
            row = new_row(
                world,
                members[0],
                "特困供养",
                1,
                hrng.pick((1014, 1100, 1240)),
                _start(world, hrng, date(2014, 1, 1)),
                hrng,
            )
            rows[row.record_id] = row
        if members and hrng.chance(0.0015):
            person = hrng.pick(members)
            row = new_row(
                world,
                person,
                "临时救助",
                len(members),
                hrng.pick((1000, 2000, 3000)),
                world.today - timedelta(days=hrng.randint(1, 25)),
                hrng,
            )
            rows[row.record_id] = row
        for person in household.members:
            prng = hrng.child(person.key)
            if person.active or _recently_gone(world, person):
                for category, covered, amount in entitlements(world, person, prng):
                    earliest = date(2016, 1, 1)
                    if category == "高龄补贴":  # from the month after the 80th birthday
                        eighty = person.birth.replace(year=person.birth.year + 80, day=1)
                        earliest = max(earliest, eighty + timedelta(days=32))
                    start = _start(world, prng, min(earliest, world.today))
                    row = new_row(world, person, category, covered, amount, start, prng)
                    rows[row.record_id] = row
    add_test_rows(world, rows, rng.child("test"), len(rows))
    return rows


def _recently_gone(world: World, person: Person) -> bool:
    """Died within the last two months: the roster has not caught up yet."""
    return (
        person.status == "died"
        and person.ended_on is not None
        and (world.today - person.ended_on).days < 60
    )


def add_test_rows(world: World, rows: dict[str, AssistanceRow], rng: Rng, trials: int) -> None:
    for _ in range(trials):
        if world.noise.hit("rows.test", rng=rng):
            record_id = world.unique.code("MZ", 8)
            rows[record_id] = AssistanceRow(
                record_id=record_id,
                person=None,
                category="低保",
                covered=1,
                amount=0,
                start=world.today,
                township="龙浔镇",
                cells=[
                    record_id,
                    rng.pick(("测试", "测试1", "111")),
                    "123456789012345678",
                    "男",
                    "13800000000",
                    "测试地址",
                    "低保",
                    1,
                    0,
                    "2099-1-1",
                    "龙浔镇",
                    "测试数据请删除",
                ],
                why_undecidable="test row: invented name, ID and address",
            )
