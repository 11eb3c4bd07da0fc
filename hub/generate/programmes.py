"""Facts about people that departments keep: benefits, party membership, key health groups.

Shares follow the issue's figures: benefits for a few per cent (低保 for households, 高龄补贴
for nearly everyone over 80), party members about 6% of residents, health groups by age.
The ``add_*`` helpers are shared with :mod:`hub.generate.evolve`, which starts new ones.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hub.generate.model import Benefit, HealthRecord, PartyMember, Person
from hub.generate.months import add_months

if TYPE_CHECKING:
    from hub.generate.world import World

BENEFIT_KINDS = ("低保", "特困供养", "临时救助", "高龄补贴", "残疾人两项补贴")
BENEFIT_NOTES = {"": 70, "新增": 6, "复核通过": 6, "动态管理": 5, "按季度发放": 4, "已公示": 5,
                 "待复核": 2, "一户多保": 2}  # fmt: skip
DIBAO_SHARE = {"rural": 0.025, "urban": 0.01}  # of registered households
TEMPORARY_SHARE = 0.003  # of households, for one to five months
DISABILITY_SHARE = 0.008  # of people; ten times that in 低保 households
TEKUN_SHARE = 0.06  # of people over 60 living alone
ELDERLY_ALLOWANCE_SHARE = 0.9  # of people aged 80 and over
ELDERLY_ALLOWANCE_SINCE = date(2010, 1, 1)

HEALTH_GROUPS = ("高血压", "糖尿病", "孕产妇", "严重精神障碍", "0-6岁儿童", "65岁以上老人")
ROLES = ("网格党组织负责人", "楼栋长", "党员示范户")


def add_programmes(world: World) -> None:
    """Benefits, party members and key health groups as of the first snapshot."""
    _add_doctors(world)
    _add_benefits(world)
    _add_party(world)
    _add_health(world)


# -- benefits ---------------------------------------------------------------------------------


def add_benefit(world: World, person: Person, kind: str, start: date, months: int = 0) -> Benefit:
    """A new benefit; ``months`` > 0 ends it that many months later (temporary assistance)."""
    rng = world.rng
    if kind == "低保":
        amount = rng.randrange(300, 710, 10) * max(1, len(person.household.living(start)))
    elif kind == "特困供养":
        amount = rng.randrange(1150, 1410, 10)
    elif kind == "临时救助":
        amount = rng.randrange(500, 3100, 100)
    elif kind == "高龄补贴":
        age = person.age(start)
        amount = 500 if age >= 100 else 200 if age >= 90 else 100
    else:
        amount = rng.choice((80, 90, 100, 120, 150, 180, 260))
    notes = list(BENEFIT_NOTES)
    benefit = Benefit(
        serial=_next(world, "benefit"),
        person=person,
        kind=kind,
        amount=amount,
        start=start,
        end=add_months(start, months) if months else None,
        note=rng.choices(notes, list(BENEFIT_NOTES.values()))[0],
    )
    world.benefits.append(benefit)
    return benefit


def elderly_allowance_start(person: Person) -> date:
    """First day of the month after the 80th birthday (not before the scheme began)."""
    eighty = date(person.birth.year + 80, person.birth.month, 1)
    return max(ELDERLY_ALLOWANCE_SINCE, add_months(eighty, 1))


def _add_benefits(world: World) -> None:
    rng = world.rng
    today = world.base
    for household in world.households:
        living = household.living(today)
        if household.floating or not living:
            continue
        setting = "urban" if household.house.building.village.urban else "rural"
        dibao = rng.random() < DIBAO_SHARE[setting]
        if dibao:
            add_benefit(world, living[0], "低保", _past(rng, today, 30, 3000))
        if rng.random() < TEMPORARY_SHARE:
            start = today - timedelta(days=rng.randint(0, 50))
            add_benefit(world, living[0], "临时救助", start, months=rng.randint(2, 5))
        for person in living:
            age = person.age(today)
            if age >= 80 and rng.random() < ELDERLY_ALLOWANCE_SHARE:
                add_benefit(world, person, "高龄补贴", elderly_allowance_start(person))
            if rng.random() < DISABILITY_SHARE * (10 if dibao else 1):
                add_benefit(world, person, "残疾人两项补贴", _past(rng, today, 30, 2500))
            if len(living) == 1 and age >= 60 and rng.random() < TEKUN_SHARE:
                add_benefit(world, person, "特困供养", _past(rng, today, 30, 3000))


# -- party ------------------------------------------------------------------------------------


def add_member(world: World, person: Person, joined: date, role: str = "") -> PartyMember:
    """A new party member (预备党员 for the first year)."""
    floating = person.household.floating or world.rng.random() < 0.04
    member = PartyMember(
        serial=_next(world, "member"), person=person, joined=joined, floating=floating, role=role
    )
    world.members.append(member)
    return member


def member_share(person: Person, on: date) -> float:
    """Chance that a person is a party member: about 6% of residents overall."""
    age = person.age(on)
    if age < 18:
        return 0.0
    base = 0.04 if age < 30 else 0.085 if age < 60 else 0.11
    return base * (1.35 if person.male else 0.6)


def _add_party(world: World) -> None:
    rng = world.rng
    today = world.base
    leaders: set[str] = set()
    for person in world.present():
        if rng.random() >= member_share(person, today):
            continue
        age = person.age(today)
        joined_age = rng.randint(18, min(age, 45))
        joined = person.birth + timedelta(days=365 * joined_age + rng.randint(0, 364))
        unit = _unit_code(person)
        if unit not in leaders and age >= 28:
            leaders.add(unit)
            role = ROLES[0]
        else:
            u = rng.random()
            role = ROLES[1] if u < 0.05 else ROLES[2] if u < 0.09 else ""
        add_member(world, person, min(joined, today - timedelta(days=1)), role)


def _unit_code(person: Person) -> str:
    resp = person.household.house.building.resp
    return resp.unit.code if resp is not None else ""


# -- health -----------------------------------------------------------------------------------


def add_health(
    world: World, person: Person, group: str, signed: date, end: date | None = None
) -> HealthRecord:
    """A new key-group record with a family doctor of the person's village."""
    doctors = world.doctors[person.household.house.building.village.code]
    record = HealthRecord(
        serial=_next(world, "health"),
        person=person,
        group=group,
        doctor=world.rng.choice(doctors),
        signed=signed,
        end=end,
    )
    world.health.append(record)
    return record


def _add_health(world: World) -> None:
    rng = world.rng
    today = world.base
    for p in world.present():
        age = p.age(today)
        if age >= 35 and rng.random() < (0.05 if age < 50 else 0.18 if age < 65 else 0.35):
            add_health(world, p, "高血压", _since_birthday(rng, p, 35, today))
        if age >= 40 and rng.random() < (0.03 if age < 50 else 0.08 if age < 65 else 0.12):
            add_health(world, p, "糖尿病", _since_birthday(rng, p, 40, today))
        if not p.male and 20 <= age <= 40 and rng.random() < 0.012:
            signed = today - timedelta(days=rng.randint(0, 270))
            add_health(world, p, "孕产妇", signed, signed + timedelta(days=300))
        if age >= 15 and rng.random() < 0.004:
            add_health(world, p, "严重精神障碍", _since_birthday(rng, p, 15, today))
        if age < 7 and rng.random() < 0.9:
            signed = min(today, p.birth + timedelta(days=rng.randint(0, 60)))
            add_health(world, p, "0-6岁儿童", signed)
        if age >= 65 and rng.random() < 0.7:
            add_health(world, p, "65岁以上老人", _since_birthday(rng, p, 65, today))


def _add_doctors(world: World) -> None:
    rng = world.rng
    names = world.people.names
    for village in world.villages:
        doctors = []
        for _ in range(rng.randint(2, 3)):
            sex = "女" if rng.random() < 0.45 else "男"
            doctors.append(names.surname() + names.given(sex, rng.randint(1965, 1995)))
        world.doctors[village.code] = tuple(doctors)


# -- helpers ----------------------------------------------------------------------------------


def _past(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low, high))


def _since_birthday(rng: random.Random, person: Person, age: int, today: date) -> date:
    """A date between the given birthday (or five years ago, if later) and today."""
    birthday = date(person.birth.year + age, person.birth.month, min(person.birth.day, 28))
    start = max(birthday, today - timedelta(days=1825))
    return start + timedelta(days=rng.randint(0, max(0, (today - start).days)))


def _next(world: World, counter: str) -> int:
    serial = world.counters.get(counter, 0)
    world.counters[counter] = serial + 1
    return serial
