"""Resident ID numbers (公民身份号码, GB 11643-1999).

An ID is a key only when it is certainly right. Legacy 15-digit numbers are upgraded (the one
case where a check character is computed); every other defect is reported, never repaired:
an 18-digit ID with a wrong check character may have any digit wrong, and a number that went
through an Excel float has lost digits nobody can recover.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import re
from dataclasses import dataclass

from stdnum.cn import ric

from hub.normalise.text import remove_spaces
from hub.sources.problems import FieldCode


class IdStatus(enum.StrEnum):
    """What :func:`normalise_resident_id` concluded about a delivered ID."""

    VALID = "valid"
    UPGRADED = "upgraded"  # legacy 15-digit upgraded to 18 (flagged)
    INVALID_CHECKSUM = "invalid_checksum"
    INVALID_DATE = "invalid_date"
    INVALID_FORMAT = "invalid_format"
    EXCEL_MANGLED = "excel_mangled"
    EMPTY = "empty"


_ISSUE_CODES: dict[IdStatus, FieldCode | None] = {
    IdStatus.VALID: None,
    IdStatus.EMPTY: None,
    IdStatus.UPGRADED: FieldCode.LEGACY_ID_UPGRADED,
    IdStatus.INVALID_CHECKSUM: FieldCode.INVALID_ID_CHECKSUM,
    IdStatus.INVALID_DATE: FieldCode.INVALID_ID_DATE,
    IdStatus.INVALID_FORMAT: FieldCode.INVALID_ID_FORMAT,
    IdStatus.EXCEL_MANGLED: FieldCode.EXCEL_MANGLED_ID,
}

# First two digits of GB/T 2260 codes: provinces, plus 81/82/83 used on residence permits
# of Hong Kong, Macao and Taiwan residents.
_PROVINCES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
))  # fmt: skip
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS = re.compile(r"[0-9]+")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+")
_FLOAT_TEXT = re.compile(r"([0-9]+)\.0*")
_EARLIEST = datetime.date(1900, 1, 1)
# Above 2**53 a float no longer holds every integer: its last digits are noise.
_FLOAT_EXACT = 2**53


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A delivered resident ID beside what could be made of it."""

    original: str | None  # as delivered, as text (floats as repr, e.g. "3.505261990010112e+17")
    cleaned: str | None  # trimmed, half-width, upper-case X, spaces removed, even when invalid
    value: str | None  # the 18-character ID, only when status is VALID or UPGRADED
    status: IdStatus
    birth_date: datetime.date | None = None  # derived from a usable ID
    sex: str | None = None  # "男" / "女" derived from a usable ID
    region: str | None = None  # first 6 digits of a usable ID

    @property
    def usable(self) -> bool:
        """Whether :attr:`value` may be used as a key."""
        return self.status in (IdStatus.VALID, IdStatus.UPGRADED)

    @property
    def issue_code(self) -> FieldCode | None:
        """The field issue to report, ``None`` for a valid or empty ID."""
        return _ISSUE_CODES[self.status]


def normalise_resident_id(raw: object, *, today: datetime.date | None = None) -> ResidentId:
    """Validate and normalise a delivered resident ID (text, int, float, Decimal or None).

    ``today`` bounds birth dates (default: the current date); pass it for reproducible runs.
    """
    if raw is None or isinstance(raw, bool):
        return ResidentId(None if raw is None else str(raw), None, None, _empty_or_format(raw))
    if isinstance(raw, float | int | decimal.Decimal):
        return _from_number(raw, today)
    text = raw if isinstance(raw, str) else str(raw)
    cleaned = remove_spaces(text).upper()
    if not cleaned:
        return ResidentId(text, None, None, IdStatus.EMPTY)
    return _from_text(text, cleaned, today)


def mask_resident_id(value: str) -> str:
    """Keep the region, hide the rest: ``350526************``.

    Digits 7-14 are the birth date, which a role that sees IDs masked reads beside them; the
    sequence (15-17, its last one odd for men, even for women) and the check digit would then
    leave one candidate. Hidden, they leave 100 x 5 = 500 (the check digit follows from the
    others): ``docs/access.md`` has the arithmetic."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 6)


def _empty_or_format(raw: object) -> IdStatus:
    return IdStatus.EMPTY if raw is None else IdStatus.INVALID_FORMAT


def _from_number(raw: float | int | decimal.Decimal, today: datetime.date | None) -> ResidentId:
    original = repr(raw) if isinstance(raw, float) else str(raw)
    try:
        integral = int(raw)
    except (ValueError, OverflowError):  # NaN, infinity
        if isinstance(raw, float):  # a NaN cell is an empty one
            return ResidentId(None, None, None, IdStatus.EMPTY)
        return ResidentId(original, None, None, IdStatus.INVALID_FORMAT)
    if integral != raw or integral < 0:
        return ResidentId(original, original, None, IdStatus.INVALID_FORMAT)
    digits = str(integral)
    # 18 digits never survive a float; 17 are an ID whose trailing X Excel dropped.
    lost = len(digits) in (17, 18) or (isinstance(raw, float) and integral > _FLOAT_EXACT)
    if lost:
        return ResidentId(original, digits, None, IdStatus.EXCEL_MANGLED)
    return _from_text(original, digits, today)


def _from_text(original: str, cleaned: str, today: datetime.date | None) -> ResidentId:
    if _ID18.fullmatch(cleaned):
        return _check18(original, cleaned, cleaned, IdStatus.VALID, today)
    if _DIGITS.fullmatch(cleaned):
        if len(cleaned) == 15:
            upgraded = cleaned[:6] + "19" + cleaned[6:] + "0"
            upgraded = upgraded[:17] + ric.calc_check_digit(upgraded)
            return _check18(original, cleaned, upgraded, IdStatus.UPGRADED, today)
        if len(cleaned) == 17:
            return ResidentId(original, cleaned, None, IdStatus.EXCEL_MANGLED)
        return ResidentId(original, cleaned, None, IdStatus.INVALID_FORMAT)
    if _SCIENTIFIC.fullmatch(cleaned):
        return ResidentId(original, cleaned, None, IdStatus.EXCEL_MANGLED)
    float_text = _FLOAT_TEXT.fullmatch(cleaned)
    if float_text:
        digits = float_text.group(1)
        if len(digits) in (17, 18):
            return ResidentId(original, cleaned, None, IdStatus.EXCEL_MANGLED)
        # A legacy 15-digit ID fits a float exactly, so its ".0" text loses nothing.
        return dataclasses.replace(_from_text(original, digits, today), cleaned=cleaned)
    return ResidentId(original, cleaned, None, IdStatus.INVALID_FORMAT)


def _check18(
    original: str, cleaned: str, number: str, ok: IdStatus, today: datetime.date | None
) -> ResidentId:
    if number[:2] not in _PROVINCES:
        return ResidentId(original, cleaned, None, IdStatus.INVALID_FORMAT)
    if number[17] != ric.calc_check_digit(number):
        return ResidentId(original, cleaned, None, IdStatus.INVALID_CHECKSUM)
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return ResidentId(original, cleaned, None, IdStatus.INVALID_DATE)
    if birth < _EARLIEST or birth > (today or datetime.date.today()):
        return ResidentId(original, cleaned, None, IdStatus.INVALID_DATE)
    sex = "男" if int(number[16]) % 2 else "女"
    return ResidentId(original, cleaned, number, ok, birth, sex, number[:6])
