from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from hub.sources.catalog import ASSISTANCE, POPULATION
from hub.sources.landing import discover, newest, sha256_file


def touch(landing: Path, relative: str, data: bytes = b"x") -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_deliveries_and_ignored_files_with_reasons(tmp_path: Path) -> None:
    touch(tmp_path, "gongan/人口_20261201.csv", b"12345")
    touch(tmp_path, "gongan/人口_20261115.csv")
    touch(tmp_path, "gongan/标准地址_20261115.csv")
    touch(tmp_path, "minzheng/救助对象_202611.xlsx")
    touch(tmp_path, "gongan/人口_20261202.csv.tmp")
    touch(tmp_path, "gongan/人口-20261115.csv")
    touch(tmp_path, "gongan/人口_20261332.csv")
    touch(tmp_path, "minzheng/人口_20261115.csv")
    touch(tmp_path, "minzheng/救助对象_20261115.xlsx")
    touch(tmp_path, "shebao/参保_20261115.csv")
    touch(tmp_path, "readme.txt")
    found = discover(tmp_path)
    assert [
        (d.dataset.key, d.path.name, d.date_token, d.snapshot_date, d.size)
        for d in found.deliveries
    ] == [
        ("gongan.address", "标准地址_20261115.csv", "20261115", dt.date(2026, 11, 15), 1),
        ("gongan.population", "人口_20261115.csv", "20261115", dt.date(2026, 11, 15), 1),
        ("gongan.population", "人口_20261201.csv", "20261201", dt.date(2026, 12, 1), 5),
        ("minzheng.assistance", "救助对象_202611.xlsx", "202611", dt.date(2026, 11, 1), 1),
    ]
    assert {str(i.path.relative_to(tmp_path)): i.reason for i in found.ignored} == {
        "gongan/人口_20261202.csv.tmp": ".tmp file still being copied",
        "gongan/人口-20261115.csv": "name does not follow the pattern 人口_YYYYMMDD.csv",
        "gongan/人口_20261332.csv": "impossible date 20261332",
        "minzheng/人口_20261115.csv": "a gongan file in the minzheng folder",
        "minzheng/救助对象_20261115.xlsx": "name does not follow the pattern 救助对象_YYYYMM.xlsx",
        "shebao": "unknown source folder",
        "readme.txt": "not in a source folder",
    }


def test_newest_is_by_the_date_in_the_name(tmp_path: Path) -> None:
    touch(tmp_path, "gongan/人口_20261201.csv")
    touch(tmp_path, "gongan/人口_20261115.csv")  # written later, but an older snapshot
    touch(tmp_path, "minzheng/救助对象_202610.xlsx")
    latest = newest(discover(tmp_path).deliveries)
    assert {key: d.path.name for key, d in latest.items()} == {
        POPULATION.key: "人口_20261201.csv",
        ASSISTANCE.key: "救助对象_202610.xlsx",
    }


def test_sha256_of_a_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000
    assert sha256_file(touch(tmp_path, "f", data)) == hashlib.sha256(data).hexdigest()


def test_a_missing_landing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        discover(tmp_path / "nowhere")
