"""Building one normalised record: each field normalised, its issues collected.

A :class:`RecordBuilder` wraps the pure functions of :mod:`hub.normalise` so that every dataset
mapper reads as a list of "this column is that kind of value". What a field could not be is a
:class:`FieldIssue`: the row is still loaded.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from hub.normalise import (
    DateValue,
    ParsedAddress,
    PersonName,
    PhoneList,
    ResidentId,
    normalise_name,
    normalise_phones,
    normalise_resident_id,
    normalise_sex,
    parse_address,
    parse_amount,
    parse_date,
    parse_int,
    parse_timestamp,
    parse_yes_no,
)
from hub.normalise.text import clean_text, to_text
from hub.sources.problems import FieldCode, FieldIssue, Reason
from hub.types import NormalisedFields, RawRow


@dataclass(slots=True)
class MatchKeys:
    """The values resolution blocks and compares on, pulled out of the fields."""

    name: str | None = None
    name_pinyin: str | None = None
    resident_id: str | None = None
    birth_date: str | None = None  # YYYY-MM-DD, or YYYY-MM when only the month is known
    sex: str | None = None
    phone: str | None = None
    address_code: str | None = None
    address_key: str | None = None
    household_no: str | None = None


@dataclass(frozen=True, slots=True)
class MappedRecord:
    fields: NormalisedFields
    keys: MatchKeys
    issues: tuple[FieldIssue, ...]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that cannot stand even though it was read (for example a grid without a level)."""

    reason: Reason
    field: str
    message: str


class Rejected(Exception):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection


@dataclass(slots=True)
class RecordBuilder:
    """Collects the normalised fields, match keys and issues of one row."""

    raw: RawRow
    today: dt.date
    fields: NormalisedFields = field(default_factory=dict)
    keys: MatchKeys = field(default_factory=MatchKeys)
    issues: list[FieldIssue] = field(default_factory=list)

    def build(self) -> MappedRecord:
        return MappedRecord(self.fields, self.keys, tuple(self.issues))

    def issue(self, column: str, code: FieldCode, message: str, value: object = None) -> None:
        self.issues.append(FieldIssue(column, code, message, to_text(value) or ""))

    def require(self, column: str, value: object) -> None:
        """Reject the row when a value it cannot stand without is missing."""
        if value is None or value == "":
            raise Rejected(
                Rejection(Reason.MISSING_REQUIRED, column, f"{column} is empty but required")
            )

    # -- plain values -----------------------------------------------------------------------

    def text(
        self, target: str, column: str, *, vocabulary: Collection[str] | None = None
    ) -> str | None:
        raw = self.raw.get(column)
        value = _clean_text(raw) if type(raw) is str else clean_text(raw)
        if value is not None and vocabulary is not None and value not in vocabulary:
            self.issue(column, FieldCode.INVALID_VALUE, f"{column}: {value!r} is not one of "
                       f"the contract's values", value)  # fmt: skip
        self.fields[target] = value
        return value

    def integer(self, target: str, column: str) -> int | None:
        raw = self.raw.get(column)
        value = parse_int(raw)
        if value is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_NUMBER, f"{column}: {raw!r} is not a whole "
                       "number", raw)  # fmt: skip
        self.fields[target] = value
        return value

    def amount(self, target: str, column: str) -> str | None:
        raw = self.raw.get(column)
        value = parse_amount(raw)
        if value is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_NUMBER, f"{column}: {raw!r} is not an amount",
                       raw)  # fmt: skip
        text = None if value is None else f"{value:.2f}"
        self.fields[target] = text
        return text

    def yes_no(self, target: str, column: str) -> bool | None:
        raw = self.raw.get(column)
        value = parse_yes_no(raw)
        if value is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_VALUE, f"{column}: {raw!r} is not 是/否", raw)
        self.fields[target] = value
        return value

    def coordinate(self, target: str, column: str, low: float, high: float) -> float | None:
        raw = self.raw.get(column)
        try:
            value = None if raw is None or raw == "" else float(raw)
        except (TypeError, ValueError):
            value = None
        if value is not None and not low <= value <= high:
            value = None
        if value is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_NUMBER, f"{column}: {raw!r} is not a "
                       f"coordinate in Dehua ({low}..{high})", raw)  # fmt: skip
        self.fields[target] = value
        return value

    # -- personal values --------------------------------------------------------------------

    def resident_id(self, column: str, *, target: str = "resident_id") -> ResidentId:
        raw = self.raw.get(column)
        rid = (
            _resident_id(raw, self.today)
            if type(raw) is str
            else normalise_resident_id(raw, today=self.today)
        )
        code = rid.issue_code
        if code is not None:
            self.issue(column, code, f"{column}: {_ID_MESSAGES.get(code, code.value)}",
                       rid.original)  # fmt: skip
        self.fields[target] = {
            "original": rid.original,
            "cleaned": rid.cleaned,
            "value": rid.value,
            "status": rid.status.value,
            "birth_date": rid.birth_date.isoformat() if rid.birth_date else None,
            "sex": rid.sex,
        }
        if rid.usable:
            self.keys.resident_id = rid.value
        return rid

    def name(self, column: str) -> PersonName:
        name = normalise_name(self.raw.get(column))
        self.fields["name"] = {
            "original": name.original,
            "value": name.value,
            "pinyin": name.pinyin,
            "converted": name.converted,
        }
        self.keys.name = name.value
        self.keys.name_pinyin = name.pinyin
        return name

    def sex(self, column: str, rid: ResidentId | None = None) -> str | None:
        raw = self.raw.get(column)
        sex = normalise_sex(raw)
        if sex is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_SEX, f"{column}: {raw!r} is not 男/女", raw)
        if sex and rid is not None and rid.sex and rid.sex != sex:
            self.issue(column, FieldCode.ID_CONFLICT, f"{column}: {sex} but the resident ID "
                       f"says {rid.sex}", raw)  # fmt: skip
        self.fields["sex"] = sex
        self.keys.sex = sex or (rid.sex if rid is not None else None)
        return sex

    def phones(self, column: str, *, target: str = "phones") -> PhoneList:
        raw = self.raw.get(column)
        phones, document = _phones(raw) if type(raw) is str else _phone_document(raw)
        for part in phones.invalid:
            self.issue(column, FieldCode.INVALID_PHONE, f"{column}: {part!r} is neither a "
                       "mobile nor a landline", part)  # fmt: skip
        self.fields[target] = document
        if target == "phones":
            self.keys.phone = phones.first_mobile or phones.first
        return phones

    def date(
        self, target: str, column: str, *, allow_month: bool = False, birth: bool = False
    ) -> DateValue:
        raw = self.raw.get(column)
        value = (
            _date(raw, allow_month, self.today)
            if type(raw) is str
            else parse_date(raw, allow_month=allow_month, latest=self.today)
        )
        if value.error is not None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_DATE, f"{column}: {value.error}", raw)
        iso = value.iso
        self.fields[target] = iso
        if birth:
            self.keys.birth_date = iso
        return value

    def birth_date_from(self, value: DateValue, rid: ResidentId, column: str) -> None:
        """Prefer the ID's birth date as the key; flag a delivered date that disagrees."""
        if rid.birth_date is None:
            return
        iso = value.iso
        if value.value is not None and iso is not None:
            same = (
                value.value == rid.birth_date
                if iso and len(iso) == 10
                else value.value.replace(day=1) == rid.birth_date.replace(day=1)
            )
            if not same:
                message = f"{column}: {iso} but the resident ID says {rid.birth_date}"
                self.issue(column, FieldCode.ID_CONFLICT, message, value.original)
        self.keys.birth_date = rid.birth_date.isoformat()

    def timestamp(self, target: str, column: str) -> str | None:
        raw = self.raw.get(column)
        value = parse_timestamp(raw)
        if value is None and clean_text(raw) is not None:
            self.issue(column, FieldCode.INVALID_DATE, f"{column}: {raw!r} is not a timestamp "
                       "with an offset", raw)  # fmt: skip
        text = value.isoformat() if value is not None else None
        self.fields[target] = text
        return text

    def address(
        self, column: str, *, target: str = "address", township_column: str | None = None
    ) -> ParsedAddress:
        """Parse a free-text address; ``township_column`` names a column whose township
        fills in one the text leaves out (clerks often omit their own township)."""
        default = clean_text(self.raw.get(township_column)) if township_column else None
        parsed = parse_address(self.raw.get(column), default_township=default)
        if parsed.original and parsed.rest:
            self.issue(column, FieldCode.UNPARSED_ADDRESS, f"{column}: could not place "
                       f"{parsed.rest!r}", parsed.original)  # fmt: skip
        self.fields[target] = address_fields(parsed)
        if target == "address":
            self.keys.address_key = parsed.key()
        return parsed


# The same person's ID, phone and birth date recur across a source's records (a vaccination
# record per dose), so the pure normalisers are memoised on text input.
@functools.lru_cache(maxsize=1 << 16)
def _resident_id(raw: str, today: dt.date) -> ResidentId:
    return normalise_resident_id(raw, today=today)


def _phone_document(raw: object) -> tuple[PhoneList, dict[str, Any]]:
    phones = normalise_phones(raw)
    numbers = [{"value": p.value, "kind": p.kind.value} for p in phones.phones]
    return phones, {"original": phones.original, "numbers": numbers}


@functools.lru_cache(maxsize=1 << 16)
def _phones(raw: str) -> tuple[PhoneList, dict[str, Any]]:
    return _phone_document(raw)


# Coded and short text columns (vaccine, site, relation, township) repeat all the time.
_clean_text = functools.lru_cache(maxsize=1 << 16)(clean_text)


@functools.lru_cache(maxsize=1 << 16)
def _date(raw: str, allow_month: bool, latest: dt.date) -> DateValue:
    return parse_date(raw, allow_month=allow_month, latest=latest)


def address_fields(parsed: ParsedAddress) -> dict[str, Any]:
    return {
        "original": parsed.original,
        "township": parsed.township,
        "village": parsed.village,
        "group": parsed.group,
        "road": parsed.road,
        "number": parsed.number,
        "building": parsed.building,
        "unit": parsed.unit,
        "room": parsed.room,
        "rest": parsed.rest,
        "precision": parsed.precision,
        "key": parsed.key(),
    }


_ID_MESSAGES = {
    FieldCode.INVALID_ID_CHECKSUM: "check character does not match (a digit is wrong); "
    "not used as a key",
    FieldCode.INVALID_ID_DATE: "the birth date inside the ID is impossible; not used as a key",
    FieldCode.INVALID_ID_FORMAT: "not an 18-digit resident ID; not used as a key",
    FieldCode.EXCEL_MANGLED_ID: "digits lost when Excel stored the ID as a number "
    "(e.g. 3.50526E+17 or a dropped X); unrecoverable, not used as a key",
    FieldCode.LEGACY_ID_UPGRADED: "legacy 15-digit ID upgraded to 18 digits",
}
