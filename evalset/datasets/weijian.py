"""Health: the provincial immunisation system's doses (接种记录) and key health groups (重点人群).

The immunisation system keeps one *file* per person and exports every dose with the file's
identity, so all doses of a file carry the same name, ID, phone and birth date, defects
included. A child's first file is opened at birth, before the child is named (``陈丽之子``,
``之女``, ``宝宝``: no ID, a parent's phone, the exact birth date); usually it is renamed later,
sometimes a second file is opened at school entry and the doses split between the two. Adults
have COVID-19 doses of 2021-22, the old flu and pneumococcal doses, some women HPV doses,
bitten people rabies doses; relatives from Hong Kong, Macao, Taiwan or abroad appear on a
passport or permit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from evalset import idcard, names, typed
from evalset.model import Person
from evalset.places import CENTRAL
from evalset.seeds import Rng

if TYPE_CHECKING:
    from evalset.world import World

#: The national childhood schedule: (vaccine, dose, age in days).
CHILD_SCHEDULE = (
    ("乙肝疫苗", 1, 0),
    ("卡介苗", 1, 0),
    ("乙肝疫苗", 2, 30),
    ("脊灰灭活疫苗", 1, 60),
    ("脊灰灭活疫苗", 2, 90),
    ("百白破疫苗", 1, 90),
    ("脊灰减毒活疫苗", 3, 120),
    ("百白破疫苗", 2, 120),
    ("百白破疫苗", 3, 150),
    ("乙肝疫苗", 3, 180),
    ("A群流脑多糖疫苗", 1, 180),
    ("麻腮风疫苗", 1, 240),
    ("乙脑减毒活疫苗", 1, 240),
    ("A群流脑多糖疫苗", 2, 270),
    ("百白破疫苗", 4, 540),
    ("麻腮风疫苗", 2, 540),
    ("甲肝减毒活疫苗", 1, 540),
    ("乙脑减毒活疫苗", 2, 730),
    ("A群C群流脑多糖疫苗", 1, 1095),
    ("脊灰减毒活疫苗", 4, 1460),
    ("A群C群流脑多糖疫苗", 2, 2190),
    ("白破疫苗", 1, 2190),
)
#: The provincial system went live then; earlier doses were not migrated.
SYSTEM_START = date(2016, 1, 1)
COVID = "新冠病毒灭活疫苗（Vero细胞）"
GROUPS = ("高血压", "糖尿病", "孕产妇", "严重精神障碍", "0-6岁儿童", "65岁以上老人")
PERMITS = (
    ("护照", "E"),
    ("港澳居民来往内地通行证", "H"),
    ("港澳居民来往内地通行证", "M"),
    ("护照", "P"),
)


@dataclass(slots=True, eq=False)
class ImmunisationFile:
    """One person's file in the immunisation system: the identity every dose carries."""

    person: Person
    name: str
    id_type: str
    id_no: str
    phone: str
    birth: str
    placeholder: bool = False  # opened before the child was named
    keep_placeholder: bool = False
    doses: list[Dose] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Dose:
    record_id: str
    file: ImmunisationFile
    vaccine: str
    dose: int
    at: datetime
    site: str
    why_undecidable: str = ""

    def obj(self) -> dict[str, object]:
        f = self.file
        return {
            "record_id": self.record_id,
            "id_type": f.id_type,
            "id_no": f.id_no,
            "name": f.name,
            "phone": f.phone,
            "birth_date": f.birth,
            "vaccine": self.vaccine,
            "dose": self.dose,
            "vaccinated_at": self.at.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "site": self.site,
        }


@dataclass(slots=True, eq=False)
class HealthGroupRecord:
    record_id: str
    person: Person
    name: str
    id_no: str
    phone: str
    group: str
    doctor: str
    signed: date
    why_undecidable: str = ""
    gone: bool = False  # left the group

    def obj(self) -> dict[str, object]:
        return {
            "record_id": self.record_id,
            "id_no": self.id_no,
            "name": self.name,
            "phone": self.phone,
            "group": self.group,
            "family_doctor": self.doctor,
            "signed_at": f"{self.signed:%Y-%m-%d}",
        }


FILE_PROFILE = typed.Profile(hand=False, plus86=True)
GROUP_PROFILE = typed.Profile(hand=False)


def site_for(person: Person, rng: Rng) -> str:
    if person.house is None:
        return rng.pick(("德化县医院", "德化县疾病预防控制中心"))
    township = person.house.building.village.township.name
    if township in CENTRAL:
        return rng.pick(
            (
                f"{township}社区卫生服务中心",
                f"{township}社区卫生服务中心",
                "德化县医院",
                "德化县妇幼保健院",
            )
        )
    return f"{township}卫生院"


def placeholder_name(person: Person, rng: Rng) -> str:
    mother = next((p for p in person.parents if p.sex == "女" and p.key), None)
    suffix = "之子" if person.sex == "男" else "之女"
    if person.twin is not None and rng.chance(0.5):
        order = "大宝" if person.key < person.twin.key else "二宝"
        return (mother.name if mother else person.surname) + order
    style = rng.weighted(("mother", "bare", "baby", "surname_baby"), (0.7, 0.1, 0.1, 0.1))
    if style == "mother" and mother is not None:
        return mother.name + suffix
    if style == "bare":
        return suffix
    if style == "baby":
        return "宝宝"
    return person.surname + "宝宝"


def guardian_phone(person: Person) -> str:
    for parent in person.parents:
        if parent.phone:
            return parent.phone
    return person.contact()


def open_file(world: World, person: Person, rng: Rng, at_birth: bool = False) -> ImmunisationFile:
    """A file as the clinic types it: at birth a placeholder, otherwise the person typed."""
    noise = world.noise
    if person.foreign_id[0]:
        return ImmunisationFile(
            person=person,
            name=names.traditional(person.name),
            id_type=person.foreign_id[0],
            id_no=person.foreign_id[1],
            phone=person.phone,
            birth=f"{person.birth:%Y-%m-%d}",
        )
    child = person.age_on(world.today) < 14
    if at_birth:
        return ImmunisationFile(
            person=person,
            name=placeholder_name(person, rng),
            id_type="无",
            id_no="",
            phone=guardian_phone(person),
            birth=f"{person.birth:%Y-%m-%d}",
            placeholder=True,
            keep_placeholder=noise.hit("weijian.placeholder_kept", rng=rng),
        )

    name = typed.name(person, noise, rng, FILE_PROFILE)
    if noise.hit("name.homophone_file", rng=rng):
        name = names.homophone(name, len(person.surname), rng) or name
    if noise.hit("name.traditional", rng=rng):
        name = names.traditional(name)
    rid = typed.resident_id(person, noise, rng, FILE_PROFILE)
    if not child and rid and noise.hit("weijian.adult_no_id", rng=rng):
        rid = ""
    phone = (
        guardian_phone(person)
        if child
        else typed.phone(person, world.today, noise, rng, FILE_PROFILE)
    )
    return ImmunisationFile(
        person=person,
        name=name,
        id_type="居民身份证" if rid or not child else "无",
        id_no=str(rid),
        phone=phone,
        birth=_typed_birth(person.birth, world, rng),
    )


def _typed_birth(birth: date, world: World, rng: Rng) -> str:
    noise = world.noise
    if (
        birth.day <= 12
        and birth.day != birth.month
        and noise.hit("birth.day_month_swapped", rng=rng)
    ):
        return f"{birth.year}-{birth.day:02d}-{birth.month:02d}"
    if noise.hit("birth.wrong", rng=rng):
        shifted = birth + timedelta(days=rng.pick((-1, 1, 10, -365, 365)))
        return f"{shifted:%Y-%m-%d}"
    return f"{birth:%Y-%m-%d}"


def _moment(day: date, rng: Rng) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 16), rng.randrange(60), rng.randrange(60)
    )


def _dose(
    world: World, file: ImmunisationFile, vaccine: str, number: int, day: date, rng: Rng
) -> None:
    dose = Dose(
        record_id=world.unique.code("WJ", 12),
        file=file,
        vaccine=vaccine,
        dose=number,
        at=_moment(day, rng),
        site=site_for(file.person, rng),
    )
    file.doses.append(dose)


class Immunisation:
    """Every file and dose; ``files_of`` maps a person to their files (birth file first)."""

    def __init__(self, poor: set[str] | None = None) -> None:
        self.files_of: dict[str, list[ImmunisationFile]] = {}
        self.poor = poor or set()  # persons on a 低保 / 特困供养 row

    def doses(self) -> list[Dose]:
        return [d for files in self.files_of.values() for f in files for d in f.doses]

    def file_for(self, world: World, person: Person, rng: Rng) -> ImmunisationFile:
        files = self.files_of.setdefault(person.key, [])
        if not files:
            files.append(open_file(world, person, rng))
        return files[-1]

    def child(
        self, world: World, person: Person, until: date, since: date | None, rng: Rng
    ) -> None:
        """The childhood doses due between ``since`` (exclusive) and ``until``."""
        files = self.files_of.setdefault(person.key, [])
        for vaccine, number, age_days in CHILD_SCHEDULE:
            # Each dose's day and whether it is given depend on the dose alone, so that
            # snapshots taken at any dates split the schedule the same way.
            drng = Rng(world.params.seed, "dose", person.key, vaccine, number)
            due = person.birth + timedelta(days=age_days + drng.randint(0, 20 if age_days else 1))
            if not drng.chance(0.97) or due > until or (since is not None and due <= since):
                continue
            if due < SYSTEM_START:
                continue  # before the provincial system: not migrated
            if not files:
                files.append(open_file(world, person, rng, at_birth=age_days < 60))
            target = files[-1]
            if target.placeholder and not target.keep_placeholder and age_days >= 60:
                # Named by now: rename the birth file, or open a second file.
                if world.noise.hit("weijian.duplicate_file", rng=rng):
                    files.append(open_file(world, person, rng))
                    target = files[-1]
                else:
                    named = open_file(world, person, rng)
                    target.name, target.id_no, target.id_type = (
                        named.name,
                        named.id_no,
                        named.id_type,
                    )
                    target.phone = named.phone
                    target.placeholder = False
            _dose(world, target, vaccine, number, due, drng)

    def give(
        self, world: World, person: Person, vaccine: str, number: int, day: date, rng: Rng
    ) -> None:
        """A dose on the person's current file (opened now if they have none)."""
        _dose(world, self.file_for(world, person, rng), vaccine, number, day, rng)

    def rabies(self, world: World, person: Person, first: date, before: date, rng: Rng) -> None:
        """The post-exposure series after a bite on ``first``: days 0, 3, 7 and 14."""
        day = first
        for number, gap in ((1, 0), (2, 3), (3, 4), (4, 7)):
            day += timedelta(days=gap)
            if day < before:
                self.give(world, person, "人用狂犬病疫苗（Vero细胞）", number, day, rng)

    def adult(self, world: World, person: Person, rng: Rng) -> None:
        """COVID-19 doses of 2021-22 and the occasional flu, pneumococcal, HPV, rabies."""
        age_2021 = 2021 - person.birth.year
        last = person.ended_on if person.ended_on else world.today
        # Workers who came from other provinces after the campaign were vaccinated at home:
        # their doses are in another province's system.
        came_later = (
            person.floating
            and person.rid[:6] in idcard.FAR_AWAY
            and (person.registered_on or world.today) > date(2022, 6, 30)
        )
        coverage = 0.88 if age_2021 < 80 else 0.55
        if person.key in self.poor:  # the poor and frail were reached less often
            coverage *= 0.7
        if age_2021 >= 12 and not came_later and rng.chance(coverage):
            day = date(2021, 3, 20) + timedelta(days=rng.randrange(200))
            for number, gap in ((1, 0), (2, rng.randint(21, 56)), (3, rng.randint(180, 300))):
                day = day + timedelta(days=gap)
                if day > last or (number == 3 and not rng.chance(0.65)):
                    break
                if number == 2 and not rng.chance(0.95):
                    break
                self.give(world, person, COVID, number, day, rng)
        age = person.age_on(world.today)
        for season in (world.today.year - 2, world.today.year - 1):
            if age >= 60 and rng.chance(0.15):
                day = date(season, 10, 1) + timedelta(days=rng.randrange(80))
                if day < last:
                    self.give(world, person, "流感疫苗", 1, day, rng)
        if age >= 60 and rng.chance(0.05):
            day = world.today - timedelta(days=rng.randrange(900))
            if day < last:
                self.give(world, person, "23价肺炎球菌多糖疫苗", 1, day, rng)
        if person.sex == "女" and 13 <= age <= 45 and rng.chance(0.08):
            day = world.today - timedelta(days=rng.randrange(1000))
            for number in (1, 2, 3):
                if day < last:
                    self.give(world, person, "人乳头瘤病毒疫苗（二价）", number, day, rng)
                day += timedelta(days=rng.randint(30, 180))
        if rng.chance(0.02):
            self.rabies(world, person, world.today - timedelta(days=rng.randrange(700)), last, rng)

    def adult_since(self, world: World, person: Person, start: date, day: date, rng: Rng) -> None:
        """Adults' new doses between two snapshots: the flu season, rabies after a bite."""
        span = (day - start).days
        age = person.age_on(day)
        season = [
            start + timedelta(days=k)
            for k in range(1, span + 1)
            if (start + timedelta(days=k)).month >= 10
        ]
        if age >= 60 and season and rng.chance(0.15 * len(season) / 92):
            self.give(world, person, "流感疫苗", 1, rng.pick(season), rng)
        if rng.chance(0.02 * span / 365):
            first = start + timedelta(days=rng.randint(1, max(1, span)))
            self.rabies(world, person, first, day + timedelta(days=1), rng)


def correct_file(world: World, file: ImmunisationFile) -> None:
    """The clinic checks a file against the ID card at a visit: name, ID and birth date as
    registered (the phone stays as it was)."""
    person = file.person
    if person.rid and not person.foreign_id[0]:
        file.name, file.id_type, file.id_no = person.name, "居民身份证", person.rid
        file.birth = f"{person.birth:%Y-%m-%d}"


def build_immunisation(world: World, poor: set[str]) -> Immunisation:
    registry = Immunisation(poor)
    rng = world.rng.child("weijian", 0)
    for person in list(world.persons):
        prng = rng.child(person.key)
        if person.birth.year >= 2010:
            registry.child(
                world, person, min(world.today, person.ended_on or world.today), None, prng
            )
        if person.birth.year <= 2009:
            registry.adult(world, person, prng)
        if person.active and person.house and world.noise.hit("weijian.passport", rng=prng):
            visitor = make_visitor(world, person, prng)
            registry.adult(world, visitor, prng)
            registry.file_for(world, visitor, prng)
            if not registry.files_of[visitor.key][0].doses:
                day = world.today - timedelta(days=prng.randrange(400))
                registry.give(world, visitor, COVID, 1, day, prng)
    return registry


def make_visitor(world: World, relative: Person, rng: Rng) -> Person:
    """A relative from Hong Kong, Macao, Taiwan or abroad: a person only health knows."""
    id_type, letter = rng.pick(PERMITS)
    key = f"V{len(world.persons) + 1:06d}"
    visitor = Person(
        key=key,
        surname=relative.surname,
        given=names.given_name(rng.pick(("男", "女")), 1980, rng),
        sex=rng.pick(("男", "女")),
        birth=date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        ethnicity="汉族",
        rid="",
        floating=False,
        relation="",
        status="visitor",
        foreign_id=(id_type, letter + world.unique.code("", 8, space="permit")),
        phone=relative.phone if rng.chance(0.6) else "+852 " + rng.digits(8),
    )
    world.persons.append(visitor)
    return visitor


# --- key health groups -------------------------------------------------------------------
def groups_for(person: Person, today: date, rng: Rng) -> list[str]:
    age = person.age_on(today)
    out = []
    if age >= 35:
        band = 0 if age < 45 else (1 if age < 55 else (2 if age < 65 else 3))
        if rng.chance((0.05, 0.12, 0.22, 0.35)[band] * 0.6):
            out.append("高血压")
        if rng.chance((0.03, 0.06, 0.10, 0.14)[band] * 0.6):
            out.append("糖尿病")
    if person.sex == "女" and 20 <= age <= 40 and rng.chance(0.025):
        out.append("孕产妇")
    if age >= 18 and rng.chance(0.004):
        out.append("严重精神障碍")
    if age <= 6 and rng.chance(0.9):
        out.append("0-6岁儿童")
    if age >= 65 and rng.chance(0.7):
        out.append("65岁以上老人")
    return out


def doctors(world: World) -> dict[str, list[str]]:
    """Two to six family doctors per township (they are not among the residents)."""
    rng = world.rng.child("doctors")
    out: dict[str, list[str]] = {}
    for village in world.villages:
        township = village.township.name
        if township not in out:
            count = 6 if township in CENTRAL else 2
            out[township] = [
                names.surname(rng) + names.given_name(rng.pick(("男", "女")), 1980, rng)
                for _ in range(count)
            ]
    return out


class HealthGroups:
    def __init__(self) -> None:
        self.records: dict[str, HealthGroupRecord] = {}
        self.identity: dict[str, tuple[str, str, str]] = {}  # person -> (name, id, phone)

    def add(
        self, world: World, person: Person, group: str, doctor: str, signed: date, rng: Rng
    ) -> HealthGroupRecord:
        ident = self.identity.get(person.key)
        if ident is None:
            noise = world.noise
            name = typed.name(person, noise, rng, GROUP_PROFILE)
            if noise.hit("name.homophone_file", rng=rng):
                name = names.homophone(name, len(person.surname), rng) or name
            rid = typed.resident_id(person, noise, rng, GROUP_PROFILE)
            if person.age_on(world.today) < 1:
                rid = (
                    person.rid
                    if person.registered_on and person.registered_on <= world.today
                    else ""
                )
            phone = (
                guardian_phone(person)
                if person.age_on(world.today) < 14
                else typed.phone(person, world.today, noise, rng, GROUP_PROFILE)
            )
            ident = self.identity[person.key] = (name, str(rid), phone)
        record = HealthGroupRecord(
            record_id=world.unique.code("WJK", 10),
            person=person,
            name=ident[0],
            id_no=ident[1],
            phone=ident[2],
            group=group,
            doctor=doctor,
            signed=signed,
        )
        self.records[record.record_id] = record
        return record


def build_health_groups(world: World) -> HealthGroups:
    out = HealthGroups()
    rng = world.rng.child("health-groups", 0)
    by_township = doctors(world)
    for person in world.persons:
        if not person.active or person.house is None:
            continue
        prng = rng.child(person.key)
        township = person.house.building.village.township.name
        for group in groups_for(person, world.today, prng):
            signed = max(person.birth, world.today - timedelta(days=prng.randrange(1500)))
            out.add(world, person, group, prng.pick(by_township[township]), signed, prng)
    return out
