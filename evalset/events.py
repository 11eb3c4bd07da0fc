"""What happens between two snapshots, and how each department's records follow (or lag).

Rates are the county's (per person-year, scaled to the days between snapshots), with a floor of
a couple of events of each kind so that even a small set exercises every kind: births (a birth
file under a placeholder name, registration a month or two later), deaths (cancelled rows,
benefits stopped, a roster that lags a month now and then), moves between houses and grids
(public security updates the row, other offices keep the old address for a while), floating
households arriving and leaving, re-registrations under a new 人员编号, changed phones, benefits
started and stopped, new doses, health groups joined and left, new party members, new reports
and reports moving on, new buildings and demolished ones, a grid worker replaced, clerks
correcting typos and making new ones.
"""

from __future__ import annotations

from datetime import date, timedelta

from evalset import grids as grid_module
from evalset import idcard
from evalset.datasets import chengguan, dangjian, minzheng, weijian
from evalset.model import Grid, House, Household, Person
from evalset.people import People
from evalset.seeds import Rng
from evalset.world import World, people_by_grid

YEAR = 365.25


def _count(rng: Rng, per_year: float, population: int, span: int, floor: int = 2) -> int:
    return max(floor, rng.poisson(per_year * population * span / YEAR))


def _between(start: date, end: date, rng: Rng) -> date:
    return start + timedelta(days=rng.randint(1, max(1, (end - start).days)))


def advance(world: World, day: date) -> None:
    """Move ``world`` from its snapshot date to ``day``."""
    start = world.today
    span = (day - start).days
    world.snapshot += 1
    world.today = day
    rng = Rng(world.params.seed, "advance", world.snapshot)
    residents = [p for p in world.persons if p.active and p.house is not None]
    n = len(residents)
    occupancy = _occupancy(world)
    people = People(day, rng.child("people"), world.unique, world.noise, world.persons.append)
    people.count = sum(1 for p in world.persons if p.key.startswith("R"))

    _births(world, people, residents, start, day, _count(rng, 0.008, n, span, 3), rng.child("b"))
    _deaths(world, residents, start, day, _count(rng, 0.007, n, span, 3), rng.child("d"))
    _moves(
        world,
        occupancy,
        start,
        day,
        _count(rng, 0.02, len(world.households), span, 3),
        rng.child("m"),
    )
    _leavers(world, start, day, _count(rng, 0.01, len(world.households), span, 2), rng.child("l"))
    _arrivals(world, people, occupancy, start, day, _count(rng, 0.008, n, span, 2), rng.child("a"))
    _reregistrations(world, people, start, day, _count(rng, 0.004, n, span, 2), rng.child("r"))
    _phones(world, _count(rng, 0.08, n, span, 3), rng.child("p"))
    _buildings(world, day, rng.child("h"))
    _registrations(world, day)
    _assistance(world, start, day, rng.child("mz"))
    _immunisation(world, start, day, rng.child("wj"))
    _health_groups(world, start, day, rng.child("hg"))
    _members(world, start, day, rng.child("dj"))
    _reports(world, start, day, rng.child("cg"))
    _grid_workers(world, rng.child("wg"))


# --- the world -------------------------------------------------------------------------------
def _occupancy(world: World) -> dict[str, int]:
    out: dict[str, int] = {}
    for household in world.households:
        if household.house is not None and household.active_members():
            out[household.house.code] = out.get(household.house.code, 0) + 1
    return out


def _vacant(
    world: World, occupancy: dict[str, int], rng: Rng, village_code: str | None = None
) -> House | None:
    pool = [
        h
        for h in world.houses
        if h.residential
        and h.ended is None
        and occupancy.get(h.code, 0) == 0
        and (village_code is None or h.building.village.code == village_code)
    ]
    return rng.pick(pool) if pool else None


def _births(
    world: World,
    people: People,
    residents: list[Person],
    start: date,
    day: date,
    count: int,
    rng: Rng,
) -> None:
    mothers = [
        p
        for p in residents
        if p.sex == "女" and 22 <= p.age_on(day) <= 40 and p.household is not None
    ]
    for _ in range(count):
        if not mothers:
            return
        mother = rng.pick(mothers)
        household = mother.household
        assert household is not None
        father = next(
            (
                p
                for p in household.members
                if p.sex == "男" and p.active and abs((p.birth - mother.birth).days) < 12 * 365
            ),
            None,
        )
        surname = father.surname if father else mother.surname
        parents = [p for p in (father, mother) if p is not None]
        birth = _between(start, day, rng)
        sex = rng.pick(("男", "女"))
        head_is_grand = any(
            p.relation == "户主" and p.age_on(day) > mother.age_on(day) + 15
            for p in household.members
            if p.active
        )
        relation = (
            ("孙子" if sex == "男" else "孙女")
            if head_is_grand
            else ("子" if sex == "男" else "女")
        )
        area = idcard.DEHUA if not household.floating or rng.chance(0.4) else mother.rid[:6]
        shared = rng.pick([p.given[0] for p in parents if p.given]) if rng.chance(0.3) else None
        baby = people.person(surname, sex, birth, household, relation, area, shared)
        baby.parents = parents
        baby.house = household.house
        if world.noise.hit("world.twins", rng=rng):
            twin = people.person(
                surname,
                sex if rng.chance(0.6) else ("女" if sex == "男" else "男"),
                birth,
                household,
                relation,
                area,
                baby.given[0] if len(baby.given) > 1 else None,
            )
            twin.relation = (
                ("孙子" if twin.sex == "男" else "孙女")
                if head_is_grand
                else ("子" if twin.sex == "男" else "女")
            )
            twin.parents, twin.twin, baby.twin = parents, baby, twin
            twin.house = household.house
            twin.registered_on = baby.registered_on


def _end(world: World, person: Person, status: str, when: date) -> None:
    """Death or leaving: public security cancels the row; benefits, groups, membership end."""
    person.status, person.ended_on = status, when
    d = world.datasets
    row = d.population.current.get(person.key)
    if row is not None:
        row.cancelled = True
    lag = world.rng.child("lag", person.key)
    for a in d.assistance.values():
        if a.person is person and not a.gone:
            # The roster sometimes runs a month behind a death.
            a.gone = not ((world.today - when).days < 20 and lag.chance(0.5))
    for g in d.health_groups.records.values():
        if g.person is person:
            g.gone = True
    for m in d.members.values():
        if m.person is person:
            m.gone = True


def _deaths(
    world: World, residents: list[Person], start: date, day: date, count: int, rng: Rng
) -> None:
    workers = {g.worker.key for g in world.grids if g.worker is not None}
    candidates = [p for p in residents if p.active and p.key not in workers]
    weights = [2.718 ** ((p.age_on(day) - 80) / 7) for p in candidates]
    for _ in range(count):
        if not candidates:
            return
        i = rng.choices(range(len(candidates)), weights=weights, k=1)[0]
        person = candidates.pop(i)
        weights.pop(i)
        _end(world, person, "died", _between(start, day, rng))


def _move_person(world: World, person: Person, house: House, when: date) -> None:
    person.previous_house, person.house, person.moved_on = person.house, house, when
    rng = world.rng.child("move", person.key, world.snapshot)
    row = world.datasets.population.current.get(person.key)
    if row is not None and not world.noise.hit("gongan.stale_address", rng=rng):
        row.house = house
    for a in world.datasets.assistance.values():
        if a.person is person and not a.gone and not world.noise.hit("addr.stale", rng=rng):
            minzheng.retype_address(world, a, house, rng)
    for m in world.datasets.members.values():
        if m.person is person and not m.gone and not world.noise.hit("addr.stale", rng=rng):
            dangjian.retype_address(world, m, house, rng)


def _moves(
    world: World, occupancy: dict[str, int], start: date, day: date, count: int, rng: Rng
) -> None:
    """Whole households moving to an empty house, mostly in the same township."""
    households = [h for h in world.households if h.active_members() and h.house is not None]
    for _ in range(count):
        household = rng.pick(households)
        assert household.house is not None
        village = household.house.building.village.code if rng.chance(0.6) else None
        target = _vacant(world, occupancy, rng, village) or _vacant(world, occupancy, rng)
        if target is None or household.house.ended is not None:
            continue
        occupancy[household.house.code] = occupancy.get(household.house.code, 1) - 1
        occupancy[target.code] = occupancy.get(target.code, 0) + 1
        household.house = target
        when = _between(start, day, rng)
        for person in household.active_members():
            _move_person(world, person, target, when)


def _leavers(world: World, start: date, day: date, count: int, rng: Rng) -> None:
    """Households leaving the county (floating workers going home, mostly)."""
    workers = {g.worker.key for g in world.grids if g.worker is not None}
    pool = [
        h
        for h in world.households
        if h.active_members() and not any(p.key in workers for p in h.members)
    ]
    floating = [h for h in pool if h.floating]
    for _ in range(count):
        source = floating if floating and rng.chance(0.75) else pool
        if not source:
            return
        household = rng.pick(source)
        when = _between(start, day, rng)
        for person in household.active_members():
            _end(world, person, "moved_away", when)
        for group in (floating, pool):
            if household in group:
                group.remove(household)


def _arrivals(
    world: World,
    people: People,
    occupancy: dict[str, int],
    start: date,
    day: date,
    count: int,
    rng: Rng,
) -> None:
    """New floating households, in the towns' workshops mostly."""
    urban = [v for v in world.villages if v.urban] or world.villages
    arrived = 0
    while arrived < count:
        village = rng.pick(urban)
        household = people.household(village, floating=True)
        house = _vacant(world, occupancy, rng, village.code) or _vacant(world, occupancy, rng)
        if house is None:  # nowhere to live: they went elsewhere
            for person in household.members:
                person.status, person.ended_on, person.registered_on = "moved_away", day, None
            return
        household.house = house
        occupancy[house.code] = occupancy.get(house.code, 0) + 1
        world.households.append(household)
        for person in household.members:
            person.house = house
            if person.active:
                person.registered_on = _between(start, day, rng)
        arrived += sum(1 for p in household.members if p.active)


def _reregistrations(
    world: World, people: People, start: date, day: date, count: int, rng: Rng
) -> None:
    """A new 人员编号: a floating household settles (户籍), or a grown child splits off into a
    household of their own. The old rows stay, cancelled."""
    population = world.datasets.population
    for _ in range(count):
        floating = [h for h in world.households if h.floating and h.active_members()]
        if floating and rng.chance(0.4):
            household = rng.pick(floating)
            household.floating = False
            movers = household.active_members()
        else:
            adults = [
                p
                for p in world.persons
                if p.active
                and p.house is not None
                and p.relation in ("子", "女")
                and 22 <= p.age_on(day) <= 40
            ]
            if not adults:
                continue
            person = rng.pick(adults)
            old = person.household
            assert old is not None
            new = Household(
                number=world.unique.household(),
                floating=False,
                village=old.village,
                house=person.house,
                landline="",
            )
            old.members.remove(person)
            new.members.append(person)
            person.household = new
            person.relation = "户主"
            world.households.append(new)
            movers = [person]
        when = _between(start, day, rng)
        if (
            movers
            and movers[0].household is not None
            and movers[0].household.floating is False
            and len(movers) > 1
        ):
            movers[0].household.number = world.unique.household()
        for person in movers:
            person.floating = False
            old_row = population.current.get(person.key)
            if old_row is not None:
                old_row.cancelled = True
            population.register(world, person, registered=when)


def _phones(world: World, count: int, rng: Rng) -> None:
    owners = [p for p in world.persons if p.active and p.phone]
    for _ in range(count):
        person = rng.pick(owners)
        person.old_phone, person.phone = person.phone, world.unique.mobile()
        row = world.datasets.population.current.get(person.key)
        if row is not None and rng.chance(0.5):
            row.phone = person.phone


def _buildings(world: World, day: date, rng: Rng) -> None:
    """A new compound in a town street, new family houses in villages; an empty family
    house pulled down now and then."""
    builder = world.builder
    urban = [v for v in world.villages if v.urban]
    before = len(builder.buildings)
    if urban:
        builder.compound(rng.pick(urban), rng.randint(12, 40), built=day)
    for _ in range(rng.randint(1, 3)):
        village = rng.pick(world.villages)
        builder.family_house(
            village, rng.randint(1, village.groups) if village.groups else 0, built=day
        )
    grids = {g.code: g for g in world.grids}
    for building in builder.buildings[before:]:
        neighbour = next(b for b in builder.buildings if b.village is building.village and b.grid)
        building.grid = neighbour.grid
        grids[building.grid].buildings.append(building)
        chengguan.add_plate(world, building, rng.child(building.code), world.datasets.plates)
    occupancy = _occupancy(world)
    lived_in = {h.code for p in world.persons for h in (p.house, p.previous_house) if h}
    empty = [
        b
        for b in builder.buildings[:before]
        if b.kind == "house"
        and len(b.houses) == 1
        and b.houses[0].ended is None
        and occupancy.get(b.houses[0].code, 0) == 0
        and b.houses[0].code not in lived_in
    ]
    if empty and rng.chance(0.7):
        building = rng.pick(empty)
        building.houses[0].ended = day
        for plate in world.datasets.plates.values():
            if plate.building is building:
                plate.gone = True


def _registrations(world: World, day: date) -> None:
    """Everyone due for a population row by now (newborns, arrivals) gets one."""
    population = world.datasets.population
    for person in world.persons:
        if (
            person.active
            and person.registered_on is not None
            and person.registered_on <= day
            and person.key not in population.current
            and not person.foreign_id[0]
        ):
            population.register(world, person)


# --- the departments -------------------------------------------------------------------------
def _assistance(world: World, start: date, day: date, rng: Rng) -> None:
    rows = world.datasets.assistance
    months = max(1, round((day - start).days / 30))
    for row in list(rows.values()):
        if row.gone or row.person is None:
            continue
        rrng = rng.child(row.record_id)
        person = row.person
        if not person.active and row.category != "临时救助":
            row.gone = row.gone or (day - (person.ended_on or day)).days > 20
            continue
        if row.category == "临时救助" or (row.category == "低保" and rrng.chance(0.03 * months)):
            row.gone = True  # one-off aid paid; income above the line at review
            continue
        if rrng.chance(0.08 * months):
            minzheng.correct(world, row)  # a clerk checked the row against the ID card
        elif rrng.chance(0.03 * months):
            minzheng.type_row(world, row, rrng)  # retyped: new typos
    for household in world.households:
        members = household.active_members()
        if household.floating or not members:
            continue
        hrng = rng.child(household.number)
        if hrng.chance(minzheng.low_income_weight(household, day) * 0.03 * months):
            applicant = next((p for p in members if p.relation == "户主"), members[0])
            if not any(
                r.person is applicant and r.category == "低保" and not r.gone for r in rows.values()
            ):
                covered = hrng.randint(1, len(members))
                row = minzheng.new_row(
                    world,
                    applicant,
                    "低保",
                    covered,
                    covered * hrng.pick((650, 700, 780)),
                    _between(start, day, hrng),
                    hrng,
                )
                rows[row.record_id] = row
        if hrng.chance(0.0015 * months):
            row = minzheng.new_row(
                world,
                hrng.pick(members),
                "临时救助",
                len(members),
                hrng.pick((1000, 2000)),
                _between(start, day, hrng),
                hrng,
            )
            rows[row.record_id] = row
        for person in members:
            if person.age_on(day) >= 80 > person.age_on(start) and hrng.chance(0.9):
                row = minzheng.new_row(world, person, "高龄补贴", 1, 50, day.replace(day=1), hrng)
                rows[row.record_id] = row
    minzheng.add_test_rows(world, rows, rng.child("test"), trials=len(rows) // 10)


def _immunisation(world: World, start: date, day: date, rng: Rng) -> None:
    registry = world.datasets.immunisation
    for person in world.persons:
        if person.status == "visitor":
            continue
        prng = rng.child(person.key)
        if person.birth.year >= 2010 and person.active:
            registry.child(world, person, day, start, prng)
        if person.active and person.age_on(day) >= 18:
            registry.adult_since(world, person, start, day, prng)
        for file in registry.files_of.get(person.key, []):
            if not file.placeholder and prng.chance(0.02):
                weijian.correct_file(world, file)


def _health_groups(world: World, start: date, day: date, rng: Rng) -> None:
    groups = world.datasets.health_groups
    doctors = weijian.doctors(world)
    held: dict[str, set[str]] = {}
    for record in groups.records.values():
        person = record.person
        if record.gone:
            continue
        age = person.age_on(day)
        if (record.group == "0-6岁儿童" and age >= 7) or (
            record.group == "孕产妇" and (day - record.signed).days > 300
        ):
            record.gone = True
            continue
        held.setdefault(person.key, set()).add(record.group)
    for person in world.persons:
        if not person.active or person.house is None:
            continue
        prng = rng.child(person.key)
        mine = held.get(person.key, set())
        township = person.house.building.village.township.name
        joins = []
        if person.age_on(day) >= 65 > person.age_on(start) and prng.chance(0.7):
            joins.append("65岁以上老人")
        if person.age_on(day) < 1 and (day - person.birth).days > 30 and prng.chance(0.9):
            joins.append("0-6岁儿童")
        if person.sex == "女" and 22 <= person.age_on(day) <= 40 and prng.chance(0.002):
            joins.append("孕产妇")
        if person.age_on(day) >= 45 and prng.chance(0.002):
            joins.append(prng.pick(("高血压", "糖尿病")))
        for group in joins:
            if group not in mine:
                groups.add(
                    world,
                    person,
                    group,
                    prng.pick(doctors[township]),
                    _between(start, day, prng),
                    prng,
                )


def _members(world: World, start: date, day: date, rng: Rng) -> None:
    members = world.datasets.members
    for row in members.values():
        if not row.gone:
            dangjian.refresh(world, row)
    enrolled = {m.person.key for m in members.values()}
    candidates = [
        p
        for p in world.persons
        if p.active and p.house is not None and p.age_on(day) >= 20 and p.key not in enrolled
    ]
    for _ in range(_count(rng, 0.003, len(candidates), (day - start).days, 1)):
        person = rng.pick(candidates)
        row = dangjian.new_member(world, person, _between(start, day, rng), rng.child(person.key))
        members[row.record_id] = row


def _reports(world: World, start: date, day: date, rng: Rng) -> None:
    reports = world.datasets.reports
    for report in reports.events.values():
        chengguan.progress(report, day, rng.child(report.event_id, world.snapshot))
    count = max(3, round(len(world.persons) * 0.03 * (day - start).days / 180))
    for _ in range(count):
        when = _between(start, day, rng)
        chengguan.progress(chengguan.new_report(world, reports, when, rng), day, rng)


def _grid_workers(world: World, rng: Rng) -> None:
    """Now and then a grid worker leaves and another resident takes the grid over."""
    staffed = [g for g in world.grids if g.worker is not None and g.level == "责任网格"]
    if not staffed or not rng.chance(min(1.0, 0.03 * len(staffed))):
        return
    grid: Grid = rng.pick(staffed)
    taken = {g.worker.key for g in world.grids if g.worker is not None}
    new = grid_module.candidate(grid.code, people_by_grid(world), taken, world.today, rng)
    if new is None:
        return
    grid.worker, grid.worker_name = new, new.name
    grid.worker_phone = new.phone or world.unique.mobile()
