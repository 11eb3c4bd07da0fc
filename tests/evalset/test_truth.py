"""The truth files against the delivered files: every person record is placed (or listed as
undecidable with a reason), every key resolves, the next snapshot keeps what was true."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import openpyxl

from tests.evalset.conftest import RESIDENTS, Generated
from tests.evalset.test_formats import PATTERNS, complete_lines, csv_rows, deliveries


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def delivered_person_records(landing: Path) -> dict[tuple[str, str], dict[str, object]]:
    """Every record of the person datasets in every delivery (complete lines), read from the
    files alone."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for path in deliveries(landing, r"人口_\d{8}\.csv"):
        header, rows = csv_rows(path, "gb18030")
        for row in rows:
            out[("gongan.population", row[0])] = dict(zip(header, row, strict=True))
    for path in deliveries(landing, r"党员_\d{8}\.csv"):
        header, rows = csv_rows(path, "utf-8-sig")
        for row in rows:
            out[("dangjian.member", row[0])] = dict(zip(header, row, strict=True))
    for path in deliveries(landing, PATTERNS["minzheng"]):
        sheet = openpyxl.load_workbook(path)["救助对象"]
        rows = list(sheet.iter_rows(values_only=True))
        for row in rows[2:]:
            if row[0] and str(row[0]).startswith("MZ"):
                out[("minzheng.assistance", str(row[0]))] = dict(zip(rows[1], row, strict=True))
    for name, dataset in (
        ("接种记录", "weijian.vaccination"),
        ("重点人群", "weijian.health_group"),
    ):
        for path in deliveries(landing, rf"{name}_\d{{8}}\.jsonl"):
            for line in complete_lines(path.read_bytes(), "utf-8")[1]:
                obj = json.loads(line)
                out[(dataset, obj["record_id"])] = obj
    return out


def test_every_delivered_person_record_is_in_the_truth_or_said_undecidable(
    generated: Generated,
) -> None:
    persons = {(r["dataset"], r["record_id"]) for r in read(generated.truth / "persons.csv")}
    undecidable = {
        (r["dataset"], r["record_id"]): r["reason"]
        for r in read(generated.truth / "undecidable.csv")
    }
    records = delivered_person_records(generated.landing)
    missing = [k for k in records if k not in persons and k not in undecidable]
    assert not missing
    assert all(undecidable[k] for k in records if k not in persons)
    # Nothing in persons.csv that no delivery holds (reports and grids checked below).
    for dataset, record_id in persons:
        if dataset not in ("chengguan.report", "wangge.grid"):
            assert (dataset, record_id) in records


def test_reporters_and_grid_workers_are_known_residents(generated: Generated) -> None:
    persons = read(generated.truth / "persons.csv")
    residents = {r["person_key"]: r for r in read(generated.truth / "residents.csv")}
    path = deliveries(generated.landing, r"网格_\d{8}\.csv")[-1]
    _, rows = csv_rows(path, "utf-8")
    staffed = {r[0] for r in rows if r[4]}
    grid_rows = {r["record_id"] for r in persons if r["dataset"] == "wangge.grid"}
    assert grid_rows == staffed
    reports = {r["record_id"] for r in persons if r["dataset"] == "chengguan.report"}
    assert reports
    for row in persons:
        if row["dataset"] in ("chengguan.report", "wangge.grid"):
            assert residents[row["person_key"]]["status"] != "visitor"


def test_every_key_resolves(generated: Generated) -> None:
    residents = {r["person_key"]: r for r in read(generated.truth / "residents.csv")}
    assert all(r["person_key"] in residents for r in read(generated.truth / "persons.csv"))
    codes: set[str] = set()
    for path in deliveries(generated.landing, r"标准地址_\d{8}\.csv"):
        codes.update(row[0] for row in csv_rows(path, "gb18030")[1])
    buildings = {c[:16] for c in codes}
    houses = read(generated.truth / "houses.csv")
    assert {r["dataset"] for r in houses} >= {
        "gongan.address",
        "gongan.population",
        "minzheng.assistance",
        "dangjian.member",
        "chengguan.door_plate",
        "chengguan.report",
    }
    for row in houses:
        assert row["building_key"] in buildings
        if row["house_key"]:
            assert row["house_key"] in codes and row["house_key"][:16] == row["building_key"]
    for resident in residents.values():
        if resident["active"] == "1" and resident["house_key"]:
            assert resident["house_key"] in codes
            assert resident["grid_code"].startswith(resident["house_key"][:12])


def test_residents_are_about_as_many_as_asked_in_the_countys_shape(generated: Generated) -> None:
    residents = [r for r in read(generated.truth / "residents.csv") if r["active"] == "1"]
    assert abs(len(residents) - RESIDENTS) < RESIDENTS * 0.03
    towns = Counter(r["township"] for r in residents)
    assert 0.72 < (towns["龙浔镇"] + towns["浔中镇"]) / len(residents) < 0.88
    houses = {p.name: p for p in generated.landing.glob("gongan/标准地址_*.csv")}
    latest = houses[max(houses)]
    count = len(csv_rows(latest, "gb18030")[1])
    assert 2.3 < len(residents) / count < 3.1  # houses ~ residents / 2.7
    elderly = sum(r["elderly"] == "1" for r in residents) / len(residents)
    assert 0.10 < elderly < 0.22


def test_tags_agree_with_the_records_behind_them(generated: Generated) -> None:
    """low_income needs a 低保 / 特困供养 row of the latest roster naming the person;
    vaccinated a dose in the latest delivery; living_alone no other active member of the
    household."""
    persons = {
        (r["dataset"], r["record_id"]): r["person_key"]
        for r in read(generated.truth / "persons.csv")
    }
    latest_roster = deliveries(generated.landing, PATTERNS["minzheng"])[-1]
    rows = list(openpyxl.load_workbook(latest_roster)["救助对象"].iter_rows(values_only=True))
    low = {
        persons.get(("minzheng.assistance", str(r[0])))
        for r in rows[2:]
        if r[0] and str(r[0]).startswith("MZ") and r[6] in ("低保", "特困供养")
    }
    latest_doses = deliveries(generated.landing, r"接种记录_\d{8}\.jsonl")[-1]
    dosed = {
        persons.get(("weijian.vaccination", json.loads(line)["record_id"]))
        for line in complete_lines(latest_doses.read_bytes(), "utf-8")[1]
    }
    residents = read(generated.truth / "residents.csv")
    households = Counter(r["household"] for r in residents if r["active"] == "1")
    for r in residents:
        if r["low_income"] == "1":
            assert r["person_key"] in low, r
        if r["vaccinated"] == "1" and r["status"] != "visitor":
            assert r["person_key"] in dosed or r["person_key"] not in persons.values(), r
        if r["living_alone"] == "1":
            assert households[r["household"]] == 1
    assert any(
        r["low_income"] == "1" and r["vaccinated"] == "0" and r["active"] == "1" for r in residents
    )
    assert any(r["elderly"] == "1" and r["living_alone"] == "1" for r in residents)


def test_the_next_snapshot_keeps_every_record_and_its_person(generated: Generated) -> None:
    before = {
        (r["dataset"], r["record_id"]): r["person_key"]
        for r in read(generated.first_truth / "persons.csv")
    }
    after = {
        (r["dataset"], r["record_id"]): r["person_key"]
        for r in read(generated.truth / "persons.csv")
    }
    assert before.keys() <= after.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert all(dataset == "wangge.grid" for dataset, _ in changed)  # a grid taken over
    new = Counter(dataset for dataset, _ in after.keys() - before.keys())
    for dataset in ("gongan.population", "weijian.vaccination", "chengguan.report"):
        assert new[dataset] > 0, new
    meta = json.loads((generated.truth / "meta.json").read_text(encoding="utf-8"))
    assert meta["dates"] == [generated.first_date, generated.second_date]


def test_the_next_snapshot_shows_births_deaths_and_moves(generated: Generated) -> None:
    before = {r["person_key"]: r for r in read(generated.first_truth / "residents.csv")}
    after = {r["person_key"]: r for r in read(generated.truth / "residents.csv")}
    born = [k for k in after.keys() - before.keys() if after[k]["birth_date"] >= "2026-11-30"]
    died = [k for k in before if before[k]["status"] == "active" and after[k]["status"] == "died"]
    moved = [
        k
        for k in before
        if before[k]["active"] == after[k]["active"] == "1"
        and before[k]["house_key"] != after[k]["house_key"]
    ]
    left = [
        k for k in before if before[k]["status"] == "active" and after[k]["status"] == "moved_away"
    ]
    assert born and died and moved and left
