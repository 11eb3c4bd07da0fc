"""The truth files agree with the landing files, and group records sensibly."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import pytest

from hub.sources.catalog import (
    ADDRESSES,
    ASSISTANCE,
    BY_KEY,
    DOOR_PLATES,
    GRIDS,
    HEALTH_GROUPS,
    PARTY_MEMBERS,
    POPULATION,
    REPORTS,
    VACCINATIONS,
    FileFormat,
)
from tests.generate.conftest import ALL_KEYS, Generated
from tests.generate.reading import Row, read_truth

PEOPLE = [POPULATION, ASSISTANCE, VACCINATIONS, HEALTH_GROUPS, PARTY_MEMBERS]
ID_COLUMNS = {
    POPULATION.key: "公民身份号码",
    ASSISTANCE.key: "身份证号",
    VACCINATIONS.key: "id_no",
    HEALTH_GROUPS.key: "id_no",
    PARTY_MEMBERS.key: "身份证号码",
}


def _valid_id(value: object) -> str | None:
    """The ID if it is a clean, check-digit-valid 18-character resident ID."""
    text = str(value).strip().upper() if isinstance(value, str) else ""
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return None
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(text[:17], weights, strict=True))
    return text if "10X98765432"[total % 11] == text[17] else None


def _records(generated: Generated, key: str) -> dict[str, dict[str, Any]]:
    """Record id -> values of the good rows of both snapshots (the newer wins)."""
    field = BY_KEY[key].record_id_field
    return {str(row[field]): row for s in (0, 1) for row in generated.good(key, s)}


@pytest.mark.parametrize("key", [k for k in ALL_KEYS if k != GRIDS.key])
@pytest.mark.parametrize("snapshot", [0, 1])
def test_bad_rows_are_where_the_truth_says_and_only_there(
    generated: Generated, key: str, snapshot: int
) -> None:
    dataset = BY_KEY[key]
    file = generated.file(key, snapshot)
    listed = generated.bad_lines(key, snapshot)
    assert listed, "no bad rows in the file"
    seen: set[str] = set()
    last = file.rows[-1].line
    for row in file.rows:
        reason = _why_bad(
            dataset.key, row, seen, is_last=row.line == last and not file.final_newline
        )
        expected = listed.get(row.line, {}).get("reason")
        assert reason == expected, f"{file.path.name} line {row.line}: {reason} != {expected}"
        if expected is not None and expected not in ("missing_record_id", "truncated_line"):
            assert listed[row.line]["record_id"] in row.raw.replace("\\", "")
    assert set(listed) <= {r.line for r in file.rows}


def _why_bad(key: str, row: Row, seen: set[str], *, is_last: bool) -> str | None:
    """What a strict loader would quarantine the row for (None: a good row)."""
    dataset = BY_KEY[key]
    if is_last:
        return "truncated_line"
    if row.values is None:
        if dataset.file_format is FileFormat.CSV:
            return "wrong_column_count"
        if dataset.file_format is FileFormat.GEOJSON:
            return "not_an_object"
        try:
            json.loads(row.raw)
        except json.JSONDecodeError:
            return "unreadable_json"
        return "not_an_object"
    record_id = row.values.get(dataset.record_id_field)
    if record_id in ("", None):
        return "missing_record_id"
    if not dataset.record_id_regex.fullmatch(str(record_id)):
        return "malformed_record_id"
    if str(record_id) in seen:
        return "duplicate_record_id"
    seen.add(str(record_id))
    if dataset.name_field is not None and not str(row.values[dataset.name_field] or "").strip():
        return "missing_name"
    if dataset.file_format is FileFormat.GEOJSON:
        geometry = row.extra.get("geometry")
        if not geometry or len(geometry.get("coordinates") or []) != 2:
            return "invalid_geometry"
    return None


def test_every_truth_record_is_in_the_files_and_every_person_record_in_the_truth(
    generated: Generated,
) -> None:
    persons = generated.persons()
    for dataset in PEOPLE:
        records = _records(generated, dataset.key)
        listed = {rid for (key, rid) in persons if key == dataset.key}
        assert listed == set(records), dataset.key
    reports = _records(generated, REPORTS.key)
    reporters = {rid for (key, rid) in persons if key == REPORTS.key}
    assert reporters and reporters < set(reports)
    houses = read_truth(generated.truth / "houses.csv")
    for key in {row["dataset"] for row in houses}:
        records = _records(generated, key)
        assert all(row["record_id"] in records for row in houses if row["dataset"] == key), key


def test_records_of_one_person_agree_on_birth_date_and_sex(generated: Generated) -> None:
    births: dict[str, set[str]] = defaultdict(set)
    months: dict[str, set[str]] = defaultdict(set)
    sexes: dict[str, set[str]] = defaultdict(set)
    persons = generated.persons()
    for dataset in PEOPLE:
        for rid, row in _records(generated, dataset.key).items():
            person = persons[(dataset.key, rid)]
            id18 = _valid_id(row[ID_COLUMNS[dataset.key]])
            if id18 is not None:
                births[person].add(id18[6:14])
                sexes[person].add("男" if int(id18[16]) % 2 else "女")
            if dataset is POPULATION:
                births[person].add(str(row["出生日期"]))
                sexes[person].add(str(row["性别"]))
            elif dataset is VACCINATIONS:
                births[person].add(str(row["birth_date"]).replace("-", ""))
            elif dataset is PARTY_MEMBERS:
                months[person].add(re.sub(r"\D", "", str(row["出生年月"])))
                sexes[person].add(str(row["性别"]))
    assert len(births) > 1000
    assert all(len(b) == 1 for b in births.values())
    assert all(len(s) == 1 for s in sexes.values())
    for person, month in months.items():
        assert month == {next(iter(births[person]))[:6]}


def test_houses_point_at_standard_addresses(generated: Generated) -> None:
    houses = read_truth(generated.truth / "houses.csv")
    address = {r["record_id"]: r for r in houses if r["dataset"] == ADDRESSES.key}
    assert set(address) == set(_records(generated, ADDRESSES.key))
    buildings: dict[str, set[str]] = defaultdict(set)
    for code, row in address.items():
        assert row["house_key"] and row["building_key"]
        buildings[code[:16]].add(row["building_key"])
    assert all(len(keys) == 1 for keys in buildings.values())
    assert len({k for keys in buildings.values() for k in keys}) == len(buildings)
    assert len({a["house_key"] for a in address.values()}) == len(address)
    population = _records(generated, POPULATION.key)
    for row in houses:
        if row["dataset"] == POPULATION.key:
            code = str(population[row["record_id"]]["居住地址编码"])
            assert address[code]["house_key"] == row["house_key"]
        elif row["dataset"] in (ASSISTANCE.key, PARTY_MEMBERS.key):
            assert row["house_key"] in {a["house_key"] for a in address.values()}
    plates = [r for r in houses if r["dataset"] == DOOR_PLATES.key]
    assert plates and all(r["house_key"] == "" for r in plates)
    assert {r["building_key"] for r in plates} == {a["building_key"] for a in address.values()}


def test_damaged_fields_are_damaged_as_listed(generated: Generated) -> None:
    issues = read_truth(generated.truth / "field_issues.csv")
    assert issues
    records = {key: _records(generated, key) for key in {i["dataset"] for i in issues}}
    for issue in issues:
        row = records[issue["dataset"]].get(issue["record_id"])
        assert row is not None, issue
        value = row[issue["field"]]
        code = issue["code"]
        text = str(value).strip().upper() if isinstance(value, str) else ""
        if code == "invalid_id_checksum":
            assert re.fullmatch(r"\d{17}[\dX]", text) and _valid_id(text) is None
        elif code == "legacy_id_upgraded":
            assert re.fullmatch(r"\d{15}", text)
        elif code == "excel_mangled_id":
            assert isinstance(value, float)
        elif code == "invalid_id_format":
            assert not re.fullmatch(r"\d{15}|\d{17}|\d{17}[\dX]", text)
        elif code == "invalid_date":
            assert isinstance(value, str) and _unparseable(value)
        elif code == "invalid_phone":
            assert not re.fullmatch(r"1\d{10}|0595-23\d{6}", str(value))
        elif code == "id_conflict":
            id18 = _valid_id(row["身份证号"])
            assert id18 is not None and value != ("男" if int(id18[16]) % 2 else "女")
        else:
            pytest.fail(f"unexpected code {code}")


def _unparseable(text: str) -> bool:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(numbers) == 1:
        n = str(numbers[0])
        numbers = [int(n[:4]), int(n[4:6]), int(n[6:])]
    try:
        date(*numbers)
    except (TypeError, ValueError):
        return True
    return False


def test_the_truth_never_lands_in_the_landing_folder(generated: Generated) -> None:
    names = {p.name for p in generated.landing.rglob("*")}
    assert not names & {"persons.csv", "houses.csv", "bad_rows.csv", "field_issues.csv",
                        "manifest.json"}  # fmt: skip
    manifest = json.loads((generated.truth / "manifest.json").read_text(encoding="utf-8"))
    assert [s["date"] for s in manifest["snapshots"]] == ["20261115", "20261215"]
    assert manifest["options"]["residents"] == generated.options.residents
    assert manifest["seed"] == generated.options.seed
    for snapshot in manifest["snapshots"]:
        for path, info in snapshot["files"].items():
            assert (generated.landing / path).stat().st_size == info["bytes"]
    assert datetime.strptime(manifest["snapshots"][1]["date"], "%Y%m%d")
