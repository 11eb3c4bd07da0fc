"""People and households: who lives together, how old they are, their IDs and phones.

Households are drawn one at a time (a village, registered or floating, a size, a composition),
so ages inside a household fit together: spouses of an age, children 22-36 years younger than
their mother, grandparents above them, elderly people living alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from hub.generate.dice import IdSpace
from hub.generate.idcard import (
    FOREIGN_REGIONS,
    HOME_REGION,
    PhoneBook,
    hk_macau_permit,
    passport,
    resident_id,
    sequence_for,
)
from hub.generate.model import House, Household, OldRegistration, Person
from hub.generate.names import NamePicker

REGISTERED_SIZES = {1: 17, 2: 25, 3: 22, 4: 18, 5: 11, 6: 7}
FLOATING_SIZES = {1: 45, 2: 25, 3: 20, 4: 10}
FLOATING_SHARE_CENTRAL = 0.14
FLOATING_SHARE_RURAL = 0.04
FOREIGN_DOCUMENT_SHARE = 0.004  # of floating people: passport or Hong Kong / Macau permit
LANDLINE_SHARE = 0.15
OLD_PHONE_SHARE = 0.25  # of phone owners: changed number once, older records keep the old one
REGISTER_DIGITISED = (date(1998, 1, 1), date(2004, 12, 31))


@dataclass(slots=True)
class Member:
    """A person about to be created: sex, age, relation to the head, surname."""

    sex: str
    age: int
    relation: str
    surname: str
    mother: int | None = None  # index of the mother within the household, for guardians


class PopulationBuilder:
    """Creates people and households; keeps the serial counters and the used ID numbers."""

    def __init__(self, rng: random.Random, today: date, households_ids: IdSpace) -> None:
        self.rng = rng
        self.today = today
        self.names = NamePicker(rng)
        self.phones = PhoneBook(rng)
        self._household_ids = households_ids
        self._id_bodies: set[str] = set()
        self.next_person = 0
        self.next_ga = 0
        self.next_household = 0

    # -- households -------------------------------------------------------------------------

    def plan(self, floating: bool) -> list[Member]:
        """The members of a new household of a drawn size, head first."""
        sizes = FLOATING_SIZES if floating else REGISTERED_SIZES
        size = self.rng.choices(list(sizes), list(sizes.values()))[0]
        return self._compose(size, floating)

    def household_from(self, plan: list[Member], house: House, *, floating: bool) -> Household:
        """A household of exactly the planned members."""
        household = Household(
            serial=self.next_household,
            number=self.household_number(),
            house=house,
            floating=floating,
            landline=""
            if floating or self.rng.random() > LANDLINE_SHARE
            else self.phones.landline(),
        )
        house.households.append(household)
        ethnicity = self.names.ethnicity()
        for m in plan:
            person = self.person(m, household, ethnicity if self.rng.random() < 0.95 else "汉族")
            if m.mother is not None:
                person.guardian = household.members[m.mother]
            elif m.age < 18 and household.members:
                person.guardian = household.members[0]
            household.members.append(person)
        return household

    def household_number(self) -> str:
        """A fresh 户号 (9 digits)."""
        number = self._household_ids.real(self.next_household)
        self.next_household += 1
        return number

    def _compose(self, size: int, floating: bool) -> list[Member]:
        r = self.rng.random()
        if floating:
            return self._floating(size, r)
        if size == 1:
            return [self._head(self._elderly_age(65) if r < 0.6 else self.rng.randint(24, 64))]
        if size == 2:
            if r < 0.45:
                return self._couple(self._elderly_age(62))
            if r < 0.7:
                return self._couple(self.rng.randint(24, 60))
            head = self._head(self.rng.randint(30, 62))
            return [head, *self._children(head, None, 1)]
        if size in (3, 4):
            plan = self._couple(self.rng.randint(26, 55))
            parents = 1 if (size == 4 and r < 0.4) or (size == 3 and r < 0.25) else 0
            plan += self._children(plan[0], _mother(plan), size - 2 - parents)
            return plan + self._parents(plan[0], parents)
        if r < 0.5:  # 5 or 6: two working adults, children and grandparents
            plan = self._couple(self.rng.randint(30, 50))
            plan += self._children(plan[0], _mother(plan), 2 if size == 6 or r < 0.35 else 3)
            return plan + self._parents(plan[0], size - len(plan))
        plan = self._couple(self.rng.randint(56, 84))  # grandparents head the household
        son = Member("男", max(20, plan[0].age - self.rng.randint(24, 34)), "子", plan[0].surname)
        wife = Member("女", son.age + self.rng.randint(-4, 2), "儿媳", self.names.surname())
        plan += [son, wife]
        for _ in range(size - 4):
            plan.append(self._child(son, 3, grandchild=True))
        return plan

    def _floating(self, size: int, r: float) -> list[Member]:
        if size == 1:
            return [self._head(self.rng.randint(18, 55))]
        if size == 2 and r < 0.3:
            head = self._head(self.rng.randint(18, 45))
            mate = Member(head.sex, self.rng.randint(18, 45), "其他", self.names.surname())
            return [head, mate]
        plan = self._couple(self.rng.randint(22, 48))
        return plan + self._children(plan[0], _mother(plan), size - 2)

    def _elderly_age(self, youngest: int) -> int:
        """Ages thin out with each year above ``youngest``, up to 100."""
        return min(100, youngest + int(abs(self.rng.gauss(0, 11))))

    def _head(self, age: int) -> Member:
        sex = "男" if self.rng.random() < 0.55 else "女"
        return Member(sex, age, "户主", self.names.surname())

    def _couple(self, age: int) -> list[Member]:
        head_sex = "男" if self.rng.random() < 0.85 else "女"
        wife_age = (
            age + self.rng.randint(-6, 2) if head_sex == "男" else age + self.rng.randint(-2, 6)
        )
        head = Member(head_sex, age, "户主", self.names.surname())
        spouse = Member("女" if head_sex == "男" else "男", max(18, min(100, wife_age)), "配偶",
                        self.names.surname())  # fmt: skip
        return [head, spouse]

    def _children(self, head: Member, mother: int | None, n: int) -> list[Member]:
        return [self._child(head, mother) for _ in range(n)]

    def _child(self, parent: Member, mother: int | None, *, grandchild: bool = False) -> Member:
        sex = "男" if self.rng.random() < 0.52 else "女"
        age = parent.age - self.rng.randint(22, 36)
        if age < 0:
            age = self.rng.randint(0, max(0, parent.age - 20))
        relation = (
            ("孙子" if sex == "男" else "孙女") if grandchild else ("子" if sex == "男" else "女")
        )
        surname = parent.surname if self.rng.random() < 0.92 else self.names.surname()
        return Member(sex, age, relation, surname, mother)

    def _parents(self, head: Member, n: int) -> list[Member]:
        plan = []
        for i in range(n):
            age = min(100, head.age + self.rng.randint(22, 32))
            father = i == 0 and self.rng.random() < 0.4
            sex, relation = ("男", "父亲") if father else ("女", "母亲")
            plan.append(
                Member(sex, age, relation, head.surname if father else self.names.surname())
            )
        return plan

    # -- people -----------------------------------------------------------------------------

    def person(
        self, m: Member, household: Household, ethnicity: str, birth: date | None = None
    ) -> Person:
        """A person with a birth date, ID number, phone and registration date."""
        rng = self.rng
        if birth is None:
            birth = self.today - timedelta(days=365 * m.age + rng.randint(0, 364) + m.age // 4)
        surname = (
            m.surname if ethnicity != "畲族" or m.relation != "户主" else self.names.surname("畲族")
        )
        doc_type, doc_no, id_no = "居民身份证", "", ""
        if household.floating and rng.random() < FOREIGN_DOCUMENT_SHARE:
            doc_type = "护照" if rng.random() < 0.4 else "港澳居民来往内地通行证"
            doc_no = passport(rng) if doc_type == "护照" else hk_macau_permit(rng)
        else:
            region = rng.choice(FOREIGN_REGIONS) if household.floating else HOME_REGION
            if m.relation in ("配偶", "儿媳") and rng.random() < 0.15:
                region = rng.choice(FOREIGN_REGIONS[:9])
            id_no = self.new_id(region, birth, m.sex == "男")
            doc_no = id_no
        phone = old = ""
        if m.age >= 14 and rng.random() < _phone_share(m.age):
            phone = self.phones.mobile()
            if rng.random() < OLD_PHONE_SHARE:
                old = self.phones.mobile()
        person = Person(
            serial=self.next_person,
            name=surname + self.names.given(m.sex, birth.year),
            sex=m.sex,
            birth=birth,
            ethnicity=ethnicity,
            id_no=id_no,
            doc_type=doc_type,
            doc_no=doc_no,
            household=household,
            relation=m.relation,
            phone=phone,
            old_phone=old,
            registered=self.registration_date(birth, household.floating),
            ga_serial=self.take_ga(),
        )
        self.next_person += 1
        return person

    def new_id(self, region: str, birth: date, male: bool) -> str:
        """A resident ID not given to anyone else."""
        while True:
            id_no = resident_id(region, birth, sequence_for(self.rng, male))
            if id_no[:17] not in self._id_bodies:
                self._id_bodies.add(id_no[:17])
                return id_no

    def take_ga(self) -> int:
        """The next 人口 record serial."""
        self.next_ga += 1
        return self.next_ga - 1

    def registration_date(self, birth: date, floating: bool) -> date:
        """登记日期: arrival for floating people; birth, or digitisation of the register."""
        rng = self.rng
        if floating:
            start = max(birth + timedelta(days=10), self.today - timedelta(days=3650))
            span = max(0, (self.today - start).days)
            return min(self.today, start + timedelta(days=rng.randint(0, span)))
        registered = birth + timedelta(days=rng.randint(10, 60))
        if registered < REGISTER_DIGITISED[0]:
            first, last = REGISTER_DIGITISED
            registered = first + timedelta(days=rng.randint(0, (last - first).days))
        return registered  # a recent baby may not be registered yet: a new row next month

    def reregister(self, person: Person, old_house: House | None) -> None:
        """Give a person an earlier, cancelled 人口 row under another 人员编号 and 户号."""
        rng = self.rng
        earliest = max(person.birth + timedelta(days=30), REGISTER_DIGITISED[0])
        old_date = earliest + timedelta(
            days=rng.randint(0, max(0, (person.registered - earliest).days))
        )
        person.registered = min(
            self.today, max(person.registered, old_date + timedelta(days=rng.randint(200, 3000)))
        )
        person.old_registration = OldRegistration(
            ga_serial=self.take_ga(),
            household_number=self.household_number(),
            registered=old_date,
            house=old_house,
            legacy_id=person.birth.year < 1985 and bool(person.id_no) and rng.random() < 0.5,
        )


def _mother(couple: list[Member]) -> int:
    return 0 if couple[0].sex == "女" else 1


def _phone_share(age: int) -> float:
    if age < 18:
        return 0.6
    if age < 70:
        return 0.93
    return 0.7 if age < 80 else 0.4
