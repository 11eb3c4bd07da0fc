"""Publishing city management's reports: the current ``chengguan.report`` records become
``citizen_report`` rows, placed in the grid and linked to their reporters, and their delivered
statuses become steps of the loop.

What a delivery says about a report's content (category, text, address, place, reporter) is
taken as it is, every run. Its progress only moves forward: a delivered status beyond the
report's is taken with the department, rating and points that come with it, and recorded as a
step (time: the snapshot date; actor: the delivery); a delivered status behind what the hub's
own steps reached (a mutation moved it on since) is not a step back. Steps a delivery skipped
are not invented. A report that a newer snapshot no longer lists stays as it was.
Reports made through the hub (``origin`` ``hub``) are placed again too, as the grid reference
changes; their progress is the hub's alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.normalise import CHINA_TZ
from hub.reports.locate import Locator, address_frame, reporters
from hub.reports.status import ReportStatus
from hub.resolution.records import ADDRESS_PART_COLUMNS
from hub.sources import catalog
from hub.storage.bulk import insert_rows
from hub.storage.models import CitizenReport, Delivery, ReportStep, SourceRecord

HUB_ORIGIN = "hub"
DELIVERED_ROLE = "city_management"  # steps a delivery records are city management's
CONTENT = ("category", "description", "address", "lng", "lat", "reported_at", "reporter_phone",
           "grid_code", "house_id", "located_by", "person_id")  # fmt: skip
STEP_COLUMNS = ("report_id", "status", "actor", "role", "note", "at")


def publish_reports(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Bring ``citizen_report`` and ``report_step`` up to date with the current report records
    (caller's transaction); counts of what changed."""
    now = now or dt.datetime.now(dt.UTC)
    records = _current_records(session)
    existing = {r.event_id: r for r in session.scalars(select(CitizenReport))}
    hub_made = [r for r in existing.values() if r.origin == HUB_ORIGIN and r.located_by]
    locator = Locator.load(session)
    places = locator.locate(records) if len(records) else records
    by_phone = reporters(session, records["phone"].dropna()) if len(records) else {}
    counts = {"reports_new": 0, "reports_updated": 0, "report_steps": 0}
    steps: list[tuple[Any, ...]] = []
    for row, place in zip(records.to_dict("records"), places.to_dict("records"), strict=True):
        fields: Mapping[str, Any] = row["fields"]
        content = {
            "category": fields.get("category") or "其他",
            "description": fields.get("description"),
            "address": (fields.get("address") or {}).get("original"),
            "lng": fields.get("lng"), "lat": fields.get("lat"),
            "reported_at": _timestamp(fields.get("reported_at")),
            "reporter_phone": row["phone"],
            "grid_code": place["grid_code"], "house_id": place["house_id"],
            "located_by": place["located_by"], "person_id": by_phone.get(row["phone"]),
        }  # fmt: skip
        delivered = _status(fields.get("status"))
        actor = f"{catalog.REPORTS.key} {row['file_name']}"
        at = dt.datetime.combine(row["valid_from"], dt.time(), tzinfo=CHINA_TZ).astimezone(dt.UTC)
        report = existing.get(row["record_id"])
        if report is None:
            report = CitizenReport(event_id=row["record_id"], origin=catalog.REPORTS.key,
                                   status=ReportStatus.SUBMITTED.value, **content)  # fmt: skip
            session.add(report)
            session.flush()
            counts["reports_new"] += 1
            steps.append(
                (
                    report.id,
                    ReportStatus.SUBMITTED.value,
                    actor,
                    DELIVERED_ROLE,
                    "reported through city management",
                    content["reported_at"] or at,
                )
            )
        elif _differs(report, content):
            for name, value in content.items():
                setattr(report, name, value)
            report.updated_at = now
            report.version += 1
            counts["reports_updated"] += 1
        if delivered is not None and delivered.rank > ReportStatus(report.status).rank:
            report.status = delivered.value
            report.department = fields.get("department") or report.department
            report.rating = fields.get("rating") if fields.get("rating") else report.rating
            report.points = fields.get("points") if fields.get("points") else report.points
            report.updated_at = now
            report.version += 1
            steps.append((report.id, delivered.value, actor, DELIVERED_ROLE,
                          "status as delivered", at))  # fmt: skip
    counts["reports_updated"] += _place_again(session, locator, hub_made, now)
    counts["report_steps"] = insert_rows(session, ReportStep.__table__, STEP_COLUMNS, steps)
    session.flush()
    return counts


def _current_records(session: Session) -> pd.DataFrame:
    parts = [SourceRecord.fields["address"][n].as_string().label(n) for n in ADDRESS_PART_COLUMNS]
    stmt = (
        select(
            SourceRecord.record_id, SourceRecord.valid_from, SourceRecord.fields,
            SourceRecord.phone, SourceRecord.address_key, Delivery.file_name,
            SourceRecord.fields["lng"].as_float().label("lng"),
            SourceRecord.fields["lat"].as_float().label("lat"), *parts,
        )
        .join(Delivery, Delivery.id == SourceRecord.delivery_id)
        .where(SourceRecord.dataset == catalog.REPORTS.key, SourceRecord.valid_to.is_(None))
        .order_by(SourceRecord.record_id)
    )  # fmt: skip
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=[c.key for c in stmt.selected_columns])
    frame.insert(0, "uid", catalog.REPORTS.key + ":" + frame["record_id"].astype(str))
    return frame


def _place_again(
    session: Session, locator: Locator, reports: list[CitizenReport], now: dt.datetime
) -> int:
    """Hub reports placed by address or coordinates follow changes of the grid reference."""
    if not reports:
        return 0
    frame = pd.concat([address_frame(r.event_id, r.address, r.lng, r.lat) for r in reports],
                      ignore_index=True)  # fmt: skip
    places = locator.locate(frame)
    changed = 0
    for report, place in zip(reports, places.to_dict("records"), strict=True):
        if place["grid_code"] is None:
            continue  # keep where the hub put it
        new = {"grid_code": place["grid_code"], "house_id": place["house_id"],
               "located_by": place["located_by"]}  # fmt: skip
        if _differs(report, new):
            for name, value in new.items():
                setattr(report, name, value)
            report.updated_at, report.version = now, report.version + 1
            changed += 1
    return changed


def _differs(report: CitizenReport, values: Mapping[str, Any]) -> bool:
    for name, value in values.items():
        old = getattr(report, name)
        if isinstance(old, dt.datetime) and isinstance(value, dt.datetime):
            old = old if old.tzinfo else old.replace(tzinfo=dt.UTC)
        if old != value:
            return True
    return False


def _status(value: object) -> ReportStatus | None:
    try:
        return ReportStatus(str(value))
    except ValueError:
        return None


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    except ValueError:
        return None
