"""Shared text helpers: raw cell values to text, full-width to half-width, whitespace.

Departments deliver text typed on Chinese input methods: full-width digits and letters
(``３５０５２６``), the ideographic space U+3000, no-break spaces copied from web pages and
zero-width characters. Unicode NFKC folds the first three into ASCII; the zero-width ones are
dropped explicitly because NFKC keeps them.
"""

from __future__ import annotations

import datetime
import decimal
import math
import unicodedata

# NFKC leaves these alone, and they are invisible in every viewer the clerks use.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip

#: Characters that may appear in a Chinese numeral handled by :func:`cn_to_int`.
CN_NUMERAL_CHARS = "".join(_CN_DIGITS) + "十"


def to_text(raw: object) -> str | None:
    """The text of a raw cell value, or ``None`` for a missing one.

    Integral floats print without ``.0`` (Excel stores every number as a float); NaN, pandas'
    ``NA``/``NaT`` and ``None`` are missing; dates print as ISO 8601.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float):
        if math.isnan(raw):
            return None
        if raw.is_integer() and abs(raw) < 1e16:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, int | decimal.Decimal):
        if isinstance(raw, decimal.Decimal) and raw.is_nan():
            return None
        return str(raw)
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    if type(raw).__name__ in ("NAType", "NaTType"):
        return None
    return str(raw)


def half_width(text: str) -> str:
    """NFKC: full-width digits, letters and punctuation to ASCII; U+3000/NBSP to spaces."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def collapse_spaces(text: str) -> str:
    """Half-width text, trimmed, with each run of whitespace reduced to one space."""
    return " ".join(half_width(text).split())


def remove_spaces(text: str) -> str:
    """Half-width text with every whitespace character removed (U+3000 and NBSP included)."""
    return "".join(half_width(text).split())


def clean_text(raw: object) -> str | None:
    """Trimmed, half-width, single-spaced text; ``None`` when missing or blank."""
    text = to_text(raw)
    if text is None:
        return None
    text = collapse_spaces(text)
    return text or None


def cn_to_int(text: str) -> int | None:
    """A small Chinese numeral (``三``, ``十二``, ``二十``, ``九十九``) as an int, else ``None``.

    Digit-by-digit forms (``一〇一``) are read positionally, as clerks write room numbers.
    """
    if not text:
        return None
    if "十" not in text:
        digits = [_CN_DIGITS.get(ch) for ch in text]
        if any(d is None for d in digits):
            return None
        return int("".join(str(d) for d in digits))
    tens_text, _, ones_text = text.partition("十")
    if "十" in ones_text:
        return None
    tens = 1 if not tens_text else _CN_DIGITS.get(tens_text) if len(tens_text) == 1 else None
    ones = 0 if not ones_text else _CN_DIGITS.get(ones_text) if len(ones_text) == 1 else None
    if tens is None or ones is None:
        return None
    return tens * 10 + ones


def numeral_to_int(text: str) -> int | None:
    """Arabic digits or a small Chinese numeral as an int, else ``None``."""
    if text.isdigit() and text.isascii():
        return int(text)
    return cn_to_int(text)
