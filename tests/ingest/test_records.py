"""Each dataset's mapper: contract quirks become normalised fields, keys and field issues."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.ingest.fields import Rejected
from hub.ingest.records import (
    map_address,
    map_assistance,
    map_door_plate,
    map_grid,
    map_party_member,
    map_population,
    map_report,
    map_vaccination,
)
from hub.sources.problems import Reason

TODAY = dt.date(2026, 11, 15)
VALID_ID = "11010519491231002X"


def codes(record: object) -> set[str]:
    return {issue.code.value for issue in record.issues}  # type: ignore[attr-defined]


def test_population_keys_come_from_a_valid_id() -> None:
    record = map_population(
        {"人员编号": "GA0000000001", "公民身份号码": " 11010519491231002x ", "姓名": "陈 秀英",
         "性别": "女", "民族": "汉族", "出生日期": "19491231", "户号": "350526001",
         "与户主关系": "户主", "人员类别": "户籍人口", "居住地址编码": "35052610010100010001",
         "联系电话": "13812345678", "登记日期": "2020-01-01", "注销标志": "0"},
        TODAY,
    )  # fmt: skip
    keys = record.keys
    assert (keys.resident_id, keys.name, keys.sex, keys.birth_date) == (
        VALID_ID,
        "陈秀英",
        "女",
        "1949-12-31",
    )
    assert keys.household_no == "350526001" and keys.phone == "13812345678"
    assert record.fields["cancelled"] is False
    assert record.fields["resident_id"]["original"] == " 11010519491231002x "
    assert codes(record) == set()


def test_population_sex_and_birth_date_that_contradict_the_id_are_flagged() -> None:
    record = map_population(
        {"人员编号": "GA1", "公民身份号码": VALID_ID, "姓名": "陈秀英", "性别": "男",
         "出生日期": "19500101", "注销标志": "1"},
        TODAY,
    )  # fmt: skip
    assert codes(record) == {"id_conflict"}
    assert record.keys.birth_date == "1949-12-31"  # the ID is the better evidence
    assert record.fields["cancelled"] is True


def test_assistance_excel_mangled_id_amount_and_dates() -> None:
    record = map_assistance(
        {"救助编号": "MZ00000001", "姓名": " 林  美玲 ", "身份证号": 3.50526198001011e17,
         "性别": None, "联系电话": "13812345678/0595-23561234",
         "家庭住址": "德化县龙浔镇英山社区英山路8号3幢501", "救助类别": "低保",
         "保障人数": 3, "月保障金额": "650元", "起始日期": "2021年3月5日",
         "所属乡镇": "龙浔镇", "备注": ""},
        TODAY,
    )  # fmt: skip
    assert "excel_mangled_id" in codes(record)
    assert record.keys.resident_id is None
    assert record.keys.name == "林美玲"
    assert record.fields["monthly_amount"] == "650.00"
    assert record.fields["start_date"] == "2021-03-05"
    assert [p["kind"] for p in record.fields["phones"]["numbers"]] == ["mobile", "landline"]
    assert record.fields["address"]["township"] == "龙浔镇"
    assert record.fields["address"]["room"] == "501室"


def test_vaccination_passport_is_not_a_resident_id_and_traditional_name_converts() -> None:
    record = map_vaccination(
        {"record_id": "WJ000000000001", "id_type": "护照", "id_no": "E12345678",
         "name": "陳秀英", "phone": "", "birth_date": "2019-05-01", "vaccine": "乙肝疫苗",
         "dose": 2, "vaccinated_at": "2022-03-14T09:30:00+08:00", "site": "龙浔镇卫生院"},
        TODAY,
    )  # fmt: skip
    assert record.keys.resident_id is None
    assert record.fields["other_id"] == "E12345678"
    assert record.keys.name == "陈秀英" and record.fields["name"]["converted"] is True
    assert record.keys.birth_date == "2019-05-01"
    assert record.fields["vaccinated_at"] == "2022-03-14T09:30:00+08:00"
    assert codes(record) == set()


def test_party_member_month_only_birth() -> None:
    record = map_party_member(
        {"党员编号": "DJ00000001", "姓名": "郑志强", "身份证号码": "", "性别": "男",
         "出生年月": "1975.06", "入党时间": "2001-07-01", "党员类别": "正式党员",
         "所在党组织": "龙浔镇英山社区第二网格党支部", "流动党员": "否", "网格职务": "楼栋长",
         "联系电话": "13900000000", "居住地址": "龙浔镇英山社区英山路8号"},
        TODAY,
    )  # fmt: skip
    assert record.keys.birth_date == "1975-06"
    assert record.fields["floating"] is False
    assert codes(record) == set()


def test_address_row_builds_a_standard_key() -> None:
    record = map_address(
        {"地址编码": "35052610010100010001", "乡镇": "龙浔镇", "村社区": "英山社区",
         "街路巷": "英山路", "门牌号": "8号", "楼栋号": "3幢", "单元号": "", "户室号": "501室",
         "楼栋编码": "3505261001010001", "房屋用途": "住宅"},
        TODAY,
    )  # fmt: skip
    assert record.keys.address_code == "35052610010100010001"
    assert record.keys.address_key is not None and "501室" in record.keys.address_key
    assert codes(record) == set()


def test_address_building_code_must_prefix_the_address_code() -> None:
    record = map_address(
        {"地址编码": "35052610010100010001", "乡镇": "龙浔镇", "楼栋编码": "3505261001019999",
         "房屋用途": "仓库"},
        TODAY,
    )  # fmt: skip
    assert codes(record) == {"invalid_value"}
    assert len(record.issues) == 2


def test_door_plate_coordinates_outside_dehua_are_flagged() -> None:
    record = map_door_plate(
        {"门牌编码": "MP000000000001", "地址": "德化县浔中镇浔中村浔中路128号",
         "建筑类型": "住宅", "楼层数": 5, "lng": 0.0, "lat": 25.49},
        TODAY,
    )  # fmt: skip
    assert record.fields["lng"] is None and record.fields["lat"] == 25.49
    assert codes(record) == {"invalid_number"}


def test_report_rating_out_of_range_is_dropped() -> None:
    record = map_report(
        {"event_id": "CG20261101000001", "category": "环境卫生", "description": "垃圾",
         "address": "龙浔镇宝美村宝美路12号", "lng": 118.24, "lat": 25.49,
         "reported_at": "2026-11-01T08:00:00+08:00", "reporter_phone": "13812345678",
         "status": "已评价", "department": "城管局", "rating": 9, "points": 5},
        TODAY,
    )  # fmt: skip
    assert record.fields["rating"] is None and codes(record) == {"invalid_value"}


def test_grid_without_a_name_cannot_stand() -> None:
    with pytest.raises(Rejected) as caught:
        map_grid({"网格编码": "350526001", "网格名称": "", "层级": "乡镇"}, TODAY)
    assert caught.value.rejection.reason is Reason.MISSING_REQUIRED


def test_grid_code_must_fit_its_level_and_parent() -> None:
    record = map_grid(
        {"网格编码": "3505260010011", "网格名称": "英山社区", "层级": "一级网格",
         "上级编码": "350526002", "网格员": "", "网格员电话": "",
         "楼栋编码": "3505261001010001;12345"},
        TODAY,
    )  # fmt: skip
    assert len(record.issues) == 3  # length, parent prefix, the short building code
    assert record.fields["buildings"] == ["3505261001010001"]


def test_assistance_address_takes_the_township_column_when_the_text_omits_it() -> None:
    record = map_assistance(
        {"救助编号": "MZ00000002", "姓名": "林美玲", "身份证号": "",
         "家庭住址": "英山社区英山路8号", "救助类别": "临时救助", "所属乡镇": "龙浔镇"},
        TODAY,
    )  # fmt: skip
    assert record.fields["address"]["township"] == "龙浔镇"
    assert record.keys.address_key == "龙浔镇|英山社区|英山路|8号"
