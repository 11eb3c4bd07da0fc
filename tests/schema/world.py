"""A small published world inserted row by row, for unit tests of the schema.

Two townships; in 龙浔镇 one responsibility grid with 120 residents (enough for a page of 100
and a second page), in 浔中镇 one resident. ``P0000001`` has every kind of fact, provenance
and linked records; ``P0000900`` was merged into ``P0000001``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from hub.generate.idcard import resident_id
from hub.resolution.tags import Tag
from hub.storage.models import (
    Benefit,
    CitizenReport,
    Delivery,
    DeliveryStatus,
    EntityKind,
    EntityRedirect,
    EntityStatus,
    Grid,
    GridBuilding,
    GridLevel,
    HealthGroup,
    House,
    PartyMembership,
    Person,
    PersonTag,
    Provenance,
    QualityResult,
    QualityRun,
    QuarantinedRow,
    RecordLink,
    ResolutionRun,
    SourceRecord,
    Vaccination,
)

SNAPSHOT = dt.date(2026, 11, 15)
TOWNSHIP = "350526001"  # 龙浔镇
OTHER_TOWNSHIP = "350526002"  # 浔中镇
FIRST = TOWNSHIP + "001"
UNIT = FIRST + "001"
GRID = UNIT + "01"
OTHER_GRID = OTHER_TOWNSHIP + "001" + "001" + "01"
BUILDING = "3505260010010001"
OTHER_BUILDING = "3505260020010001"
RESIDENTS = 120
SUBJECT = "P0000001"
MERGED = "P0000900"
SUBJECT_ID = resident_id("350526", dt.date(1956, 3, 8), 122)  # even: 女, as her sex says
SUBJECT_PHONE = "13812345678"
BRANCH = "英山社区第一网格党支部"


def person_id(n: int) -> str:
    return f"P{n:07d}"


def populate(session: Session) -> None:
    """Insert the world (the caller's transaction; nothing is committed here)."""
    _grids(session)
    session.add_all([
        House(id="H1", address_code=BUILDING + "0101", building_code=BUILDING, township="龙浔镇",
              village="英山社区", road="英山路", number="8号", building="3幢", unit="1单元",
              room="501室", use="住宅", grid_code=GRID, status=EntityStatus.ACTIVE),
        House(id="H2", address_code=BUILDING + "0102", building_code=BUILDING, township="龙浔镇",
              village="英山社区", road="英山路", number="8号", use="商铺", grid_code=GRID,
              status=EntityStatus.ACTIVE),
        House(id="H3", address_code=OTHER_BUILDING + "0101", building_code=OTHER_BUILDING,
              township="浔中镇", village="浔中村", number="12号", use="住宅", grid_code=OTHER_GRID,
              status=EntityStatus.ACTIVE),
    ])  # fmt: skip
    session.flush()
    persons = [_resident(n) for n in range(1, RESIDENTS + 1)]
    persons.append(Person(id="P0000200", name="林美玲", name_pinyin="lin mei ling", sex="女",
                          birth_date=dt.date(1990, 1, 1), house_id="H3", grid_code=OTHER_GRID,
                          household_no="900000001", status=EntityStatus.ACTIVE))  # fmt: skip
    persons.append(Person(id=MERGED, name="陈秀英", status=EntityStatus.MERGED))
    session.add_all(persons)
    session.flush()
    session.add(EntityRedirect(old_id=MERGED, new_id=SUBJECT, kind=EntityKind.PERSON,
                               reason="merged"))  # fmt: skip
    session.add_all(_tags())
    _facts(session)
    _lineage(session)
    session.add(ResolutionRun(kind="full", as_of=SNAPSHOT, counts={},
                              finished_at=dt.datetime(2026, 11, 16, tzinfo=dt.UTC)))  # fmt: skip
    session.flush()


def _grids(session: Session) -> None:
    rows = [
        (TOWNSHIP, "龙浔镇", GridLevel.TOWNSHIP, None),
        (FIRST, "英山社区", GridLevel.FIRST, TOWNSHIP),
        (UNIT, "英山社区第一网格", GridLevel.UNIT, FIRST),
        (GRID, "英山社区第一网格1号责任网格", GridLevel.RESPONSIBILITY, UNIT),
        (OTHER_TOWNSHIP, "浔中镇", GridLevel.TOWNSHIP, None),
        (OTHER_TOWNSHIP + "001", "浔中村", GridLevel.FIRST, OTHER_TOWNSHIP),
        (OTHER_TOWNSHIP + "001001", "浔中村第一网格", GridLevel.UNIT, OTHER_TOWNSHIP + "001"),
        (OTHER_GRID, "浔中村第一网格1号责任网格", GridLevel.RESPONSIBILITY,
         OTHER_TOWNSHIP + "001001"),
    ]  # fmt: skip
    for code, name, level, parent in rows:
        session.add(Grid(code=code, name=name, level=level, parent_code=parent,
                         worker_name="王网格" if level is GridLevel.RESPONSIBILITY else None,
                         worker_phone="13900001111", snapshot_date=SNAPSHOT))  # fmt: skip
        session.flush()
    session.add_all([GridBuilding(building_code=BUILDING, grid_code=GRID),
                     GridBuilding(building_code=OTHER_BUILDING, grid_code=OTHER_GRID)])  # fmt: skip


def _resident(n: int) -> Person:
    """Residents 1-60 are 70 years old on the snapshot date, 61-120 are 30."""
    born = dt.date(1956, 3, 8) if n <= 60 else dt.date(1996, 3, 8)
    return Person(
        id=person_id(n), name="陈秀英" if n == 1 else f"居民{n}",
        name_pinyin="chen xiu ying" if n == 1 else None,
        resident_id=SUBJECT_ID if n == 1 else resident_id("350526", born, 100 + n),
        sex="女" if n % 2 else "男", birth_date=born, birth_precision="day", ethnicity="汉族",
        phone=SUBJECT_PHONE if n == 1 else f"139{n:08d}", house_id="H1" if n <= 3 else "H2",
        grid_code=GRID, household_no=f"{100000000 + (n if n > 3 else 1)}",
        relation_to_head="子" if n in (2, 3) else "户主",
        registration_type="户籍人口", status=EntityStatus.ACTIVE,
    )  # fmt: skip


def _tags() -> list[PersonTag]:
    tags = []
    for n in range(1, RESIDENTS + 1):
        if n <= 60:
            tags.append(PersonTag(person_id=person_id(n), tag=Tag.ELDERLY))
        if n % 3 == 0:
            tags.append(PersonTag(person_id=person_id(n), tag=Tag.LOW_INCOME))
        if n % 4 == 0:
            tags.append(PersonTag(person_id=person_id(n), tag=Tag.UNVACCINATED))
        if n > 3 and n <= 60:
            tags.append(PersonTag(person_id=person_id(n), tag=Tag.LIVING_ALONE))
    return tags


def _facts(session: Session) -> None:
    for n in range(1, RESIDENTS + 1):
        pid = person_id(n)
        if n % 3 == 0 or n == 1:
            session.add(Benefit(person_id=pid, **_fact("minzheng.assistance"),
                                record_id=f"MZ{n:08d}", category="低保",
                                monthly_amount=Decimal("650.00"), covered_count=2,
                                township="龙浔镇"))  # fmt: skip
        if n % 4 != 0:
            session.add(Vaccination(person_id=pid, **_fact("weijian.vaccination"),
                                    record_id=f"WJ{n:012d}", vaccine="流感疫苗", dose=1,
                                    site="龙浔镇卫生院"))  # fmt: skip
        if n % 5 == 0 or n == 1:
            session.add(HealthGroup(person_id=pid, **_fact("weijian.health_group"),
                                    record_id=f"WJK{n:010d}", group="高血压",
                                    family_doctor="郑医生"))  # fmt: skip
        if n % 7 == 0 or n == 1:
            session.add(PartyMembership(person_id=pid, **_fact("dangjian.member"),
                                        record_id=f"DJ{n:08d}", category="正式党员",
                                        branch=BRANCH, floating=False))  # fmt: skip
    session.add(CitizenReport(event_id="CG20261101000001", person_id=SUBJECT, grid_code=GRID,
                              category="环境卫生", status="已反馈", points=5))  # fmt: skip


def _fact(dataset: str) -> dict[str, object]:
    return {"dataset": dataset, "valid_from": SNAPSHOT}


def _lineage(session: Session) -> None:
    delivery = Delivery(source="gongan", dataset="gongan.population",
                        file_name="人口_20261115.csv", path="/landing/gongan/人口_20261115.csv",
                        sha256="0" * 64, size_bytes=100, snapshot_date=SNAPSHOT,
                        status=DeliveryStatus.LOADED, rows_read=3, rows_loaded=2,
                        rows_quarantined=1)  # fmt: skip
    session.add(delivery)
    session.flush()
    for version, (valid_from, valid_to) in enumerate(
        [(dt.date(2026, 10, 15), SNAPSHOT), (SNAPSHOT, None)]
    ):
        session.add(SourceRecord(
            source="gongan", dataset="gongan.population", record_id="GA0000000001",
            delivery_id=delivery.id, line=2, valid_from=valid_from, valid_to=valid_to,
            content_hash=str(version), raw={"姓名": "陈秀英", "公民身份号码": SUBJECT_ID},
            fields={"name": "陈秀英", "resident_id": SUBJECT_ID}, name="陈秀英",
        ))  # fmt: skip
    session.add(RecordLink(kind=EntityKind.PERSON, dataset="gongan.population",
                           record_id="GA0000000001", entity_id=SUBJECT, rule="resident_id",
                           score=None))  # fmt: skip
    session.add(Provenance(entity_kind=EntityKind.PERSON, entity_id=SUBJECT, field="name",
                           value="陈秀英", dataset="gongan.population", record_id="GA0000000001",
                           snapshot_date=SNAPSHOT, rule="source_priority",
                           alternatives=[{"value": "陈秀瑛", "dataset": "minzheng.assistance",
                                          "record_id": "MZ00000001",
                                          "snapshot_date": "2026-11-01"}]))  # fmt: skip
    session.add(QuarantinedRow(delivery_id=delivery.id, source="gongan",
                               dataset="gongan.population", file_name=delivery.file_name,
                               line=4, reason="truncated_line", message="the last line is cut",
                               raw="GA0000000003,3505"))  # fmt: skip
    run = QualityRun(
        suite="gongan.population",
        target="gongan.population",
        delivery_id=delivery.id,
        success=False,
        statistics={"evaluated": 1},
    )
    session.add(run)
    session.flush()
    session.add(QualityResult(run_id=run.id, expectation="expect_column_values_to_not_be_null",
                              column="name", kwargs={"column": "name"}, success=False,
                              observed_value={"unexpected": 1}, unexpected_count=1,
                              failing_record_ids=["GA0000000003"]))  # fmt: skip
