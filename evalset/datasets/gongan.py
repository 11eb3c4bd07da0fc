"""Public security: the population register (人口) and the standard addresses (标准地址).

The authority: names as registered, IDs valid (a few legacy 15-digit ones, some floating people
without one), one row per registration. A person who re-registers (a household split, a floating
worker settling) gets a new 人员编号 and the old row stays, cancelled; a few people are held
twice (duplicate registration, one name truncated); the dead and those who moved away stay,
cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from evalset import idcard
from evalset.model import House, Person

if TYPE_CHECKING:
    from evalset.world import World

POPULATION_HEADER = [
    "人员编号",
    "公民身份号码",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "户号",
    "与户主关系",
    "人员类别",
    "居住地址编码",
    "联系电话",
    "登记日期",
    "注销标志",
]
ADDRESS_HEADER = [
    "地址编码",
    "乡镇",
    "村社区",
    "街路巷",
    "门牌号",
    "楼栋号",
    "单元号",
    "户室号",
    "楼栋编码",
    "房屋用途",
]


@dataclass(slots=True, eq=False)
class PopulationRow:
    record_id: str
    person: Person | None  # None: a test row (undecidable)
    rid: str
    name: str
    sex: str
    ethnicity: str
    birth: str
    household: str
    relation: str
    category: str
    house: House | None
    phone: str
    registered: str
    cancelled: bool
    why_undecidable: str = ""

    def values(self) -> list[str]:
        return [
            self.record_id,
            self.rid,
            self.name,
            self.sex,
            self.ethnicity,
            self.birth,
            self.household,
            self.relation,
            self.category,
            self.house.code if self.house else "",
            self.phone,
            self.registered,
            "1" if self.cancelled else "0",
        ]


class Population:
    """The register's rows, by record id, and each person's current row."""

    def __init__(self) -> None:
        self.rows: dict[str, PopulationRow] = {}
        self.current: dict[str, PopulationRow] = {}  # person key -> the active/latest row

    def add(self, row: PopulationRow) -> None:
        self.rows[row.record_id] = row

    def register(self, world: World, person: Person, registered: date | None = None) -> None:
        """A person's row as public security types it (and a duplicate, now and then)."""
        noise, rng = world.noise, world.rng.child("gongan", person.key, world.snapshot)
        rid = person.rid
        if person.floating and noise.hit("gongan.no_id", rng=rng):
            rid = ""
        elif rid and person.birth.year < 1982 and noise.hit("gongan.legacy_id", rng=rng):
            rid = idcard.legacy15(rid)
        house = person.house
        if noise.hit("gongan.no_address", 4.0 if person.floating else 1.0, rng=rng):
            house = None
        phone = person.phone if person.phone and rng.chance(0.8) else ""
        when = registered or person.registered_on or world.today
        row = PopulationRow(
            record_id=world.unique.code("GA", 10),
            person=person,
            rid=rid,
            name=person.name,
            sex=person.sex,
            ethnicity=person.ethnicity,
            birth=f"{person.birth:%Y%m%d}",
            household=person.household.number if person.household else "",
            relation=person.relation,
            category="流动人口" if person.floating else "户籍人口",
            house=house,
            phone=phone,
            registered=f"{when:%Y-%m-%d}",
            cancelled=not person.active,
        )
        if not person.active and rng.chance(0.5):
            row.house = None
        self.add(row)
        self.current[person.key] = row
        if person.active and not person.floating and noise.hit("gongan.duplicate", rng=rng):
            given = person.given
            short = person.surname + given[:-1] if len(given) >= 2 else person.name
            later = when + timedelta(days=4000) < world.today
            twin_row = replace(
                row,
                record_id=world.unique.code("GA", 10),
                rid=person.rid,
                name=short,
                house=person.house if rng.chance(0.5) else None,
                phone="",
                registered=f"{when + timedelta(days=rng.randint(200, 4000)):%Y-%m-%d}"
                if later
                else row.registered,
            )
            if rng.chance(0.5):  # either row may carry the truncated name
                row.name, twin_row.name = twin_row.name, row.name
            self.add(twin_row)

    def earlier_registration(self, world: World, person: Person) -> None:
        """The cancelled row of a registration before the current one: the person was floating
        and settled, or split off their parents' household."""
        rng = world.rng.child("gongan-earlier", person.key)
        current = self.current[person.key]
        was_floating = person.floating or rng.chance(0.3)
        start = date(max(1996, person.birth.year + 1), 1, 1)
        days_span = max(1, (world.today - start).days - 400)
        when = start + timedelta(days=rng.randrange(days_span))
        self.add(
            replace(
                current,
                record_id=world.unique.code("GA", 10),
                rid=person.rid,
                name=person.name,
                household=world.unique.household(),
                relation=rng.pick(("户主", "子", "女", "其他"))
                if was_floating
                else ("子" if person.sex == "男" else "女"),
                category="流动人口" if was_floating else "户籍人口",
                house=None if rng.chance(0.6) else current.house,
                registered=f"{when:%Y-%m-%d}",
                cancelled=True,
            )
        )
        current.registered = max(current.registered, f"{when + timedelta(days=300):%Y-%m-%d}")


def build_population(world: World) -> Population:
    population = Population()
    for person in world.persons:
        if person.registered_on is None or person.registered_on > world.today:
            continue
        population.register(world, person)
        if person.active and world.noise.hit("gongan.reregistered"):
            population.earlier_registration(world, person)
    _test_rows(world, population)
    return population


def _test_rows(world: World, population: Population) -> None:
    rng = world.rng.child("gongan-test", world.snapshot)
    for _ in range(len(population.rows)):
        if not world.noise.hit("rows.test", rng=rng):
            continue
        population.add(
            PopulationRow(
                record_id=world.unique.code("GA", 10),
                person=None,
                rid=rng.pick(("123456789012345678", "350526190001010000", "111111111111111111")),
                name=rng.pick(("测试", "测试人员", "张三", "test")),
                sex=rng.pick(("男", "女")),
                ethnicity="汉族",
                birth=rng.pick(("19000101", "20991231", "00000000")),
                household="000000000",
                relation="户主",
                category="户籍人口",
                house=None,
                phone="",
                registered=f"{world.today:%Y-%m-%d}",
                cancelled=False,
                why_undecidable="test row: invented ID and name",
            )
        )


def address_values(house: House) -> list[str]:
    b = house.building
    return [
        house.code,
        b.village.township.name,
        b.village.name,
        b.road,
        b.door,
        b.name,
        house.unit,
        house.room,
        b.code,
        house.use,
    ]
