"""Reading large result sets straight into pandas frames.

Resolution reads every current person record (1.4 million at county scale). SQLAlchemy's
result rows cost several times the database's own time at that size (a row object and a type
processor per value), so :func:`read_frame` runs the compiled statement on the driver's cursor
and builds the frame column by column. Values come back as the driver gives them; date columns
named in ``dates`` are made ``datetime.date`` on every backend (SQLite returns ISO text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.storage.bulk import chunks, record_batches, split_uid

#: Rows fetched and turned into columns at a time: the driver's row tuples for the county's
#: 1.4 million records would take more memory than the frame built from them.
FETCH_ROWS = 100_000
#: Keys per ``IN`` list of rendered literals (no bound-parameter limit applies to them).
LITERAL_IN = 2000
#: A SELECT of any columns (SQLAlchemy 2.1 types a Select by the types of its columns).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def read_frame(session: Session, stmt: AnySelect, *, dates: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of ``stmt``, one column per selected label, in the session's transaction.

    The statement's parameters are rendered as literals (dataset names, numbers: values the
    hub chooses, never a client's), so the driver gets one plain SQL text.
    """
    connection = session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    names = [column.key for column in stmt.selected_columns]
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError("no DBAPI connection behind the session")
    cursor = dbapi.cursor()
    try:
        if connection.dialect.paramstyle in ("format", "pyformat"):
            sql = sql.replace("%%", "%")  # escaped for placeholders; none are sent
        cursor.execute(sql)
        parts: list[list[pd.Series]] = []  # per batch of rows, a series per column
        while rows := cursor.fetchmany(FETCH_ROWS):
            parts.append([pd.Series(column) for column in zip(*rows, strict=True)])
            del rows  # the row tuples of a batch go once its columns are built
    finally:
        cursor.close()
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    columns = [_joined([part[n] for part in parts]) for n in range(len(names))]
    del parts
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
    for name in dates:
        frame[name] = _as_dates(frame[name])
    return frame


def _joined(batches: list[pd.Series]) -> pd.Series:
    """One column from its batches, of the type pandas infers for all the values at once
    (a batch of only NULLs is ``object``, one with a NULL among integers ``float64``...)."""
    if len({batch.dtype for batch in batches}) == 1:
        return pd.concat(batches, ignore_index=True) if len(batches) > 1 else batches[0]
    values = [
        None if missing else value
        for batch in batches
        for value, missing in zip(batch.tolist(), batch.isna().tolist(), strict=True)
    ]
    return pd.Series(values)


def _as_dates(column: pd.Series) -> pd.Series:
    """ISO text (SQLite) or dates (PostgreSQL) as ``datetime.date``; few distinct values."""
    lookup = {
        value: (dt.date.fromisoformat(value) if isinstance(value, str) else value)
        for value in column.dropna().unique()
    }
    values = [None if pd.isna(v) else lookup[v] for v in column]
    return pd.Series(values, index=column.index, dtype=object)


def isin(column: pd.Series | pd.Index, values: Iterable[Any]) -> npt.NDArray[np.bool_]:
    """``column.isin(values)`` as a boolean array, by Arrow's hash lookup for text columns.

    pandas 3 answers ``isin`` on its Arrow-backed text columns by building one Arrow scalar
    per value looked up: 15 s for a county's record uids against a set of 700k. Here the
    values become one Arrow array. As in pandas, a missing value matches a missing value;
    other dtypes go to pandas.
    """
    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        wanted = (
            values if isinstance(values, pd.Index | pd.Series | np.ndarray | list) else list(values)
        )
        return np.asarray(column.isin(wanted), dtype=bool)
    data = pa.array(column)
    texts, missing = [], False
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif value is None or value is pd.NA or (isinstance(value, float) and value != value):
            missing = True
    found = pa.array(texts, type=data.type)
    hit = np.asarray(pc.is_in(data, value_set=found).to_numpy(zero_copy_only=False), dtype=bool)
    return hit | np.asarray(column.isna(), dtype=bool) if missing else hit


def read_in(
    session: Session,
    stmt: AnySelect,
    column: InstrumentedAttribute[Any],
    values: Iterable[Any],
    *,
    dates: Iterable[str] = (),
) -> pd.DataFrame:
    """``stmt`` restricted to ``column IN values``, in batches, as one frame."""
    frames = [
        read_frame(session, stmt.where(column.in_(batch)), dates=list(dates))
        for batch in chunks(sorted(set(values)), LITERAL_IN)
    ]
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else read_frame(session, stmt.where(column.in_([])), dates=list(dates))
    )


def read_in_uids(
    session: Session,
    stmt: AnySelect,
    dataset: InstrumentedAttribute[Any],
    record_id: InstrumentedAttribute[Any],
    uids: Iterable[str],
    *,
    dates: Iterable[str] = (),
) -> pd.DataFrame:
    """``stmt`` restricted to the records named by ``uids`` (``dataset:record_id``)."""
    keys = (split_uid(u) for u in uids)
    frames = [
        read_frame(session, stmt.where(dataset == name, record_id.in_(batch)), dates=list(dates))
        for name, batch in record_batches(keys, LITERAL_IN)
    ]
    if frames:
        return pd.concat(frames, ignore_index=True)
    return read_frame(session, stmt.where(dataset.in_([])), dates=list(dates))
