import datetime
import decimal

import pytest

from hub.normalise.text import (
    clean_text,
    cn_to_int,
    collapse_spaces,
    half_width,
    numeral_to_int,
    remove_spaces,
    to_text,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, None),
        (float("nan"), None),
        ("abc", "abc"),
        (13812345678.0, "13812345678"),
        (650.5, "650.5"),
        (3.505261990010112e17, "3.505261990010112e+17"),
        (42, "42"),
        (decimal.Decimal("1.50"), "1.50"),
        (datetime.date(2021, 3, 5), "2021-03-05"),
        (True, "True"),
    ],
)
def test_to_text(raw: object, text: str | None) -> None:
    assert to_text(raw) == text


def test_width_and_spaces() -> None:
    assert half_width("３５０５２６Ｘ（ｘ）") == "350526X(x)"
    assert half_width("a\u200bb\ufeff") == "ab"
    assert half_width("张\u200b三") == "张三"
    assert collapse_spaces("\u3000张 \u00a0 三\t") == "张 三"
    assert remove_spaces(" 3505\u3000 26\u00a0") == "350526"
    assert clean_text("  ") is None
    assert clean_text(" 低保 ") == "低保"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23), ("九十九", 99),
        ("两", 2), ("五〇一", 501), ("五零一", 501), ("", None), ("十十", None), ("百", None),
        ("一十二三", None),
    ],
)  # fmt: skip
def test_cn_to_int(text: str, number: int | None) -> None:
    assert cn_to_int(text) == number


def test_numeral_to_int() -> None:
    assert numeral_to_int("12") == 12
    assert numeral_to_int("十二") == 12
    assert numeral_to_int("１２") is None  # callers half-width first
    assert numeral_to_int("A") is None
