"""Phone numbers: a cell may hold several, mobiles and landlines, with or without prefixes.

Whether a number exists is Google's libphonenumber's call (the ``phonenumbers`` package, its
metadata for China): an 11-digit mobile of a number range in use (not ``140...``, a data-only
range), a landline of a real area code with that area's number length. Dehua's area code is
0595 (Quanzhou) and its local numbers have 8 digits, so a 7-digit "Dehua" landline is a typo;
a landline typed without an area code is a Dehua number, since the clerks who type them sit
in Dehua.
"""

from __future__ import annotations

import decimal
import enum
import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from hub.normalise.text import half_width, to_text

DEHUA_AREA_CODE = "0595"


class PhoneKind(enum.StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class Phone:
    """One normalised number."""

    value: str  # mobile: 11 digits; landline: "0595-23123456"
    kind: PhoneKind


@dataclass(frozen=True, slots=True)
class PhoneList:
    """All numbers found in one delivered cell."""

    original: str | None
    phones: tuple[Phone, ...]  # in order, deduplicated
    invalid: tuple[str, ...]  # parts that were neither a mobile nor a landline

    @property
    def first_mobile(self) -> str | None:
        """The first mobile number, the one to text."""
        return next((p.value for p in self.phones if p.kind is PhoneKind.MOBILE), None)

    @property
    def first(self) -> str | None:
        """The first number of any kind."""
        return self.phones[0].value if self.phones else None


_MAX_WORDS = 5  # "+86 595 2312 3456" is the longest spaced-out form seen
_PARTS = re.compile(r"[/,，;；、|]+")
_DECORATION = re.compile(r"[\s\-()（）.]+")
_FLOAT_TAIL = re.compile(r"\.0+$")  # "13812345678.0": an Excel number turned into text
_COUNTRY = re.compile(r"^(?:\+86|0086|86(?=1[3-9][0-9]{9}$))")
_DIGITS = re.compile(r"[0-9]{5,12}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_RANGE = 5  # digits that decide whether a mobile number's range exists
_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_phones(raw: object) -> PhoneList:
    """Split a delivered phone cell into mobiles and landlines.

    Separators: ``/ , ， ; ； 、`` and whitespace, except that words which together read as
    one number (``138 1234 5678``, ``+86 13812345678``) are one number. ``+86``/``0086``/``86``
    prefixes are stripped. Excel numbers are accepted, even a landline that lost its leading 0.
    """
    original = to_text(raw)
    if original is None:
        return PhoneList(None, (), ())
    # Excel drops a landline's leading 0 when the cell is a number.
    numeric = isinstance(raw, int | float | decimal.Decimal) and not isinstance(raw, bool)
    if numeric and original.startswith(DEHUA_AREA_CODE[1:]) and len(original) in (10, 11):
        phone = _classify("0" + original)
        if phone is not None:
            return PhoneList(original, (phone,), ())
    phones: list[Phone] = []
    invalid: list[str] = []
    for part in _PARTS.split(half_width(original)):
        words = part.split()
        start = 0
        while start < len(words):
            phone, start = _longest_number(words, start)
            if phone is None:
                invalid.append(words[start])
                start += 1
            else:
                phones.append(phone)
    return PhoneList(original, tuple(dict.fromkeys(phones)), tuple(invalid))


def normalise_phone(raw: object) -> Phone | None:
    """A single number, or ``None`` when the cell holds no valid number."""
    phones = normalise_phones(raw).phones
    return phones[0] if phones else None


def mask_phone(value: str) -> str:
    """Mask a normalised number: ``138****5678``; landline ``0595-****3456``."""
    area, dash, local = value.rpartition("-")
    if dash:
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _longest_number(words: list[str], start: int) -> tuple[Phone | None, int]:
    """The longest run of words from ``start`` that reads as one number ("+86 138 1234 5678")."""
    for end in range(min(len(words), start + _MAX_WORDS), start, -1):
        phone = _classify("".join(words[start:end]))
        if phone is not None:
            return phone, end
    return None, start


def _classify(part: str) -> Phone | None:
    number = _DECORATION.sub("", _FLOAT_TAIL.sub("", part))
    number = _COUNTRY.sub("", number, count=1)
    mobile = len(number) == 11 and number[0] == "1"
    if (
        not mobile
        and len(number) >= 10
        and number[0] != "0"
        and part.lstrip().startswith(("+", "00", "86"))
    ):
        number = "0" + number  # international form drops the area code's leading 0
    elif _LOCAL.fullmatch(number):
        number = DEHUA_AREA_CODE + number  # typed in Dehua without its area code
    if _MOBILE.fullmatch(number):
        return Phone(number, PhoneKind.MOBILE) if _mobile_range(number[:_RANGE]) else None
    if not _DIGITS.fullmatch(number):
        return None
    return _checked(number)


@functools.lru_cache(maxsize=1 << 17)
def _mobile_range(head: str) -> bool:
    """Whether mobiles starting with these digits exist. China's mobile ranges are set by
    their first digits (libphonenumber's pattern for CN names at most five: ``1740[0-5]``), so
    one look per range, not per number: libphonenumber takes ~50 µs a number.
    ``tests/normalise/test_phones.py`` checks that this agrees with it number by number."""
    return _checked(head + "0" * (11 - len(head))) is not None


def _checked(number: str) -> Phone | None:
    """A number of digits as China dials it (mobile, or 0 + area code + local number), if
    libphonenumber knows it for a mobile or a landline."""
    try:
        parsed = phonenumbers.parse(number, "CN")
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    national = str(parsed.national_number)
    kind = phonenumbers.number_type(parsed)
    if kind in _MOBILE_TYPES and number[0] == "1":
        return Phone(national, PhoneKind.MOBILE)
    if kind is PhoneNumberType.FIXED_LINE or kind in _MOBILE_TYPES:
        area = phonenumbers.length_of_geographical_area_code(parsed)
        if area and number[0] == "0":
            return Phone(f"0{national[:area]}-{national[area:]}", PhoneKind.LANDLINE)
    return None
