"""Dates as typed by clerks, Excel serial numbers, month-only dates, and timestamps.

A date that cannot be read with certainty is an error with a human reason, never a guess:
``21-3-5`` could be 1921 or 2021, and ``2021-02-30`` is not a slip we may correct.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

from hub.normalise.text import collapse_spaces, to_text

#: China has kept +08:00 without daylight saving since 1991; a fixed offset needs no tz data.
CHINA_TZ = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")

# Excel's 1900 date system counts 1900-01-01 as day 1 and keeps Lotus 1-2-3's phantom
# 1900-02-29 as day 60, so serials after 60 are one day ahead of the calendar.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIAL_MAX = 80_000  # 2119-01-10: anything larger is not a date typed as a number


class DatePrecision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class DateValue:
    """A delivered date beside its parsed value."""

    original: str | None
    value: datetime.date | None  # month precision: the first day of the month
    precision: DatePrecision | None
    error: str | None  # why the value could not be read; None when parsed or empty

    @property
    def iso(self) -> str | None:
        """``YYYY-MM-DD``, or ``YYYY-MM`` for month precision."""
        if self.value is None:
            return None
        if self.precision is DatePrecision.MONTH:
            return self.value.isoformat()[:7]
        return self.value.isoformat()


_DAY_PATTERNS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?.*)?"),
    re.compile(r"(\d{4})()年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
_MONTH_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月?"),
    re.compile(r"(\d{4})(\d{2})"),
)
_SPACE = re.compile(r"(?<!\d) | (?!\d)")  # keep only a space between two digits (date time)
_TWO_DIGIT_YEAR = re.compile(r"\d{2}(?:[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{4})")


def parse_date(
    raw: object,
    *,
    allow_month: bool = False,
    earliest: datetime.date = datetime.date(1900, 1, 1),
    latest: datetime.date | None = None,
) -> DateValue:
    """Parse a delivered date.

    Accepts ``2021-3-5``, ``2021/03/05``, ``2021.03.05``, ``2021年3月5日``, ``20210305``,
    ISO timestamps (the date part), ``date``/``datetime`` objects and Excel serial numbers;
    with ``allow_month`` also ``YYYY-MM``, ``YYYY.MM``, ``YYYY/MM``, ``YYYY年M月`` and
    ``YYYYMM``. ``latest=None`` means no upper bound. Missing input gives no value and no error.
    """
    if isinstance(raw, datetime.datetime):
        return _bounded(raw.isoformat(), raw.date(), DatePrecision.DAY, earliest, latest)
    if isinstance(raw, datetime.date):
        return _bounded(raw.isoformat(), raw, DatePrecision.DAY, earliest, latest)
    original = to_text(raw)
    if original is None:
        return DateValue(None, None, None, None)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 < raw <= _EXCEL_SERIAL_MAX:
        return _from_serial(original, raw, earliest, latest)
    text = _SPACE.sub("", collapse_spaces(original))
    if not text:
        return DateValue(original, None, None, None)
    for pattern in _DAY_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, _, month, day = match.groups()
            return _build(original, int(year), int(month), int(day), earliest, latest)
    if not allow_month and _TWO_DIGIT_YEAR.fullmatch(text):
        return DateValue(original, None, None, "two-digit year")
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            if not allow_month:
                return DateValue(original, None, None, "month only, day missing")
            year, month = match.groups()
            return _build(original, int(year), int(month), None, earliest, latest)
    if _TWO_DIGIT_YEAR.fullmatch(text):
        return DateValue(original, None, None, "two-digit year")
    return DateValue(original, None, None, f"not a date: {original!r}")


def excel_serial_to_date(serial: float) -> datetime.date | None:
    """The date of an Excel serial (1900 date system), ``None`` for 0, 60 or out of range."""
    day = int(serial)
    if day < 1 or day == 60 or day > _EXCEL_SERIAL_MAX:
        return None
    if day < 60:
        day += 1
    return _EXCEL_EPOCH + datetime.timedelta(days=day)


def date_to_excel_serial(value: datetime.date) -> int:
    """The Excel serial (1900 date system) of a date from 1900-03-01 on."""
    return (value - _EXCEL_EPOCH).days


def parse_timestamp(raw: object) -> datetime.datetime | None:
    """An ISO 8601 timestamp, aware; naive ones (and bare dates) are taken as Beijing time."""
    if isinstance(raw, datetime.datetime):
        parsed = raw
    elif isinstance(raw, datetime.date):
        parsed = datetime.datetime(raw.year, raw.month, raw.day)
    else:
        text = to_text(raw)
        if text is None:
            return None
        text = text.strip()
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA_TZ)


def _from_serial(
    original: str,
    serial: float,
    earliest: datetime.date,
    latest: datetime.date | None,
) -> DateValue:
    value = excel_serial_to_date(serial)
    if value is None:
        return DateValue(original, None, None, f"no such Excel date serial {original}")
    return _bounded(original, value, DatePrecision.DAY, earliest, latest)


def _build(
    original: str,
    year: int,
    month: int,
    day: int | None,
    earliest: datetime.date,
    latest: datetime.date | None,
) -> DateValue:
    try:
        value = datetime.date(year, month, 1 if day is None else day)
    except ValueError:
        shown = f"{year:04d}-{month:02d}" + ("" if day is None else f"-{day:02d}")
        kind = "month" if day is None else "day"
        return DateValue(original, None, None, f"no such {kind} {shown}")
    precision = DatePrecision.DAY if day is not None else DatePrecision.MONTH
    return _bounded(original, value, precision, earliest, latest)


def _bounded(
    original: str,
    value: datetime.date,
    precision: DatePrecision,
    earliest: datetime.date,
    latest: datetime.date | None,
) -> DateValue:
    # A month is in range when any of its days is.
    first = earliest.replace(day=1) if precision is DatePrecision.MONTH else earliest
    if value < first:
        return DateValue(original, None, None, f"{value.isoformat()} is before {earliest}")
    if latest is not None and value > latest:
        return DateValue(original, None, None, f"{value.isoformat()} is after {latest}")
    return DateValue(original, value, precision, None)
