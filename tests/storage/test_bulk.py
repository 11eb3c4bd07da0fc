"""Bulk inserts: values as the ORM takes them, or JSON already serialised, read back alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.storage import jsoncodec
from hub.storage.bulk import insert_rows, refresh_statistics
from hub.storage.models import Delivery, DeliveryStatus, SourceRecord

TABLE = SourceRecord.metadata.tables["source_record"]
COLUMNS = ("source", "dataset", "record_id", "delivery_id", "line", "valid_from",
           "content_hash", "raw", "fields")  # fmt: skip
RAW = {"姓名": "曾伟", "联系电话": "138 1234 5678", "dose": 2, "big": 2**70}
FIELDS = {"name": {"value": "曾伟", "pinyin": "zeng wei"}, "lng": 118.25, "flags": [True, None]}


def _delivery(session: Session) -> int:
    delivery = Delivery(source="gongan", dataset="gongan.population", file_name="人口.csv",
                        path="/x", sha256="a" * 64, size_bytes=1, status=DeliveryStatus.LOADED,
                        snapshot_date=dt.date(2026, 11, 15))  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery.id


def _row(delivery_id: int, record_id: str, raw: object, fields: object) -> tuple[object, ...]:
    return ("gongan", "gongan.population", record_id, delivery_id, 2, dt.date(2026, 11, 15),
            "0" * 64, raw, fields)  # fmt: skip


def test_serialised_json_reads_back_as_the_values_would(session: Session) -> None:
    delivery_id = _delivery(session)
    insert_rows(session, TABLE, COLUMNS, [_row(delivery_id, "GA1", RAW, FIELDS)])
    insert_rows(
        session, TABLE, COLUMNS,
        [_row(delivery_id, "GA2", jsoncodec.dumps(RAW), jsoncodec.dumps(FIELDS))],
        json_text=("raw", "fields"),
    )  # fmt: skip
    rows = session.execute(
        select(SourceRecord.record_id, SourceRecord.raw, SourceRecord.fields).order_by(
            SourceRecord.record_id
        )
    ).all()
    assert [tuple(r) for r in rows] == [("GA1", RAW, FIELDS), ("GA2", RAW, FIELDS)]
    # The database's JSON functions read both the same way.
    if session.get_bind().dialect.name == "sqlite":
        picked = "json_extract(fields, '$.name.pinyin')"
    else:
        picked = "fields #>> '{name,pinyin}'"
    values = session.execute(text(f"select {picked} from source_record order by record_id"))
    assert values.scalars().all() == ["zeng wei", "zeng wei"]


def test_stored_text_is_compact_utf8(session: Session) -> None:
    delivery_id = _delivery(session)
    insert_rows(session, TABLE, COLUMNS, [_row(delivery_id, "GA1", RAW, FIELDS)])
    if session.get_bind().dialect.name != "sqlite":
        return  # jsonb keeps no text
    stored = session.execute(text("select raw from source_record")).scalar_one()
    assert stored == f'{{"姓名":"曾伟","联系电话":"138 1234 5678","dose":2,"big":{2**70}}}'


def test_codec_reads_what_the_standard_library_wrote() -> None:
    legacy = '{"\\u59d3\\u540d": "\\u66fe\\u4f1f", "n": NaN, "big": 1180591620717411303424}'
    value = jsoncodec.loads(legacy)
    assert value["姓名"] == "曾伟" and value["big"] == 2**70 and value["n"] != value["n"]
    assert jsoncodec.loads(jsoncodec.dumps(FIELDS)) == FIELDS
    assert jsoncodec.dumps_bytes(RAW) == jsoncodec.dumps(RAW).encode()


def test_statistics_are_refreshed_inside_the_transaction(session: Session) -> None:
    delivery_id = _delivery(session)
    rows = (_row(delivery_id, f"GA{n}", RAW, FIELDS) for n in range(3000))
    insert_rows(session, TABLE, COLUMNS, rows)
    refresh_statistics(session, [TABLE])
    if session.get_bind().dialect.name != "postgresql":  # SQLite keeps no statistics
        assert (
            session.scalar(text("select count(*) from sqlite_master where name = 'sqlite_stat1'"))
            == 0
        )
        return
    # Not yet committed, yet planned for what it holds: the row count and the column figures.
    tuples = session.scalar(
        text("select reltuples from pg_class where oid = 'source_record'::regclass")
    )
    assert tuples == 3000
    distinct = session.scalar(
        text("select n_distinct from pg_stats where tablename = 'source_record' "
             "and attname = 'record_id' and schemaname = current_schema()")
    )  # fmt: skip
    assert distinct == -1  # every value distinct
    documents = session.scalar(
        text("select count(*) from pg_stats where tablename = 'source_record' "
             "and attname in ('raw', 'fields') and schemaname = current_schema()")
    )  # fmt: skip
    assert documents == 0  # JSON columns are not sampled: no plan uses them
