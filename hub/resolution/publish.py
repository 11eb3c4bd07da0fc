"""Writing a resolution's result: houses, persons, links, redirects, provenance, tags and
facts, all in the caller's transaction, so readers see the previous result until it commits.

Entities are never deleted: an id whose records are gone is ended, an absorbed id redirects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hub.resolution.golden import GoldenPersons
from hub.sources import catalog
from hub.storage.bulk import IN_LIST, chunks
from hub.storage.models import (
    Benefit,
    EntityKind,
    EntityRedirect,
    EntityStatus,
    HealthGroup,
    House,
    PartyMembership,
    Person,
    PersonTag,
    Provenance,
    RecordLink,
    Vaccination,
)

PERSON_COLUMNS = (
    "id", "name", "name_pinyin", "resident_id", "sex", "birth_date", "birth_precision",
    "ethnicity", "phone", "house_id", "grid_code", "household_no", "relation_to_head",
    "registration_type", "status",
)  # fmt: skip
HOUSE_COLUMNS = (
    "id", "address_code", "building_code", "township", "village", "road", "number", "building",
    "unit", "room", "use", "address_key", "grid_code", "status",
)  # fmt: skip


def upsert(
    session: Session,
    model: type[House] | type[Person],
    rows: Sequence[Mapping[Any, Any]],
    now: dt.datetime,
) -> tuple[int, int]:
    """Insert new ids, update existing ones; returns (new, updated)."""
    existing = set(session.scalars(select(model.id)))
    fresh = [dict(r) for r in rows if r["id"] not in existing]
    known = [{**r, "updated_at": now} for r in rows if r["id"] in existing]
    for chunk in chunks(fresh):
        session.execute(insert(model), chunk)
    for chunk in chunks(known):
        session.execute(update(model), chunk)
    return len(fresh), len(known)


def end_missing(
    session: Session, model: type[House] | type[Person], live: set[str], merged: Mapping[str, str]
) -> int:
    """Mark entities this run no longer produced: merged ones MERGED, the rest ENDED."""
    gone = [
        entity_id
        for entity_id, status in session.execute(select(model.id, model.status))
        if entity_id not in live and status is EntityStatus.ACTIVE
    ]
    for chunk in chunks(gone, IN_LIST):
        session.execute(update(model).where(model.id.in_(chunk)).values(status=EntityStatus.ENDED))
    merged_ids = [m for m in merged if m not in live]
    for chunk in chunks(merged_ids, IN_LIST):
        session.execute(update(model).where(model.id.in_(chunk)).values(status=EntityStatus.MERGED))
    return len(gone)


def write_redirects(
    session: Session, kind: EntityKind, merged: Mapping[str, str], live: set[str]
) -> None:
    """Absorbed ids point at their survivor; an id alive again stops redirecting."""
    revived = [old for (old,) in session.execute(select(EntityRedirect.old_id)) if old in live]
    for chunk in chunks(revived, IN_LIST):
        session.execute(delete(EntityRedirect).where(EntityRedirect.old_id.in_(chunk)))
    existing = {old for (old,) in session.execute(select(EntityRedirect.old_id))}
    for old, new in merged.items():
        if old in existing:
            session.execute(
                update(EntityRedirect).where(EntityRedirect.old_id == old).values(new_id=new)
            )
        else:
            session.add(EntityRedirect(old_id=old, new_id=new, kind=kind, reason="merged"))
    # Older redirects that pointed at an id absorbed now follow it to its survivor.
    for old, new in merged.items():
        session.execute(
            update(EntityRedirect).where(EntityRedirect.new_id == old).values(new_id=new)
        )


def replace_links(session: Session, kind: EntityKind, links: pd.DataFrame, run_id: int) -> None:
    """``links``: dataset, record_id, entity_id, rule, score, precision."""
    session.execute(delete(RecordLink).where(RecordLink.kind == kind))
    rows = (
        {"kind": kind, "dataset": d, "record_id": r, "entity_id": e, "rule": rule,
         "score": _float(score), "precision": precision, "run_id": run_id}
        for d, r, e, rule, score, precision in zip(
            links["dataset"], links["record_id"], links["entity_id"], links["rule"],
            links["score"], links["precision"], strict=True,
        )
    )  # fmt: skip
    for chunk in chunks(rows):
        session.execute(insert(RecordLink), chunk)


def replace_person_outputs(
    session: Session, golden: GoldenPersons, facts: Mapping[str, pd.DataFrame],
    entity_of: Mapping[str, str], publication_id: int,
) -> None:  # fmt: skip
    """Provenance, tags and department facts of persons: rebuilt whole each publication."""
    for model in (PersonTag, Benefit, Vaccination, HealthGroup, PartyMembership):
        session.execute(delete(model))
    session.execute(delete(Provenance).where(Provenance.entity_kind == EntityKind.PERSON))
    prov = golden.provenance
    rows = (
        {"entity_kind": EntityKind.PERSON, "entity_id": e, "field": f, "value": _text(v),
         "dataset": d, "record_id": r, "snapshot_date": s, "rule": rule, "alternatives": alt,
         "publication_id": publication_id}
        for e, f, v, d, r, s, rule, alt in zip(
            prov["entity_id"], prov["field"], prov["value"], prov["dataset"], prov["record_id"],
            prov["valid_from"], prov["rule"], prov["alternatives"], strict=True,
        )
    )  # fmt: skip
    for chunk in chunks(rows):
        session.execute(insert(Provenance), chunk)
    tags = zip(golden.tags["person_id"], golden.tags["tag"], strict=True)
    for chunk in chunks({"person_id": p, "tag": t} for p, t in tags):
        session.execute(insert(PersonTag), chunk)
    _insert_facts(session, Benefit, facts[catalog.ASSISTANCE.key], entity_of, _benefit)
    _insert_facts(session, Vaccination, facts[catalog.VACCINATIONS.key], entity_of, _vaccination)
    _insert_facts(session, HealthGroup, facts[catalog.HEALTH_GROUPS.key], entity_of, _health)
    _insert_facts(session, PartyMembership, facts[catalog.PARTY_MEMBERS.key], entity_of, _party)


def _insert_facts(
    session: Session, model: type[Any], frame: pd.DataFrame, entity_of: Mapping[str, str],
    convert: Any,
) -> None:  # fmt: skip
    dataset = frame["uid"].str.split(":", n=1).str[0]
    base = frame.assign(dataset=dataset, person_id=frame["uid"].map(entity_of))
    base = base.astype(object).where(base.notna(), None)
    rows = (
        {"person_id": row["person_id"], "dataset": row["dataset"], "record_id": row["record_id"],
         "valid_from": row["valid_from"], "valid_to": None, **convert(row)}
        for row in base.to_dict("records")
    )  # fmt: skip
    for chunk in chunks(rows):
        session.execute(insert(model), chunk)


def _benefit(row: dict[str, Any]) -> dict[str, Any]:
    return {"category": row["category"] or "", "monthly_amount": _decimal(row["monthly_amount"]),
            "covered_count": row["covered_count"], "start_date": _date(row["start_date"]),
            "township": row["township"], "note": row["note"]}  # fmt: skip


def _vaccination(row: dict[str, Any]) -> dict[str, Any]:
    at = row["vaccinated_at"]
    return {"vaccine": row["vaccine"] or "", "dose": row["dose"], "site": row["site"],
            "vaccinated_at": dt.datetime.fromisoformat(at) if at else None}  # fmt: skip


def _health(row: dict[str, Any]) -> dict[str, Any]:
    return {"group": row["group"] or "", "family_doctor": row["family_doctor"],
            "signed_at": _date(row["signed_at"])}  # fmt: skip


def _party(row: dict[str, Any]) -> dict[str, Any]:
    return {"category": row["category"], "joined_at": _date(row["joined_at"]),
            "branch": row["branch"], "floating": row["floating"],
            "grid_role": row["grid_role"]}  # fmt: skip


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _decimal(value: object) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def _float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if pd.isna(number) else number


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
