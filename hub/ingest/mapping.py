"""Mapping rows into the form they are written in, a chunk at a time.

:func:`map_chunk` runs a dataset's mapper over the raw rows of one chunk and returns, per row,
either a :class:`MappedRow` (the ``raw`` and ``fields`` documents already as JSON text, the
match keys and the field issues as tuples) or the row's :class:`Rejection`. The result is plain
data, cheap to pickle, so a chunk can be mapped in a worker process
(:class:`hub.ingest.pool.MappingPool`) while the loading process writes the one before; both
ways call this same function, so both give the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from hub.ingest.fields import MappedRecord, Rejected, Rejection
from hub.ingest.records import MAPPERS
from hub.storage.jsoncodec import dumps
from hub.types import RawRow

#: The match keys of a mapped row, in the order of :attr:`MappedRow.keys`.
KEY_COLUMNS = (
    "name", "name_pinyin", "resident_id", "birth_date", "sex", "phone", "address_code",
    "address_key", "household_no",
)  # fmt: skip


class Issue(NamedTuple):
    """A field issue of a mapped row (``code`` is a :class:`~hub.sources.problems.FieldCode`
    value)."""

    field: str
    code: str
    message: str
    value: str


class MappedRow(NamedTuple):
    """One row as it is written: JSON documents as text, keys in :data:`KEY_COLUMNS` order."""

    raw: str
    fields: str
    keys: tuple[str | None, ...]
    issues: tuple[Issue, ...]


def map_chunk(dataset: str, today: dt.date, raws: Sequence[RawRow]) -> list[MappedRow | Rejection]:
    """Map the raw rows of one chunk of ``dataset``'s delivery (of ``today``), in order."""
    mapper = MAPPERS[dataset]
    out: list[MappedRow | Rejection] = []
    for raw in raws:
        try:
            record = mapper(raw, today)
        except Rejected as rejected:
            out.append(rejected.rejection)
            continue
        out.append(written_form(raw, record))
    return out


def written_form(raw: RawRow, record: MappedRecord) -> MappedRow:
    """A mapped record as :class:`MappedRow`."""
    k = record.keys
    keys = (k.name, k.name_pinyin, k.resident_id, k.birth_date, k.sex, k.phone,
            k.address_code, k.address_key, k.household_no)  # fmt: skip
    issues = tuple(Issue(i.field, i.code.value, i.message, i.value) for i in record.issues)
    return MappedRow(dumps(raw), dumps(record.fields), keys, issues)
