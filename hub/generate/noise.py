"""How values get damaged or re-formatted on the way into a department's file.

Each function takes the clean value and a uniform number ``u`` that chooses among variants, so
callers decide *whether* (with :class:`hub.generate.dice.Dice`) and these decide *how*.
"""

from __future__ import annotations

from datetime import date

from hub.generate.idcard import wrong_check


def bad_checksum(id18: str, u: float) -> str:
    """The ID with a wrong check character (a typing slip the form did not catch)."""
    return wrong_check(id18, u)


def doubled_digit(value: str, u: float) -> str:
    """The value with one character (never among the first three) typed twice.

    For an ID this gives 19 characters: unmistakably malformed, where a 17-digit ID would
    read as one whose trailing X Excel dropped.
    """
    i = 3 + int(u * (len(value) - 3))
    return value[: i + 1] + value[i:]


def missing_digit(value: str, u: float) -> str:
    """The value with one character (never the first three) left out."""
    i = 3 + int(u * (len(value) - 3))
    return value[:i] + value[i + 1 :]


def spaced_id(id_no: str, u: float) -> str:
    """The ID with spaces, as copied from a scan: grouped, or a space before or after."""
    if u < 0.5:
        return f"{id_no[:6]} {id_no[6:14]} {id_no[14:]}"
    return " " + id_no if u < 0.75 else id_no + " "


def excel_number(id18: str) -> float:
    """The number Excel keeps when an ID is typed into a General cell.

    Excel keeps 15 significant digits and shows ``3.50526E+17``. An ID ending in ``X`` cannot
    be a number, so the clerk dropped the X: 17 digits, also cut to 15 significant digits.
    """
    digits = id18[:17] if id18.endswith("X") else id18
    return float(f"{int(digits):.14e}")


def typed_date(day: date, u: float) -> str | date:
    """A date as typed into the workbook: four text forms, or a real Excel date cell."""
    if u < 0.2:
        return f"{day.year}-{day.month}-{day.day}"
    if u < 0.4:
        return f"{day:%Y/%m/%d}"
    if u < 0.6:
        return f"{day.year}年{day.month}月{day.day}日"
    if u < 0.75:
        return f"{day:%Y%m%d}"
    return day


def impossible_date(day: date, u: float) -> str:
    """A date that cannot exist: 30 February, month 13, day 32."""
    if u < 0.4:
        return f"{day.year}-02-30"
    if u < 0.7:
        return f"{day.year}-13-{day.day:02d}"
    return f"{day.year}-{day.month:02d}-32"


def typed_amount(amount: int, u: float) -> int | str:
    """月保障金额 as typed: ``650.00`` or ``650元`` as text, or a number cell."""
    if u < 0.45:
        return f"{amount}.00"
    if u < 0.9:
        return f"{amount}元"
    return amount


def year_month(day: date, dotted: bool) -> str:
    """出生年月: ``YYYY-MM`` or ``YYYY.MM``."""
    return f"{day.year}.{day.month:02d}" if dotted else f"{day.year}-{day.month:02d}"
