from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.sources.catalog import HEALTH_GROUPS, REPORTS, VACCINATIONS
from hub.sources.problems import DeliveryRejected
from hub.sources.reading import content_hash, read_delivery
from tests.sources.files import reasons, write

FILE = "接种记录_20261115.jsonl"


def shot(record_id: Any, name: str | None = "陳大文", **over: Any) -> str:
    record = {
        "record_id": record_id,
        "id_type": "居民身份证",
        "id_no": "350526198001011234",
        "name": name,
        "phone": "",
        "birth_date": "1980-01-01",
        "vaccine": "乙肝疫苗",
        "dose": 2,
        "vaccinated_at": "2022-03-14T09:30:00+08:00",
        "site": "龙浔镇卫生院",
    }
    record.update(over)
    return json.dumps(record, ensure_ascii=False)


def jsonl(lines: list[str], *, final_newline: bool = True) -> bytes:
    return ("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8")


def test_objects_keep_their_json_types(tmp_path: Path) -> None:
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl([shot("WJ000000000001")])))
    assert (result.encoding, result.encoding_mismatch) == ("utf-8", False)
    assert reasons(result) == []
    row = result.rows[0]
    assert (row.line, row.record_id, row.raw["dose"], row.raw["name"]) == (
        1,
        "WJ000000000001",
        2,
        "陳大文",
    )
    assert row.text == shot("WJ000000000001")


def test_broken_lines_non_objects_and_blank_lines(tmp_path: Path) -> None:
    lines = [
        shot("WJ000000000001"),
        '{"record_id": "WJ000000000002", "name": ',
        "",
        '["WJ000000000003"]',
        "  ",
        '{"record_id": "WJ000000000004", "dose": NaN}',
        shot("WJ000000000005"),
    ]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl(lines)))
    assert reasons(result) == [(2, "unreadable_json"), (4, "not_an_object"), (6, "unreadable_json")]
    assert "a JSON array where an object was expected" in result.problems[1].message
    assert result.problems[0].message.startswith(f"{FILE} line 2: not valid JSON")
    assert [r.line for r in result.rows] == [1, 7]
    assert (result.rows_read, result.blank_lines) == (5, 2)


def test_truncated_last_line(tmp_path: Path) -> None:
    lines = [shot("WJ000000000001"), shot("WJ000000000002")[:40]]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl(lines, final_newline=False)))
    assert reasons(result) == [(2, "truncated_line")]


def test_a_broken_last_line_with_its_newline_is_unreadable_not_truncated(tmp_path: Path) -> None:
    lines = [shot("WJ000000000001"), shot("WJ000000000002")[:40]]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl(lines)))
    assert reasons(result) == [(2, "unreadable_json")]


def test_truncated_last_line_cut_inside_a_character_stays_utf8(tmp_path: Path) -> None:
    data = jsonl([shot("WJ000000000001"), shot("WJ000000000002")], final_newline=False)
    cut = data[: data.rindex("陳".encode()) + 2]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, cut))
    assert result.encoding == "utf-8"
    assert reasons(result) == [(2, "truncated_line")]
    assert result.rows[0].raw["name"] == "陳大文"


def test_complete_last_line_without_newline_is_a_row(tmp_path: Path) -> None:
    data = jsonl([shot("WJ000000000001"), shot("WJ000000000002")], final_newline=False)
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, data))
    assert reasons(result) == []
    assert len(result.rows) == 2


def test_crlf_line_endings_are_accepted(tmp_path: Path) -> None:
    data = (shot("WJ000000000001") + "\r\n" + shot("WJ000000000002") + "\r\n").encode()
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, data))
    assert reasons(result) == []
    assert not result.rows[0].text.endswith("\r")


def test_ids_and_names(tmp_path: Path) -> None:
    lines = [
        shot("WJ000000000001"),
        shot("WJ000000000001", "李四"),
        shot(""),
        shot("WJ000000000002", "\u3000"),
        shot("WJ000000000003", None),
        shot(["WJ000000000004"]),
        shot("WJ000000000005"),
    ]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl(lines)))
    assert reasons(result) == [
        (2, "duplicate_record_id"),
        (3, "missing_record_id"),
        (4, "missing_name"),
        (5, "missing_name"),
        (6, "malformed_record_id"),
    ]
    assert [r.record_id for r in result.rows] == ["WJ000000000001", "WJ000000000005"]


def test_reports_have_no_name_and_keep_null_and_numbers(tmp_path: Path) -> None:
    report = {
        "event_id": "CG20261115000001",
        "category": "其他",
        "description": "",
        "address": "",
        "lng": 118.24,
        "lat": 25.49,
        "reported_at": "",
        "reporter_phone": "",
        "status": "已提交",
        "department": "",
        "rating": None,
        "points": 3,
    }
    data = jsonl([json.dumps(report, ensure_ascii=False)])
    result = read_delivery(REPORTS, write(tmp_path, "随手拍_20261115.jsonl", data))
    assert reasons(result) == []
    assert result.rows[0].raw == report


def test_a_file_without_the_record_id_member_is_rejected(tmp_path: Path) -> None:
    data = jsonl([shot("WJ000000000001")])
    with pytest.raises(DeliveryRejected, match="'record_id'"):
        read_delivery(
            HEALTH_GROUPS,
            write(tmp_path, "重点人群_20261115.jsonl", data.replace(b"record_id", b"id")),
        )


def test_known_lines_are_taken_unchanged_without_parsing(tmp_path: Path) -> None:
    same, other = shot("WJ000000000001"), shot("WJ000000000002")
    changed = shot("WJ000000000003", vaccine="流感疫苗")
    lines = [same, "", other, changed, same, other]  # the last line is parsed all the same
    known = {content_hash(same): "WJ000000000001", content_hash(other): "WJ000000000002",
             content_hash(shot("WJ000000000003")): "WJ000000000003"}  # fmt: skip
    path = write(tmp_path, FILE, jsonl(lines))
    result = read_delivery(VACCINATIONS, path, known=known)
    assert result.unchanged == ["WJ000000000001", "WJ000000000002"]
    assert [row.record_id for row in result.rows] == ["WJ000000000003"]
    # A repeated line is a repeated id, known or not.
    assert [(p.line, p.reason.value, p.record_id) for p in result.problems] == [
        (5, "duplicate_record_id", "WJ000000000001"),
        (6, "duplicate_record_id", "WJ000000000002"),
    ]
    assert (result.rows_read, result.blank_lines, result.reconciles) == (5, 1, True)
    plain = read_delivery(VACCINATIONS, path)
    assert [(p.line, p.message, p.raw) for p in plain.problems] == [
        (p.line, p.message, p.raw) for p in result.problems
    ]
    assert plain.rows_read == result.rows_read and not plain.unchanged


def test_a_line_missing_most_members_is_quarantined(tmp_path: Path) -> None:
    """The contract writes a missing text value as "": a line with only its id, name and ID
    number lost the rest of the record on the way."""
    cut = json.dumps({"record_id": "WJ000000000002", "name": "陈大文",
                      "id_no": "350526198001011234"}, ensure_ascii=False)  # fmt: skip
    child = shot("WJ000000000003", id_type="无", id_no="", phone="")  # 7 of 10: a real row
    lines = [shot("WJ000000000001"), cut, child]
    result = read_delivery(VACCINATIONS, write(tmp_path, FILE, jsonl(lines)))
    assert reasons(result) == [(2, "mostly_empty")]
    assert [r.record_id for r in result.rows] == ["WJ000000000001", "WJ000000000003"]
    assert "only 3 of 10 columns have a value (empty or missing: id_type, phone" in (
        result.problems[0].message
    )
