"""The landing folder follows the contract: folders, names, encodings, headers, id formats."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from hub.generate import GenerateError, GenerateOptions, generate
from hub.sources.catalog import (
    ADDRESSES,
    ASSISTANCE,
    BY_KEY,
    COUNTY_CODE,
    DATASETS,
    DOOR_PLATES,
    GRIDS,
    SOURCES,
    TOWNSHIPS,
    FileFormat,
)
from tests.generate.conftest import ALL_KEYS, RESIDENTS, Generated


def test_every_source_folder_holds_its_files_named_by_the_catalog(generated: Generated) -> None:
    assert sorted(p.name for p in generated.landing.iterdir()) == sorted(SOURCES)
    for token in ("20261115", "20261215"):
        for dataset in DATASETS:
            path = generated.landing / dataset.source / dataset.file_name(token)
            assert path.is_file(), path
            assert dataset.pattern.match(path.name)
    assert (generated.landing / "minzheng" / "救助对象_202612.xlsx").is_file()
    leftovers = [p for p in generated.landing.rglob("*") if p.suffix == ".tmp"]
    assert leftovers == []


@pytest.mark.parametrize("key", ALL_KEYS)
def test_header_is_the_catalog_columns(generated: Generated, key: str) -> None:
    file = generated.file(key)
    assert file.header == list(BY_KEY[key].columns)


@pytest.mark.parametrize("key", [d.key for d in DATASETS if d.file_format is FileFormat.JSONL])
def test_json_lines_have_the_catalog_keys_in_order(generated: Generated, key: str) -> None:
    for row in generated.good(key):
        assert list(row) == list(BY_KEY[key].columns)


def test_workbook_has_a_title_row_above_the_header(generated: Generated) -> None:
    assert generated.file(ASSISTANCE.key).title == "德化县2026年11月救助对象花名册"
    assert generated.file(ASSISTANCE.key, 1).title == "德化县2026年12月救助对象花名册"


def test_door_plates_are_points_near_dehua(generated: Generated) -> None:
    bad = generated.bad_lines(DOOR_PLATES.key)
    features = [r.extra for r in generated.file(DOOR_PLATES.key).rows if r.line not in bad]
    assert features
    for feature in features:
        assert feature["geometry"]["type"] == "Point"
        lng, lat = feature["geometry"]["coordinates"]
        assert 117.8 < lng < 118.6 and 25.3 < lat < 26.0


@pytest.mark.parametrize("key", ALL_KEYS)
def test_record_ids_follow_the_source_format_and_are_unique(generated: Generated, key: str) -> None:
    pattern = BY_KEY[key].record_id_regex
    field = BY_KEY[key].record_id_field
    ids = [str(row[field]) for row in generated.good(key)]
    assert ids and all(pattern.fullmatch(i) for i in ids), [
        i for i in ids if not pattern.fullmatch(i)
    ][:5]
    assert len(ids) == len(set(ids))


def test_grid_hierarchy_has_full_county_size_whatever_the_residents(generated: Generated) -> None:
    rows = generated.good(GRIDS.key)
    levels = Counter(str(r["层级"]) for r in rows)
    assert levels == {"乡镇": 18, "一级网格": 217, "单元网格": 618, "责任网格": 794}
    lengths = {"乡镇": 9, "一级网格": 12, "单元网格": 15, "责任网格": 17}
    codes = {str(r["网格编码"]) for r in rows}
    for r in rows:
        code, parent = str(r["网格编码"]), str(r["上级编码"])
        assert code.startswith(COUNTY_CODE) and len(code) == lengths[str(r["层级"])]
        assert parent == "" if r["层级"] == "乡镇" else code.startswith(parent) and parent in codes
        if r["层级"] in ("单元网格", "责任网格"):
            assert r["网格员"] and re.fullmatch(r"1\d{10}", str(r["网格员电话"]))
    assert {r["网格名称"] for r in rows if r["层级"] == "乡镇"} == set(TOWNSHIPS)
    names = [str(r["网格名称"]) for r in rows if r["层级"] == "责任网格"]
    assert all(
        re.fullmatch(r".+(社区|村)第[一二三四五六七八九十]+网格\d+号责任网格", n) for n in names
    )


def test_responsibility_grids_list_the_buildings_of_the_standard_addresses(
    generated: Generated,
) -> None:
    addresses = generated.good(ADDRESSES.key)
    buildings = {str(r["楼栋编码"]) for r in addresses}
    for r in addresses:
        assert str(r["地址编码"])[:16] == r["楼栋编码"]
    listed = [
        code
        for r in generated.good(GRIDS.key)
        if r["层级"] == "责任网格" and r["楼栋编码"]
        for code in str(r["楼栋编码"]).split(";")
    ]
    assert len(listed) == len(set(listed)) and set(listed) == buildings
    by_grid = {str(r["网格编码"]): str(r["楼栋编码"]) for r in generated.good(GRIDS.key)}
    for grid, codes in by_grid.items():
        for code in filter(None, codes.split(";")):
            assert code[:12] == grid[:12], "a building outside its village's grids"


def test_houses_scale_with_residents(generated: Generated) -> None:
    houses = len(generated.good(ADDRESSES.key))
    assert 0.3 * RESIDENTS < houses < 0.6 * RESIDENTS  # about 123,000 houses for 334,400 residents
    purposes = Counter(str(r["房屋用途"]) for r in generated.good(ADDRESSES.key))
    assert purposes["住宅"] > houses / 2 and purposes["商铺"] + purposes["厂房"] > 0


def test_most_people_live_in_the_two_central_towns(generated: Generated) -> None:
    towns = {str(r["地址编码"]): str(r["乡镇"]) for r in generated.good(ADDRESSES.key)}
    rows = [r for r in generated.good("gongan.population") if r["注销标志"] == "0"]
    placed = [towns[str(r["居住地址编码"])] for r in rows if r["居住地址编码"]]
    central = sum(t in ("龙浔镇", "浔中镇") for t in placed) / len(placed)
    assert 0.7 < central < 0.9


def test_truth_folder_inside_the_landing_folder_is_refused(tmp_path: Path) -> None:
    options = GenerateOptions(
        residents=10, out=tmp_path / "landing", truth=tmp_path / "landing" / "t"
    )
    with pytest.raises(GenerateError, match="truth folder"):
        generate(options)


def test_noise_zero_writes_clean_files(tmp_path: Path) -> None:
    options = GenerateOptions(residents=300, noise=0, out=tmp_path / "l", truth=tmp_path / "t")
    report = generate(options)
    assert all(f.bad_rows == 0 for f in report.files)
    for name in ("bad_rows.csv", "field_issues.csv"):
        assert len((options.truth / name).read_text(encoding="utf-8").splitlines()) == 1
