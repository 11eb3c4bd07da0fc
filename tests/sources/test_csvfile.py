from __future__ import annotations

import gc
from pathlib import Path

import pytest

from hub.sources.catalog import GRIDS, PARTY_MEMBERS, POPULATION
from hub.sources.problems import DeliveryRejected, Reason
from hub.sources.reading import read_delivery
from tests.sources.files import PARTY_HEADER, POP_HEADER, crlf, member, person, reasons, write

POP = "人口_20261115.csv"


def test_gb18030_crlf_population_file(tmp_path: Path) -> None:
    data = crlf([POP_HEADER, person("GA0000000001", "张三"), person("GA0000000002", "欧阳娜娜")])
    result = read_delivery(POPULATION, write(tmp_path, POP, data.encode("gb18030")))
    assert (result.encoding, result.encoding_mismatch) == ("gb18030", False)
    assert reasons(result) == []
    assert [(r.line, r.record_id, r.raw["姓名"]) for r in result.rows] == [
        (2, "GA0000000001", "张三"),
        (3, "GA0000000002", "欧阳娜娜"),
    ]
    assert result.rows[0].raw["居住地址编码"] == ""
    assert result.rows[0].text == person("GA0000000001", "张三")
    assert (result.rows_read, result.blank_lines, result.repeated_headers) == (2, 0, 0)


def test_utf8_bom_party_file_has_a_clean_first_column(tmp_path: Path) -> None:
    data = crlf([PARTY_HEADER, member("DJ00000001")]).encode("utf-8-sig")
    result = read_delivery(PARTY_MEMBERS, write(tmp_path, "党员_20261115.csv", data))
    assert (result.encoding, result.encoding_mismatch) == ("utf-8-sig", False)
    assert reasons(result) == []
    assert next(iter(result.rows[0].raw)) == "党员编号"
    assert result.rows[0].record_id == "DJ00000001"


def test_utf8_file_where_gb18030_was_expected_is_read_and_flagged(tmp_path: Path) -> None:
    data = crlf([POP_HEADER, person("GA0000000001", "张三")]).encode("utf-8")
    result = read_delivery(POPULATION, write(tmp_path, POP, data))
    assert (result.encoding, result.encoding_mismatch) == ("utf-8", True)
    assert result.rows[0].raw["姓名"] == "张三"
    assert any("gb18030" in note for note in result.notes)
    assert reasons(result) == []


def test_wrong_column_counts_are_quarantined_with_a_clear_message(tmp_path: Path) -> None:
    lines = [
        POP_HEADER,
        person("GA0000000001"),
        person("GA0000000002") + ",多余",
        person("GA0000000003").rsplit(",", 1)[0],
        person("GA0000000004"),
    ]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert reasons(result) == [(3, "wrong_column_count"), (4, "wrong_column_count")]
    first = result.problems[0]
    assert first.message == f"{POP} line 3: 14 cells where the header has 13 (wrong_column_count)"
    assert (first.record_id, first.raw) == ("GA0000000002", lines[2])
    assert [r.record_id for r in result.rows] == ["GA0000000001", "GA0000000004"]


def test_a_quoted_newline_keeps_physical_line_numbers(tmp_path: Path) -> None:
    lines = [POP_HEADER, person("GA0000000001", '"张\r\n三"'), person("GA0000000002")]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert result.reconciles
    assert [(r.line, r.raw["姓名"]) for r in result.rows] == [(2, "张\r\n三"), (4, "张三")]
    assert result.rows[0].text == lines[1]


@pytest.mark.parametrize("codec", ["gb18030", "utf-8"])
def test_truncated_last_line_is_a_problem_not_a_rejection(tmp_path: Path, codec: str) -> None:
    text = crlf(
        [POP_HEADER, person("GA0000000001"), person("GA0000000002")[:30]], final_newline=False
    )
    result = read_delivery(POPULATION, write(tmp_path, POP, text.encode(codec)))
    assert reasons(result) == [(3, "truncated_line")]
    assert result.encoding == codec
    assert [r.record_id for r in result.rows] == ["GA0000000001"]


@pytest.mark.parametrize("codec", ["gb18030", "utf-8"])
def test_last_line_cut_inside_a_character(tmp_path: Path, codec: str) -> None:
    # Every cell is there, but the last one (an extra free-text column) lost half a character.
    header = POP_HEADER + ",备注"
    last = person("GA0000000002") + ",龙浔镇英山"
    data = crlf([header, person("GA0000000001") + ",无", last], final_newline=False)
    result = read_delivery(POPULATION, write(tmp_path, POP, data.encode(codec)[:-1]))
    assert result.encoding == codec
    assert reasons(result) == [(3, "truncated_line")]
    assert result.problems[0].raw.endswith("龙浔镇英\ufffd")


def test_last_line_without_line_break_is_truncated_even_when_its_cells_count(
    tmp_path: Path,
) -> None:
    # Cut right after the last comma: 13 cells, the last one empty. Only the missing CRLF
    # that ends every line of the contract's CSVs shows the row is incomplete.
    data = crlf([POP_HEADER, person("GA0000000001"), person("GA0000000002")], final_newline=False)
    data = data[: data.rindex(",") + 1]
    result = read_delivery(POPULATION, write(tmp_path, POP, data.encode("gb18030")))
    assert reasons(result) == [(3, "truncated_line")]
    assert [r.line for r in result.rows] == [2]
    assert result.reconciles


def test_repeated_headers_and_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    columns = POPULATION.columns
    reordered = ",".join((columns[2], columns[0], *columns[3:], columns[1]))
    moved = person("GA0000000004", "赵六").split(",")
    lines = [
        POP_HEADER,
        person("GA0000000001"),
        "",
        POP_HEADER,
        person("GA0000000002"),
        "  ,  ",
        "\ufeff" + POP_HEADER,
        person("GA0000000003"),
        reordered,
        ",".join((moved[2], moved[0], *moved[3:], moved[1])),
        "",
    ]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("utf-8")))
    assert reasons(result) == []
    assert (result.rows_read, result.repeated_headers, result.blank_lines) == (4, 3, 3)
    last = result.rows[-1]
    assert (last.line, last.record_id, last.raw["姓名"]) == (10, "GA0000000004", "赵六")


def test_duplicate_ids_missing_ids_and_missing_names(tmp_path: Path) -> None:
    lines = [
        POP_HEADER,
        person("GA0000000001", "张三"),
        person("GA0000000001", "张三丰"),
        person(" ", "李四"),
        person("GA0000000002", " \u3000 "),
        person("GA0000000003", ""),
    ]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert reasons(result) == [
        (3, "duplicate_record_id"),
        (4, "missing_record_id"),
        (5, "missing_name"),
        (6, "missing_name"),
    ]
    assert [(r.record_id, r.raw["姓名"]) for r in result.rows] == [("GA0000000001", "张三")]
    duplicate = result.problems[0]
    assert "already seen on line 2" in duplicate.message
    assert (duplicate.record_id, duplicate.field) == ("GA0000000001", "人员编号")
    assert result.problems[2].field == "姓名"


def test_record_ids_are_stripped(tmp_path: Path) -> None:
    lines = [POP_HEADER, person(" GA0000000001 ")]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert result.reconciles
    assert result.rows[0].record_id == "GA0000000001"
    assert result.rows[0].raw["人员编号"] == " GA0000000001 "


def test_column_order_may_differ_and_extra_columns_are_kept(tmp_path: Path) -> None:
    header = ["网格名称", "备注", *(c for c in GRIDS.columns if c != "网格名称")]
    row = ["龙浔镇", "新增", "350526100", "乡镇", "", "", "", ""]
    data = crlf([",".join(header), ",".join(row)]).encode("utf-8")
    result = read_delivery(GRIDS, write(tmp_path, "网格_20261115.csv", data))
    assert reasons(result) == []
    assert result.rows[0].record_id == "350526100"
    assert result.rows[0].raw["网格名称"] == "龙浔镇"
    assert result.rows[0].raw["备注"] == "新增"


def test_header_cells_are_stripped(tmp_path: Path) -> None:
    header = ",".join(f" {c}\u3000" for c in GRIDS.columns)
    data = crlf([header, "350526100,龙浔镇,乡镇,,,,"]).encode("utf-8")
    result = read_delivery(GRIDS, write(tmp_path, "网格_20261115.csv", data))
    assert result.reconciles
    assert result.rows[0].raw["网格名称"] == "龙浔镇"


def test_missing_columns_reject_the_delivery(tmp_path: Path) -> None:
    header = ",".join(c for c in POPULATION.columns if c not in ("姓名", "户号"))
    data = crlf([header, "x"]).encode("gb18030")
    with pytest.raises(DeliveryRejected, match="姓名, 户号") as caught:
        read_delivery(POPULATION, write(tmp_path, POP, data))
    assert caught.value.file == POP


def test_an_empty_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DeliveryRejected, match="empty"):
        read_delivery(POPULATION, write(tmp_path, POP, b"\r\n"))


def test_a_file_that_is_not_decodable_is_rejected(tmp_path: Path) -> None:
    data = POP_HEADER.encode("gb18030") + b"\r\n\xff\xff\xff\r\n"
    with pytest.raises(DeliveryRejected, match="neither UTF-8"):
        read_delivery(POPULATION, write(tmp_path, POP, data))


def test_a_stray_carriage_return_is_an_unreadable_line(tmp_path: Path) -> None:
    lines = [POP_HEADER, person("GA0000000001", "张\r三"), person("GA0000000002")]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert reasons(result) == [(2, Reason.UNREADABLE_LINE.value)]
    assert [r.line for r in result.rows] == [3]


def test_a_trailing_comma_on_every_line_adds_no_column(tmp_path: Path) -> None:
    lines = [POP_HEADER + ",", person("GA0000000001") + ",", person("GA0000000002") + ",x"]
    result = read_delivery(POPULATION, write(tmp_path, POP, crlf(lines).encode("gb18030")))
    assert reasons(result) == []
    assert list(result.rows[0].raw) == list(POPULATION.columns)
    assert any("without a header" in note for note in result.notes)


def test_a_repeated_column_name_is_rejected(tmp_path: Path) -> None:
    data = crlf([POP_HEADER + ",姓名", person("GA0000000001") + ",张三"]).encode("gb18030")
    with pytest.raises(DeliveryRejected, match="repeats the column"):
        read_delivery(POPULATION, write(tmp_path, POP, data))


def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    data = crlf([POP_HEADER, person("GA0000000001")]).encode("gb18030")
    assert gc.isenabled()
    read_delivery(POPULATION, write(tmp_path, POP, data))
    assert gc.isenabled()


def test_a_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DeliveryRejected, match="cannot be read"):
        read_delivery(POPULATION, tmp_path / POP)
