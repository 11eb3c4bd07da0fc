"""The snap-and-report loop through the schema, role by role: each step by the role the policy
lets take it, every step visible, the grid's roll-ups following, and no step outside a grant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.storage.models import CitizenReport
from tests.access import viewer
from tests.schema.conftest import Runner
from tests.schema.world import GRID, OTHER_GRID, SUBJECT, SUBJECT_PHONE, TOWNSHIP

REPORT = """mutation($input: ReportEventInput!) { reportEvent(input: $input) { __typename
  ... on CitizenReport { eventId status version gridCode locatedBy reporterPhone
                         reporter { entityId } steps { status actor role } }
  ... on ReportInvalid { problems { field code } } } }"""
OUTCOME = """__typename ... on CitizenReport { status version points steps { status role } }
  ... on InvalidTransition { status message } ... on StaleReport { currentVersion }"""
ASSIGN = f"""mutation($e: String!, $v: Int) {{ assignReport(eventId: $e, to: GRID_WORKER,
  expectedVersion: $v) {{ {OUTCOME} }} }}"""
HANDLE = f"""mutation($e: String!, $v: Int) {{ handleReport(eventId: $e, expectedVersion: $v)
  {{ {OUTCOME} }} }}"""
ANSWER = f"""mutation($e: String!) {{ answerReport(eventId: $e, answer: "已清运")
  {{ {OUTCOME} }} }}"""
RATE = f"""mutation($e: String!) {{ rateReport(eventId: $e, rating: 5) {{ {OUTCOME} }} }}"""
COUNTS = """query($code: String!) { grid(code: $code) { openReportCount overdueReportCount } }"""
INPUT = {"category": "环境卫生", "description": "垃圾未清运", "address": "英山路8号旁",
         "reporterPhone": SUBJECT_PHONE}  # fmt: skip


def worker(grid: str = GRID) -> Any:
    return viewer("grid_worker", grid)


def codes(result: Any) -> set[str]:
    return {(e.extensions or {}).get("code") for e in result.errors or []}


def test_a_report_moves_round_the_loop_with_each_step_visible(gql: Runner) -> None:
    before = gql.data(COUNTS, {"code": TOWNSHIP}, viewer("steward"))["grid"]
    made = gql.data(REPORT, {"input": INPUT}, worker())["reportEvent"]
    assert made["__typename"] == "CitizenReport" and made["status"] == "SUBMITTED"
    assert (made["gridCode"], made["locatedBy"], made["reporterPhone"]) == (
        GRID,
        "grid",
        SUBJECT_PHONE,
    )
    assert made["reporter"] == {"entityId": SUBJECT}
    event = {"e": made["eventId"]}
    opened = gql.data(COUNTS, {"code": TOWNSHIP}, viewer("steward"))["grid"]
    assert opened["openReportCount"] == before["openReportCount"] + 1
    city = viewer("city_management")
    assert gql.data(ASSIGN, {**event, "v": 1}, city)["assignReport"]["status"] == "ASSIGNED"
    stale = gql.data(HANDLE, {**event, "v": 1}, worker())["handleReport"]
    assert stale == {"__typename": "StaleReport", "currentVersion": 2}
    assert gql.data(HANDLE, {**event, "v": 2}, worker())["handleReport"]["status"] == "HANDLED"
    assert gql.data(ANSWER, event, worker())["answerReport"]["status"] == "ANSWERED"
    rated = gql.data(RATE, event, worker())["rateReport"]
    assert rated["status"] == "RATED" and rated["points"] == 5 and rated["version"] == 5
    assert [(s["status"], s["role"]) for s in rated["steps"]] == [
        ("SUBMITTED", "grid_worker"), ("ASSIGNED", "city_management"),
        ("HANDLED", "grid_worker"), ("ANSWERED", "grid_worker"), ("RATED", "grid_worker"),
    ]  # fmt: skip
    again = gql.data(RATE, event, worker())["rateReport"]
    assert again["__typename"] == "InvalidTransition" and again["status"] == "RATED"
    closed = gql.data(COUNTS, {"code": TOWNSHIP}, viewer("steward"))["grid"]
    assert closed == before
    listed = gql.data("""{ citizenReports(filter: {origin: "hub"}) { totalCount
                           edges { node { eventId status steps { status } } } } }""",
                      viewer=worker())  # fmt: skip
    assert listed["citizenReports"]["edges"][0]["node"]["eventId"] == made["eventId"]


def test_open_reports_past_the_deadline_are_overdue_in_the_roll_ups(gql: Runner) -> None:
    late = dt.datetime(2026, 11, 10, 2, tzinfo=dt.UTC)  # the world's today is 20 November
    gql.session.add_all([
        CitizenReport(event_id="CG20261110000001", grid_code=GRID, category="其他",
                      status="已转办", reported_at=late, points=5),
        CitizenReport(event_id="CG20261119000001", grid_code=GRID, category="其他",
                      status="已提交", reported_at=late + dt.timedelta(days=9), points=0),
        CitizenReport(event_id="CG20261109000001", grid_code=OTHER_GRID, category="其他",
                      status="已提交", reported_at=late, points=0),
    ])  # fmt: skip
    gql.session.flush()
    counts = gql.data(COUNTS, {"code": GRID}, worker())["grid"]
    assert counts == {"openReportCount": 2, "overdueReportCount": 1}
    county = gql.data(COUNTS, {"code": TOWNSHIP[:6] + "001"}, viewer("city_management"))
    assert county["grid"]["overdueReportCount"] == 1
    overdue = gql.data(
        """{ citizenReports(filter: {overdue: true}) {
                            edges { node { eventId overdue } } } }""",
        viewer=worker(),
    )
    assert overdue["citizenReports"]["edges"] == [
        {"node": {"eventId": "CG20261110000001", "overdue": True}}
    ]
    refused = gql(COUNTS, {"code": OTHER_GRID}, worker())
    assert codes(refused) == {"FORBIDDEN"}


def test_no_role_takes_a_step_outside_its_grant(gql: Runner) -> None:
    for role in ("civil_affairs", "health", "party_building", "administrator", "steward"):
        assert codes(gql(REPORT, {"input": INPUT}, viewer(role))) == {"FORBIDDEN"}, role
    made = gql.data(REPORT, {"input": INPUT}, worker())["reportEvent"]
    event = {"e": made["eventId"]}
    outsider = worker(OTHER_GRID)
    assert codes(gql(RATE, event, outsider)) == {"FORBIDDEN"}
    assert codes(gql(ASSIGN, event, worker())) == {"FORBIDDEN"}  # city management assigns
    gql.data(ASSIGN, event, viewer("city_management"))
    # Assigned to the grid worker: public security may handle reports, but not this one.
    assert codes(gql(HANDLE, event, viewer("public_security"))) == {"FORBIDDEN"}
    assert codes(gql(HANDLE, event, outsider)) == {"FORBIDDEN"}
    assert gql.data(HANDLE, event, worker())["handleReport"]["status"] == "HANDLED"
    # A report nothing else places lies in the reporting worker's own grid; the reporter,
    # a resident of another grid, is refused to them, not shown.
    elsewhere = {**INPUT, "address": None, "lng": 118.25, "lat": 25.49}
    placed = gql(REPORT, {"input": elsewhere}, outsider)
    assert placed.data is not None and placed.data["reportEvent"]["gridCode"] == OTHER_GRID
    assert codes(placed) == {"FORBIDDEN"} and placed.data["reportEvent"]["reporter"] is None


def test_invalid_values_come_back_field_by_field(gql: Runner) -> None:
    bad = {"category": "噪音", "lng": 118.25}
    result = gql.data(REPORT, {"input": bad}, viewer("city_management"))["reportEvent"]
    assert result["__typename"] == "ReportInvalid"
    assert {p["field"] for p in result["problems"]} >= {"category", "lat"}


def test_city_management_sees_reporters_phones_masked(gql: Runner) -> None:
    gql.data(REPORT, {"input": INPUT}, worker())
    listed = gql.data("""{ citizenReports(filter: {origin: "hub"}) {
                            edges { node { reporterPhone } } } }""",
                      viewer=viewer("city_management"))  # fmt: skip
    assert listed["citizenReports"]["edges"] == [{"node": {"reporterPhone": "138****5678"}}]
