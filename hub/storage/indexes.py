"""Secondary indexes built after a first bulk load, not maintained row by row through it.

Maintaining an index while rows arrive is a random write per row and index; building it over
rows already loaded is one sort. ``source_record`` carries ten secondary indexes (the current
versions' match keys, resolution's blocking keys): loading the 50,000-resident landing into
it took PostgreSQL 22.4 s with them and 2.8 s without, and creating them afterwards 6.9 s.

:func:`defer_indexes` drops a table's secondary indexes on PostgreSQL when the table is
empty (the first build's first delivery); :func:`create_missing_indexes` creates whichever
of the metadata's indexes are missing, before anything needs them (resolution does at its
start). Unique constraints and primary keys are never dropped: loads rely on them.
"""

from __future__ import annotations

from sqlalchemy import FromClause, Index, Table, exists, inspect, select
from sqlalchemy.orm import Session


def defer_indexes(session: Session, table_clause: FromClause) -> list[str]:
    """Drop the table's secondary indexes if it holds no row (PostgreSQL); the names dropped.

    SQLite keeps them: under the large page cache a load runs with, it maintains them for
    less than building them afterwards costs (the 50,000-resident build: writes 1.7 s
    faster, the indexes built at resolution 12 s slower).

    Run it in a transaction of its own before the load's, and commit: the check and the
    drops take the table's exclusive lock first, so two loads starting at once do not both
    drop (the second waits, then finds rows or the indexes gone), and no reader sees the
    table between the check and the drop. A non-empty table is left alone without a lock.
    """
    table = _table(table_clause)
    connection = session.connection()
    if connection.dialect.name != "postgresql" or session.scalar(
        select(exists().select_from(table))
    ):
        return []
    preparer = connection.dialect.identifier_preparer
    connection.exec_driver_sql(
        f"LOCK TABLE {preparer.format_table(table)} IN ACCESS EXCLUSIVE MODE"
    )
    if session.scalar(select(exists().select_from(table))):
        return []
    present = _present(session, table)
    dropped = []
    for index in sorted(_secondary(table), key=lambda i: str(i.name)):
        if index.name in present:
            index.drop(connection)
            dropped.append(str(index.name))
    return dropped


def create_missing_indexes(session: Session, table_clause: FromClause) -> list[str]:
    """Create the indexes of the table's metadata that the database lacks; their names."""
    table = _table(table_clause)
    present = _present(session, table)
    connection = session.connection()
    created = []
    for index in sorted(_secondary(table), key=lambda i: str(i.name)):
        if index.name not in present:
            index.create(connection)
            created.append(str(index.name))
    return created


def _table(table: FromClause) -> Table:
    if not isinstance(table, Table):
        raise TypeError(f"indexes belong to a table, not {table!r}")
    return table


def _secondary(table: Table) -> list[Index]:
    """The indexes declared on ``table`` that no constraint needs (not unique)."""
    return [index for index in table.indexes if not index.unique]


def _present(session: Session, table: Table) -> set[str]:
    inspector = inspect(session.connection())
    return {str(i["name"]) for i in inspector.get_indexes(table.name)}
