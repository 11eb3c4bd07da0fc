"""``hub grids``: the codes a person needs for the API's grid arguments, level by level."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.cli import main
from tests.schema.world import FIRST, OTHER_TOWNSHIP, TOWNSHIP, UNIT, populate


def _hub(db_url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {"HUB_DATABASE_URL": db_url, "HUB_VAR_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["grids", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_grids_lists_townships_then_children_by_level(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    code, _, err = _hub(db_url, tmp_path)
    assert code == 1 and "no grid reference is loaded yet: run `hub run`" in err
    with Session(engine) as session, session.begin():
        populate(session)
    code, out, err = _hub(db_url, tmp_path)
    assert code == 0
    assert out.splitlines() == [f"{TOWNSHIP:<17}  龙浔镇  [乡镇]  1 grids",
                                f"{OTHER_TOWNSHIP:<17}  浔中镇  [乡镇]  1 grids"]  # fmt: skip
    assert err.startswith("2 grids;")
    code, out, _ = _hub(db_url, tmp_path, "--parent", FIRST)
    assert out.splitlines() == [f"{UNIT:<17}  英山社区第一网格  [单元网格]  1 grids"]
    code, out, _ = _hub(db_url, tmp_path, "--level", "responsibility")
    assert [line.split()[0] for line in out.splitlines()] == [
        UNIT + "01",
        OTHER_TOWNSHIP + "00100101",
    ]
    code, out, err = _hub(db_url, tmp_path, "--parent", "350526999")
    assert code == 1 and err == "Error: no grid has the code 350526999 (`hub grids` lists them)\n"
