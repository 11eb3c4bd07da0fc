"""``changes(since, first, after)`` through the schema: values cut and masked by the reader's
grants, grid scope, cursors that resume exactly, the start points, and the read log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from hub.resolution.changes import ChangeKind, ChangeLog
from hub.storage.models import ChangeEvent, EntityKind
from schema.pagination import encode_cursor
from tests.access import viewer
from tests.schema.conftest import Runner
from tests.schema.world import GRID, OTHER_GRID, SUBJECT, SUBJECT_ID, SUBJECT_PHONE

FEED = """query($since: ChangeSince, $after: String, $first: Int! = 20) {
  changes(since: $since, after: $after, first: $first) {
    edges { cursor node { seq entityId kind actor
      changes { field old new provenance { dataset recordId } } } }
    pageInfo { endCursor hasNextPage } } }"""
SOURCE = {"dataset": "gongan.population", "record_id": "GA0000000001",
          "snapshot_date": "2026-11-15", "rule": "source_priority"}  # fmt: skip


def publish(gql: Runner, entity: str, values: dict[str, tuple[Any, Any]], actor: str,
            kind: ChangeKind = ChangeKind.UPDATED) -> None:  # fmt: skip
    log = ChangeLog()
    names = {name: SOURCE for name in values}
    log.change(EntityKind.PERSON, entity, kind, values, names, version=2)
    log.write(gql.session, None, actor)


def nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["changes"]["edges"]]


def test_each_reader_sees_what_its_grants_show(gql: Runner) -> None:
    publish(
        gql,
        SUBJECT,
        {
            "phone": (SUBJECT_PHONE, "13700001111"),
            "resident_id": (None, SUBJECT_ID),
            "tags": (["elderly"], ["elderly", "unvaccinated"]),
        },
        "grid/wang",
    )
    city = nodes(gql.data(FEED, viewer=viewer("city_management")))
    assert city[0]["changes"] == [
        {"field": "phone", "old": "138****5678", "new": "137****1111",
         "provenance": {"dataset": "gongan.population", "recordId": "GA0000000001"}},
        {"field": "residentId", "old": None, "new": "350526" + "*" * 12,
         "provenance": {"dataset": "gongan.population", "recordId": "GA0000000001"}},
    ]  # fmt: skip
    civil = nodes(gql.data(FEED, viewer=viewer("civil_affairs")))[0]["changes"]
    assert [c["field"] for c in civil] == ["phone", "residentId"]  # no health tag
    health = nodes(gql.data(FEED, viewer=viewer("health")))[0]["changes"]
    assert health[2] == {"field": "tags", "old": ["ELDERLY"], "new": ["ELDERLY", "UNVACCINATED"],
                         "provenance": {"dataset": "gongan.population",
                                        "recordId": "GA0000000001"}}  # fmt: skip
    refused = gql(FEED, viewer=viewer("administrator"))
    assert [e.extensions["code"] for e in refused.errors or []] == ["FORBIDDEN"]
    assert gql.context.reads.fields == {"Query.changes": False}


def test_grid_workers_see_their_grid_and_the_read_is_logged(gql: Runner) -> None:
    publish(gql, SUBJECT, {"phone": (SUBJECT_PHONE, "13700001111")}, "in GRID")
    publish(gql, "P0000200", {"phone": (None, "13900002222")}, "in OTHER_GRID")
    mine = nodes(gql.data(FEED, viewer=viewer("grid_worker", OTHER_GRID)))
    assert [n["entityId"] for n in mine] == ["P0000200"]
    assert gql.context.reads.persons == {"P0000200"}
    assert gql.context.reads.fields["Person.phone"] is True
    theirs = nodes(gql.data(FEED, viewer=viewer("grid_worker", GRID)))
    assert [n["entityId"] for n in theirs] == [SUBJECT]


def test_a_cursor_resumes_exactly_and_since_picks_the_start(gql: Runner) -> None:
    for n in range(5):
        publish(gql, SUBJECT, {"phone": (None, f"1370000000{n}")}, f"run {n}")
    seqs = list(gql.session.scalars(select(ChangeEvent.seq).order_by(ChangeEvent.seq)))
    reader = viewer("public_security")
    first = gql.data(FEED, {"first": 2}, reader)["changes"]
    assert [e["node"]["seq"] for e in first["edges"]] == seqs[:2]
    assert first["pageInfo"] == {"endCursor": first["edges"][-1]["cursor"], "hasNextPage": True}
    publish(gql, SUBJECT, {"phone": (None, "13700000009")}, "meanwhile")
    rest = gql.data(FEED, {"after": first["pageInfo"]["endCursor"], "first": 10}, reader)
    assert [n["seq"] for n in nodes(rest)] == [*seqs[2:], seqs[-1] + 1]
    assert not rest["changes"]["pageInfo"]["hasNextPage"]
    by_seq = gql.data(FEED, {"since": {"seq": seqs[3]}}, reader)
    assert [n["seq"] for n in nodes(by_seq)] == [seqs[4], seqs[-1] + 1]
    for row in gql.session.scalars(select(ChangeEvent)):
        row.at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) if row.seq <= seqs[2] else row.at
    gql.session.flush()
    by_time = gql.data(FEED, {"since": {"at": "2026-11-02T00:00:00+08:00"}}, reader)
    assert [n["seq"] for n in nodes(by_time)] == [*seqs[3:], seqs[-1] + 1]
    wrong = gql(FEED, {"after": encode_cursor("Person", "P1")}, reader)
    assert [e.extensions["code"] for e in wrong.errors or []] == ["BAD_USER_INPUT"]
    both = gql(FEED, {"since": {"seq": 1, "at": "2026-11-02T00:00:00Z"}}, reader)
    assert both.errors and "exactly one" in both.errors[0].message


def test_merged_events_name_the_survivor(gql: Runner) -> None:
    log = ChangeLog()
    log.change(
        EntityKind.PERSON,
        "P0000002",
        ChangeKind.MERGED,
        {"status": ("active", "merged"), "merged_into": (None, SUBJECT)},
        version=3,
    )
    log.write(gql.session, None, "steward/zhang")
    (event,) = nodes(gql.data(FEED, viewer=viewer("party_building")))
    assert event["kind"] == "MERGED" and event["actor"] == "steward/zhang"
    assert {c["field"]: c["new"] for c in event["changes"]} == {
        "mergedInto": SUBJECT,
        "status": "merged",
    }
