from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from hub.sources.catalog import ASSISTANCE
from hub.sources.problems import DeliveryRejected
from hub.sources.reading import read_delivery
from tests.sources.files import reasons, write

FILE = "救助对象_202611.xlsx"
HEADER = list(ASSISTANCE.columns)


def person(record_id: Any, name: Any = "张三", id_no: Any = "35052619800101123X") -> list[Any]:
    return [
        record_id,
        name,
        id_no,
        "男",
        "13812345678",
        "龙浔镇宝美村宝美路12号",
        "低保",
        3,
        "650元",
        "2021-3-5",
        "龙浔镇",
        None,
    ]


def workbook(
    path: Path, rows: list[list[Any]], *, sheet: str = "救助对象", titles: int = 1
) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for number in range(titles):
        ws.append([f"德化县2026年11月救助对象花名册 ({number + 1})"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_title_row_numbers_dates_and_sheet_rows(tmp_path: Path) -> None:
    mangled = person("MZ00000001", id_no=350526198001011234)
    mangled[9] = dt.datetime(2021, 3, 5)
    typed = person("MZ00000002", " 李 四 ", id_no="35052619800101123x")
    typed[9] = dt.datetime(2021, 3, 5, 10, 30)
    path = workbook(tmp_path / FILE, [mangled, typed])
    result = read_delivery(ASSISTANCE, path)
    assert reasons(result) == []
    assert result.notes == []
    first, second = result.rows
    assert (first.line, first.record_id, second.line) == (3, "MZ00000001", 4)
    assert isinstance(first.raw["身份证号"], float)
    assert first.raw["身份证号"] == pytest.approx(3.50526198001011e17)
    assert first.raw["起始日期"] == "2021-03-05"
    assert first.raw["保障人数"] == 3
    assert first.raw["备注"] == ""
    assert second.raw["姓名"] == " 李 四 "  # stripping is the normaliser's business
    assert second.raw["起始日期"] == "2021-03-05T10:30:00"
    assert "\tMZ00000002" not in second.text and second.text.startswith("MZ00000002\t 李 四 ")


def test_number_typed_record_id_without_its_prefix_is_malformed(tmp_path: Path) -> None:
    result = read_delivery(ASSISTANCE, workbook(tmp_path / FILE, [person(12345678)]))
    assert result.reconciles and result.rows == []
    (problem,) = result.problems
    assert (problem.reason, problem.record_id) == ("malformed_record_id", "12345678")
    assert "MZ[0-9]{8}" in problem.message


def test_blank_rows_repeated_header_missing_name_and_duplicates(tmp_path: Path) -> None:
    rows = [
        person("MZ00000001"),
        [None] * 12,
        [" ", None],
        HEADER,
        person("MZ00000002", None),
        person("MZ00000001", "王五"),
        person("MZ00000003"),
        [],
        [None, None],
    ]
    result = read_delivery(ASSISTANCE, workbook(tmp_path / FILE, rows))
    assert reasons(result) == [(7, "missing_name"), (8, "duplicate_record_id")]
    assert [r.line for r in result.rows] == [3, 9]
    assert (result.rows_read, result.blank_lines, result.repeated_headers) == (4, 2, 1)


def test_header_is_found_below_several_title_rows(tmp_path: Path) -> None:
    result = read_delivery(ASSISTANCE, workbook(tmp_path / FILE, [person("MZ00000009")], titles=3))
    assert result.reconciles
    assert result.rows[0].line == 5
    assert any("row 4" in note for note in result.notes)


def test_the_only_sheet_is_read_under_another_name(tmp_path: Path) -> None:
    result = read_delivery(
        ASSISTANCE, workbook(tmp_path / FILE, [person("MZ00000009")], sheet="Sheet1")
    )
    assert result.reconciles
    assert [r.record_id for r in result.rows] == ["MZ00000009"]
    assert any("Sheet1" in note for note in result.notes)


def test_no_matching_sheet_among_several_is_rejected(tmp_path: Path) -> None:
    path = workbook(tmp_path / FILE, [person("MZ00000009")], sheet="Sheet1")
    book = load_workbook(path)
    book.create_sheet("说明")
    book.save(path)
    with pytest.raises(DeliveryRejected, match="no sheet '救助对象'"):
        read_delivery(ASSISTANCE, path)


def test_missing_columns_are_rejected(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "救助对象"
    ws.append(["标题"])
    ws.append(["救助编号", "姓名", "身份证号"])
    book.save(tmp_path / FILE)
    with pytest.raises(DeliveryRejected, match="性别, 联系电话"):
        read_delivery(ASSISTANCE, tmp_path / FILE)


def test_no_header_in_the_top_rows_is_rejected(tmp_path: Path) -> None:
    path = workbook(tmp_path / FILE, [], titles=11)
    with pytest.raises(DeliveryRejected, match="no header row"):
        read_delivery(ASSISTANCE, path)


def test_a_file_that_is_not_a_zip_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, FILE, "救助编号,姓名\r\n".encode("gb18030"))
    with pytest.raises(DeliveryRejected, match="not an Excel workbook") as caught:
        read_delivery(ASSISTANCE, path)
    assert caught.value.file == FILE


def test_an_excel_mangled_id_is_kept_in_the_row_text_as_stored(tmp_path: Path) -> None:
    """Excel kept 3.505261990010112e17 of 350526199001011234: the row as delivered says so,
    never 350526199001011200 (18 digits that read as an ID whose last ones were invented)."""
    path = workbook(tmp_path / FILE, [person("MZ00000001", id_no=3.505261990010112e17)])
    (row,) = read_delivery(ASSISTANCE, path).rows
    cells = row.text.split("\t")
    assert cells[2] == "3.505261990010112e+17"
    assert "350526199001011200" not in row.text


def test_a_row_that_lost_most_of_its_cells_is_quarantined(tmp_path: Path) -> None:
    """An xlsx row with 3 of 12 cells would load as a record without its facts."""
    cut = ["MZ00000002", "李四", "35052619800101123X"] + [None] * 9
    sparse = person("MZ00000003")
    for column in (3, 4, 5, 7, 8, 10, 11):  # 5 of 12 filled: still under half
        sparse[column] = None
    kept = person("MZ00000004")
    for column in (3, 4, 11):  # 9 of 12: a row with a few blanks is an ordinary row
        kept[column] = None
    result = read_delivery(ASSISTANCE, workbook(tmp_path / FILE, [cut, sparse, kept]))
    assert reasons(result) == [(3, "mostly_empty"), (4, "mostly_empty")]
    assert [r.record_id for r in result.rows] == ["MZ00000004"]
    assert result.reconciles
    first = result.problems[0]
    assert first.record_id == "MZ00000002"
    assert first.message.endswith(
        "row 3: only 3 of 12 columns have a value (empty or missing: 性别, 联系电话, 家庭住址, "
        "救助类别, 保障人数, 月保障金额, 起始日期, 所属乡镇, 备注) (mostly_empty)"
    )
