"""One month of life in the county: what changes between two deliveries.

Deaths and departures (their 人口 rows become cancelled), births, households moving house,
floating families arriving, phones changing, benefits ending and starting, people turning 80
or 65, new party members, new reports (older ones move on by themselves; see
:func:`hub.generate.reports.status`). Rates are per month. Every kind of change happens at
least once a month, however small the world, so a next snapshot always shows each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TypeVar

from hub.generate import programmes, reports
from hub.generate.model import House, Household, Person
from hub.generate.population import Member
from hub.generate.world import World

T = TypeVar("T")

DEATH_RATES = ((60, 0.00004), (70, 0.0008), (80, 0.002), (90, 0.006), (200, 0.015))  # age below
BIRTH_RATE = 0.0045  # of women 20-42 who are a head, spouse or daughter-in-law
MOVE_RATE = 0.004  # of households
FLOATING_LEAVE_RATE = 0.012  # of floating households
LEAVE_RATE = 0.0008  # of registered people aged 18-35
PHONE_CHANGE_RATE = 0.004
DIBAO_END_RATE = 0.01
NEW_DIBAO_RATE = 0.00008  # per resident
NEW_TEMPORARY_RATE = 0.0003
NEW_DISABILITY_RATE = 0.00003
NEW_MEMBER_RATE = 0.00015  # of people aged 18-45
MEMBER_TRANSFER_RATE = 0.001
PREGNANCY_RATE = 0.0012
HYPERTENSION_RATE = 0.0008


def advance(world: World) -> None:
    """Move the world on to the next snapshot date (one month)."""
    start = world.today
    world.month += 1
    end = world.today
    world.people.today = end
    present = world.present_on(start)
    _deaths(world, present, start, end)
    _births(world, present, start, end)
    _moves(world, start)
    _departures_and_arrivals(world, start, end)
    _phone_changes(world, present)
    _benefits(world, start, end)
    _party(world, start, end)
    _health(world, start, end)
    reports.add_reports(world, start, end)


def some(world: World, candidates: Sequence[T], rate: Callable[[T], float]) -> list[T]:
    """Each candidate with its own probability, and at least one if there are any."""
    rng = world.rng
    chosen = [c for c in candidates if rng.random() < rate(c)]
    if not chosen and candidates:
        weights = [rate(c) for c in candidates]
        chosen = rng.choices(candidates, weights if sum(weights) > 0 else None)
    return chosen


def _day(world: World, start: date, end: date) -> date:
    return start + timedelta(days=world.rng.randint(1, (end - start).days))


def _deaths(world: World, present: list[Person], start: date, end: date) -> None:
    def rate(person: Person) -> float:
        age = person.age(start)
        return next(r for limit, r in DEATH_RATES if age < limit)

    for person in some(world, present, rate):
        person.died = _day(world, start, end)


def _births(world: World, present: list[Person], start: date, end: date) -> None:
    rng = world.rng
    mothers = [
        p
        for p in present
        if not p.male and p.gone is None and 20 <= p.age(start) <= 42
        and p.relation in ("户主", "配偶", "儿媳", "女")
    ]  # fmt: skip
    for mother in some(world, mothers, lambda m: BIRTH_RATE * (0.3 if m.relation == "女" else 1)):
        household = mother.household
        head = household.members[0]
        grandchild = mother.relation in ("儿媳", "女")
        sex = "男" if rng.random() < 0.52 else "女"
        if grandchild:
            relation = "孙子" if sex == "男" else "孙女"
        else:
            relation = "子" if sex == "男" else "女"
        surname = head.name[0] if mother.relation != "户主" else mother.name[0]
        birth = _day(world, start, end)
        child = world.people.person(
            Member(sex, 0, relation, surname), household, mother.ethnicity, birth=birth
        )
        child.registered = birth + timedelta(days=rng.randint(10, 40))
        child.guardian = mother
        household.members.append(child)
        world.persons.append(child)
        if rng.random() < 0.9:
            signed = birth + timedelta(days=rng.randint(0, 45))
            programmes.add_health(world, child, "0-6岁儿童", signed)


def _vacant(world: World, on: date) -> list[House]:
    return [h for h in world.houses if h.dwelling and not any(hh.living(on) for hh in h.households)]


def _moves(world: World, start: date) -> None:
    rng = world.rng
    vacant = _vacant(world, start)
    movers = [h for h in world.households if h.living(start)]
    for household in some(world, movers, lambda _: MOVE_RATE):
        if not vacant:
            return
        township = household.house.building.village.township
        sample = rng.sample(vacant, min(40, len(vacant)))
        nearby = [h for h in sample if h.building.village.township is township]
        target = nearby[0] if nearby and rng.random() < 0.7 else rng.choice(vacant)
        vacant.remove(target)
        _move(household, target)


def _move(household: Household, target: House) -> None:
    for person in household.members:
        if person.gone is not None and person.final_house is None:
            person.final_house = household.house
    household.house.households.remove(household)
    target.households.append(household)
    household.house = target


def _departures_and_arrivals(world: World, start: date, end: date) -> None:
    rng = world.rng
    floating = [h for h in world.households if h.floating and h.living(start)]
    leaving = some(world, floating, lambda _: FLOATING_LEAVE_RATE)
    for household in leaving:
        day = _day(world, start, end)
        for person in household.living(start):
            person.left = day
    young = [
        p
        for h in world.households
        if not h.floating
        for p in h.living(start)
        if 18 <= p.age(start) <= 35 and p.gone is None
    ]
    for person in some(world, young, lambda _: LEAVE_RATE):
        person.left = _day(world, start, end)
    vacant = {h.serial for h in _vacant(world, end)}
    villages = [v for v in world.villages if any(h.dwelling for b in v.buildings for h in b.houses)]
    weights = [v.weight for v in villages]
    for _ in range(max(1, len(leaving)) if villages else 0):
        village = rng.choices(villages, weights)[0]
        homes = [h for b in village.buildings for h in b.houses if h.dwelling]
        house = rng.choice([h for h in homes if h.serial in vacant] or homes)
        vacant.discard(house.serial)
        household = world.people.household_from(world.people.plan(True), house, floating=True)
        arrived = _day(world, start, end)
        for person in household.members:
            person.registered = max(arrived, person.birth)
        world.households.append(household)
        world.persons.extend(household.members)


def _phone_changes(world: World, present: list[Person]) -> None:
    owners = [p for p in present if p.phone and p.gone is None]
    for person in some(world, owners, lambda _: PHONE_CHANGE_RATE):
        person.old_phone = person.phone
        person.phone = world.people.phones.mobile()


def _benefits(world: World, start: date, end: date) -> None:
    rng = world.rng
    running = [b for b in world.benefits if b.kind == "低保" and b.active(start)]
    for benefit in some(world, running, lambda _: DIBAO_END_RATE):
        benefit.end = _day(world, start, end)
    registered = [h for h in world.households if not h.floating and h.living(end)]
    if not registered:
        return
    residents = sum(len(h.members) for h in registered)
    for _ in range(_count(world, residents * NEW_DIBAO_RATE)):
        household = rng.choice(registered)
        programmes.add_benefit(world, household.living(end)[0], "低保", _day(world, start, end))
    for _ in range(_count(world, residents * NEW_TEMPORARY_RATE)):
        household = rng.choice(registered)
        months = rng.randint(2, 5)
        day = _day(world, start, end)
        programmes.add_benefit(world, household.living(end)[0], "临时救助", day, months=months)
    for _ in range(_count(world, residents * NEW_DISABILITY_RATE)):
        person = rng.choice(rng.choice(registered).living(end))
        programmes.add_benefit(world, person, "残疾人两项补贴", _day(world, start, end))
    allowed = {b.person.serial for b in world.benefits if b.kind == "高龄补贴"}
    for person in world.present_on(end):
        if person.serial in allowed or person.household.floating or person.age(end) < 79:
            continue
        begins = programmes.elderly_allowance_start(person)
        if start < begins <= end and rng.random() < programmes.ELDERLY_ALLOWANCE_SHARE:
            programmes.add_benefit(world, person, "高龄补贴", begins)


def _party(world: World, start: date, end: date) -> None:
    rng = world.rng
    active = [m for m in world.members if m.active(start)]
    for member in some(world, active, lambda _: MEMBER_TRANSFER_RATE):
        member.left = _day(world, start, end)
    members = {m.person.serial for m in world.members}
    adults = [p for p in world.present_on(end) if 18 <= p.age(end) <= 45]
    if not adults:
        return
    for _ in range(_count(world, len(adults) * NEW_MEMBER_RATE)):
        person = rng.choice(adults)
        if person.serial not in members:
            programmes.add_member(world, person, _day(world, start, end))
            members.add(person.serial)


def _health(world: World, start: date, end: date) -> None:
    rng = world.rng
    for person in world.present_on(end):
        age = person.age(end)
        if age == 65 and person.age(start) == 64 and rng.random() < 0.7:
            programmes.add_health(world, person, "65岁以上老人", _day(world, start, end))
        if not person.male and 20 <= age <= 40 and rng.random() < PREGNANCY_RATE:
            signed = _day(world, start, end)
            programmes.add_health(world, person, "孕产妇", signed, signed + timedelta(days=300))
        if age >= 35 and rng.random() < HYPERTENSION_RATE:
            programmes.add_health(world, person, "高血压", _day(world, start, end))


def _count(world: World, expected: float) -> int:
    """A whole number of events, at least one, with about the expected value."""
    whole = int(expected)
    return max(1, whole + (1 if world.rng.random() < expected - whole else 0))
