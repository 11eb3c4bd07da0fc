"""Households and the people in them, as the county's household register would hold them.

Household shapes follow a Minnan county: three generations under one roof, elderly couples and
widowed elderly living alone (more of them in the hill townships, whose young work in the
towns or in Xiamen), grandparents raising grandchildren, and floating ceramics workers in the
two central towns, single or as young families, with IDs from Guizhou, Sichuan or Jiangxi.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from evalset import idcard, names
from evalset.model import Household, Person
from evalset.noise import Noise
from evalset.places import Village
from evalset.seeds import Rng
from evalset.unique import Unique

LOCAL_ETHNIC = (("汉族", 0.985), ("畲族", 0.01), ("回族", 0.005))
FAR_ETHNIC = (
    ("汉族", 0.82),
    ("苗族", 0.05),
    ("土家族", 0.04),
    ("布依族", 0.04),
    ("彝族", 0.025),
    ("侗族", 0.025),
)

#: Registered household shapes: (shape, weight in town streets, weight in villages).
SHAPES = (
    ("elderly_alone", 0.06, 0.11),
    ("elderly_couple", 0.10, 0.17),
    ("couple", 0.07, 0.05),
    ("single", 0.06, 0.04),
    ("couple_kids", 0.33, 0.22),
    ("three_generations", 0.26, 0.28),
    ("single_parent", 0.04, 0.03),
    ("grandparents_kids", 0.04, 0.10),
    ("elderly_parent_child", 0.04, 0.05),
)
FLOATING_SHAPES = (("single", 0.55), ("couple", 0.25), ("couple_kids", 0.20))
#: Share of households that are floating (流动人口): the ceramics workshops of the towns.
FLOATING_SHARE = {"urban": 0.16, "town": 0.06, "rural": 0.02}


class People:
    """Makes households for one snapshot date; every person gets a truth key in order."""

    def __init__(
        self, today: date, rng: Rng, unique: Unique, noise: Noise, sink: Callable[[Person], None]
    ) -> None:
        self.today = today
        self.rng = rng
        self.unique = unique
        self.noise = noise
        self.sink = sink
        self.count = 0

    # --- people ------------------------------------------------------------------------
    def birth_for_age(self, low: float, high: float, skew_young: bool = False) -> date:
        """A birth date for someone aged between ``low`` and ``high`` years today."""
        if skew_young:
            years = self.rng.triangular(low, high + 1, low)
        else:
            years = self.rng.uniform(low, high + 1)
        return self.today - timedelta(days=max(0, int(years * 365.25) - 1))

    def person(
        self,
        surname: str,
        sex: str,
        birth: date,
        household: Household,
        relation: str,
        area: str,
        shared: str | None = None,
        far: bool = False,
    ) -> Person:
        rng = self.rng
        self.count += 1
        given = names.given_name(sex, birth.year, rng, shared)
        ethnic_table = FAR_ETHNIC if far else LOCAL_ETHNIC
        ethnicity = rng.weighted([e for e, _ in ethnic_table], [w for _, w in ethnic_table])
        person = Person(
            key=f"R{self.count:06d}",
            surname=surname,
            given=given,
            sex=sex,
            birth=birth,
            ethnicity=ethnicity,
            rid=self.unique.resident_id(area, birth, sex),
            floating=household.floating,
            relation=relation,
            household=household,
        )
        if far and rng.chance(0.05):
            full, person.sex, person.ethnicity = rng.pick(names.MINORITY)
            person.surname, person.given = "", full
            person.rid = self.unique.resident_id(area, birth, person.sex)
        elif self.noise.hit("name.rare"):
            person.given = names.with_rare(person.given, rng)
            person.rare = True
        if birth.year < 1975 and person.surname and self.noise.hit("name.former"):
            person.former = surname + names.given_name(sex, birth.year - 5, rng)
        age = person.age_on(self.today)
        own_phone = 0.93 if 18 <= age < 70 else (0.45 if age >= 70 else (0.4 if age >= 14 else 0))
        if rng.chance(own_phone):
            person.phone = self.unique.mobile()
            if self.noise.hit("phone.changed"):
                person.old_phone, person.phone = person.phone, self.unique.mobile()
        household.members.append(person)
        person.registered_on = self._registered_on(person)
        self.sink(person)
        return person

    def _registered_on(self, person: Person) -> date:
        if person.floating:
            return self.today - timedelta(days=self.rng.randint(20, 8 * 365))
        if person.birth.year >= 1996:
            return person.birth + timedelta(days=self.rng.randint(15, 75))
        return date(self.rng.randint(1996, 2003), self.rng.randint(1, 12), self.rng.randint(1, 28))

    # --- households --------------------------------------------------------------------
    def household(self, village: Village, floating: bool | None = None) -> Household:
        rng = self.rng
        setting = "urban" if village.urban else ("town" if village.community else "rural")
        chance = rng.chance(FLOATING_SHARE[setting])
        floating = chance if floating is None else floating
        household = Household(number=self.unique.household(), floating=floating, village=village)
        if floating:
            shape = rng.weighted([s for s, _ in FLOATING_SHAPES], [w for _, w in FLOATING_SHAPES])
            far = rng.chance(0.75)
            area = rng.pick(idcard.FAR_AWAY if far else idcard.NEIGHBOURS)
            self._floating(household, shape, area, far)
        else:
            rural = not (village.urban or village.community)
            shape = rng.weighted(
                [s for s, _, _ in SHAPES], [r if rural else t for _, t, r in SHAPES]
            )
            self._registered(household, shape)
            if any(p.age_on(self.today) >= 55 for p in household.members) and rng.chance(0.35):
                household.landline = self.unique.landline()
        return household

    def _head(
        self,
        household: Household,
        surname: str,
        sex: str,
        low: float,
        high: float,
        skew: bool = False,
    ) -> Person:
        """A head of household on their own (a woman keeps her own surname)."""
        own = surname if sex == "男" else names.surname(self.rng)
        birth = self.birth_for_age(low, high, skew)
        return self.person(own, sex, birth, household, "户主", idcard.DEHUA)

    def _spouse_area(self) -> str:
        return self.rng.pick(idcard.NEIGHBOURS) if self.rng.chance(0.3) else idcard.DEHUA

    def _couple(
        self,
        household: Household,
        surname: str,
        low: float,
        high: float,
        area: str = idcard.DEHUA,
        head_relation: str = "户主",
        far: bool = False,
        skew: bool = False,
    ) -> tuple[Person, Person]:
        rng = self.rng
        man_birth = self.birth_for_age(low, high, skew)
        woman_birth = man_birth + timedelta(days=rng.randint(-2 * 365, 5 * 365))
        if woman_birth > self.today - timedelta(days=18 * 365):
            woman_birth = self.today - timedelta(days=18 * 365 + rng.randint(0, 900))
        head_is_man = rng.chance(0.9)
        man = self.person(
            surname,
            "男",
            man_birth,
            household,
            head_relation if head_is_man else "配偶",
            area,
            far=far,
        )
        wife_area = area if area != idcard.DEHUA else self._spouse_area()
        woman = self.person(
            names.surname(rng, far),
            "女",
            woman_birth,
            household,
            "配偶" if head_is_man else head_relation,
            wife_area,
            far=far,
        )
        return man, woman

    def _kids(
        self,
        household: Household,
        surname: str,
        parents: list[Person],
        count: int,
        grand: bool = False,
        area: str = idcard.DEHUA,
        far: bool = False,
    ) -> list[Person]:
        """Children of ``parents`` (mother 20-38 at birth), shaping names and twins."""
        rng = self.rng
        mother = next((p for p in parents if p.sex == "女"), parents[0])
        mother_age_now = mother.age_on(self.today)
        kids: list[Person] = []
        shared = None
        if self.noise.hit("world.shared_char"):
            shared = rng.pick([p.given[0] for p in parents if p.given and p.surname] or ["文"])
        for _ in range(count):
            age = mother_age_now - rng.uniform(21, 36)
            if age < 0:
                continue  # not born (yet)
            birth = self.today - timedelta(days=max(1, int(age * 365.25)))
            if birth.year >= 2017 and not rng.chance(0.65):
                continue  # the births of the last years fell by half
            sex = rng.pick(("男", "女"))
            relation = (
                ("孙子" if sex == "男" else "孙女") if grand else ("子" if sex == "男" else "女")
            )
            if kids and shared is None and self.noise.hit("world.shared_char"):
                shared = kids[0].given[0] if kids[0].given else None
            kid = self.person(surname, sex, birth, household, relation, area, shared, far)
            kid.parents = list(parents)
            kids.append(kid)
            if self.noise.hit("world.twins"):
                twin_sex = sex if rng.chance(0.6) else ("女" if sex == "男" else "男")
                twin_given_share = kid.given[0] if len(kid.given) > 1 else None
                twin = self.person(
                    surname,
                    twin_sex,
                    birth,
                    household,
                    ("孙子" if twin_sex == "男" else "孙女")
                    if grand
                    else ("子" if twin_sex == "男" else "女"),
                    area,
                    twin_given_share,
                    far,
                )
                twin.parents, twin.twin, kid.twin = list(parents), kid, twin
                kids.append(twin)
        return kids

    def _registered(self, household: Household, shape: str) -> None:
        rng = self.rng
        surname = names.surname(rng)
        if shape == "elderly_alone":
            sex = "女" if rng.chance(0.62) else "男"
            self._head(household, surname, sex, 65, 97, skew=True)
        elif shape == "elderly_couple":
            self._couple(household, surname, 62, 92, skew=True)
        elif shape == "couple":
            self._couple(household, surname, 24, 64)
        elif shape == "single":
            sex = rng.pick(("男", "女"))
            self._head(household, surname, sex, 20, 64)
        elif shape == "couple_kids":
            parents = list(self._couple(household, surname, 26, 52))
            self._kids(household, surname, parents, rng.weighted((1, 2, 3), (0.35, 0.5, 0.15)))
        elif shape == "three_generations":
            middle_head = rng.chance(0.5)
            grand = list(
                self._couple(
                    household,
                    surname,
                    52,
                    85,
                    skew=True,
                    head_relation="父亲" if middle_head else "户主",
                )
            )
            if rng.chance(0.35):  # a widowed grandparent: the other one died years ago
                gone = grand.pop(rng.randrange(2))
                household.members.remove(gone)
                self._ended(gone, "died", years=rng.uniform(0.2, 12))
            if middle_head:
                for g in grand:
                    g.relation = "父亲" if g.sex == "男" else "母亲"
            son = self.person(
                surname,
                "男",
                self._child_birth(grand),
                household,
                "户主" if middle_head else "子",
                idcard.DEHUA,
            )
            son.parents = grand
            wife = self.person(
                names.surname(rng),
                "女",
                son.birth + timedelta(days=rng.randint(-3 * 365, 4 * 365)),
                household,
                "配偶" if middle_head else "儿媳",
                self._spouse_area(),
            )
            count = rng.weighted((1, 2, 3), (0.4, 0.45, 0.15))
            self._kids(household, surname, [son, wife], count, grand=not middle_head)
        elif shape == "single_parent":
            sex = "女" if rng.chance(0.7) else "男"
            parent = self._head(household, surname, sex, 27, 52)
            kid_surname = parent.surname if rng.chance(0.6) else surname
            self._kids(household, kid_surname, [parent], rng.weighted((1, 2), (0.7, 0.3)))
        elif shape == "grandparents_kids":
            grand = list(self._couple(household, surname, 55, 80))
            if rng.chance(0.3):
                gone = grand.pop(rng.randrange(2))
                household.members.remove(gone)
                self._ended(gone, "died", years=rng.uniform(0.2, 8))
            # The parents work away (registered elsewhere); the grandchildren live here.
            father = Person(
                key="",
                surname=surname,
                given=names.given_name("男", 1990, rng),
                sex="男",
                birth=self._child_birth(grand),
                ethnicity="汉族",
                rid="",
                floating=False,
                relation="",
            )
            kids = self._kids(
                household, surname, [father], rng.weighted((1, 2), (0.6, 0.4)), grand=True
            )
            for kid in kids:
                kid.parents = grand  # the guardians whose phones the clinics write
        elif shape == "elderly_parent_child":
            parent = self.person(
                names.surname(rng),
                "女" if rng.chance(0.65) else "男",
                self.birth_for_age(72, 98),
                household,
                "户主",
                idcard.DEHUA,
            )
            child = self.person(
                surname,
                rng.pick(("男", "女")),
                self._child_birth([parent]),
                household,
                "子",
                idcard.DEHUA,
            )
            child.relation = "子" if child.sex == "男" else "女"
            child.parents = [parent]
        if shape in ("elderly_alone",) and rng.chance(0.55):
            # The spouse died: their row stays cancelled in the same household.
            head = household.members[0]
            spouse = self.person(
                names.surname(rng) if head.sex == "男" else head.surname,
                "女" if head.sex == "男" else "男",
                head.birth + timedelta(days=rng.randint(-5 * 365, 5 * 365)),
                household,
                "配偶",
                idcard.DEHUA,
            )
            self._ended(spouse, "died", years=rng.uniform(0.1, 15))
        if rng.chance(0.04):  # a grown child moved out of the county: cancelled row
            leaver = self.person(
                surname,
                rng.pick(("男", "女")),
                self.birth_for_age(20, 35),
                household,
                "子",
                idcard.DEHUA,
            )
            leaver.relation = "子" if leaver.sex == "男" else "女"
            self._ended(leaver, "moved_away", years=rng.uniform(0.1, 6))

    def _floating(self, household: Household, shape: str, area: str, far: bool) -> None:
        rng = self.rng
        surname = names.surname(rng, far)
        if shape == "single":
            sex = "男" if rng.chance(0.6) else "女"
            self.person(surname, sex, self.birth_for_age(18, 48), household, "户主", area, far=far)
        elif shape == "couple":
            self._couple(household, surname, 20, 48, area=area, far=far)
        else:
            parents = list(self._couple(household, surname, 24, 45, area=area, far=far))
            kids = self._kids(
                household, surname, parents, rng.weighted((1, 2), (0.7, 0.3)), area=area, far=far
            )
            for kid in kids:  # children of floating families born here hold Dehua IDs
                if kid.birth.year >= 2015 and rng.chance(0.4):
                    kid.rid = self.unique.resident_id(idcard.DEHUA, kid.birth, kid.sex)
        if rng.chance(0.05):  # a former member who went home: cancelled row
            gone = self.person(
                surname,
                rng.pick(("男", "女")),
                self.birth_for_age(18, 50),
                household,
                "其他",
                area,
                far=far,
            )
            self._ended(gone, "moved_away", years=rng.uniform(0.1, 4))

    def _child_birth(self, parents: list[Person]) -> date:
        youngest = max(p.birth for p in parents)
        birth = youngest + timedelta(days=int(self.rng.uniform(22, 36) * 365.25))
        latest = self.today - timedelta(days=int(18 * 365.25))
        return min(birth, latest)

    def _ended(self, person: Person, status: str, years: float) -> None:
        ended = self.today - timedelta(days=max(1, int(years * 365.25)))
        floor = person.birth + timedelta(days=365 * 18 if status == "moved_away" else 30)
        person.status, person.ended_on = status, max(ended, floor)
        if person.ended_on >= self.today:
            person.ended_on = self.today - timedelta(days=1)
        if person.registered_on and person.registered_on > person.ended_on:
            person.registered_on = person.ended_on - timedelta(days=self.rng.randint(30, 900))
