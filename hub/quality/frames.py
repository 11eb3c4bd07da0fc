"""The batches the suites run on, read through the caller's session.

Only the columns a suite checks are read, with the database's own JSON functions for values
inside ``fields`` (as :mod:`hub.resolution.facts` does), so the county's ~900k vaccination
records never pass through ``json.loads`` in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, exists, func, literal, select, union_all
from sqlalchemy.orm import QueryableAttribute, Session

from expectations.sources import SourceSpec, ValueKind
from hub.resolution.tags import Tag
from hub.sources.problems import FieldCode
from hub.storage.models import (
    Delivery,
    EntityKind,
    EntityStatus,
    FieldIssue,
    House,
    Person,
    PersonTag,
    Provenance,
    SourceRecord,
)

USABLE_ID_STATUSES = frozenset({"valid", "upgraded"})  # hub.normalise.IdStatus: usable as a key


def source_frame(
    session: Session, spec: SourceSpec, issues_delivery_id: int | None
) -> pd.DataFrame:
    """The dataset's current records as the batch :mod:`expectations.sources` describes,
    plus ``resident_id_status`` (for statistics). Issues are those the current snapshot's
    delivery (``issues_delivery_id``) recorded: it covers every current record."""
    fields = SourceRecord.fields
    columns: list[ColumnElement[Any] | QueryableAttribute[Any]] = [SourceRecord.record_id]
    if spec.person:
        id_status = fields[("resident_id", "status")].as_string().label("resident_id_status")
        columns += [SourceRecord.name, SourceRecord.birth_date, id_status]
    if spec.sex:
        columns.append(SourceRecord.sex)
    if spec.phone_field:
        columns.append(fields[(spec.phone_field, "original")].as_string().label("phones"))
    columns += [_json(fields[key], kind).label(name) for name, (key, kind) in spec.values.items()]
    rows = session.execute(
        select(*columns).where(
            SourceRecord.dataset == spec.dataset.key, SourceRecord.valid_to.is_(None)
        )
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.key for c in columns], dtype=object)
    issues = _issues(session, spec.dataset.key, issues_delivery_id)
    if spec.person:
        status = frame["resident_id_status"]
        known = status.notna() & (status != "empty")
        frame["resident_id_valid"] = status.isin(USABLE_ID_STATUSES).astype(object).where(known)
        frame["birth_date"] = _birth_dates(frame["birth_date"])
    if spec.sex:
        # A sex that could not be normalised is kept as delivered, so the suite sees it.
        delivered = frame["record_id"].map(issues.get(FieldCode.INVALID_SEX, {}))
        frame["sex"] = delivered.where(delivered.notna(), frame["sex"])
    if spec.phone_field:
        bad = frame["record_id"].isin(issues.get(FieldCode.INVALID_PHONE, {}).keys())
        present = frame["phones"].notna() & (frame["phones"] != "")
        frame["phone_valid"] = (~bad).astype(object).where(present)
        frame = frame.drop(columns="phones")
    for name, (_, kind) in spec.values.items():
        if kind in ("int", "float"):  # as floats (NaN when empty): GX checks those vectorised
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def delivery_frame(delivery: Delivery, noise_rows: int) -> pd.DataFrame:
    """The one-row batch of :mod:`expectations.delivery`; the quarantine rate is left empty
    (not judged) when no more than ``noise_rows`` rows were quarantined."""
    read, quarantined = delivery.rows_read, delivery.rows_quarantined
    accounted = delivery.rows_loaded + quarantined + delivery.rows_not_applied
    judged = read > 0 and quarantined > noise_rows
    return pd.DataFrame([{
        "delivery_id": str(delivery.id), "status": str(delivery.status.value),
        "rows_read": read, "rows_quarantined": quarantined, "rows_accounted": accounted,
        "quarantine_rate": quarantined / read if judged else None,
    }]).astype({"quarantine_rate": float})  # fmt: skip


def person_frame(session: Session, as_of: dt.date, golden_fields: Iterable[str]) -> pd.DataFrame:
    """Active persons as the ``published.person`` batch."""
    active = Person.status == EntityStatus.ACTIVE
    rows = session.execute(
        select(Person.id, Person.name, Person.resident_id, Person.sex, Person.birth_date)
        .where(active)
        .order_by(Person.id)
    ).all()
    columns = ["id", "name", "resident_id", "sex", "birth_date"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns, dtype=object)
    frame["age"] = frame["birth_date"].map(lambda born: _age(born, as_of)).astype(float)
    missing = _missing_provenance(session, golden_fields)
    frame["missing_provenance"] = frame["id"].map(missing)
    return frame.drop(columns="birth_date")


def house_frame(session: Session) -> pd.DataFrame:
    """Active houses as the ``published.house`` batch."""
    rows = session.execute(
        select(House.id, House.grid_code).where(House.status == EntityStatus.ACTIVE)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", "grid_code"], dtype=object)


def tag_counts(session: Session) -> dict[str, int]:
    """Active persons per tag, every known tag included (0 when none)."""
    rows = session.execute(
        select(PersonTag.tag, func.count())
        .join(Person, Person.id == PersonTag.person_id)
        .where(Person.status == EntityStatus.ACTIVE)
        .group_by(PersonTag.tag)
    ).all()
    counts = {tag.value: 0 for tag in Tag}
    counts.update({str(tag): int(n) for tag, n in rows})
    return counts


def tag_frame(
    counts: Mapping[str, int], previous: Mapping[str, int] | None, min_count: int
) -> pd.DataFrame:
    """The ``published.tag`` batch: counts against the previous publication's."""
    rows = []
    for tag, count in sorted(counts.items()):
        before = None if previous is None else previous.get(tag)
        comparable = bool(before) and max(before or 0, count) >= min_count
        change = (count - before) / before if comparable and before else None
        rows.append({"tag": tag, "count": count, "previous": before, "change": change})
    frame = pd.DataFrame(rows, columns=["tag", "count", "previous", "change"])
    return frame.astype({"count": int, "previous": float, "change": float})


def _missing_provenance(session: Session, golden_fields: Iterable[str]) -> dict[str, str]:
    """Active person id -> the golden fields that have a value but no provenance row."""
    queries = []
    stored = Person.__table__.c
    for name in (f for f in golden_fields if f in stored):  # a rule may name a derived field
        column = stored[name]
        has_row = exists().where(
            Provenance.entity_kind == EntityKind.PERSON,
            Provenance.entity_id == Person.id,
            Provenance.field == name,
        )
        queries.append(
            select(Person.id, literal(name).label("field")).where(
                and_(Person.status == EntityStatus.ACTIVE, column.is_not(None), ~has_row)
            )
        )
    missing: dict[str, list[str]] = {}
    if queries:
        for person_id, name in session.execute(union_all(*queries)):
            missing.setdefault(person_id, []).append(name)
    return {person_id: ",".join(sorted(names)) for person_id, names in missing.items()}


def _issues(
    session: Session, dataset: str, delivery_id: int | None
) -> dict[FieldCode, dict[str, str | None]]:
    """code -> {record id: delivered value} of the sex and phone issues of one delivery."""
    if delivery_id is None:
        return {}
    codes = (FieldCode.INVALID_SEX, FieldCode.INVALID_PHONE)
    rows = session.execute(
        select(FieldIssue.code, FieldIssue.record_id, FieldIssue.value).where(
            FieldIssue.delivery_id == delivery_id,
            FieldIssue.dataset == dataset,
            FieldIssue.code.in_([c.value for c in codes]),
        )
    ).all()
    found: dict[FieldCode, dict[str, str | None]] = {code: {} for code in codes}
    for code, record_id, value in rows:
        found[FieldCode(code)][record_id] = value
    return found


def _json(element: Any, kind: ValueKind) -> ColumnElement[Any]:
    if kind == "int":
        return element.as_integer()
    if kind == "float":
        return element.as_float()
    if kind == "bool":
        return element.as_boolean()
    return element.as_string()


def _birth_dates(values: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` or ``YYYY-MM`` (month only: its first day) as timestamps."""
    text = values.astype("string")
    text = text.mask(text.str.len() == 7, text + "-01")
    # Nanosecond timestamps: GX compares those vectorised, other dtypes value by value.
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


def _age(born: object, as_of: dt.date) -> int | None:
    if not isinstance(born, dt.date):
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
