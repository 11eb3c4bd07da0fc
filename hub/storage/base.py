"""Declarative base, the constraint naming convention and reusable column types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, MetaData, String, TypeDecorator, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names keep Alembic's autogenerate diffs the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JsonType = JSON().with_variant(postgresql.JSONB(), "postgresql")

#: 64-bit ids that still autoincrement on SQLite (where only INTEGER PRIMARY KEY does).
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


class _UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment, stored in UTC and read back aware on every backend.

    PostgreSQL's ``timestamptz`` does this itself; SQLite has no time zones, and would store
    ``18:15+08:00`` as ``18:15`` and give back a naive value: here it becomes ``10:15`` UTC on
    the way in and ``10:15+00:00`` on the way out. A naive value is taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


UtcDateTime = _UtcDateTime()

intpk = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
str_code = Annotated[str, mapped_column(String(64))]
created_at = Annotated[
    dt.datetime, mapped_column(UtcDateTime, server_default=func.current_timestamp())
]
json_doc = Annotated[dict[str, Any], mapped_column(JsonType)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
