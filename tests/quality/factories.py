"""Rows written straight into a migrated database, shaped like ingest and resolution write
them, so each test states exactly the defect it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.models import (
    Delivery,
    DeliveryStatus,
    EntityKind,
    EntityStatus,
    FieldIssue,
    Grid,
    GridLevel,
    House,
    Person,
    PersonTag,
    Provenance,
    SourceRecord,
)

SNAPSHOT = dt.date(2026, 11, 15)
GRID = "35052610000100101"


def delivery(
    session: Session, dataset: str = catalog.POPULATION.key, *, rows: int = 20,
    quarantined: int = 0, loaded: int | None = None, status: DeliveryStatus = DeliveryStatus.LOADED,
) -> Delivery:  # fmt: skip
    """A delivery that read ``rows`` rows: ``quarantined`` of them quarantined and (unless
    ``loaded`` says otherwise) the rest loaded."""
    source = catalog.BY_KEY[dataset].source
    item = Delivery(
        source=source, dataset=dataset, file_name=f"{dataset}_{rows}_{quarantined}.csv",
        path="/landing/x", sha256=f"{dataset}{rows}{quarantined}{loaded}".ljust(64, "0")[:64],
        size_bytes=1, snapshot_date=SNAPSHOT, status=status, rows_read=rows,
        rows_loaded=rows - quarantined if loaded is None else loaded,
        rows_quarantined=quarantined,
    )  # fmt: skip
    session.add(item)
    session.flush()
    return item


def person_record(
    session: Session, item: Delivery, number: int, *, id_status: str = "valid",
    sex: str | None = "男", birth: str | None = "1980-01-18", phone: str | None = "13812345678",
    name: str | None = "陈丽", valid_from: dt.date = SNAPSHOT, fields: dict[str, Any] | None = None,
) -> SourceRecord:  # fmt: skip
    """A current population-style record ``GA`` + ``number`` (10 digits)."""
    record_id = f"GA{number:010d}"
    document: dict[str, Any] = {
        "resident_id": {"status": id_status},
        "name": {"value": name},
        "sex": sex,
        "phones": {"original": phone, "numbers": []},
        "household_no": "382785325",
        "relation": "户主",
        "registration_type": "户籍人口",
        **(fields or {}),
    }
    record = SourceRecord(
        source=item.source, dataset=item.dataset, record_id=record_id, delivery_id=item.id,
        line=number + 1, valid_from=valid_from, content_hash=f"{number}", raw={}, fields=document,
        name=name, birth_date=birth, sex=sex, phone=phone,
        resident_id="11010519491231002X" if id_status == "valid" else None,
    )  # fmt: skip
    session.add(record)
    session.flush()
    return record


def issue(session: Session, item: Delivery, record_id: str, code: str, value: str) -> None:
    session.add(FieldIssue(delivery_id=item.id, dataset=item.dataset, record_id=record_id,
                           line=1, field="x", code=code, message=code, value=value))  # fmt: skip
    session.flush()


def grid(session: Session) -> None:
    session.add(Grid(code=GRID, name="英山社区第二网格1号责任网格",
                     level=GridLevel.RESPONSIBILITY, snapshot_date=SNAPSHOT))  # fmt: skip
    session.flush()


def house(session: Session, number: int, *, grid_code: str | None = GRID) -> House:
    item = House(id=f"H{number:020d}", address_code=f"{number:020d}", grid_code=grid_code,
                 status=EntityStatus.ACTIVE)  # fmt: skip
    session.add(item)
    session.flush()
    return item


PERSON_VALUES: dict[str, Any] = {
    "name": "陈丽", "sex": "女", "birth_date": dt.date(1980, 1, 18), "phone": "13812345678",
}  # fmt: skip


def person(
    session: Session, number: int, *, resident_id: str | None = None,
    status: EntityStatus = EntityStatus.ACTIVE, provenance: bool = True, **values: Any,
) -> Person:  # fmt: skip
    """A golden person with provenance for each non-null golden value (``provenance=False``:
    none at all)."""
    golden = {**PERSON_VALUES, "resident_id": resident_id, **values}
    item = Person(id=f"P{number:08d}", status=status, **golden)
    session.add(item)
    session.flush()
    if provenance:
        for field, value in golden.items():
            if value is not None:
                session.add(Provenance(
                    entity_kind=EntityKind.PERSON, entity_id=item.id, field=field,
                    value=str(value), dataset=catalog.POPULATION.key, record_id="GA0000000001",
                    rule="source_priority", alternatives=[],
                ))  # fmt: skip
        session.flush()
    return item


def tag(session: Session, person_ids: list[str], name: str) -> None:
    session.add_all(PersonTag(person_id=pid, tag=name) for pid in person_ids)
    session.flush()
