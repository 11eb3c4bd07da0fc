"""Build the synthetic county from a seed: places, houses, people, and what happens to them.

:func:`build_world` makes the world as of the first snapshot date; :func:`hub.generate.evolve`
moves it on one month at a time. Both draw from the world's one ``random.Random(seed)`` in a
fixed order, so the world after ``k`` months is the same in every run: that is what lets
``--next-snapshot`` rebuild it instead of storing it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from hub.generate import programmes, reports
from hub.generate.dice import IdSpace
from hub.generate.geography import build_geography
from hub.generate.housing import HousingBuilder
from hub.generate.idcard import hk_macau_permit, passport
from hub.generate.model import (
    Benefit,
    Building,
    HealthRecord,
    House,
    Household,
    PartyMember,
    Person,
    Report,
    Township,
    Village,
)
from hub.generate.months import add_months
from hub.generate.options import NoiseRates
from hub.generate.population import (
    FLOATING_SHARE_CENTRAL,
    FLOATING_SHARE_RURAL,
    Member,
    PopulationBuilder,
)

PEOPLE_PER_DWELLING = 2.96
OCCUPANCY = 0.88  # share of dwellings with somebody registered in them
WIDOWED_SHARE = 0.5  # of elderly living alone: the late spouse's cancelled row is still there
MOVED_AWAY_SHARE = 0.02  # of households: a member who moved away years ago


@dataclass(slots=True)
class IdSpaces:
    """Record-id formats of every source (see the contract's "Record ids")."""

    population: IdSpace
    household: IdSpace
    assistance: IdSpace
    party: IdSpace
    door_plate: IdSpace
    vaccination: IdSpace
    health: IdSpace
    report: IdSpace

    @classmethod
    def for_seed(cls, seed: int) -> IdSpaces:
        """Every source's id space, keyed by the seed."""
        return cls(
            population=IdSpace("GA", 10, seed, "population"),
            household=IdSpace("", 9, seed, "household"),
            assistance=IdSpace("MZ", 8, seed, "assistance"),
            party=IdSpace("DJ", 8, seed, "party"),
            door_plate=IdSpace("MP", 12, seed, "door_plate"),
            vaccination=IdSpace("WJ", 12, seed, "vaccination"),
            health=IdSpace("WJK", 10, seed, "health"),
            report=IdSpace("", 6, seed, "report"),
        )


@dataclass(slots=True, eq=False)
class World:
    """Everything that exists, as of ``today`` (the date of snapshot number ``month``)."""

    seed: int
    base: date
    rates: NoiseRates  # effective rates (noise applied)
    townships: list[Township]
    people: PopulationBuilder
    ids: IdSpaces
    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    members: list[PartyMember] = field(default_factory=list)
    health: list[HealthRecord] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    doctors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # village code -> names
    counters: dict[str, int] = field(default_factory=dict)  # serials of benefits, members...
    month: int = 0

    @property
    def rng(self) -> random.Random:
        return self.people.rng

    @property
    def today(self) -> date:
        """The date of the current snapshot."""
        return add_months(self.base, self.month)

    @property
    def villages(self) -> list[Village]:
        return [v for t in self.townships for v in t.villages]

    @property
    def buildings(self) -> list[Building]:
        return [b for v in self.villages for b in v.buildings]

    @property
    def houses(self) -> list[House]:
        return [h for b in self.buildings for h in b.houses]

    def present(self) -> list[Person]:
        """People living in the county today."""
        return self.present_on(self.today)

    def present_on(self, day: date) -> list[Person]:
        """People living in the county on a day."""
        return [p for p in self.persons if p.present(day)]


def build_world(seed: int, residents: int, base: date, rates: NoiseRates) -> World:
    """The county on ``base`` with ``residents`` people living in it."""
    if residents < 1:
        raise ValueError("residents must be at least 1")
    rng = random.Random(seed)
    ids = IdSpaces.for_seed(seed)
    world = World(
        seed=seed,
        base=base,
        rates=rates,
        townships=build_geography(),
        people=PopulationBuilder(rng, base, ids.household),
        ids=ids,
    )
    plans = _plan_households(world, residents)
    housing = HousingBuilder(rng)
    people_in: dict[str, int] = {}
    for village, _, plan in plans:
        people_in[village.code] = people_in.get(village.code, 0) + len(plan)
    for village in world.villages:
        people = people_in.get(village.code, 0)
        if people:
            housing.build_village(village, max(1, round(people / PEOPLE_PER_DWELLING)))
    _settle(world, plans)
    _ensure_foreign_documents(world)
    _add_cancelled_people(world)
    _add_reregistrations(world)
    programmes.add_programmes(world)
    reports.add_reports(world, world.base - timedelta(days=365), world.base)
    return world


def _plan_households(world: World, residents: int) -> list[tuple[Village, bool, list[Member]]]:
    rng = world.rng
    villages = world.villages
    cum: list[float] = []
    total = 0.0
    for v in villages:
        total += v.weight
        cum.append(total)
    plans: list[tuple[Village, bool, list[Member]]] = []
    count = 0
    while count < residents:
        village = rng.choices(villages, cum_weights=cum)[0]
        central = village.township.name in ("龙浔镇", "浔中镇")
        share = FLOATING_SHARE_CENTRAL if central else FLOATING_SHARE_RURAL
        floating = rng.random() < share
        plan = world.people.plan(floating)[: residents - count]
        plans.append((village, floating, plan))
        count += len(plan)
    return plans


def _settle(world: World, plans: list[tuple[Village, bool, list[Member]]]) -> None:
    """Move each planned household into a dwelling of its village (some share one)."""
    rng = world.rng
    occupied: dict[str, list[House]] = {}
    for village in world.villages:
        dwellings = [h for b in village.buildings for h in b.houses if h.dwelling]
        rng.shuffle(dwellings)
        occupied[village.code] = dwellings[: max(1, round(len(dwellings) * OCCUPANCY))]
    used: dict[str, int] = {}
    for village, floating, plan in plans:
        homes = occupied[village.code]
        i = used.get(village.code, 0)
        used[village.code] = i + 1
        house = homes[i] if i < len(homes) else rng.choice(homes)
        household = world.people.household_from(plan, house, floating=floating)
        world.households.append(household)
        world.persons.extend(household.members)


def _add_cancelled_people(world: World) -> None:
    """Rows that stay in 人口 cancelled: late spouses of widowed elders, children moved away."""
    rng = world.rng
    people = world.people
    today = world.base
    for household in list(world.households):
        head = household.members[0]
        if household.floating:
            continue
        if len(household.members) == 1 and head.age(today) >= 65:
            if rng.random() >= WIDOWED_SHARE:
                continue
            sex = "女" if head.male else "男"
            member = Member(sex, min(100, head.age(today) + rng.randint(-3, 6)), "配偶",
                            people.names.surname())  # fmt: skip
            gone = people.person(member, household, head.ethnicity)
            gone.died = today - timedelta(days=rng.randint(30, 4000))
        elif rng.random() < MOVED_AWAY_SHARE and head.age(today) >= 45:
            sex = "男" if rng.random() < 0.5 else "女"
            relation = "子" if sex == "男" else "女"
            member = Member(sex, max(18, head.age(today) - rng.randint(22, 32)), relation,
                            head.name[0])  # fmt: skip
            gone = people.person(member, household, head.ethnicity)
            gone.left = today - timedelta(days=rng.randint(30, 2500))
        else:
            continue
        gone.registered = min(gone.registered, gone.gone or today)
        gone.phone = gone.old_phone = ""
        household.members.append(gone)
        world.persons.append(gone)


def _ensure_foreign_documents(world: World) -> None:
    """At least one child with a passport and one with a Hong Kong / Macau permit.

    Their clinics' records carry those documents instead of a resident ID; a small world
    would otherwise often have none.
    """
    rng = world.rng
    for doc_type in ("护照", "港澳居民来往内地通行证"):
        if any(p.doc_type == doc_type and p.age(world.base) < 6 for p in world.persons):
            continue
        young = [
            p
            for p in world.persons
            if p.household.floating and p.doc_type == "居民身份证" and p.age(world.base) < 6
        ]
        candidates = young or [p for p in world.persons if p.doc_type == "居民身份证"]
        person = rng.choice(candidates)
        person.registered = min(person.registered, person.birth + timedelta(days=20))
        person.doc_type = doc_type
        person.doc_no = passport(rng) if doc_type == "护照" else hk_macau_permit(rng)
        person.id_no = ""


def _add_reregistrations(world: World) -> None:
    rate = world.rates.reregistered
    rng = world.rng
    houses = [h for h in world.houses if h.dwelling]
    for person in world.persons:
        if person.gone is None and person.id_no and rng.random() < rate:
            old_house = rng.choice(houses) if rng.random() < 0.7 else None
            world.people.reregister(person, old_house)
