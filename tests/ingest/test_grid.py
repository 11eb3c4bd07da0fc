"""The grid reference becomes the grid tables; a newer reference ends what it no longer lists."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.service import ingest_landing
from hub.sources import catalog
from hub.storage.models import Grid, GridBuilding, GridLevel
from tests.ingest.files import write_csv

ROWS = [
    ["350526001", "龙浔镇", "乡镇", "", "", "", ""],
    ["350526001001", "英山社区", "一级网格", "350526001", "", "", ""],
    ["350526001001001", "英山社区第一网格", "单元网格", "350526001001", "王五", "13800000001", ""],
    ["35052600100100101", "英山社区第一网格1号责任网格", "责任网格", "350526001001001", "李四",
     "13800000002", "3505261001010001;3505261001010002"],
    ["35052600100100102", "英山社区第一网格2号责任网格", "责任网格", "350526001001001", "赵六",
     "13800000003", "3505261001010002;3505261001010003"],
]  # fmt: skip


def _write(landing: Path, date: str, rows: list[list[str]]) -> None:
    path = landing / "wangge" / catalog.GRIDS.file_name(date)
    write_csv(path, catalog.GRIDS.columns, rows, encoding="utf-8")


def test_grid_reference_loads_levels_parents_and_buildings(engine: Engine, landing: Path) -> None:
    _write(landing, "20261115", ROWS)
    report = ingest_landing(sessionmaker(engine), landing)
    assert report.grid is not None
    assert report.grid.grids == {"乡镇": 1, "一级网格": 1, "单元网格": 1, "责任网格": 2}
    assert any("3505261001010002" in p for p in report.grid.problems)  # listed twice
    with Session(engine) as s:
        leaf = s.get(Grid, "35052600100100101")
        assert leaf is not None and leaf.level is GridLevel.RESPONSIBILITY
        assert leaf.parent_code == "350526001001001" and leaf.worker_phone == "13800000002"
        owners = dict(s.execute(select(GridBuilding.building_code, GridBuilding.grid_code)).all())
    assert owners == {
        "3505261001010001": "35052600100100101",
        "3505261001010002": "35052600100100101",  # the first listing wins
        "3505261001010003": "35052600100100102",
    }


def test_a_newer_reference_ends_grids_it_no_longer_lists(engine: Engine, landing: Path) -> None:
    _write(landing, "20261015", ROWS)
    ingest_landing(sessionmaker(engine), landing)
    _write(landing, "20261115", ROWS[:4])
    ingest_landing(sessionmaker(engine), landing)
    with Session(engine) as s:
        dropped = s.get(Grid, "35052600100100102")
        kept = s.get(Grid, "35052600100100101")
        assert dropped is not None and dropped.ended_on is not None
        assert kept is not None and kept.ended_on is None
        assert s.scalar(select(GridBuilding.grid_code).where(
            GridBuilding.building_code == "3505261001010003")) is None  # fmt: skip
