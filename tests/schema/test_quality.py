"""The stewards' queries: deliveries, quality runs with their results, quarantined rows."""

from __future__ import annotations

from tests.schema.conftest import Runner


def test_deliveries_without_paths(gql: Runner) -> None:
    query = """{ deliveries(dataset: "gongan.population") { totalCount edges { node {
      fileName status rowsRead rowsLoaded rowsQuarantined reconciles } } } }"""
    node = gql.data(query)["deliveries"]["edges"][0]["node"]
    assert node == {"fileName": "人口_20261115.csv", "status": "LOADED", "rowsRead": 3,
                    "rowsLoaded": 2, "rowsQuarantined": 1, "reconciles": True}  # fmt: skip
    assert gql.data('{ deliveries(dataset: "nope") { totalCount } }')["deliveries"] == {
        "totalCount": 0
    }


def test_quality_runs_carry_their_results(gql: Runner) -> None:
    query = """{ qualityRuns(suite: "gongan.population") { edges { node {
      suite success statistics delivery { fileName }
      results { expectation success observedValue failingRecordIds } } } } }"""
    run = gql.data(query)["qualityRuns"]["edges"][0]["node"]
    assert run["statistics"] == {"evaluated": 1}
    assert run["delivery"] == {"fileName": "人口_20261115.csv"}
    assert run["results"] == [{"expectation": "expect_column_values_to_not_be_null",
                               "success": False, "observedValue": {"unexpected": 1},
                               "failingRecordIds": ["GA0000000003"]}]  # fmt: skip


def test_quarantine_filters_compose(gql: Runner) -> None:
    query = """query($filter: QuarantineFilter) { quarantine(filter: $filter) {
      totalCount edges { node { line reason delivery { id } } } } }"""
    found = gql.data(query, {"filter": {"dataset": "gongan.population",
                                        "reason": "TRUNCATED_LINE"}})["quarantine"]  # fmt: skip
    assert found["totalCount"] == 1
    delivery_id = found["edges"][0]["node"]["delivery"]["id"]
    for empty in ({"reason": "MISSING_NAME"}, {"deliveryId": delivery_id + 1},
                  {"released": True}):  # fmt: skip
        assert gql.data(query, {"filter": empty})["quarantine"]["totalCount"] == 0
    held = gql.data(query, {"filter": {"released": False, "deliveryId": delivery_id}})
    assert held["quarantine"]["totalCount"] == 1
