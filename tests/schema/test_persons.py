"""Person queries on the small world: filters that compose, lookups by id and resident ID,
merged ids, and the relations of one person."""

from __future__ import annotations

import datetime as dt

import pytest
from strawberry.relay import to_base64

from tests.schema.conftest import Runner
from tests.schema.world import (
    GRID,
    MERGED,
    OTHER_TOWNSHIP,
    RESIDENTS,
    SUBJECT,
    SUBJECT_ID,
    TOWNSHIP,
)

PEOPLE = """
query People($filter: PersonFilter, $first: Int! = 100) {
  people(filter: $filter, first: $first) { totalCount edges { node { entityId } } }
}
"""


def ids(gql: Runner, where: dict[str, object]) -> list[str]:
    data = gql.data(PEOPLE, {"filter": where})
    entity_ids = [e["node"]["entityId"] for e in data["people"]["edges"]]
    assert data["people"]["totalCount"] == len(entity_ids)
    return entity_ids


def count(gql: Runner, where: dict[str, object]) -> int:
    return int(gql.data(PEOPLE, {"filter": where, "first": 0})["people"]["totalCount"])


def test_grid_code_selects_a_subtree(gql: Runner) -> None:
    assert count(gql, {"gridCode": TOWNSHIP}) == RESIDENTS
    assert count(gql, {"gridCode": GRID[:15]}) == RESIDENTS
    assert ids(gql, {"gridCode": OTHER_TOWNSHIP}) == ["P0000200"]
    unknown = gql("query($f: PersonFilter) { people(filter: $f) { totalCount } }",
                  {"f": {"gridCode": GRID + "9"}})  # fmt: skip
    assert unknown.errors is not None and "No grid has the code" in unknown.errors[0].message


def test_township_comes_from_the_house(gql: Runner) -> None:
    assert ids(gql, {"township": "浔中镇"}) == ["P0000200"]


def test_filters_compose(gql: Runner) -> None:
    elderly_low_income_women = ids(gql, {
        "gridCode": GRID, "sex": "女", "tags": {"all": ["ELDERLY", "LOW_INCOME"]},
    })  # fmt: skip
    expected = [f"P{n:07d}" for n in range(1, 61) if n % 3 == 0 and n % 2 == 1]
    assert elderly_low_income_women == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ({"min": 65}, 60),
        ({"max": 30}, 60),
        ({"min": 36, "max": 36}, 1),  # 林美玲, born 1990-01-01
        ({"min": 30, "max": 30}, 60),
        ({"min": 31, "max": 69}, 1),
        ({"min": 71}, 0),
        ({"min": 70, "on": "2026-03-07"}, 0),  # the day before the 70th birthday
        ({"min": 70, "on": "2026-03-08"}, 60),
    ],
)
def test_age_range_against_the_snapshot_date(
    gql: Runner, age: dict[str, object], expected: int
) -> None:
    assert count(gql, {"age": age}) == expected


def test_an_empty_age_range_is_bad_input(gql: Runner) -> None:
    result = gql(PEOPLE, {"filter": {"age": {"min": 40, "max": 30}}})
    assert result.errors is not None
    assert result.errors[0].message == "age.min must not exceed age.max."
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT"}


def test_tags_any_all_none(gql: Runner) -> None:
    either = [n for n in range(1, RESIDENTS + 1) if n % 3 == 0 or n % 4 == 0]
    assert count(gql, {"tags": {"any": ["LOW_INCOME", "UNVACCINATED"]}}) == len(either)
    assert count(gql, {"tags": {"all": ["LOW_INCOME", "UNVACCINATED"]}}) == RESIDENTS // 12
    assert count(gql, {"tags": {"all": ["ELDERLY"], "none": ["LIVING_ALONE"]}}) == 3


def test_name_exact_or_sounding_alike(gql: Runner) -> None:
    assert ids(gql, {"name": "陳秀英"}) == [SUBJECT]  # traditional characters normalised
    assert ids(gql, {"name": "陈秀瑛"}) == []
    assert ids(gql, {"nameSoundsLike": "陈秀瑛"}) == [SUBJECT]


def test_status_defaults_to_active_and_null_means_any(gql: Runner) -> None:
    assert MERGED not in ids(gql, {"name": "陈秀英"})
    assert ids(gql, {"name": "陈秀英", "status": None}) == [SUBJECT, MERGED]
    assert ids(gql, {"status": "MERGED"}) == [MERGED]


PERSON = """
query Person($id: ID!) {
  person(id: $id) {
    id entityId name age residentId
    registration { registrationType householdNo relationToHead }
    householdMembers { entityId }
    house { address residents { entityId } grid { code parent { code } } }
    grid { code }
    tags benefits { category monthlyAmount } vaccinations { vaccine dose }
    healthGroups { group familyDoctor } partyMembership { branch category }
    citizenReports { eventId category points }
  }
}
"""


def test_person_and_its_relations(gql: Runner) -> None:
    person = gql.data(PERSON, {"id": to_base64("Person", SUBJECT)})["person"]
    assert person["id"] == to_base64("Person", SUBJECT)
    assert person["age"] == 70  # on TODAY, born 1956-03-08
    assert person["registration"] == {
        "registrationType": "户籍人口", "householdNo": "100000001", "relationToHead": "户主",
    }  # fmt: skip
    assert [m["entityId"] for m in person["householdMembers"]] == [SUBJECT, "P0000002",
                                                                   "P0000003"]  # fmt: skip
    assert person["house"]["address"] == "德化县龙浔镇英山社区英山路8号3幢1单元501室"
    assert len(person["house"]["residents"]) == 3
    assert person["house"]["grid"] == {"code": GRID, "parent": {"code": GRID[:15]}}
    assert person["tags"] == ["ELDERLY"]
    assert person["benefits"] == [{"category": "低保", "monthlyAmount": "650.00"}]
    assert person["vaccinations"] == [{"vaccine": "流感疫苗", "dose": 1}]
    assert person["healthGroups"] == [{"group": "高血压", "familyDoctor": "郑医生"}]
    assert person["partyMembership"]["branch"] == "英山社区第一网格党支部"
    assert person["citizenReports"] == [
        {"eventId": "CG20261101000001", "category": "环境卫生", "points": 5}
    ]


def test_a_merged_id_resolves_to_the_survivor(gql: Runner) -> None:
    query = "query($id: ID!) { node(id: $id) { id ... on Person { entityId status } } }"
    node = gql.data(query, {"id": to_base64("Person", MERGED)})["node"]
    assert node == {"id": to_base64("Person", SUBJECT), "entityId": SUBJECT, "status": "ACTIVE"}
    person = gql.data(PERSON, {"id": to_base64("Person", MERGED)})["person"]
    assert person["entityId"] == SUBJECT


def test_unknown_ids_are_null_and_foreign_ids_refused(gql: Runner) -> None:
    assert gql.data(PERSON, {"id": to_base64("Person", "P9999999")})["person"] is None
    result = gql(PERSON, {"id": to_base64("House", "H1")})
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT"}


def test_nodes_resolve_every_kind(gql: Runner) -> None:
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      __typename ... on House { address } ... on Grid { name } ... on Person { entityId } } }"""
    ids_ = [to_base64("House", "H3"), to_base64("Grid", TOWNSHIP), to_base64("Person", MERGED)]
    nodes = gql.data(query, {"ids": ids_})["nodes"]
    assert [n["__typename"] for n in nodes] == ["House", "Grid", "Person"]
    assert nodes[1]["name"] == "龙浔镇"
    assert nodes[2]["entityId"] == SUBJECT


BY_RESIDENT_ID = """
query ByResidentId($residentId: String!) {
  personByResidentId(residentId: $residentId) {
    __typename
    ... on Person { entityId }
    ... on InvalidResidentId { status message }
    ... on PersonNotFound { message }
  }
}
"""


def test_person_by_resident_id_normalises_what_it_is_given(gql: Runner) -> None:
    typed_by_a_clerk = f" {SUBJECT_ID[:6]} {SUBJECT_ID[6:].lower()} "
    found = gql.data(BY_RESIDENT_ID, {"residentId": typed_by_a_clerk})["personByResidentId"]
    assert found == {"__typename": "Person", "entityId": SUBJECT}


def test_a_resident_id_in_the_query_text_is_refused(gql: Runner) -> None:
    result = gql(f'{{ personByResidentId(residentId: "{SUBJECT_ID}") {{ __typename }} }}')
    assert result.errors is not None
    assert result.errors[0].message == "Pass residentId as a variable, not in the query text."


def test_person_by_resident_id_answers_failures_as_data(gql: Runner) -> None:
    wrong_check = SUBJECT_ID[:17] + ("0" if SUBJECT_ID[17] != "0" else "1")
    invalid = gql.data(BY_RESIDENT_ID, {"residentId": wrong_check})["personByResidentId"]
    assert invalid["__typename"] == "InvalidResidentId"
    assert invalid["status"] == "invalid_checksum"
    assert SUBJECT_ID not in invalid["message"]
    from hub.generate.idcard import resident_id

    unknown = resident_id("350526", dt.date(1980, 1, 1), 555)
    missing = gql.data(BY_RESIDENT_ID, {"residentId": unknown})["personByResidentId"]
    assert missing["__typename"] == "PersonNotFound"
