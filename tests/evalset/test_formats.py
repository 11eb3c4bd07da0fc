"""The landing folder read back as the contract describes it: names, encodings, line endings,
BOM, the workbook's title row, JSON lines, GeoJSON, record-id shapes, the grid hierarchy."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from tests.evalset.conftest import Generated

POPULATION = [
    "人员编号",
    "公民身份号码",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "户号",
    "与户主关系",
    "人员类别",
    "居住地址编码",
    "联系电话",
    "登记日期",
    "注销标志",
]
ADDRESS = [
    "地址编码",
    "乡镇",
    "村社区",
    "街路巷",
    "门牌号",
    "楼栋号",
    "单元号",
    "户室号",
    "楼栋编码",
    "房屋用途",
]
ASSISTANCE = [
    "救助编号",
    "姓名",
    "身份证号",
    "性别",
    "联系电话",
    "家庭住址",
    "救助类别",
    "保障人数",
    "月保障金额",
    "起始日期",
    "所属乡镇",
    "备注",
]
MEMBER = [
    "党员编号",
    "姓名",
    "身份证号码",
    "性别",
    "出生年月",
    "入党时间",
    "党员类别",
    "所在党组织",
    "流动党员",
    "网格职务",
    "联系电话",
    "居住地址",
]
GRID = ["网格编码", "网格名称", "层级", "上级编码", "网格员", "网格员电话", "楼栋编码"]
VACCINATION_KEYS = {
    "record_id",
    "id_type",
    "id_no",
    "name",
    "phone",
    "birth_date",
    "vaccine",
    "dose",
    "vaccinated_at",
    "site",
}
GROUP_KEYS = {"record_id", "id_no", "name", "phone", "group", "family_doctor", "signed_at"}
REPORT_KEYS = {
    "event_id",
    "category",
    "description",
    "address",
    "lng",
    "lat",
    "reported_at",
    "reporter_phone",
    "status",
    "department",
    "rating",
    "points",
}
TOWNSHIPS = {
    "龙浔镇",
    "浔中镇",
    "三班镇",
    "龙门滩镇",
    "雷峰镇",
    "南埕镇",
    "水口镇",
    "赤水镇",
    "上涌镇",
    "葛坑镇",
    "盖德镇",
    "美湖镇",
    "杨梅乡",
    "汤头乡",
    "桂阳乡",
    "国宝乡",
    "大铭乡",
    "春美乡",
}
#: Delivery names per source folder (anything else there is not a delivery).
PATTERNS = {
    "gongan": r"(人口|标准地址)_\d{8}\.csv",
    "minzheng": r"救助对象_\d{6}\.xlsx",
    "weijian": r"(接种记录|重点人群)_\d{8}\.jsonl",
    "dangjian": r"党员_\d{8}\.csv",
    "chengguan": r"(门牌_\d{8}\.geojson|随手拍_\d{8}\.jsonl)",
    "wangge": r"网格_\d{8}\.csv",
}


def deliveries(landing: Path, pattern: str) -> list[Path]:
    return sorted(p for p in landing.glob("*/*") if re.fullmatch(pattern, p.name))


def complete_lines(data: bytes, encoding: str) -> tuple[str, list[str]]:
    """The text, and its complete lines (a half-written last line has no line ending)."""
    text = data.decode(encoding)  # strict: every line before the last decodes
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    return text, lines[:-1]


def csv_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    _, lines = complete_lines(path.read_bytes(), encoding)
    rows = list(csv.reader(io.StringIO("\r\n".join(lines) + "\r\n")))
    return rows[0], rows[1:]


def test_every_file_in_the_landing_folder_is_a_delivery_or_named_as_none(
    generated: Generated,
) -> None:
    for path in generated.landing.rglob("*"):
        if path.is_dir():
            assert path.name in PATTERNS
            continue
        source = path.parent.name
        ok = re.fullmatch(PATTERNS[source], path.name)
        not_a_delivery = (
            path.name.endswith((".tmp", ".bak"))
            or path.name.startswith("~$")
            or "(1)" in path.name
            or "副本" in path.name
            or re.search(r"-\d{8}\.", path.name)
        )
        assert ok or not_a_delivery, path


@pytest.mark.parametrize("day", ["20261130", "20261230"])
def test_every_dataset_is_delivered_on_each_snapshot_date(generated: Generated, day: str) -> None:
    names = {p.name for p in generated.landing.glob("*/*")}
    for stem in ("人口", "标准地址", "接种记录", "重点人群", "党员", "门牌", "随手拍", "网格"):
        assert any(n.startswith(f"{stem}_{day}.") for n in names), stem
    assert f"救助对象_{day[:6]}.xlsx" in names


def test_public_security_csvs_are_gb18030_with_crlf(generated: Generated) -> None:
    for path in deliveries(generated.landing, PATTERNS["gongan"]):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # Chinese text in GB18030 is not valid UTF-8
        text, lines = complete_lines(data, "gb18030")
        assert "\n" not in text.replace("\r\n", "")  # CRLF only
        header = next(csv.reader([lines[0]]))
        assert header == (POPULATION if path.name.startswith("人口") else ADDRESS)


def test_population_rows_follow_the_contract(generated: Generated) -> None:
    for path in deliveries(generated.landing, r"人口_\d{8}\.csv"):
        header, rows = csv_rows(path, "gb18030")
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            assert re.fullmatch(r"GA\d{10}", row[col["人员编号"]])
            assert re.fullmatch(r"\d{9}", row[col["户号"]])
            assert row[col["人员类别"]] in ("户籍人口", "流动人口")
            assert row[col["注销标志"]] in ("0", "1")
            assert row[col["性别"]] in ("男", "女")
            rid = row[col["公民身份号码"]]
            assert rid == "" or re.fullmatch(r"\d{15}|\d{17}[\dX]", rid)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[col["登记日期"]])
            assert row[col["居住地址编码"]] == "" or re.fullmatch(
                r"\d{20}", row[col["居住地址编码"]]
            )


def test_standard_addresses_hold_building_codes_of_their_own_codes(generated: Generated) -> None:
    for path in deliveries(generated.landing, r"标准地址_\d{8}\.csv"):
        header, rows = csv_rows(path, "gb18030")
        for row in rows:
            values = dict(zip(header, row, strict=True))
            assert re.fullmatch(r"\d{20}", values["地址编码"])
            assert values["楼栋编码"] == values["地址编码"][:16]
            assert values["乡镇"] in TOWNSHIPS
            assert values["房屋用途"] in ("住宅", "商住", "商铺", "厂房", "其他")
            assert re.fullmatch(r"\d+(-\d+)?号", values["门牌号"])


def test_party_csv_has_a_bom_and_crlf_and_the_grid_file_none(generated: Generated) -> None:
    for path in deliveries(generated.landing, PATTERNS["dangjian"]):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        text, lines = complete_lines(data, "utf-8-sig")
        assert "\n" not in text.replace("\r\n", "")
        assert next(csv.reader([lines[0]])) == MEMBER
        for row in csv.reader(lines[1:]):
            assert re.fullmatch(r"DJ\d{8}", row[0])
            assert re.fullmatch(r"\d{4}[-.]\d{2}", row[4])
    for path in deliveries(generated.landing, PATTERNS["wangge"]):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        text, lines = complete_lines(data, "utf-8")
        assert text.endswith("\r\n")  # the grid file always arrives whole
        assert next(csv.reader([lines[0]])) == GRID


def test_grid_hierarchy_has_four_levels_and_codes_extend_their_parents(
    generated: Generated,
) -> None:
    path = deliveries(generated.landing, PATTERNS["wangge"])[-1]
    header, rows = csv_rows(path, "utf-8")
    grids = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    lengths = {"乡镇": 9, "一级网格": 12, "单元网格": 15, "责任网格": 17}
    count = {level: 0 for level in lengths}
    for code, grid in grids.items():
        count[grid["层级"]] += 1
        assert len(code) == lengths[grid["层级"]] and code.startswith("350526")
        if grid["层级"] == "乡镇":
            assert grid["上级编码"] == "" and grid["网格名称"] in TOWNSHIPS
        else:
            assert code.startswith(grid["上级编码"]) and grid["上级编码"] in grids
        if grid["层级"] == "责任网格":
            assert grid["网格名称"].endswith("号责任网格")
            assert all(re.fullmatch(r"\d{16}", b) for b in grid["楼栋编码"].split(";"))
            assert grid["网格员"] and re.fullmatch(r"1\d{10}", grid["网格员电话"])
        else:
            assert grid["楼栋编码"] == ""
    assert count["乡镇"] == 18
    assert 0 < count["一级网格"] <= count["单元网格"] <= count["责任网格"]


def test_the_workbook_has_a_title_row_then_the_header(generated: Generated) -> None:
    for path in deliveries(generated.landing, PATTERNS["minzheng"]):
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["救助对象"]
        rows = list(book["救助对象"].iter_rows(values_only=True))
        assert re.fullmatch(r"德化县\d{4}年\d{1,2}月救助对象花名册", str(rows[0][0]))
        assert list(rows[1]) == ASSISTANCE
        data = [r for r in rows[2:] if r[0] and str(r[0]).startswith("MZ")]
        assert data and all(re.fullmatch(r"MZ\d{8}", r[0]) for r in data)
        categories = {r[6] for r in data} - {None}  # rows missing most cells
        assert categories <= {"低保", "特困供养", "临时救助", "高龄补贴", "残疾人两项补贴"}


def test_json_lines_and_geojson(generated: Generated) -> None:
    shapes = {
        "接种记录": (VACCINATION_KEYS, r"WJ\d{12}", "record_id"),
        "重点人群": (GROUP_KEYS, r"WJK\d{10}", "record_id"),
        "随手拍": (REPORT_KEYS, r"CG\d{8}\d{6}", "event_id"),
    }
    for path in deliveries(generated.landing, r"(接种记录|重点人群|随手拍)_\d{8}\.jsonl"):
        keys, pattern, id_key = shapes[path.name.split("_")[0]]
        _, lines = complete_lines(path.read_bytes(), "utf-8")
        for line in lines:
            obj = json.loads(line)
            assert set(obj) == keys and re.fullmatch(pattern, obj[id_key])
            assert all(obj[k] is not None for k in keys - {"rating"})  # missing text is ""
            if "vaccinated_at" in obj:
                assert obj["vaccinated_at"].endswith("+08:00")
                assert obj["id_type"] in ("居民身份证", "护照", "港澳居民来往内地通行证", "无")
    for path in deliveries(generated.landing, r"门牌_\d{8}\.geojson"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["type"] == "FeatureCollection" and "crs" not in doc
        for feature in doc["features"]:
            lng, lat = feature["geometry"]["coordinates"]
            assert feature["geometry"]["type"] == "Point"
            assert 117.5 < lng < 118.8 and 25.0 < lat < 26.1  # Dehua, GCJ-02
            assert re.fullmatch(r"MP\d{12}", feature["properties"]["门牌编码"])
            assert set(feature["properties"]) == {"门牌编码", "地址", "建筑类型", "楼层数"}


def test_a_half_written_file_breaks_only_its_last_line(tmp_path: Path) -> None:
    from evalset.files import csv_bytes, truncate_last_line

    data = csv_bytes(["a", "b"], [["陈丽", "1"], ["王明杰", "2"]], "gb18030")
    cut = truncate_last_line(data, "gb18030", 0.5)
    text = cut.decode("gb18030")
    assert text.startswith("a,b\r\n陈丽,1\r\n") and not text.endswith("\r\n")
    assert text.split("\r\n")[-1] and text.split("\r\n")[-1] != "王明杰,2"
