"""Grids: the hierarchy, roll-ups over a subtree, and the list by level or parent."""

from __future__ import annotations

from tests.schema.conftest import Runner
from tests.schema.world import FIRST, GRID, OTHER_TOWNSHIP, RESIDENTS, TOWNSHIP, UNIT

ROLLUPS = """
query($code: String!) {
  grid(code: $code) {
    code name level residentCount houseCount tagCounts { tag count }
    parent { code } children { code level workerName }
  }
}
"""


def test_roll_ups_count_the_whole_subtree(gql: Runner) -> None:
    township = gql.data(ROLLUPS, {"code": TOWNSHIP})["grid"]
    assert township["level"] == "TOWNSHIP"
    assert township["parent"] is None
    assert township["children"] == [{"code": FIRST, "level": "FIRST", "workerName": None}]
    assert (township["residentCount"], township["houseCount"]) == (RESIDENTS, 2)
    assert {c["tag"]: c["count"] for c in township["tagCounts"]} == {
        "ELDERLY": 60, "LIVING_ALONE": 57, "LOW_INCOME": 40, "UNVACCINATED": 30,
    }  # fmt: skip
    leaf = gql.data(ROLLUPS, {"code": GRID})["grid"]
    assert leaf["residentCount"] == RESIDENTS
    assert leaf["children"] == []
    assert leaf["parent"] == {"code": UNIT}
    other = gql.data(ROLLUPS, {"code": OTHER_TOWNSHIP})["grid"]
    assert (other["residentCount"], other["houseCount"], other["tagCounts"]) == (1, 1, [])


def test_grids_by_level_and_parent(gql: Runner) -> None:
    query = """query($level: GridLevel, $parent: String) {
      grids(level: $level, parentCode: $parent) { code } }"""
    townships = gql.data(query, {"level": "TOWNSHIP"})["grids"]
    assert [g["code"] for g in townships] == [TOWNSHIP, OTHER_TOWNSHIP]
    assert gql.data(query, {"parent": UNIT})["grids"] == [{"code": GRID}]
    assert gql.data(query, {"level": "UNIT", "parent": TOWNSHIP})["grids"] == []


def test_an_unknown_grid_code_is_an_error_not_an_empty_list(gql: Runner) -> None:
    """``350526999`` looks like a township but names none: answering "nobody there" would
    mislead (the README once used such a code); every grid filter refuses it."""
    for query in (
        "query($g: String!) { people(filter: {gridCode: $g}) { totalCount } }",
        "query($g: String!) { houses(filter: {gridCode: $g}) { totalCount } }",
        "query($g: String!) { citizenReports(filter: {gridCode: $g}) { totalCount } }",
    ):
        result = gql(query, {"g": "350526999"})
        assert result.data is None
        assert result.errors is not None and len(result.errors) == 1
        error = result.errors[0]
        assert error.extensions == {"code": "BAD_USER_INPUT"}
        assert error.message.startswith("No grid has the code '350526999'")
    found = gql.data("query($g: String!) { people(filter: {gridCode: $g}) { totalCount } }",
                     {"g": TOWNSHIP})  # fmt: skip
    assert found["people"]["totalCount"] == RESIDENTS
