"""Keyset pagination: pages that do not shift under inserts, cursors that refuse to be
misused, a capped page size, and ``totalCount`` counted only when selected."""

from __future__ import annotations

from typing import Any

from hub.storage.models import EntityStatus, Person
from schema.pagination import MAX_PAGE, decode_cursor, encode_cursor
from tests.schema.conftest import Runner
from tests.schema.world import RESIDENTS

PAGE = """
query Page($first: Int!, $after: String) {
  people(filter: {gridCode: "350526"}, first: $first, after: $after) {
    edges { cursor node { entityId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def page(gql: Runner, first: int, after: str | None = None) -> tuple[list[str], dict[str, Any]]:
    data = gql.data(PAGE, {"first": first, "after": after})["people"]
    return [e["node"]["entityId"] for e in data["edges"]], data["pageInfo"]


def test_pages_walk_the_whole_list_once(gql: Runner) -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        ids, info = page(gql, 50, after)
        seen += ids
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert len(seen) == len(set(seen)) == RESIDENTS + 1
    assert seen == sorted(seen)


def test_a_page_is_stable_under_inserts_before_its_cursor(gql: Runner) -> None:
    first_ids, info = page(gql, 10)
    assert info["hasPreviousPage"] is False
    gql.session.add_all([
        Person(id="P0000000", grid_code="35052600100100101", status=EntityStatus.ACTIVE),
        Person(id="P0000005a", grid_code="35052600100100101", status=EntityStatus.ACTIVE),
    ])  # fmt: skip
    gql.session.flush()
    second_ids, info = page(gql, 10, str(info["endCursor"]))
    assert info["hasPreviousPage"] is True
    assert second_ids == [f"P{n:07d}" for n in range(11, 21)]
    assert not set(first_ids) & set(second_ids)


def test_first_above_the_cap_is_refused(gql: Runner) -> None:
    result = gql(PAGE, {"first": MAX_PAGE + 1})
    assert result.errors is not None
    assert result.errors[0].message == f"first must be between 0 and {MAX_PAGE}, not 101."
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT"}
    assert gql(PAGE, {"first": -1}).errors is not None


def test_cursors_are_opaque_and_belong_to_one_list(gql: Runner) -> None:
    assert decode_cursor("Person", encode_cursor("Person", "P0000001")) == "P0000001"
    for bad in ("not a cursor", encode_cursor("House", "H1"), "WyJQZXJzb24iXQ=="):
        result = gql(PAGE, {"first": 5, "after": bad})
        assert result.errors is not None
        assert result.errors[0].message == "after is not a cursor of a Person list."


def test_total_count_is_counted_only_when_selected(gql: Runner) -> None:
    gql.data("{ people(first: 5) { edges { node { entityId } } } }")
    without = gql.queries
    data = gql.data("{ people(first: 5) { totalCount edges { node { entityId } } } }")
    assert gql.queries == without + 1
    assert data["people"]["totalCount"] == RESIDENTS + 1


def test_descending_lists_page_backwards_through_ids(gql: Runner) -> None:
    query = """query($after: String) { deliveries(first: 1, after: $after) {
      totalCount edges { node { id fileName } } pageInfo { hasNextPage endCursor } } }"""
    data = gql.data(query)["deliveries"]
    assert data["totalCount"] == 1
    assert data["pageInfo"]["hasNextPage"] is False
    after = gql.data(query, {"after": data["pageInfo"]["endCursor"]})["deliveries"]
    assert after["edges"] == []
