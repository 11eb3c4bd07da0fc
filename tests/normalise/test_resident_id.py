import datetime
import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from hub.normalise.resident_id import IdStatus, mask_resident_id, normalise_resident_id
from hub.sources.problems import FieldCode

TODAY = datetime.date(2026, 11, 15)
PROVINCES = ["11", "35", "44", "65", "81"]


def with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def make_id(region: str, birth: datetime.date, seq: int) -> str:
    return with_check(f"{region}{birth:%Y%m%d}{seq:03d}")


regions = st.one_of(
    st.just("350526"),
    st.builds(
        lambda p, rest: p + f"{rest:04d}", st.sampled_from(PROVINCES), st.integers(101, 9999)
    ),
)
births = st.dates(datetime.date(1900, 1, 1), TODAY)
valid_ids = st.builds(make_id, regions, births, st.integers(0, 999))


def make_x_id(region: str, birth: datetime.date, seq: int) -> str:
    """The first ID from ``seq`` on whose check character is X (one in eleven is)."""
    return next(
        number
        for s in range(seq, seq + 1000)
        if (number := make_id(region, birth, s % 1000)).endswith("X")
    )


x_ids = st.builds(make_x_id, regions, births, st.integers(0, 999))
legacy_births = st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31))


VALID = make_id("350526", datetime.date(1990, 1, 1), 123)  # 350526199001011230
FEMALE_X = next(
    number
    for s in range(0, 1000, 2)
    if (number := make_id("350526", datetime.date(1985, 6, 7), s)).endswith("X")
)


@pytest.mark.parametrize(
    ("raw", "status", "value"),
    [
        (VALID, IdStatus.VALID, VALID),
        (f"  {VALID}\u3000", IdStatus.VALID, VALID),
        (f"{VALID[:6]} {VALID[6:14]}\u00a0{VALID[14:]}", IdStatus.VALID, VALID),
        (
            VALID.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            IdStatus.VALID,
            VALID,
        ),
        (FEMALE_X.lower(), IdStatus.VALID, FEMALE_X),
        (FEMALE_X[:17] + "ｘ", IdStatus.VALID, FEMALE_X),
        ("350526900101123", IdStatus.UPGRADED, VALID),
        (350526900101123, IdStatus.UPGRADED, VALID),
        (350526900101123.0, IdStatus.UPGRADED, VALID),
        ("350526900101123.0", IdStatus.UPGRADED, VALID),
        ("3.50526E+17", IdStatus.EXCEL_MANGLED, None),
        ("3.50526e+17", IdStatus.EXCEL_MANGLED, None),
        ("3.50526E17", IdStatus.EXCEL_MANGLED, None),
        (f"{VALID}.0", IdStatus.EXCEL_MANGLED, None),
        (float(VALID), IdStatus.EXCEL_MANGLED, None),
        (int(VALID), IdStatus.EXCEL_MANGLED, None),
        (decimal.Decimal(VALID), IdStatus.EXCEL_MANGLED, None),
        (FEMALE_X[:17], IdStatus.EXCEL_MANGLED, None),
        (int(FEMALE_X[:17]), IdStatus.EXCEL_MANGLED, None),
        (VALID[:17] + "1", IdStatus.INVALID_CHECKSUM, None),
        (with_check("35052619900230123"), IdStatus.INVALID_DATE, None),
        (with_check("35052618991231123"), IdStatus.INVALID_DATE, None),
        (with_check("35052620261116123"), IdStatus.INVALID_DATE, None),  # after TODAY
        ("350526900230123", IdStatus.INVALID_DATE, None),  # legacy, no such day
        (with_check("00052619900101123"), IdStatus.INVALID_FORMAT, None),  # no such province
        (with_check("99052619900101123"), IdStatus.INVALID_FORMAT, None),
        ("35052619900101123A", IdStatus.INVALID_FORMAT, None),
        ("3505261990010112", IdStatus.INVALID_FORMAT, None),
        ("3505261990010112345", IdStatus.INVALID_FORMAT, None),
        ("E12345678", IdStatus.INVALID_FORMAT, None),  # a passport number
        (12.5, IdStatus.INVALID_FORMAT, None),
        (True, IdStatus.INVALID_FORMAT, None),
        (None, IdStatus.EMPTY, None),
        ("", IdStatus.EMPTY, None),
        (" \u3000 ", IdStatus.EMPTY, None),
        (float("nan"), IdStatus.EMPTY, None),
    ],
)
def test_examples(raw: object, status: IdStatus, value: str | None) -> None:
    result = normalise_resident_id(raw, today=TODAY)
    assert result.status is status
    assert result.value == value
    assert result.usable is (value is not None)


def test_derived_fields_and_cleaned() -> None:
    result = normalise_resident_id(" " + FEMALE_X.lower(), today=TODAY)
    assert result.original == " " + FEMALE_X.lower()
    assert result.cleaned == FEMALE_X
    assert (result.birth_date, result.sex, result.region) == (
        datetime.date(1985, 6, 7),
        "女",
        "350526",
    )
    bad = normalise_resident_id(VALID[:17] + "1", today=TODAY)
    assert bad.cleaned == VALID[:17] + "1"
    assert (bad.birth_date, bad.sex, bad.region) == (None, None, None)


def test_excel_float_original_is_text() -> None:
    result = normalise_resident_id(float(VALID))
    assert result.original == repr(float(VALID))
    assert result.cleaned is not None and result.cleaned != VALID  # the float lost digits


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (IdStatus.VALID, None),
        (IdStatus.EMPTY, None),
        (IdStatus.UPGRADED, FieldCode.LEGACY_ID_UPGRADED),
        (IdStatus.INVALID_CHECKSUM, FieldCode.INVALID_ID_CHECKSUM),
        (IdStatus.INVALID_DATE, FieldCode.INVALID_ID_DATE),
        (IdStatus.INVALID_FORMAT, FieldCode.INVALID_ID_FORMAT),
        (IdStatus.EXCEL_MANGLED, FieldCode.EXCEL_MANGLED_ID),
    ],
)
def test_issue_codes(status: IdStatus, code: FieldCode | None) -> None:
    from hub.normalise.resident_id import ResidentId

    assert ResidentId("x", "X", None, status).issue_code == code


def test_mask() -> None:
    assert mask_resident_id("350526199001011234") == "350526************"
    assert mask_resident_id("350526900101123") == "350526*********"
    assert mask_resident_id("12345") == "*****"


@given(valid_ids)
def test_every_valid_id_is_accepted(number: str) -> None:
    result = normalise_resident_id(number, today=TODAY)
    assert result.status is IdStatus.VALID
    assert result.value == number
    assert result.birth_date == datetime.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )
    assert result.sex == ("男" if int(number[16]) % 2 else "女")
    assert result.region == number[:6]


@given(valid_ids)
def test_lowercase_fullwidth_and_spaced_forms_are_accepted(number: str) -> None:
    full = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for form in (number.lower(), full, f" {number[:6]}\u3000{number[6:]} "):
        assert normalise_resident_id(form, today=TODAY).value == number


@given(valid_ids)
def test_every_single_character_change_is_not_valid(number: str) -> None:
    for i in range(18):
        for ch in "0123456789X":
            if ch != number[i]:
                changed = number[:i] + ch + number[i + 1 :]
                assert normalise_resident_id(changed, today=TODAY).status is not IdStatus.VALID


@given(valid_ids)
def test_every_adjacent_transposition_is_not_valid(number: str) -> None:
    for i in range(17):
        swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        if swapped != number:
            assert normalise_resident_id(swapped, today=TODAY).status is not IdStatus.VALID


@given(valid_ids)
def test_excel_mangled_forms_are_flagged_never_repaired(number: str) -> None:
    digits = number[:17] if number.endswith("X") else number
    as_float = float(digits)
    forms: list[object] = [
        as_float,
        f"{as_float:.5E}",
        (f"{as_float:.5E}").lower(),
        str(as_float),
        f"{int(as_float)}.0",
        number[:17],  # a lost trailing X (or any lost last character)
        int(number[:17]),
    ]
    for form in forms:
        result = normalise_resident_id(form, today=TODAY)
        assert result.status is IdStatus.EXCEL_MANGLED, form
        assert result.value is None


@given(x_ids)
def test_lost_x_is_mangled(number: str) -> None:
    assert normalise_resident_id(number[:17], today=TODAY).status is IdStatus.EXCEL_MANGLED


@given(regions, legacy_births, st.integers(0, 999))
def test_legacy_15_upgrades_to_18(region: str, birth: datetime.date, seq: int) -> None:
    full = make_id(region, birth, seq)
    legacy = full[:6] + full[8:17]
    result = normalise_resident_id(legacy, today=TODAY)
    assert result.status is IdStatus.UPGRADED
    assert result.value == full
    assert result.cleaned == legacy
    assert result.birth_date == birth
    assert result.issue_code is FieldCode.LEGACY_ID_UPGRADED
