"""Snapshot semantics: versions open, change and end; late and re-delivered files; idempotence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.fields import MappedRecord
from hub.ingest.records import MAPPERS
from hub.ingest.service import ingest_landing
from hub.sources import catalog
from hub.storage.models import (
    Delivery,
    DeliveryStatus,
    EndReason,
    FieldIssue,
    QuarantinedRow,
    SourceRecord,
)
from hub.types import RawRow
from tests.ingest.files import WritePopulation, person

VALID_ID = "11010519491231002X"  # the GB 11643 example
BAD_CHECK_ID = "110105194912310021"


def _factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _versions(engine: Engine, record_id: str) -> list[SourceRecord]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(SourceRecord)
                .where(SourceRecord.record_id == record_id)
                .order_by(SourceRecord.valid_from)
            )
        )


def test_new_changed_unchanged_and_ended_records(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population("20261015", [person("GA0000000001", "陈秀英", VALID_ID),
                                  person("GA0000000002", "林志明"),
                                  person("GA0000000003", "黄美玲")])  # fmt: skip
    first = ingest_landing(_factory(engine), landing)
    assert [d.rows_loaded for d in first.deliveries] == [3]

    changed_phone = person("GA0000000001", "陈秀英", VALID_ID, 联系电话="13900000000")
    write_population("20261115", [changed_phone, person("GA0000000002", "林志明"),
                                  person("GA0000000004", "郑小华")])  # fmt: skip
    second = ingest_landing(_factory(engine), landing)
    new = second.new
    assert len(new) == 1 and new[0].snapshot is not None
    counts = new[0].snapshot
    assert (counts.new, counts.changed, counts.unchanged, counts.ended) == (1, 1, 1, 1)

    changed = _versions(engine, "GA0000000001")
    assert [(v.valid_from, v.valid_to, v.end_reason) for v in changed] == [
        (dt.date(2026, 10, 15), dt.date(2026, 11, 15), EndReason.CHANGED),
        (dt.date(2026, 11, 15), None, None),
    ]
    assert changed[1].phone == "13900000000" and changed[1].resident_id == VALID_ID
    ended = _versions(engine, "GA0000000003")
    assert [(v.valid_to, v.end_reason) for v in ended] == [
        (dt.date(2026, 11, 15), EndReason.ABSENT)
    ]
    unchanged = _versions(engine, "GA0000000002")
    assert [v.valid_to for v in unchanged] == [None]


def test_loading_the_same_folder_twice_changes_nothing(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population("20261115", [person("GA0000000001", "陈秀英", VALID_ID)])
    ingest_landing(_factory(engine), landing)
    again = ingest_landing(_factory(engine), landing)
    assert [d.status for d in again.deliveries] == [None]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 1
        assert s.scalar(select(func.count()).select_from(SourceRecord)) == 1


def test_late_delivery_is_recorded_not_applied(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population("20261115", [person("GA0000000001", "陈秀英")])
    ingest_landing(_factory(engine), landing)
    write_population("20261015", [person("GA0000000001", "陈秀英", 姓名="陈秀瑛"),
                                  person("GA0000000009", "程秀英")])  # fmt: skip
    report = ingest_landing(_factory(engine), landing)
    late = report.new[0]
    assert late.status is DeliveryStatus.LATE
    assert (late.rows_read, late.rows_loaded, late.rows_not_applied) == (2, 0, 2)
    assert late.reconciles
    current = _versions(engine, "GA0000000001")
    assert [v.name for v in current] == ["陈秀英"]
    assert _versions(engine, "GA0000000009") == []


def test_redelivered_file_replaces_the_earlier_one(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population(
        "20261015", [person("GA0000000001", "陈秀英"), person("GA0000000002", "林志明")]
    )
    ingest_landing(_factory(engine), landing)
    # Same date, different content: the earlier copy was half-written, this one is complete.
    write_population("20261115", [person("GA0000000001", "陈秀英")], truncate_last=True)
    ingest_landing(_factory(engine), landing)
    write_population(
        "20261115", [person("GA0000000001", "陈秀英"), person("GA0000000002", "林志明")]
    )
    report = ingest_landing(_factory(engine), landing)
    assert report.new[0].status is DeliveryStatus.LOADED
    with Session(engine) as s:
        statuses = s.scalars(select(Delivery.status).order_by(Delivery.id)).all()
        assert statuses == [DeliveryStatus.LOADED, DeliveryStatus.REPLACED, DeliveryStatus.LOADED]
    # The half-written copy had ended GA..02; the complete one brings it back unchanged.
    assert [(v.valid_from, v.valid_to) for v in _versions(engine, "GA0000000002")] == [
        (dt.date(2026, 10, 15), None)
    ]


def test_truncated_last_line_is_quarantined_and_counts_reconcile(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population(
        "20261115",
        [person("GA0000000001", "陈秀英"), person("GA0000000002", "", BAD_CHECK_ID),
         person("GA0000000003", "林志明", BAD_CHECK_ID), person("GA0000000004", "黄美玲")],
        truncate_last=True,
    )  # fmt: skip
    report = ingest_landing(_factory(engine), landing)
    d = report.new[0]
    assert (d.rows_read, d.rows_loaded, d.rows_quarantined) == (4, 2, 2)
    assert d.quarantined_by_reason == {"missing_name": 1, "truncated_line": 1}
    assert d.field_issues_by_code == {"invalid_id_checksum": 1}
    with Session(engine) as s:
        rows = s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.line)).all()
        assert [(r.line, r.reason, r.record_id) for r in rows] == [
            (3, "missing_name", "GA0000000002"),
            (5, "truncated_line", "GA0000000004"),  # the id survived the cut
        ]
        assert "人口_20261115.csv" in rows[0].message and "line 3" in rows[0].message
        issue = s.scalars(select(FieldIssue)).one()
        assert (issue.record_id, issue.field) == ("GA0000000003", "公民身份号码")
        loaded = s.scalars(
            select(SourceRecord).where(SourceRecord.record_id == "GA0000000003")
        ).one()
        assert loaded.resident_id is None  # unusable as a key, but the person is loaded
        assert loaded.fields["resident_id"]["status"] == "invalid_checksum"


def test_unreadable_file_is_rejected_and_previous_snapshot_stays(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    write_population("20261015", [person("GA0000000001", "陈秀英")])
    ingest_landing(_factory(engine), landing)
    broken = landing / "gongan" / "人口_20261115.csv"
    broken.write_bytes(b"\xff\xfe\x00garbage\x81\x00\xff" * 10)
    report = ingest_landing(_factory(engine), landing)
    rejected = report.new[0]
    assert rejected.status is DeliveryStatus.REJECTED
    assert rejected.error is not None and "人口_20261115.csv" in rejected.error
    assert [v.valid_to for v in _versions(engine, "GA0000000001")] == [None]


def test_unchanged_rows_are_not_normalised_again_but_keep_their_issues(
    engine: Engine,
    landing: Path,
    write_population: WritePopulation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new snapshot that repeats a row as delivered keeps its version; the new delivery
    still records the issues of every current record, at the row's new line."""
    clean = person("GA0000000001", "陈秀英", VALID_ID, 出生日期="19491231")
    rows = [clean, person("GA0000000002", "林志明", BAD_CHECK_ID)]
    write_population("20261015", rows)
    ingest_landing(_factory(engine), landing)
    # The same two rows, in the other order, and one new row.
    write_population("20261115", [person("GA0000000003", "黄美玲"), rows[1], rows[0]])
    mapped: list[str] = []
    mapper = MAPPERS[catalog.POPULATION.key]

    def counting(raw: RawRow, today: dt.date) -> MappedRecord:
        mapped.append(str(raw["人员编号"]))
        return mapper(raw, today)

    monkeypatch.setitem(MAPPERS, catalog.POPULATION.key, counting)
    second = ingest_landing(_factory(engine), landing).new[0]
    assert mapped == ["GA0000000003", "GA0000000002"]  # the clean unchanged row is skipped
    assert second.snapshot is not None
    assert (second.snapshot.new, second.snapshot.unchanged) == (1, 2)
    assert second.rows_loaded == 3 and second.reconciles
    with Session(engine) as s:
        newest = s.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
        assert newest is not None
        issues = s.execute(
            select(FieldIssue.record_id, FieldIssue.line, FieldIssue.code).where(
                FieldIssue.delivery_id == newest.id
            )
        ).all()
    assert [(r, line) for r, line, _ in issues] == [("GA0000000002", 3)]
    assert [v.valid_from for v in _versions(engine, "GA0000000002")] == [dt.date(2026, 10, 15)]
