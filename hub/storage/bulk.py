"""Bulk writes: one statement per batch, never a round trip per row.

:func:`insert_rows` is the fast path for the tables resolution and ingest fill by the hundred
thousand (source records, links, provenance, facts). It skips what an ORM insert spends its
time on (building a dict per row, compiling per batch) but keeps SQLAlchemy's own bind
processors, so values are stored exactly as an ORM insert would store them (dates, JSON,
enums) and read back the same way. On PostgreSQL the rows go through ``COPY``, the server's
bulk path; on SQLite through the driver's ``executemany`` of one prepared statement.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, FromClause, TableClause
from sqlalchemy.orm import Session

T = TypeVar("T")

#: Rows per executemany batch.
BATCH = 5000
#: Values per ``IN (...)`` list: under SQLite's default limit of bound parameters.
IN_LIST = 900


def chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def split_uid(uid: str) -> tuple[str, str]:
    """``dataset:record_id`` as ``(dataset, record_id)``."""
    dataset, record_id = uid.split(":", 1)
    return dataset, record_id


def record_batches(
    keys: Iterable[tuple[str, str]], size: int = IN_LIST
) -> Iterator[tuple[str, list[str]]]:
    """``(dataset, record_id)`` keys as ``(dataset, record ids)`` batches of at most ``size``,
    in key order.

    Filter with ``dataset = :d AND record_id IN (...)``: an index search on both backends. A
    row value ``(dataset, record_id) IN (...)`` behind another equality (``kind = ...``,
    ``valid_to IS NULL``) is not one on SQLite: it scans every row of the prefix once per
    batch, which made the county's incremental publication quadratic.
    """
    by_dataset: dict[str, list[str]] = {}
    for dataset, record_id in keys:
        by_dataset.setdefault(dataset, []).append(record_id)
    for dataset in sorted(by_dataset):
        for batch in chunks(sorted(set(by_dataset[dataset])), size):
            yield dataset, batch


def insert_rows(
    session: Session,
    table: FromClause,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_text: Collection[str] = (),
) -> int:
    """Insert ``rows`` (one value per name in ``columns``, in that order) into ``table`` in
    the session's transaction; returns how many were written.

    Columns left out take their server defaults. Values are Python values as the ORM takes
    them (``date``, ``dict`` for JSON, enum members); ``None`` is NULL. The JSON columns named
    in ``json_text`` take JSON text instead (``str``, as :func:`hub.storage.jsoncodec.dumps`
    writes it), stored as given: for values serialised elsewhere, e.g. in a worker process.
    """
    if not isinstance(table, TableClause):
        raise TypeError(f"insert_rows needs a table, not {table!r}")
    session.flush()  # rows may refer to objects the session has not written yet
    connection = session.connection()
    dialect = connection.dialect
    processors = [
        None if name in json_text else table.c[name].type._cached_bind_processor(dialect)
        for name in columns
    ]
    convert = _converter(processors)
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:  # a detached connection cannot happen inside a session's transaction
        raise RuntimeError("no DBAPI connection behind the session")
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    written = 0
    if dialect.name == "postgresql":
        raw: Any = dbapi  # a psycopg connection: its cursors speak COPY
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(convert(row))
                written += 1
        return written
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {target} ({names}) VALUES ({marks})"
    cursor = dbapi.cursor()
    try:
        for batch in chunks(map(convert, rows)):
            cursor.executemany(statement, batch)
            written += len(batch)
    finally:
        cursor.close()
    return written


def refresh_statistics(session: Session, tables: Iterable[FromClause]) -> None:
    """Planner statistics of ``tables`` as they are now, inside the session's transaction.

    PostgreSQL plans each statement from statistics that autovacuum gathers only after a
    commit: a transaction that bulk-loads tables and then queries them is planned as if they
    were nearly empty (a publication's quality check expected 47 persons of 50,000 and chose
    a nested-loop anti-join that took ten minutes). ``ANALYZE`` samples them where the rows
    are, in this transaction; its figures are committed or rolled back with it. JSON columns
    are left out: no plan uses their statistics, and reading the sampled documents was most
    of the cost (1.3 s a time for ``source_record`` at 50,000 residents). SQLite's planner
    works from the indexes and keeps no statistics unless told to: nothing to do.
    """
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return
    preparer = dialect.identifier_preparer
    for table in tables:
        if not isinstance(table, TableClause):
            raise TypeError(f"statistics are a table's, not {table!r}")
        columns = [
            preparer.quote(c.name)
            for c in table.columns
            if not isinstance(c.type.dialect_impl(dialect), JSON)
        ]
        connection.exec_driver_sql(f"ANALYZE {preparer.format_table(table)} ({', '.join(columns)})")


def _converter(
    processors: Sequence[Callable[[Any], Any] | None],
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A function applying each column's bind processor to one row (identity where none)."""
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    if not active:
        return tuple

    # Rows of one batch often share a value (the snapshot date of every version): the last
    # value of each column is converted once for the rows that repeat it.
    last: list[tuple[Any, Any]] = [(None, None)] * len(active)

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for n, (i, process) in enumerate(active):
            value = values[i]
            if value is not None:
                seen, processed = last[n]
                if value is not seen or isinstance(value, dict | list):  # those may change
                    processed = process(value)
                    last[n] = (value, processed)
                values[i] = processed
        return tuple(values)

    return convert
