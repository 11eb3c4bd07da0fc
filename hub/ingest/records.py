"""One mapper per dataset: a delivered row -> normalised fields, match keys and issues.

Each mapper reads like the contract's column table. The raw row is stored beside the result,
so every normalised value keeps its original.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hub.ingest import vocabulary as vocab
from hub.ingest.fields import MappedRecord, RecordBuilder
from hub.normalise import standard_address
from hub.normalise.text import clean_text
from hub.sources import catalog
from hub.sources.problems import FieldCode
from hub.types import RawRow

Mapper = Callable[[RawRow, dt.date], MappedRecord]

# Dehua lies around 118.2E 25.5N; anything far outside the county is a typo.
LNG_RANGE = (117.5, 119.0)
LAT_RANGE = (25.0, 26.2)


def map_population(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    rid = b.resident_id("公民身份号码")
    b.name("姓名")
    b.sex("性别", rid)
    b.text("ethnicity", "民族")
    birth = b.date("birth_date", "出生日期", birth=True)
    b.birth_date_from(birth, rid, "出生日期")
    b.keys.household_no = b.text("household_no", "户号")
    b.text("relation", "与户主关系", vocabulary=vocab.RELATIONS)
    b.text("registration_type", "人员类别", vocabulary=vocab.REGISTRATION_TYPES)
    b.keys.address_code = b.text("address_code", "居住地址编码")
    b.phones("联系电话")
    b.date("registered_at", "登记日期")
    flag = clean_text(raw.get("注销标志"))
    if flag not in vocab.CANCELLED_FLAGS and flag is not None:
        b.issue("注销标志", FieldCode.INVALID_VALUE, f"注销标志: {flag!r} is not 0 or 1", flag)
    b.fields["cancelled"] = vocab.CANCELLED_FLAGS.get(flag or "0")
    return b.build()


def map_address(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    code = b.text("address_code", "地址编码")
    township = b.text("township", "乡镇", vocabulary=catalog.TOWNSHIPS)
    village = b.text("village", "村社区")
    road = b.text("road", "街路巷")
    number = b.text("number", "门牌号")
    building = b.text("building", "楼栋号")
    unit = b.text("unit", "单元号")
    room = b.text("room", "户室号")
    building_code = b.text("building_code", "楼栋编码")
    b.text("use", "房屋用途", vocabulary=vocab.HOUSE_USES)
    if code is not None and (not code.isdigit() or len(code) != 20):
        b.issue("地址编码", FieldCode.INVALID_VALUE, f"地址编码: {code!r} is not 20 digits", code)
    if code and building_code and not code.startswith(building_code):
        b.issue("楼栋编码", FieldCode.INVALID_VALUE, f"楼栋编码: {building_code} is not the "
                f"first 16 digits of 地址编码 {code}", building_code)  # fmt: skip
    if building_code is None and code is not None and len(code) >= 16:
        b.fields["building_code"] = code[:16]
    parsed = standard_address(township, village, road, number, building, unit, room)
    b.fields["standard"] = {"key": parsed.key(), "precision": parsed.precision}
    b.keys.address_code = code
    b.keys.address_key = parsed.key()
    return b.build()


def map_assistance(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    rid = b.resident_id("身份证号")
    b.name("姓名")
    b.sex("性别", rid)
    if rid.birth_date is not None:
        b.keys.birth_date = rid.birth_date.isoformat()
    b.phones("联系电话")
    b.address("家庭住址", township_column="所属乡镇")
    b.text("category", "救助类别", vocabulary=vocab.BENEFIT_CATEGORIES)
    b.integer("covered_count", "保障人数")
    b.amount("monthly_amount", "月保障金额")
    b.date("start_date", "起始日期")
    b.text("township", "所属乡镇", vocabulary=catalog.TOWNSHIPS)
    b.text("note", "备注")
    return b.build()


def map_vaccination(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    id_type = b.text("id_type", "id_type", vocabulary=vocab.ID_TYPES)
    if id_type in (None, "居民身份证"):
        rid = b.resident_id("id_no")
        if rid.birth_date is not None:
            b.keys.birth_date = rid.birth_date.isoformat()
    else:  # a passport or a travel permit is an identifier, but not a resident ID
        b.text("other_id", "id_no")
    b.name("name")
    b.phones("phone")
    birth = b.date("birth_date", "birth_date", birth=True)
    if b.keys.birth_date is None:
        b.keys.birth_date = birth.iso
    b.text("vaccine", "vaccine")
    b.integer("dose", "dose")
    b.timestamp("vaccinated_at", "vaccinated_at")
    b.text("site", "site")
    return b.build()


def map_health_group(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    rid = b.resident_id("id_no")
    if rid.birth_date is not None:
        b.keys.birth_date = rid.birth_date.isoformat()
        b.keys.sex = rid.sex
    b.name("name")
    b.phones("phone")
    b.text("group", "group", vocabulary=vocab.HEALTH_GROUPS)
    b.text("family_doctor", "family_doctor")
    b.date("signed_at", "signed_at")
    return b.build()


def map_party_member(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    rid = b.resident_id("身份证号码")
    b.name("姓名")
    b.sex("性别", rid)
    birth = b.date("birth_month", "出生年月", allow_month=True, birth=True)
    b.birth_date_from(birth, rid, "出生年月")
    b.date("joined_at", "入党时间")
    b.text("category", "党员类别", vocabulary=vocab.PARTY_CATEGORIES)
    b.text("branch", "所在党组织")
    b.yes_no("floating", "流动党员")
    b.text("grid_role", "网格职务", vocabulary=vocab.GRID_ROLES)
    b.phones("联系电话")
    b.address("居住地址")
    return b.build()


def map_door_plate(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    b.address("地址")
    b.text("building_type", "建筑类型")
    b.integer("floors", "楼层数")
    b.coordinate("lng", "lng", *LNG_RANGE)
    b.coordinate("lat", "lat", *LAT_RANGE)
    return b.build()


def map_report(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    b.text("category", "category", vocabulary=vocab.REPORT_CATEGORIES)
    b.text("description", "description")
    b.address("address")
    b.coordinate("lng", "lng", *LNG_RANGE)
    b.coordinate("lat", "lat", *LAT_RANGE)
    b.timestamp("reported_at", "reported_at")
    b.phones("reporter_phone")
    b.text("status", "status", vocabulary=vocab.REPORT_STATUSES)
    b.text("department", "department")
    rating = b.integer("rating", "rating")
    if rating is not None and not 1 <= rating <= 5:
        b.issue("rating", FieldCode.INVALID_VALUE, f"rating: {rating} is not 1-5", rating)
        b.fields["rating"] = None
    b.integer("points", "points")
    return b.build()


GRID_CODE_LENGTHS = {"乡镇": 9, "一级网格": 12, "单元网格": 15, "责任网格": 17}


def map_grid(raw: RawRow, today: dt.date) -> MappedRecord:
    b = RecordBuilder(raw, today)
    code = b.text("code", "网格编码")
    b.require("网格名称", b.text("name", "网格名称"))
    level = b.text("level", "层级", vocabulary=GRID_CODE_LENGTHS)
    parent = b.text("parent_code", "上级编码")
    b.text("worker_name", "网格员")
    b.phones("网格员电话", target="worker_phones")
    buildings_text = clean_text(raw.get("楼栋编码")) or ""
    buildings = [c.strip() for c in buildings_text.replace("；", ";").split(";") if c.strip()]
    bad = [c for c in buildings if not (c.isdigit() and len(c) == 16)]
    for c in bad:
        b.issue("楼栋编码", FieldCode.INVALID_VALUE, f"楼栋编码: {c!r} is not a 16-digit "
                "building code", c)  # fmt: skip
    b.fields["buildings"] = [c for c in buildings if c not in bad]
    if code is not None:
        expected = GRID_CODE_LENGTHS.get(level or "")
        if not code.isdigit() or not code.startswith(catalog.COUNTY_CODE):
            b.issue("网格编码", FieldCode.INVALID_VALUE, f"网格编码: {code!r} is not a Dehua "
                    "grid code", code)  # fmt: skip
        elif expected is not None and len(code) != expected:
            b.issue("网格编码", FieldCode.INVALID_VALUE, f"网格编码: {code} has {len(code)} "
                    f"digits but a {level} code has {expected}", code)  # fmt: skip
        if parent is not None and not code.startswith(parent):
            b.issue("上级编码", FieldCode.INVALID_VALUE, f"上级编码: {parent} is not a prefix "
                    f"of {code}", parent)  # fmt: skip
    return b.build()


MAPPERS: dict[str, Mapper] = {
    catalog.POPULATION.key: map_population,
    catalog.ADDRESSES.key: map_address,
    catalog.ASSISTANCE.key: map_assistance,
    catalog.VACCINATIONS.key: map_vaccination,
    catalog.HEALTH_GROUPS.key: map_health_group,
    catalog.PARTY_MEMBERS.key: map_party_member,
    catalog.DOOR_PLATES.key: map_door_plate,
    catalog.REPORTS.key: map_report,
    catalog.GRIDS.key: map_grid,
}
