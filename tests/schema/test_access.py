"""The access seam as the schema applies it: masks, loud refusals, grid scope, and
health-derived tags kept from viewers without the health grant."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError
from strawberry.relay import to_base64

from hub.api.access import DataCategory, Grant, Viewer, no_access
from tests.schema.conftest import Runner
from tests.schema.world import OTHER_GRID, OTHER_TOWNSHIP, SUBJECT, SUBJECT_ID, SUBJECT_PHONE

GRID_WORKER = Viewer(
    "grid_worker",
    grants={
        DataCategory.IDENTITY: Grant.FULL,
        DataCategory.RESIDENT_ID: Grant.MASKED,
        DataCategory.PHONE: Grant.MASKED,
        DataCategory.RESIDENCE: Grant.FULL,
        DataCategory.TAGS: Grant.FULL,
    },
)
PERSON = "query($id: ID!) { person(id: $id) { name residentId phone EXTRA } }"


def person(
    gql: Runner, viewer: Viewer, extra: str = ""
) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
    """The subject as ``viewer`` sees it, with the errors of the operation."""
    result = gql(PERSON.replace("EXTRA", extra), {"id": to_base64("Person", SUBJECT)}, viewer)
    return (result.data or {}).get("person"), result.errors or []


def test_a_masked_viewer_sees_masked_ids_and_phones(gql: Runner) -> None:
    data, errors = person(gql, GRID_WORKER)
    assert errors == []
    assert data == {
        "name": "陈秀英",
        "residentId": f"350526********{SUBJECT_ID[-4:]}",
        "phone": f"138****{SUBJECT_PHONE[-4:]}",
    }


@pytest.mark.parametrize("facts", ["vaccinations", "healthGroups"])
def test_health_facts_are_forbidden_not_empty(gql: Runner, facts: str) -> None:
    data, errors = person(gql, GRID_WORKER, facts + " { validFrom }")
    assert data is None  # a non-null list was refused: the person is nulled, loudly
    assert [(e.message, e.extensions, e.path) for e in errors] == [
        ("Not granted: health data.", {"code": "FORBIDDEN"}, ["person", facts])
    ]


def test_health_derived_tags_need_the_health_grant(gql: Runner) -> None:
    query = '{ people(filter: {name: "居民4"}) { edges { node { tags } } } }'
    shown = gql.data(query, viewer=GRID_WORKER)["people"]["edges"][0]["node"]["tags"]
    assert shown == ["ELDERLY", "LIVING_ALONE"]  # not UNVACCINATED
    full = gql.data(query)["people"]["edges"][0]["node"]["tags"]
    assert "UNVACCINATED" in full
    refused = gql("{ people(filter: {tags: {any: [UNVACCINATED]}}) { totalCount } }",
                  viewer=GRID_WORKER)  # fmt: skip
    assert refused.errors is not None
    assert refused.errors[0].extensions == {"code": "FORBIDDEN"}


def test_the_default_viewer_reads_no_personal_data(gql: Runner) -> None:
    data, errors = person(gql, no_access())
    assert data == {"name": None, "residentId": None, "phone": None}
    assert [(e.path and e.path[-1], e.extensions) for e in errors] == [
        (field, {"code": "FORBIDDEN"}) for field in ("name", "residentId", "phone")
    ]
    aggregates = '{ people(first: 1) { totalCount } grid(code: "350526001") { residentCount } }'
    counts = gql.data(aggregates, viewer=no_access())
    assert counts["people"]["totalCount"] > 0
    for filtering in ('{name: "陈秀英"}', "{age: {min: 65}}", '{township: "龙浔镇"}'):
        result = gql(f"{{ people(filter: {filtering}) {{ totalCount }} }}", viewer=no_access())
        assert result.errors is not None, filtering
        assert result.errors[0].extensions == {"code": "FORBIDDEN"}


SCOPED = Viewer("grid_worker", OTHER_TOWNSHIP, GRID_WORKER.grants)


def test_lists_apply_the_grid_scope(gql: Runner) -> None:
    people = gql.data("{ people { totalCount edges { node { entityId } } } }", viewer=SCOPED)
    assert people["people"]["totalCount"] == 1
    houses = gql.data("{ houses { edges { node { id grid { code } } } } }", viewer=SCOPED)
    assert [e["node"]["grid"]["code"] for e in houses["houses"]["edges"]] == [OTHER_GRID]


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("query($v: ID!) { person(id: $v) { entityId } }", to_base64("Person", SUBJECT)),
        ("query($v: ID!) { node(id: $v) { id } }", to_base64("House", "H1")),
        ("query($v: String!) { personByResidentId(residentId: $v) { __typename } }", SUBJECT_ID),
    ],
)
def test_lookups_outside_the_scope_are_refused(gql: Runner, query: str, value: str) -> None:
    result = gql(query, {"v": value}, viewer=SCOPED)
    assert result.errors is not None
    assert result.errors[0].message == "Outside your grid scope."
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}


def test_lineage_needs_its_grant(gql: Runner) -> None:
    query = "{ quarantine { edges { node { line reason raw } } } }"
    result = gql(query, viewer=GRID_WORKER)
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert gql.data(query)["quarantine"]["edges"][0]["node"]["raw"] == "GA0000000003,3505"
