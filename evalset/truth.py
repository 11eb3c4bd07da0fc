"""The truth files: who every record is, which house every address names, and the residents.

``persons.csv`` and ``houses.csv`` are in the format ``hub evaluate --truth`` reads (UTF-8,
``\\n``, a header row). ``residents.csv`` is one row per real person with the facts the
departments' questions are about, on the snapshot date. ``undecidable.csv`` lists every record
left out of the truth on purpose, with the reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from evalset.datasets import (
    ADDRESS,
    ASSISTANCE,
    DOOR_PLATE,
    GRID,
    HEALTH_GROUP,
    MEMBER,
    POPULATION,
    REPORT,
    VACCINATION,
    minzheng,
)
from evalset.delivery import Delivered
from evalset.model import Person
from evalset.world import World

RESIDENTS_HEADER = [
    "person_key",
    "resident_id",
    "name",
    "sex",
    "birth_date",
    "status",
    "active",
    "house_key",
    "building_key",
    "grid_code",
    "township",
    "household",
    "floating",
    "age",
    "elderly",
    "living_alone",
    "low_income",
    "vaccinated",
    "party_member",
    "key_health_group",
]
ELDERLY_AGE = 65


@dataclass(frozen=True, slots=True)
class PersonRecord:
    dataset: str
    record_id: str
    person: Person | None
    identity: tuple[object, ...]  # what the record says about who it is
    why: str = ""  # set: undecidable on its own terms


def person_records(world: World) -> Iterator[PersonRecord]:
    """Every record in the world that describes a person, with what it says about them."""
    d = world.datasets
    for r in d.population.rows.values():
        yield PersonRecord(
            POPULATION,
            r.record_id,
            r.person,
            (r.rid, r.name, r.birth, r.household),
            r.why_undecidable,
        )
    for a in d.assistance.values():
        yield PersonRecord(
            ASSISTANCE, a.record_id, a.person, tuple(map(str, a.cells[1:6])), a.why_undecidable
        )
    for files in d.immunisation.files_of.values():
        for f in files:
            for dose in f.doses:
                yield PersonRecord(
                    VACCINATION,
                    dose.record_id,
                    f.person,
                    (f.name, f.id_no, f.phone, f.birth),
                    dose.why_undecidable,
                )
    for g in d.health_groups.records.values():
        yield PersonRecord(
            HEALTH_GROUP, g.record_id, g.person, (g.name, g.id_no, g.phone), g.why_undecidable
        )
    for m in d.members.values():
        v = m.values
        yield PersonRecord(
            MEMBER, m.record_id, m.person, (v[1], v[2], v[4], v[10], v[11]), m.why_undecidable
        )
    for rep in d.reports.events.values():
        if rep.reporter is not None:
            yield PersonRecord(REPORT, rep.event_id, rep.reporter, (rep.phone,))
    for grid in world.grids:
        if grid.worker is not None:
            yield PersonRecord(
                GRID, grid.code, grid.worker, (grid.worker_name, grid.worker_phone, grid.code[:9])
            )


def undecidable(records: list[PersonRecord]) -> dict[tuple[str, str], str]:
    """Records a careful human could not place either: the test rows, and records whose
    every identifying value is the same as a record of another person in the same dataset
    (twins' birth files both opened as 陈丽之子, for instance)."""
    out: dict[tuple[str, str], str] = {}
    owners: dict[tuple[str, tuple[object, ...]], set[str]] = {}
    for rec in records:
        if rec.why or rec.person is None:
            out[(rec.dataset, rec.record_id)] = rec.why or "no real person"
            continue
        if rec.dataset in (REPORT, GRID):
            continue
        owners.setdefault((rec.dataset, rec.identity), set()).add(rec.person.key)
    for rec in records:
        if rec.person is None or rec.dataset in (REPORT, GRID):
            continue
        if len(owners.get((rec.dataset, rec.identity), ())) > 1:
            out[(rec.dataset, rec.record_id)] = (
                "identical to a record of another person (same name, ID, phone, birth date)"
            )
    return out


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def truth_files(world: World, delivered: Delivered) -> dict[str, str]:
    """File name -> text of every truth file."""
    records = list(person_records(world))
    blocked = undecidable(records)
    persons: list[list[str]] = []
    undecided: list[list[str]] = []
    for rec in records:
        key = (rec.dataset, rec.record_id)
        if key not in delivered.complete:
            if key in delivered.broken:
                undecided.append(
                    [
                        rec.dataset,
                        rec.record_id,
                        f"only delivered as the half-written last line of {delivered.broken[key]}",
                    ]
                )
            continue
        if key in blocked:
            undecided.append([rec.dataset, rec.record_id, blocked[key]])
            continue
        assert rec.person is not None
        persons.append([rec.dataset, rec.record_id, rec.person.key])
    houses: list[list[str]] = []
    for row in _house_rows(world):
        key = (row[0], row[1])
        if key in blocked:
            continue
        if key in delivered.complete:
            houses.append(row)
        elif key in delivered.broken:
            undecided.append(
                [*key, f"only delivered as the half-written last line of {delivered.broken[key]}"]
            )
    undecided.extend(_unplaced(world, delivered))
    undecided = [list(row) for row in dict.fromkeys(map(tuple, undecided))]
    persons.sort()
    houses.sort()
    undecided.sort()
    return {
        "persons.csv": _csv(["dataset", "record_id", "person_key"], persons),
        "houses.csv": _csv(["dataset", "record_id", "house_key", "building_key"], houses),
        "residents.csv": _csv(RESIDENTS_HEADER, residents(world, delivered)),
        "undecidable.csv": _csv(["dataset", "record_id", "reason"], undecided),
    }


def _house_rows(world: World) -> Iterator[list[str]]:
    d = world.datasets
    for house in world.houses:
        yield [ADDRESS, house.code, house.code, house.building.code]
    for r in d.population.rows.values():
        if r.house is not None and r.person is not None:
            yield [POPULATION, r.record_id, r.house.code, r.house.building.code]
    for a in d.assistance.values():
        if a.target is not None and a.person is not None:
            yield [ASSISTANCE, a.record_id, *a.target]
    for m in d.members.values():
        if m.target is not None:
            yield [MEMBER, m.record_id, *m.target]
    for p in d.plates.values():
        if p.target is not None:
            yield [DOOR_PLATE, p.record_id, *p.target]
    for rep in d.reports.events.values():
        if rep.target is not None:
            yield [REPORT, rep.event_id, *rep.target]


def _unplaced(world: World, delivered: Delivered) -> Iterator[list[str]]:
    """Address-bearing records that name no house or building on purpose (houses.csv)."""
    d = world.datasets
    for a in d.assistance.values():
        if (
            a.person is not None
            and a.target is None
            and a.cells[5]
            and (ASSISTANCE, a.record_id) in delivered.complete
        ):
            yield [ASSISTANCE, a.record_id, f"address names no single house: {a.cells[5]}"]
    for m in d.members.values():
        if m.target is None and m.values[11] and (MEMBER, m.record_id) in delivered.complete:
            yield [MEMBER, m.record_id, f"address names no single house: {m.values[11]}"]
    for p in d.plates.values():
        if p.target is None and (DOOR_PLATE, p.record_id) in delivered.complete:
            yield [
                DOOR_PLATE,
                p.record_id,
                f"gate plate of a compound of several buildings: {p.address}",
            ]
    for rep in d.reports.events.values():
        if rep.target is None and (REPORT, rep.event_id) in delivered.complete:
            yield [REPORT, rep.event_id, f"names no single building: {rep.address}"]


def residents(world: World, delivered: Delivered) -> list[list[str]]:
    d = world.datasets
    today = world.today
    low_income = {
        a.person.key
        for a in d.assistance.values()
        if a.person is not None and not a.gone and a.category in minzheng.LOW_INCOME
    }
    vaccinated = {
        f.person.key
        for files in d.immunisation.files_of.values()
        for f in files
        if any((VACCINATION, x.record_id) in delivered.complete for x in f.doses)
    }
    party = {m.person.key for m in d.members.values() if not m.gone}
    health = {g.person.key for g in d.health_groups.records.values() if not g.gone}
    rows = []
    for p in world.persons:
        house = p.house if p.active else None
        household = p.household
        alone = bool(p.active and household is not None and household.active_members() == [p])
        age = p.age_on(today)
        rows.append(
            [
                p.key,
                p.rid,
                p.name,
                p.sex,
                f"{p.birth:%Y-%m-%d}",
                p.status,
                "1" if p.active else "0",
                house.code if house else "",
                house.building.code if house else "",
                house.building.grid if house else "",
                house.building.village.township.name if house else "",
                household.number if household else "",
                "1" if p.floating else "0",
                str(age),
                "1" if p.active and age >= ELDERLY_AGE else "0",
                "1" if alone else "0",
                "1" if p.key in low_income else "0",
                "1" if p.key in vaccinated else "0",
                "1" if p.key in party else "0",
                "1" if p.key in health else "0",
            ]
        )
    return rows
