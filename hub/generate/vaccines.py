"""Vaccination histories, derived from a person's birth date and their own dice.

Doses are not stored in the world: :func:`doses` recomputes a person's history up to a date,
always the same for the same person, so a later snapshot lists the same records (same ids)
plus the doses given since. The export covers doses from :data:`RECORDS_SINCE`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.generate.dice import Dice
from hub.generate.model import Person

RECORDS_SINCE = date(2019, 1, 1)
SLOTS = 64  # record ids are person serial * SLOTS + slot

#: The national childhood schedule: (vaccine, dose, age in days). Slots 0-21.
CHILD_SCHEDULE: tuple[tuple[str, int, int], ...] = (
    ("乙肝疫苗", 1, 0), ("卡介苗", 1, 0), ("乙肝疫苗", 2, 30), ("脊灰疫苗", 1, 60),
    ("脊灰疫苗", 2, 90), ("百白破疫苗", 1, 90), ("脊灰疫苗", 3, 120), ("百白破疫苗", 2, 120),
    ("百白破疫苗", 3, 150), ("乙肝疫苗", 3, 180), ("A群流脑多糖疫苗", 1, 180),
    ("麻腮风疫苗", 1, 240), ("乙脑减毒活疫苗", 1, 240), ("A群流脑多糖疫苗", 2, 270),
    ("麻腮风疫苗", 2, 540), ("百白破疫苗", 4, 540), ("甲肝减毒活疫苗", 1, 540),
    ("乙脑减毒活疫苗", 2, 730), ("A群C群流脑多糖疫苗", 1, 1095), ("脊灰疫苗", 4, 1460),
    ("A群C群流脑多糖疫苗", 2, 2190), ("白破疫苗", 1, 2190),
)  # fmt: skip
CHILD_BORN_SINCE = date(2012, 1, 1)
MISSED_DOSE = 0.04
COVID = "新冠病毒疫苗"
COVID_SLOT = 22  # doses 1-3: slots 22-24
COVID_SHARE = 0.35  # of adults, vaccinated at the county's own sites
PNEUMO = "23价肺炎球菌多糖疫苗"
PNEUMO_SLOT = 25
PNEUMO_SHARE = 0.1
FLU = "流感疫苗"
FLU_SLOT = 30  # + (year - FLU_FIRST_YEAR)
FLU_FIRST_YEAR = 2019
BIRTH_SITES = ("德化县医院", "德化县医院", "德化县妇幼保健院")
COUNTY_SITES = ("德化县医院", "德化县中医院")


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose; ``slot`` (0-63) makes the record id with the person's serial."""

    slot: int
    vaccine: str
    dose: int
    at: datetime
    site: str


def doses(person: Person, on: date, dice: Dice) -> list[Dose]:
    """The person's doses given from :data:`RECORDS_SINCE` up to ``on``, oldest first."""
    if person.birth < CHILD_BORN_SINCE and person.birth.year > 2003:
        return []  # too old for the child schedule in the records, too young for the rest
    u = dice.rolls("vaccines", person.key, 3)
    adult_2021 = person.age(date(2021, 6, 1)) >= 18
    child = person.birth >= CHILD_BORN_SINCE
    elderly = person.birth.year <= on.year - 60
    if not child and not (adult_2021 and u[0] < COVID_SHARE) and not elderly:
        return []
    rng = dice.rng("vaccines", person.key)
    clinic = person.household.house.building.village.township.name + "卫生院"
    given: list[Dose] = []
    if child:
        for slot, (vaccine, dose, age_days) in enumerate(CHILD_SCHEDULE):
            late = rng.randint(0, 20)
            missed = rng.random() < MISSED_DOSE
            site = rng.choice(BIRTH_SITES) if age_days == 0 else clinic
            if not missed:
                day = person.birth + timedelta(days=age_days + (late if age_days else 0))
                given.append(Dose(slot, vaccine, dose, _at(rng, day), site))
    if adult_2021 and u[0] < COVID_SHARE:
        first = date(2021, 4, 1) + timedelta(days=rng.randint(0, 200))
        days = (first, first + timedelta(days=rng.randint(28, 56)),
                date(2021, 12, 1) + timedelta(days=rng.randint(0, 180)))  # fmt: skip
        count = 1 if u[1] < 0.08 else 2 if u[1] < 0.45 else 3
        for i in range(count):
            site = rng.choice(COUNTY_SITES) if rng.random() < 0.4 else clinic
            given.append(Dose(COVID_SLOT + i, COVID, i + 1, _at(rng, days[i]), site))
    if elderly:
        sixty_five = date(person.birth.year + 65, 3, 1)
        day = max(sixty_five, date(2019, 3, 1)) + timedelta(days=rng.randint(0, 700))
        if u[2] < PNEUMO_SHARE:
            given.append(Dose(PNEUMO_SLOT, PNEUMO, 1, _at(rng, day), clinic))
        keen = rng.random() < 0.4
        for year in range(FLU_FIRST_YEAR, on.year + 1):
            take = rng.random() < (0.5 if keen else 0.05)
            day = date(year, 10, 1) + timedelta(days=rng.randint(0, 80))
            if take and year - person.birth.year >= 60:
                given.append(Dose(FLU_SLOT + year - FLU_FIRST_YEAR, FLU, 1, _at(rng, day), clinic))
    return [d for d in given if _recorded(person, d.at.date(), on)]


def _recorded(person: Person, day: date, on: date) -> bool:
    if day < RECORDS_SINCE or day > on:
        return False
    gone = person.gone
    if gone is not None and day >= gone:
        return False
    return not (person.household.floating and day < person.registered)


def _at(rng: random.Random, day: date) -> datetime:
    hour = rng.choice((8, 8, 9, 9, 10, 11, 14, 15, 16))
    return datetime.combine(day, time(hour, rng.randrange(0, 60, 5)))
