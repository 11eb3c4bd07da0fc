"""A first load's secondary indexes: dropped while the table is empty, built again after."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hub.storage.bulk import insert_rows
from hub.storage.indexes import create_missing_indexes, defer_indexes
from hub.storage.models import SourceRecord
from tests.storage.test_bulk import COLUMNS, FIELDS, RAW, TABLE, _delivery, _row


def _indexes(session: Session) -> set[str]:
    return {str(i["name"]) for i in inspect(session.connection()).get_indexes("source_record")}


def _declared() -> set[str]:
    return {str(i.name) for i in SourceRecord.__table__.indexes if not i.unique}


def test_an_empty_table_loads_without_its_secondary_indexes_then_gets_them_back(
    session: Session,
) -> None:
    declared = _declared()
    assert len(declared) == 10 and declared <= _indexes(session)
    if session.get_bind().dialect.name != "postgresql":  # SQLite keeps them (cheaper there)
        assert defer_indexes(session, TABLE) == []
        assert declared <= _indexes(session)
        return
    assert sorted(defer_indexes(session, TABLE)) == sorted(declared)
    assert not declared & _indexes(session)
    delivery_id = _delivery(session)
    insert_rows(
        session, TABLE, COLUMNS, [_row(delivery_id, f"GA{n}", RAW, FIELDS) for n in range(5)]
    )
    assert sorted(create_missing_indexes(session, TABLE)) == sorted(declared)
    assert declared <= _indexes(session)
    assert create_missing_indexes(session, TABLE) == []  # nothing missing: nothing done


def test_a_table_with_rows_keeps_its_indexes(session: Session) -> None:
    insert_rows(session, TABLE, COLUMNS, [_row(_delivery(session), "GA1", RAW, FIELDS)])
    assert defer_indexes(session, TABLE) == []
    assert _declared() <= _indexes(session)


def test_unique_constraints_stay_through_a_first_load(session: Session) -> None:
    before = {
        i["name"] for i in inspect(session.connection()).get_unique_constraints("source_record")
    }
    defer_indexes(session, TABLE)
    after = {
        i["name"] for i in inspect(session.connection()).get_unique_constraints("source_record")
    }
    assert before and before == after
