import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.normalise.values import (
    ETHNICITIES,
    normalise_ethnicity,
    normalise_sex,
    parse_amount,
    parse_int,
    parse_yes_no,
)

Dec = decimal.Decimal


@pytest.mark.parametrize(
    ("raw", "sex"),
    [
        ("男", "男"), ("女", "女"), ("男性", "男"), ("女性", "女"), (" 男 ", "男"),
        ("M", "男"), ("f", "女"), ("Ｍ", "男"), ("male", "男"), ("Female", "女"),
        ("1", "男"), ("2", "女"), (1, "男"), (2.0, "女"),
        ("0", None), ("9", None), ("未知", None), ("", None), (None, None), (True, None),
    ],
)  # fmt: skip
def test_sex(raw: object, sex: str | None) -> None:
    assert normalise_sex(raw) == sex


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("汉族", "汉族"), ("汉", "汉族"), ("畲族", "畲族"), ("畲", "畲族"), ("回族", "回族"),
        ("蒙古", "蒙古族"), ("維吾爾族", "维吾尔族"), ("01", "汉族"), ("1", "汉族"),
        (22, "畲族"), ("56", "基诺族"), ("57", None), ("火星族", None), (None, None),
    ],
)  # fmt: skip
def test_ethnicity(raw: object, name: str | None) -> None:
    assert normalise_ethnicity(raw) == name


def test_ethnicity_table() -> None:
    assert len(ETHNICITIES) == len(set(ETHNICITIES)) == 56
    assert all(name.endswith("族") for name in ETHNICITIES)


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("650", Dec("650.00")), ("650.00", Dec("650.00")), ("650元", Dec("650.00")),
        ("￥650", Dec("650.00")), ("¥650元", Dec("650.00")), ("650元/月", Dec("650.00")),
        (" ６５０ 元", Dec("650.00")), (650.0, Dec("650.00")), (650, Dec("650.00")),
        (650.1, Dec("650.10")), ("1,200", Dec("1200.00")), ("1，200.5", Dec("1200.50")),
        (Dec("650.5"), Dec("650.50")), ("RMB 80", Dec("80.00")),
        ("650.005", None), ("1,20", None), ("六百五", None), ("", None), (None, None),
        (True, None), (float("nan"), None), (float("inf"), None), ("650元元", None),
    ],
)  # fmt: skip
def test_amount(raw: object, amount: Dec | None) -> None:
    assert parse_amount(raw) == amount
    if amount is not None:
        assert parse_amount(raw).as_tuple().exponent == -2  # type: ignore[union-attr]


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_amount_round_trips_every_rendering(amount: Dec) -> None:
    for text in (str(amount), f"{amount:,}", f"{amount}元", f"￥{amount:,}"):
        assert parse_amount(text) == amount, text


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("3", 3), (" ３ ", 3), ("3.0", 3), (3.0, 3), (3, 3), ("3人", 3), ("3户", 3),
        ("三", 3), ("十二", 12), ("-2", -2), (Dec("4"), 4),
        (3.5, None), ("3.5", None), ("x", None), ("", None), (None, None), (True, None),
        (float("nan"), None),
    ],
)  # fmt: skip
def test_int(raw: object, number: int | None) -> None:
    assert parse_int(raw) == number


@given(st.integers(-(10**12), 10**12))
def test_int_round_trips(number: int) -> None:
    assert parse_int(str(number)) == number
    assert parse_int(float(number)) == number


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("是", True), ("否", False), ("Y", True), ("n", False), ("yes", True), ("NO", False),
        ("1", True), ("0", False), (1, True), (0, False), (1.0, True), (True, True),
        ("true", True), ("False", False), (" 是 ", True),
        ("", None), (None, None), ("也许", None), ("2", None),
    ],
)  # fmt: skip
def test_yes_no(raw: object, flag: bool | None) -> None:
    assert parse_yes_no(raw) == flag
