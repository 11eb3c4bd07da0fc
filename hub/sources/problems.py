"""Why a row was quarantined or a field flagged: the reason codes and the problem record.

A row is quarantined only when it cannot stand on its own (no record id, no name, a broken
line). A bad *field* (an invalid ID number, an unparseable date) keeps the row and becomes a
:class:`FieldIssue`: the value is not used as a key, and the quality report counts it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Reason(enum.StrEnum):
    """Row-level quarantine reasons. Values are stored in the database: never rename one."""

    TRUNCATED_LINE = "truncated_line"  # the half-written last line of a file still being copied
    WRONG_COLUMN_COUNT = "wrong_column_count"  # CSV row with more or fewer cells than the header
    UNREADABLE_JSON = "unreadable_json"  # a JSON line or GeoJSON feature that does not parse
    NOT_AN_OBJECT = "not_an_object"  # valid JSON, but not an object / not a Feature
    MISSING_RECORD_ID = "missing_record_id"  # the source's key column is empty
    MALFORMED_RECORD_ID = "malformed_record_id"  # key does not follow the source's pattern
    DUPLICATE_RECORD_ID = "duplicate_record_id"  # a second row with the same key in one file
    MISSING_NAME = "missing_name"  # a record about a person without a name
    MISSING_REQUIRED = "missing_required"  # another field the record cannot stand without
    INVALID_GEOMETRY = "invalid_geometry"  # door plate without a usable point
    UNREADABLE_LINE = "unreadable_line"  # a CSV line the csv module cannot parse (stray CR)
    MOSTLY_EMPTY = "mostly_empty"  # most of the row's columns empty or missing (a cut row)


class FieldCode(enum.StrEnum):
    """Field-level quality issues: the row is loaded, the field is not trusted."""

    INVALID_ID_CHECKSUM = "invalid_id_checksum"
    INVALID_ID_DATE = "invalid_id_date"
    INVALID_ID_FORMAT = "invalid_id_format"
    EXCEL_MANGLED_ID = "excel_mangled_id"
    LEGACY_ID_UPGRADED = "legacy_id_upgraded"
    INVALID_PHONE = "invalid_phone"
    INVALID_DATE = "invalid_date"
    INVALID_SEX = "invalid_sex"
    INVALID_NUMBER = "invalid_number"
    INVALID_VALUE = "invalid_value"  # not in the contract's vocabulary
    UNPARSED_ADDRESS = "unparsed_address"
    ID_CONFLICT = "id_conflict"  # e.g. sex or birth date disagrees with the ID number


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that cannot be loaded, with where it was and why."""

    line: int  # 1-based physical line (CSV/JSONL), sheet row (xlsx) or feature index (GeoJSON)
    reason: Reason
    message: str
    raw: str  # the row as delivered, as text
    record_id: str | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """A loaded row with one field that could not be used as delivered."""

    field: str
    code: FieldCode
    message: str
    value: str


class DeliveryRejected(Exception):
    """The whole file cannot be read (wrong encoding, not a workbook, missing header...).

    The previous snapshot of the dataset stays current.
    """

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
