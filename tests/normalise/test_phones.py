import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.normalise.phones import Phone, PhoneKind, mask_phone, normalise_phone, normalise_phones

M, L = PhoneKind.MOBILE, PhoneKind.LANDLINE


@pytest.mark.parametrize(
    ("raw", "phones", "invalid"),
    [
        ("13812345678", [("13812345678", M)], []),
        ("138 1234 5678", [("13812345678", M)], []),
        ("138-1234-5678", [("13812345678", M)], []),
        ("+86 13812345678", [("13812345678", M)], []),
        ("+8613812345678", [("13812345678", M)], []),
        ("008613812345678", [("13812345678", M)], []),
        ("8613812345678", [("13812345678", M)], []),
        ("１３８１２３４５６７８", [("13812345678", M)], []),
        (13812345678, [("13812345678", M)], []),
        (13812345678.0, [("13812345678", M)], []),
        ("13812345678.0", [("13812345678", M)], []),
        ("0595-23123456", [("0595-23123456", L)], []),
        ("059523123456", [("0595-23123456", L)], []),
        ("(0595)23123456", [("0595-23123456", L)], []),
        ("（0595）23123456", [("0595-23123456", L)], []),
        ("0595 2312 3456", [("0595-23123456", L)], []),
        ("+86 595 23123456", [("0595-23123456", L)], []),
        ("23123456", [("0595-23123456", L)], []),
        ("2312345", [], ["2312345"]),  # Dehua's local numbers have 8 digits
        ("0595-2312345", [], ["0595-2312345"]),
        (59523123456, [("0595-23123456", L)], []),  # Excel dropped the leading 0
        ("021-62345678", [("021-62345678", L)], []),
        ("13812345678/0595-23123456", [("13812345678", M), ("0595-23123456", L)], []),
        ("13812345678，13987654321", [("13812345678", M), ("13987654321", M)], []),
        ("13812345678;13987654321", [("13812345678", M), ("13987654321", M)], []),
        ("13812345678；13987654321", [("13812345678", M), ("13987654321", M)], []),
        ("13812345678、13987654321", [("13812345678", M), ("13987654321", M)], []),
        ("13812345678 13987654321", [("13812345678", M), ("13987654321", M)], []),
        ("13812345678,13812345678", [("13812345678", M)], []),  # deduplicated
        ("张三 13812345678", [("13812345678", M)], ["张三"]),
        ("12812345678", [], ["12812345678"]),  # no mobile starts 12
        ("14012345678", [], ["14012345678"]),  # 140: a data-only range, no phone
        ("17012345678", [("17012345678", M)], []),
        ("1381234567", [], ["1381234567"]),
        ("021-6234567", [], ["021-6234567"]),  # 02x numbers have 8 digits
        ("95598", [], ["95598"]),
        ("", [], []),
        (None, [], []),
    ],
)
def test_examples(raw: object, phones: list[tuple[str, PhoneKind]], invalid: list[str]) -> None:
    result = normalise_phones(raw)
    assert [(p.value, p.kind) for p in result.phones] == phones
    assert list(result.invalid) == invalid


def test_first_mobile_skips_landlines() -> None:
    result = normalise_phones("0595-23123456/13812345678")
    assert result.first_mobile == "13812345678"
    assert result.first == "0595-23123456"
    assert normalise_phones("0595-23123456").first_mobile is None
    assert normalise_phone("x/13812345678") == Phone("13812345678", M)


def test_original_kept() -> None:
    assert normalise_phones(" 138 1234 5678 ").original == " 138 1234 5678 "
    assert normalise_phones(13812345678.0).original == "13812345678"


def test_masks() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0595-23123456") == "0595-****3456"
    assert mask_phone("0595-2312345") == "0595-***2345"


# Number ranges in use for mobiles (libphonenumber's metadata says which exist).
mobiles = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["133", "138", "139", "150", "166", "177", "180", "189", "191", "199"]),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
)
landlines = st.from_regex(r"2[0-9]{7}", fullmatch=True)
separators = st.sampled_from(["/", ",", "，", ";", "；", "、", " ", " / ", "\u3000"])


@st.composite
def phone_cells(draw: st.DrawFn) -> tuple[str, list[Phone]]:
    numbers = draw(st.lists(st.one_of(mobiles, landlines), min_size=1, max_size=4, unique=True))
    expected: list[Phone] = []
    rendered: list[str] = []
    for number in numbers:
        if number.startswith("1"):
            expected.append(Phone(number, M))
            prefix = draw(st.sampled_from(["", "+86", "0086", "86", "+86 "]))
            rendered.append(prefix + number)
        else:
            expected.append(Phone(f"0595-{number}", L))
            area = draw(st.sampled_from(["", "0595-", "0595", "(0595)", "（0595）"]))
            rendered.append(area + number)
    cell = rendered[0]
    for part in rendered[1:]:
        cell += draw(separators) + part
    return cell, expected


@given(phone_cells())
def test_cells_split_and_classified_in_order(cell: tuple[str, list[Phone]]) -> None:
    text, expected = cell
    result = normalise_phones(text)
    assert list(result.phones) == expected
    assert result.invalid == ()


@given(mobiles)
def test_mobile_masks_keep_ends(number: str) -> None:
    masked = mask_phone(number)
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:] and masked.count("*") == 4


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobiles_are_judged_by_their_range_as_libphonenumber_judges_each(number: str) -> None:
    parsed = phonenumbers.parse(number, "CN")
    exists = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    assert (normalise_phone(number) == Phone(number, M)) is exists
