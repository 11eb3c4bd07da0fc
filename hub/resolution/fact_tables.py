"""Department facts published by the database itself: ``INSERT ... SELECT`` from the current
source records, joined to the person links the run just wrote.

The county's 929k vaccination doses never pass through Python: each fact column is the
record's normalised field read with the database's JSON functions and cast to the column's
type (a value ingest could not normalise is already ``null`` there; a date that does not parse
becomes ``null`` rather than an error).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.bulk import chunks
from hub.storage.models import (
    Benefit,
    EntityKind,
    HealthGroup,
    PartyMembership,
    RecordLink,
    SourceRecord,
    Vaccination,
)

#: Record ids per ``IN`` list (one bound parameter each, under SQLite's limit). A table holds
#: one dataset's records, so its scope is a list of record ids: ``record_id IN (...)`` is
#: answered from the indexes, where SQLite scans the whole table for ``(dataset, record_id)
#: IN (...)`` row values, once per batch.
SCOPE_BATCH = 900

#: Reads one normalised field (by key) as a column value, for a dialect ("sqlite", ...).
Field = Callable[[str, str], ColumnElement[Any]]


def _text(key: str, dialect: str) -> ColumnElement[Any]:
    return SourceRecord.fields[key].as_string()


def _required_text(key: str, dialect: str) -> ColumnElement[Any]:
    return func.coalesce(SourceRecord.fields[key].as_string(), literal(""))


def _integer(key: str, dialect: str) -> ColumnElement[Any]:
    return SourceRecord.fields[key].as_integer()


def _boolean(key: str, dialect: str) -> ColumnElement[Any]:
    return SourceRecord.fields[key].as_boolean()


def _date(key: str, dialect: str) -> ColumnElement[Any]:
    """A ``YYYY-MM-DD`` field as a date (SQLite keeps dates as that text); anything else
    null, never an error."""
    text = func.substr(SourceRecord.fields[key].as_string(), 1, 10)
    if dialect == "sqlite":
        return case((func.date(text) == text, text), else_=None)
    iso = text.op("~")(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    return case((iso, cast(text, Date)), else_=None)


def _amount(key: str, dialect: str) -> ColumnElement[Any]:
    text = SourceRecord.fields[key].as_string()  # ingest wrote it as 650.00
    return text if dialect == "sqlite" else cast(text, Numeric(12, 2))


def _moment(key: str, dialect: str) -> ColumnElement[Any]:
    """An ISO timestamp with its offset as the column stores it: ``timestamptz`` on
    PostgreSQL; UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``) on SQLite, whose date functions
    apply the offset."""
    text = SourceRecord.fields[key].as_string()
    if dialect == "postgresql":
        return cast(text, DateTime(timezone=True))
    return func.strftime("%Y-%m-%d %H:%M:%S.000000", text)


@dataclass(frozen=True, slots=True)
class FactTable:
    model: type[Any]
    dataset: str
    columns: dict[str, tuple[Field, str]]  # column -> (reader, field key)


FACT_TABLES: tuple[FactTable, ...] = (
    FactTable(Benefit, catalog.ASSISTANCE.key, {
        "category": (_required_text, "category"), "monthly_amount": (_amount, "monthly_amount"),
        "covered_count": (_integer, "covered_count"), "start_date": (_date, "start_date"),
        "township": (_text, "township"), "note": (_text, "note"),
    }),
    FactTable(Vaccination, catalog.VACCINATIONS.key, {
        "vaccine": (_required_text, "vaccine"), "dose": (_integer, "dose"),
        "site": (_text, "site"), "vaccinated_at": (_moment, "vaccinated_at"),
    }),
    FactTable(HealthGroup, catalog.HEALTH_GROUPS.key, {
        "group": (_required_text, "group"), "family_doctor": (_text, "family_doctor"),
        "signed_at": (_date, "signed_at"),
    }),
    FactTable(PartyMembership, catalog.PARTY_MEMBERS.key, {
        "category": (_text, "category"), "joined_at": (_date, "joined_at"),
        "branch": (_text, "branch"), "floating": (_boolean, "floating"),
        "grid_role": (_text, "grid_role"),
    }),
)  # fmt: skip


def replace_fact_tables(session: Session, scope: Collection[str] | None) -> int:
    """Rebuild the fact rows of the records in ``scope`` (uids; ``None``: every record) from
    their current versions and person links; returns how many rows were written."""
    written = 0
    dialect = session.get_bind().dialect.name
    for table in FACT_TABLES:
        model = table.model
        if scope is None:
            session.execute(delete(model))
            batches: list[list[str] | None] = [None]
        else:
            prefix = table.dataset + ":"
            ids = sorted(u[len(prefix) :] for u in scope if u.startswith(prefix))
            batches = list(chunks(ids, SCOPE_BATCH))
            for batch in batches:
                assert batch is not None
                session.execute(
                    delete(model).where(model.dataset == table.dataset, model.record_id.in_(batch))
                )
        for batch in batches:
            written += _insert(session, table, batch, dialect)
    return written


def _insert(session: Session, table: FactTable, batch: list[str] | None, dialect: str) -> int:
    values = [reader(key, dialect).label(column)
              for column, (reader, key) in table.columns.items()]  # fmt: skip
    joined = and_(
        RecordLink.kind == EntityKind.PERSON,
        RecordLink.dataset == SourceRecord.dataset,
        RecordLink.record_id == SourceRecord.record_id,
    )
    where = [SourceRecord.dataset == table.dataset, SourceRecord.valid_to.is_(None)]
    if batch is not None:
        # ``dataset = ... AND record_id IN``: an index search (a row value is a scan on SQLite).
        where.append(SourceRecord.record_id.in_(batch))
    source = (
        select(RecordLink.entity_id, SourceRecord.dataset, SourceRecord.record_id,
               SourceRecord.valid_from, *values)
        .join(RecordLink, joined)
        .where(*where)
    )  # fmt: skip
    names = ["person_id", "dataset", "record_id", "valid_from", *table.columns]
    result = session.execute(insert(table.model).from_select(names, source))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
