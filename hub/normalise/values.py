"""Small coded values: sex, ethnicity, money amounts, integers and yes/no flags.

Each function returns ``None`` for a value it cannot read; the caller, who knows the field,
decides whether that is a quality issue (a non-empty original) or simply missing.
"""

from __future__ import annotations

import decimal
import math
import re

from hub.normalise.names import to_simplified
from hub.normalise.text import cn_to_int, remove_spaces, to_text

_SEX = {
    "男": "男", "男性": "男", "M": "男", "MALE": "男", "1": "男",
    "女": "女", "女性": "女", "F": "女", "FEMALE": "女", "2": "女",
}  # fmt: skip
_YES_NO = {
    "是": True, "Y": True, "YES": True, "1": True, "TRUE": True, "T": True, "√": True,
    "否": False, "N": False, "NO": False, "0": False, "FALSE": False, "F": False, "×": False,
}  # fmt: skip

# GB/T 3304 in code order: code 01 is 汉族 ... 56 is 基诺族.
ETHNICITIES: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族",
)  # fmt: skip
_ETHNICITY_LOOKUP = {
    **{name: name for name in ETHNICITIES},
    **{name[:-1]: name for name in ETHNICITIES},
    **{f"{code:02d}": name for code, name in enumerate(ETHNICITIES, start=1)},
}
_AMOUNT_NOISE = re.compile(r"^(?:RMB|CNY|¥|\$)|(?:元/月|元每月|元|/月)$", re.IGNORECASE)
_AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_INT = re.compile(r"[-+]?[0-9]+(?:\.0*)?")
_INT_UNITS = re.compile(r"(?:人|个|户|口|次|剂|层)$")
_CENT = decimal.Decimal("0.01")


def normalise_sex(raw: object) -> str | None:
    """``男``/``女`` from 男, 女, 男性, 女性, M, F, Male, Female, 1, 2 (GB/T 2261.1); else None."""
    text = to_text(raw)
    return None if text is None else _SEX.get(remove_spaces(text).upper())


def normalise_ethnicity(raw: object) -> str | None:
    """A GB/T 3304 name (``汉族``) from its name with or without 族, or its two-digit code."""
    text = to_text(raw)
    if text is None:
        return None
    text = to_simplified(remove_spaces(text))
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    return _ETHNICITY_LOOKUP.get(text)


def parse_amount(raw: object) -> decimal.Decimal | None:
    """Yuan as a Decimal with two places: ``650``, ``650.00``, ``650元``, ``￥650``, ``1,200``.

    Amounts with fractions of a cent are rejected rather than rounded.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        raw = repr(raw)  # the shortest text that round-trips: 650.1, not 650.1000000000000227
    text = to_text(raw)
    if text is None:
        return None
    text = _AMOUNT_NOISE.sub("", remove_spaces(text))  # both ends: "￥650元"
    if not _AMOUNT.fullmatch(text):
        return None
    amount = decimal.Decimal(text.replace(",", ""))
    quantized = amount.quantize(_CENT)
    return quantized if quantized == amount else None


def parse_int(raw: object) -> int | None:
    """An integer from ``3``, ``3.0``, ``" ３ "``, ``3人``, ``三``; else None."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    if isinstance(raw, decimal.Decimal) and not raw.is_finite():
        return None
    if isinstance(raw, float | decimal.Decimal):
        return int(raw) if raw == int(raw) else None
    text = to_text(raw)
    if text is None:
        return None
    text = _INT_UNITS.sub("", remove_spaces(text))
    if _INT.fullmatch(text):
        return int(text.split(".")[0])
    return cn_to_int(text)


def parse_yes_no(raw: object) -> bool | None:
    """``True``/``False`` from 是/否, Y/N, yes/no, true/false, 1/0; else None."""
    if isinstance(raw, bool):
        return raw
    text = to_text(raw)
    return None if text is None else _YES_NO.get(remove_spaces(text).upper())
