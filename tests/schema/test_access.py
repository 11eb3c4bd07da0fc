"""The access seam as the schema applies it, with the policy file's roles: masks, loud
refusals, field rules, tag grants, grid scope on every path, and the purpose rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from graphql import GraphQLError
from strawberry.relay import to_base64

from hub.api.access import DataCategory, Grant, no_access
from hub.generate.idcard import resident_id
from tests.access import viewer
from tests.schema.conftest import Runner
from tests.schema.world import (
    GRID,
    OTHER_GRID,
    OTHER_TOWNSHIP,
    SUBJECT,
    SUBJECT_ID,
    SUBJECT_PHONE,
    TOWNSHIP,
)

PERSON = "query($id: ID!) { person(id: $id) { name residentId phone EXTRA } }"
SUBJECT_GID = to_base64("Person", SUBJECT)


def person(
    gql: Runner, role: str, extra: str = "", grid: str | None = None
) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
    """The subject as ``role`` sees it, with the errors of the operation."""
    result = gql(PERSON.replace("EXTRA", extra), {"id": SUBJECT_GID}, viewer(role, grid))
    return (result.data or {}).get("person"), result.errors or []


def codes(errors: list[GraphQLError] | None) -> list[Any]:
    return [(e.extensions or {}).get("code") for e in errors or []]


def test_a_masked_role_sees_masked_ids_and_phones(gql: Runner) -> None:
    data, errors = person(gql, "city_management")
    assert errors == []
    assert data == {
        "name": "陈秀英",
        "residentId": "350526" + "*" * 12,
        "phone": f"138****{SUBJECT_PHONE[-4:]}",
    }
    full, _ = person(gql, "public_security")
    assert full == {"name": "陈秀英", "residentId": SUBJECT_ID, "phone": SUBJECT_PHONE}


def test_health_facts_are_forbidden_not_empty(gql: Runner) -> None:
    data, errors = person(gql, "civil_affairs", "vaccinations { validFrom }")
    assert data is None  # a non-null list was refused: the person is nulled, loudly
    assert [(e.message, e.extensions, e.path) for e in errors] == [
        ("Not granted: health data.", {"code": "FORBIDDEN"}, ["person", "vaccinations"])
    ]


def test_a_field_rule_grants_key_groups_but_not_vaccinations(gql: Runner) -> None:
    data, errors = person(gql, "grid_worker", "healthGroups { group }", grid=GRID)
    assert errors == [] and data is not None
    assert data["healthGroups"] == [{"group": "高血压"}]
    _, refused = person(gql, "grid_worker", "vaccinations { vaccine }", grid=GRID)
    assert codes(refused) == ["FORBIDDEN"]


def test_tags_shown_filtered_and_counted_are_the_roles_own(gql: Runner) -> None:
    query = "query($n: String) { people(filter: {name: $n}) { edges { node { tags } } } }"
    shown = gql.data(query, {"n": "居民4"}, viewer("civil_affairs"))
    assert shown["people"]["edges"][0]["node"]["tags"] == ["ELDERLY", "LIVING_ALONE"]
    assert "UNVACCINATED" in gql.data(query, {"n": "居民4"})["people"]["edges"][0]["node"]["tags"]
    for filtering in ("any", "all", "none"):
        refused = gql(f"{{ people(filter: {{tags: {{{filtering}: [UNVACCINATED]}}}}) "
                      "{ totalCount } }", viewer=viewer("civil_affairs"))  # fmt: skip
        assert codes(refused.errors) == ["FORBIDDEN"], filtering
        assert refused.data is None
    counts = gql.data(f'{{ grid(code: "{TOWNSHIP}") {{ tagCounts {{ tag }} }} }}',
                      viewer=viewer("civil_affairs"))  # fmt: skip
    assert {c["tag"] for c in counts["grid"]["tagCounts"]} == {
        "LOW_INCOME", "ELDERLY", "LIVING_ALONE"
    }  # fmt: skip
    asked = gql(f'{{ grid(code: "{TOWNSHIP}") {{ tagCounts(tags: [UNVACCINATED]) {{ count }} }} }}',
                viewer=viewer("civil_affairs"))  # fmt: skip
    assert codes(asked.errors) == ["FORBIDDEN"]


def test_a_role_without_the_resident_list_reads_counts_only(gql: Runner) -> None:
    admin = viewer("administrator")
    counts = gql.data(f'{{ grid(code: "{TOWNSHIP}") {{ residentCount houseCount }} }}',
                      viewer=admin)  # fmt: skip
    assert counts["grid"] == {"residentCount": 120, "houseCount": 2}
    for query in (
        "{ people { totalCount } }",
        f'{{ grid(code: "{TOWNSHIP}") {{ tagCounts {{ count }} }} }}',
    ):
        result = gql(query, viewer=admin)
        assert codes(result.errors) == ["FORBIDDEN"], query
    data, errors = person(gql, "administrator")
    assert data is None and codes(errors) == ["FORBIDDEN"]
    assert gql("{ people { totalCount } }", viewer=no_access()).errors


SCOPED = ("grid_worker", OTHER_GRID)


def test_lists_apply_the_grid_scope(gql: Runner) -> None:
    scoped = viewer(*SCOPED)
    people = gql.data("{ people { totalCount edges { node { entityId } } } }", viewer=scoped)
    assert people["people"] == {"totalCount": 1, "edges": [{"node": {"entityId": "P0000200"}}]}
    houses = gql.data("{ houses { edges { node { id grid { code } } } } }", viewer=scoped)
    assert [e["node"]["grid"]["code"] for e in houses["houses"]["edges"]] == [OTHER_GRID]


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("query($v: ID!) { person(id: $v) { entityId } }", SUBJECT_GID),
        ("query($v: ID!) { node(id: $v) { id } }", to_base64("House", "H1")),
        ("query($v: ID!) { node(id: $v) { ... on Person { name } } }", SUBJECT_GID),
        ("query($v: ID!) { nodes(ids: [$v]) { id } }", SUBJECT_GID),
        ("query($v: String!) { grid(code: $v) { residentCount } }", TOWNSHIP),
        ("query($v: String!) { grid(code: $v) { houseCount } }", GRID),
        ("query($v: String!) { grid(code: $v) { tagCounts { count } } }", OTHER_TOWNSHIP),
    ],
)
def test_lookups_and_rollups_outside_the_scope_are_refused(
    gql: Runner, query: str, value: str
) -> None:
    result = gql(query, {"v": value}, viewer(*SCOPED))
    assert result.errors is not None
    assert result.errors[0].message == "Outside your grid scope."
    assert codes(result.errors) == ["FORBIDDEN"]


LOOKUP = "query($v: String!) { personByResidentId(residentId: $v) { __typename } }"
UNKNOWN_ID = resident_id("350526", dt.date(1990, 1, 1), 999)


def test_a_lookup_by_id_outside_the_scope_is_not_told_from_an_unknown_id(gql: Runner) -> None:
    """Issue 16, item 7: FORBIDDEN for a resident outside the grid and PersonNotFound for an
    unknown ID told a grid-scoped lookup which IDs are residents'. A grid-scoped role with IDs
    in full (none in today's policy) gets the same answer for both; the grid worker, who sees
    IDs masked, may not look up by ID at all (item 2), whatever the ID."""
    full = dataclasses.replace(viewer(*SCOPED), grants={
        **viewer(*SCOPED).grants, DataCategory.RESIDENT_ID: Grant.FULL})  # fmt: skip
    outside = gql.data(LOOKUP, {"v": SUBJECT_ID}, full)
    unknown = gql.data(LOOKUP, {"v": UNKNOWN_ID}, full)
    assert outside == unknown == {"personByResidentId": {"__typename": "PersonNotFound"}}
    own = gql.data(LOOKUP, {"v": SUBJECT_ID}, dataclasses.replace(full, grid_scope=GRID))
    assert own == {"personByResidentId": {"__typename": "Person"}}
    masked = [gql(LOOKUP, {"v": v}, viewer(*SCOPED)) for v in (SUBJECT_ID, UNKNOWN_ID)]
    assert [(r.data, codes(r.errors)) for r in masked] == [(None, ["FORBIDDEN"])] * 2
    assert masked[0].errors is not None and masked[1].errors is not None
    assert masked[0].errors[0].message == masked[1].errors[0].message


def test_rollups_inside_the_scope_count_and_children_are_reference(gql: Runner) -> None:
    query = "query($v: String!) { grid(code: $v) { residentCount children { code } } }"
    inside = gql.data(query, {"v": OTHER_GRID}, viewer(*SCOPED))
    assert inside["grid"] == {"residentCount": 1, "children": []}
    township = gql(
        "query($v: String!) { grid(code: $v) { children { code residentCount } } }",
        {"v": OTHER_TOWNSHIP},
        viewer(*SCOPED),
    )
    assert codes(township.errors) == ["FORBIDDEN"]  # the first-level grid is above the scope


def test_nested_residents_outside_the_scope_are_left_out(gql: Runner) -> None:
    scoped = viewer("grid_worker", OTHER_GRID)
    query = "query($v: ID!) { node(id: $v) { ... on House { residents { entityId } } } }"
    result = gql(query, {"v": to_base64("House", "H3")}, scoped)
    assert result.data == {"node": {"residents": [{"entityId": "P0000200"}]}}
    outside = gql(query, {"v": to_base64("House", "H1")}, scoped)
    assert codes(outside.errors) == ["FORBIDDEN"]


def test_lineage_and_quality_need_their_grants(gql: Runner) -> None:
    query = "{ quarantine { edges { node { line reason raw } } } }"
    for role in ("grid_worker", "health"):
        result = gql(query, viewer=viewer(role, GRID if role == "grid_worker" else None))
        assert codes(result.errors) == ["FORBIDDEN"], role
    assert gql.data(query, viewer=viewer("steward"))["quarantine"]["edges"][0]["node"]["raw"] == (
        "GA0000000003,3505"
    )
    without_raw = gql.data("{ quarantine { edges { node { line } } } }",
                           viewer=viewer("administrator"))  # fmt: skip
    assert without_raw["quarantine"]["edges"] == [{"node": {"line": 4}}]


def test_personal_data_needs_a_purpose(gql: Runner) -> None:
    refused = gql(PERSON.replace("EXTRA", ""), {"id": SUBJECT_GID}, viewer("health"), purpose=None)
    assert refused.data is None
    assert codes(refused.errors) == ["PURPOSE_REQUIRED"]
    assert "X-Hub-Purpose" in refused.errors[0].message
    assert gql.context.reads.fields == dict.fromkeys(
        ["Query.person", "Person.name", "Person.residentId", "Person.phone"], True
    )
    assert gql.context.reads.persons == set()  # nothing executed
    counts = gql(f'{{ grid(code: "{TOWNSHIP}") {{ residentCount }} }}', purpose=None)
    assert counts.errors is None  # aggregates and reference data need none


def test_the_read_log_names_persons_and_fields(gql: Runner) -> None:
    query = "query($v: ID!) { person(id: $v) { name householdMembers { entityId phone } } }"
    gql.data(query, {"v": SUBJECT_GID}, viewer("public_security"))
    reads = gql.context.reads
    assert reads.persons == {"P0000001", "P0000002", "P0000003"}
    assert reads.fields == {"Query.person": True, "Person.name": True,
                            "Person.householdMembers": True, "Person.phone": True}  # fmt: skip
    gql(PERSON.replace("EXTRA", "benefits { category }"), {"id": SUBJECT_GID}, viewer("health"))
    assert gql.context.reads.fields["Person.benefits"] is False
