"""Publishing city management's reports on a published generated world (both backends):
each current report placed in the grid and linked to its reporter, its delivered status a step
of the loop; a later delivery moves it on, never back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from hub.ingest.service import ingest_landing
from hub.reports.locate import Locator
from hub.reports.status import ReportStatus
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage.models import CitizenReport, ReportStep, SourceRecord
from hub.storage.session import session_factory

pytestmark = pytest.mark.slow


def sql(engine: Engine, statement: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(statement), params)]


def test_every_current_report_is_placed_linked_and_stepped(published: Engine) -> None:
    records = dict(
        sql(
            published,
            """select record_id, phone from source_record
                                     where dataset = 'chengguan.report' and valid_to is null""",
        )
    )
    with Session(published) as session:
        reports = {r.event_id: r for r in session.scalars(select(CitizenReport))}
        steps = {r.id: [s.status for s in session.scalars(
            select(ReportStep).where(ReportStep.report_id == r.id).order_by(ReportStep.id))]
            for r in reports.values()}  # fmt: skip
    assert set(reports) == set(records) and records
    placed = [r for r in reports.values() if r.grid_code is not None]
    assert len(placed) >= 0.8 * len(reports)
    for report in placed:
        if report.house_id is not None:  # the house's grid, as the house table has it
            assert (report.grid_code,) in sql(
                published, "select grid_code from house where id = :h", h=report.house_id
            )
        else:  # a building's grid, as the grid reference has it
            assert report.located_by in ("building", "coordinates")
    for event_id, report in reports.items():
        holders = sql(published, "select id from person where status = 'active' and phone = :p",
                      p=records[event_id])  # fmt: skip
        assert report.person_id == (holders[0][0] if len(holders) == 1 else None), event_id
        expected = ["已提交"] if report.status == "已提交" else ["已提交", report.status]
        assert steps[report.id] == expected
    assert any(r.person_id for r in reports.values())


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_later_delivery_moves_reports_on_and_never_back(published: Engine, landing: Path) -> None:
    source = next((landing / "chengguan").glob("随手拍_*.jsonl"))
    rows = [row for row in map(_loads, source.read_text("utf-8").splitlines()) if row]
    with Session(published) as session:
        known = {r.event_id: r.status for r in session.scalars(select(CitizenReport))}
    rows = [r for r in rows if known.get(r.get("event_id")) is not None]
    ahead = next(r for r in rows if known[r["event_id"]] != "已评价")
    behind = next(r for r in rows if known[r["event_id"]] == "已评价")
    step = ReportStatus(known[ahead["event_id"]]).next
    assert step is not None
    moved = {**ahead, "status": step.value, "department": "县城市管理局", "rating": 4}
    back = {**behind, "status": "已提交"}
    later = [moved if r is ahead else back if r is behind else r for r in rows]
    target = source.with_name("随手拍_20261201.jsonl")
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in later), "utf-8")
    ingest_landing(session_factory(published), landing)
    with session_factory(published)() as session, session.begin():
        resolve(session)
    with Session(published) as session:
        reports = {r.event_id: r for r in session.scalars(select(CitizenReport))}
        last = session.scalars(select(ReportStep).where(
            ReportStep.report_id == reports[ahead["event_id"]].id
        ).order_by(ReportStep.id.desc())).first()  # fmt: skip
        back_steps = session.scalar(select(func.count()).select_from(ReportStep).where(
            ReportStep.report_id == reports[behind["event_id"]].id))  # fmt: skip
    assert reports[ahead["event_id"]].status == step.value
    assert last is not None and last.status == step.value
    assert last.actor == f"{catalog.REPORTS.key} 随手拍_20261201.jsonl"
    assert reports[behind["event_id"]].status == "已评价" and back_steps == 2


def _loads(line: str) -> dict[str, object] | None:
    """A delivered line's object; ``None`` for the broken lines the generator writes."""
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def test_coordinates_place_a_report_the_address_does_not() -> None:
    standard = pd.DataFrame(
        columns=[
            "address_code",
            "building_code",
            "township",
            "village",
            "road",
            "number",
            "building",
            "unit",
            "room",
            "use",
            "key",
        ]
    )
    plates = pd.DataFrame(
        {
            "lng": [118.2400, 118.2500],
            "lat": [25.4900, 25.4900],
            "building_code": ["3505260010010001", "3505260010010002"],
        }
    )
    locator = Locator(
        standard,
        plates,
        {"3505260010010001": "35052600100100101", "3505260010010002": "35052600100100102"},
        {},
    )
    reports = pd.DataFrame({
        "uid": ["r:1", "r:2", "r:3"], "address_key": [None, None, None],
        "lng": [118.2403, 118.2450, None], "lat": [25.4901, 25.4900, None],
    })  # fmt: skip
    for column in (
        "township",
        "village",
        "road",
        "number",
        "building",
        "unit",
        "room",
        "group",
        "rest",
    ):
        reports[column] = None
    placed = locator.locate(reports)
    assert list(placed["grid_code"]) == ["35052600100100101", None, None]  # 2nd: 500 m off
    assert list(placed["located_by"]) == ["coordinates", None, None]


def test_reports_are_records_of_their_dataset(published: Engine) -> None:
    with Session(published) as session:
        assert session.scalar(select(func.count()).select_from(SourceRecord).where(
            SourceRecord.dataset == catalog.REPORTS.key)) == session.scalar(
            select(func.count()).select_from(CitizenReport))  # fmt: skip
