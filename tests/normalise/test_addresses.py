import functools
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.normalise.addresses import LEVELS, ParsedAddress, parse_address, standard_address
from hub.sources.catalog import TOWNSHIPS

if TYPE_CHECKING:
    from opencc import OpenCC

CN = "零一二三四五六七八九"


def cn(number: int) -> str:
    tens, ones = divmod(number, 10)
    if not tens:
        return CN[ones]
    return ("" if tens == 1 else CN[tens]) + "十" + ("" if not ones else CN[ones])


@functools.cache
def s2t() -> "OpenCC":
    from opencc import OpenCC

    return OpenCC("s2t")


def parts(a: ParsedAddress) -> tuple[str | None, ...]:
    return (a.township, a.village, a.group, a.road, a.number, a.building, a.unit, a.room, a.rest)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("龙浔镇宝美村宝美路12号",
         ("龙浔镇", "宝美村", None, "宝美路", "12号", None, None, None, None)),
        ("浔中镇 浔中村3组",
         ("浔中镇", "浔中村", "3组", None, None, None, None, None, None)),
        ("德化县龙浔镇英山社区英山路8号3幢501",
         ("龙浔镇", "英山社区", None, "英山路", "8号", "3幢", None, "501室", None)),
        ("福建省泉州市德化县龍潯鎮英山社區英山路8號三棟二單元501室",
         ("龙浔镇", "英山社区", None, "英山路", "8号", "3幢", "2单元", "501室", None)),
        ("龙浔英山社区英山路8号3#2单元501房",
         ("龙浔镇", "英山社区", None, "英山路", "8号", "3幢", "2单元", "501室", None)),
        ("德化县浔中镇浔中村浔中路128号",
         ("浔中镇", "浔中村", None, "浔中路", "128号", None, None, None, None)),
        ("浔中村第三村民小组15号",
         (None, "浔中村", "3组", None, "15号", None, None, None, None)),
        ("浔中镇浔中村三组", ("浔中镇", "浔中村", "3组", None, None, None, None, None, None)),
        ("浔中镇浔中村3小组", ("浔中镇", "浔中村", "3组", None, None, None, None, None, None)),
        ("浔中镇浔中村十二组", ("浔中镇", "浔中村", "12组", None, None, None, None, None, None)),
        ("宝美路12之3", (None, None, None, "宝美路", "12-3号", None, None, None, None)),
        ("宝美路12-3", (None, None, None, "宝美路", "12-3号", None, None, None, None)),
        ("宝美路12—3号", (None, None, None, "宝美路", "12-3号", None, None, None, None)),
        ("英山路8号3号楼501",
         (None, None, None, "英山路", "8号", "3幢", None, "501室", None)),
        ("英山路8号A座1201",
         (None, None, None, "英山路", "8号", "A幢", None, "1201室", None)),
        ("英山路8 3幢 501", (None, None, None, "英山路", "8号", "3幢", None, "501室", None)),
        ("龙浔镇宝美村委会宝美路12号",
         ("龙浔镇", "宝美村", None, "宝美路", "12号", None, None, None, None)),
        ("龙浔镇英山居委会英山路8号",
         ("龙浔镇", "英山社区", None, "英山路", "8号", None, None, None, None)),
        ("德化龙浔镇英山路8号", ("龙浔镇", None, None, "英山路", "8号", None, None, None, None)),
        ("浔中镇,浔中村,浔中路128号",
         ("浔中镇", "浔中村", None, "浔中路", "128号", None, None, None, None)),
        # A room-shaped number after a door number is that house's flat.
        ("英山路8号501", (None, None, None, "英山路", "8号", None, None, "501室", None)),
        ("英山路39号101号", (None, None, None, "英山路", "39号", None, None, "101室", None)),
        # Not guessed: whatever cannot be placed stays in rest.
        ("英山路8号12", (None, None, None, "英山路", "8号", None, None, None, "12")),
        ("宝美路12号附近", (None, None, None, "宝美路", "12号", None, None, None, "附近")),
        ("英山路8号3幢501附近",
         (None, None, None, "英山路", "8号", "3幢", None, None, "501附近")),
        ("龙浔镇英山社区 张三家", ("龙浔镇", "英山社区", None, None, None, None, None, None,
                                  "张三家")),
        ("不详", (None, None, None, None, None, None, None, None, "不详")),
        ("浔中村3组", (None, "浔中村", "3组", None, None, None, None, None, None)),
    ],
)  # fmt: skip
def test_examples(text: str, expected: tuple[str | None, ...]) -> None:
    result = parse_address(text)
    assert result.original == text
    assert parts(result) == expected


def test_default_township_only_fills_a_gap() -> None:
    assert parse_address("浔中村3组", default_township="浔中镇").township == "浔中镇"
    assert parse_address("龙浔镇英山社区", default_township="浔中镇").township == "龙浔镇"
    assert parse_address(None, default_township="浔中").township == "浔中镇"


@pytest.mark.parametrize(
    ("text", "precision", "key"),
    [
        ("德化县龙浔镇英山社区英山路8号3幢2单元501室", "room",
         "龙浔镇|英山社区|英山路|8号|3幢|2单元|501室"),
        ("龙浔镇英山社区英山路8号3幢", "building", "龙浔镇|英山社区|英山路|8号|3幢"),
        ("龙浔镇英山社区英山路8号2单元", "building", "龙浔镇|英山社区|英山路|8号||2单元"),
        ("浔中镇浔中村3组15号", "number", "浔中镇|浔中村||15号"),
        ("宝美路", "road", "||宝美路"),
        ("浔中镇浔中村3组", "village", "浔中镇|浔中村"),
        ("浔中镇", "township", "浔中镇"),
        ("", "none", None),
        ("宝美路12号附近", "number", None),
    ],
)  # fmt: skip
def test_precision_and_key(text: str, precision: str, key: str | None) -> None:
    result = parse_address(text)
    assert result.precision == precision
    assert result.key() == key


def test_key_levels() -> None:
    result = parse_address("龙浔镇英山社区英山路8号3幢2单元501室")
    assert [result.key(level) for level in LEVELS] == [
        "龙浔镇",
        "龙浔镇|英山社区",
        "龙浔镇|英山社区|英山路",
        "龙浔镇|英山社区|英山路|8号",
        "龙浔镇|英山社区|英山路|8号|3幢",
        "龙浔镇|英山社区|英山路|8号|3幢|2单元",
        "龙浔镇|英山社区|英山路|8号|3幢|2单元|501室",
    ]
    partial = parse_address("龙浔镇英山社区英山路8号后院")
    assert partial.key("number") == "龙浔镇|英山社区|英山路|8号"
    assert partial.key("room") is None  # the rest may have named a room


def test_standard_address_vocabulary() -> None:
    std = standard_address("龙浔镇", "英山社区", "英山路", "8号", "3幢", "2单元", "501室")
    assert std.key() == "龙浔镇|英山社区|英山路|8号|3幢|2单元|501室"
    assert std.rest is None
    loose = standard_address(" 龙浔 ", "英山社区", "英山路", 8, "三栋", "2", 501.0)
    assert loose.key() == std.key()
    house = standard_address("浔中镇", "浔中村", "", "15号", None, "", float("nan"))
    assert house.key() == "浔中镇|浔中村||15号" == parse_address("浔中镇浔中村3组15号").key()
    assert house.precision == "number"
    odd = standard_address("龙浔镇", "英山社区", "英山路", "8号附1", "", "", "")
    assert odd.number == "8号附1"  # authoritative: kept, not rejected


townships = st.sampled_from(TOWNSHIPS)
villages = st.sampled_from(["宝美", "英山", "浔中", "丁墘", "土坂", "蒲坂", "东埔", "凤洋", "乐陶"])
village_suffixes = st.sampled_from(["村", "社区"])
roads = st.sampled_from(["宝美路", "英山路", "浔中路", "龙浔路", "瓷都大道", "丁墘街", "唐寨巷"])


@st.composite
def addresses(draw: st.DrawFn) -> tuple[tuple[str | None, ...], str]:
    """A standard address as columns, and one free-text way a clerk may have typed it."""
    township = draw(townships)
    village = draw(villages) + draw(village_suffixes)
    road = draw(st.one_of(st.none(), roads))
    main, sub = draw(st.integers(1, 300)), draw(st.one_of(st.none(), st.integers(1, 9)))
    number = f"{main}-{sub}号" if sub else f"{main}号"
    in_building = draw(st.booleans())
    building = draw(st.integers(1, 40)) if in_building else None
    unit = draw(st.one_of(st.none(), st.integers(1, 9))) if in_building else None
    room = draw(st.integers(1, 33)) * 100 + draw(st.integers(1, 6)) if in_building else None

    texts: list[str] = [draw(st.sampled_from(["", "德化县", "福建省泉州市德化县", "泉州市德化县"]))]
    texts += [township, village]
    if road:
        texts.append(road)
    # A bare door number directly before a building number ("11幢") would be ambiguous.
    bare = [number.replace("号", "")] if building is None else []
    texts.append(draw(st.sampled_from([number, number.replace("-", "之"), *bare])))
    if building is not None:
        texts.append(
            draw(st.sampled_from(["{}幢", "{}栋", "{}#", "{}号楼", "第{}幢"])).format(
                draw(st.sampled_from([str(building), cn(building)]))
            )
        )
    if unit is not None:
        texts.append(draw(st.sampled_from([str(unit), cn(unit)])) + "单元")
    if room is not None:
        texts.append(f"{room}" + draw(st.sampled_from(["", "室", "房"])))
    separators = st.sampled_from(["", "", " ", "\u3000", "  "])
    text = "".join(part + draw(separators) for part in texts)
    if draw(st.booleans()):
        text = s2t().convert(text)
    columns = (
        township, village, road, number,
        None if building is None else f"{building}幢",
        None if unit is None else f"{unit}单元",
        None if room is None else f"{room}室",
    )  # fmt: skip
    return columns, text


@given(addresses())
def test_every_form_of_a_standard_address_gives_its_key(
    case: tuple[tuple[str | None, ...], str],
) -> None:
    columns, text = case
    expected = standard_address(*columns)
    parsed = parse_address(text)
    assert parsed.rest is None, text
    assert parsed.key() == expected.key(), text
    assert parsed.precision == expected.precision
