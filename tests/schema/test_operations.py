"""Every example operation in ``schema/operations`` run over HTTP against a database published
from generated data, its answer checked against SQL written independently of the schema
(facts tables rather than tags where the two can be told apart).

The app runs in production mode, as departments meet it: published operations only, each sent
with the token of the role that asks it (the table in ``schema/operations/README.md``) and a
purpose, and every answer audited."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from hub.api import audit
from hub.api import tokens as api_tokens
from hub.api.app import create_app
from hub.config import Settings, load_settings
from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.reports.status import ReportStatus, is_overdue
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory
from schema.changes.types import CURSOR_KIND as CHANGE_CURSOR
from schema.context import today_in_dehua
from schema.pagination import encode_cursor
from tests.access import policy
from tests.api.conftest import PURPOSE, HubClient, headers, issue_tokens, serve

pytestmark = pytest.mark.slow
OPERATIONS = Path(__file__).parents[2] / "schema" / "operations"
LONGXUN = "龙浔镇"


def publish_world(base: Path) -> tuple[Settings, Engine]:
    """400 generated residents, ingested and resolved in ``base``; settings on it, and an
    engine for the independent SQL (the caller disposes of it)."""
    generate(GenerateOptions(residents=400, seed=5, out=base / "landing", truth=base / "truth"))
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    ingest_landing(factory, base / "landing")
    with factory() as session, session.begin():
        resolve(session)
    return load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(base)}, cwd=base), engine


def role_tokens(published: tuple[Settings, Engine]) -> dict[str, str]:
    """A token per role; the grid worker's names the first responsibility grid."""
    with published[1].connect() as conn:
        grid = conn.execute(text("select min(code) from grid where level = '责任网格'")).scalar()
    return issue_tokens(published[0].database_url, grid_code=str(grid))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Engine]]:
    """The published world of :func:`publish_world`."""
    settings, engine = publish_world(tmp_path_factory.mktemp("published"))
    yield settings, engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(published: tuple[Settings, Engine]) -> Iterator[HubClient]:
    with serve(create_app(published[0])) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(published: tuple[Settings, Engine]) -> dict[str, str]:
    return role_tokens(published)


#: Who asks each operation (a role of the policy file); the README's table says the same.
ASKED_BY = {
    "BuildingResidents": "public_security",
    "DeliveriesOfDataset": "steward",
    "ElderlyLivingAloneInGrid": "civil_affairs",
    "FindPersonByName": "health",
    "GridResidents": "civil_affairs",
    "GridRollups": "steward",
    "LowIncomeWithoutVaccination": "health",
    "PartyMembersInGrid": "party_building",
    "PersonByResidentId": "public_security",
    "PersonEverything": "steward",
    "PersonLineage": "steward",
    "QuarantineForDataset": "steward",
    "PersonContact": "civil_affairs",
    "RegisterResident": "grid_worker",
    "UpdateResidentContact": "grid_worker",
    "ChangesSince": "civil_affairs",
    "ChangeFeed": "steward",
    "UncertainMatches": "steward",
    "MergePersons": "steward",
    "SplitPerson": "steward",
    "DetachRecord": "steward",
    "MarkNotSamePerson": "steward",
    "ReleaseQuarantinedRow": "steward",
    "ReportEvent": "grid_worker",
    "AssignReport": "city_management",
    "HandleReport": "grid_worker",
    "AnswerReport": "grid_worker",
    "RateReport": "grid_worker",
    "GridReports": "city_management",
    "AuditTrail": "steward",
    "StewardDecisions": "steward",
    "RevokeStewardDecision": "steward",
    "ReportMove": "grid_worker",
    "ReportDeath": "grid_worker",
    "MoveRequests": "grid_worker",
    "ConfirmMoveRequest": "grid_worker",
    "RejectMoveRequest": "steward",
}


class Api(Protocol):
    """How a case reaches the API: one operation's data (errors fail the case), and the
    first ``count`` events of a subscription."""

    def execute(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]: ...

    def subscribe(
        self, query: str, variables: dict[str, Any], token: str, count: int
    ) -> list[dict[str, Any]]: ...


class AsgiApi:
    """The app in this process: HTTP over ASGI, WebSocket over Starlette's test client."""

    def __init__(self, client: HubClient, settings: Settings) -> None:
        self.client, self.settings = client, settings

    def execute(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables},
                                    headers=headers(token))  # fmt: skip
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def subscribe(
        self, query: str, variables: dict[str, Any], token: str, count: int
    ) -> list[dict[str, Any]]:
        auth = {"Authorization": f"Bearer {token}", "X-Hub-Purpose": PURPOSE}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarletteDeprecationWarning)
            from starlette.testclient import TestClient
        got: list[dict[str, Any]] = []
        with (
            TestClient(create_app(self.settings)) as ws_client,
            ws_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
        ):
            ws.send_json({"type": "connection_init", "payload": auth})
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_json({"id": "1", "type": "subscribe",
                          "payload": {"query": query, "variables": variables}})  # fmt: skip
            while len(got) < count:
                message = ws.receive_json()
                assert message["type"] == "next", message
                got.append(message["payload"]["data"])
        return got


class Case:
    """One operation's run: its variables, its data, and SQL to check it with; ``tokens``
    for operations that need another role's step first."""

    def __init__(
        self, api: Api, engine: Engine, name: str, token: str,
        tokens: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.api, self.engine, self.name, self.token = api, engine, name, token
        self.tokens = tokens or {}

    def step(self, name: str, role: str, **variables: Any) -> dict[str, Any]:
        """Another published operation, run by ``role`` (a step this case builds on)."""
        return Case(self.api, self.engine, name, self.tokens[role], self.tokens).run(**variables)

    def sql(self, statement: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(statement), params))

    def one(self, statement: str, **params: Any) -> Any:
        return self.sql(statement, **params)[0][0]

    @property
    def document(self) -> str:
        return (OPERATIONS / f"{self.name}.graphql").read_text(encoding="utf-8")

    def run(self, **variables: Any) -> dict[str, Any]:
        return self.api.execute(self.document, variables, self.token)

    def subscribe(self, count: int, **variables: Any) -> list[dict[str, Any]]:
        return self.api.subscribe(self.document, variables, self.token, count)


def entity_id(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a connection that must fit in one page."""
    assert len(connection["edges"]) == connection["totalCount"]
    return [edge["node"] for edge in connection["edges"]]


def township_code(case: Case, name: str) -> str:
    return str(case.one("select code from grid where level = '乡镇' and name = :n", n=name))


def elderly_living_alone_in_grid(case: Case) -> None:
    code = township_code(case, LONGXUN)
    people = case.run(gridCode=code, first=100)["people"]
    expected = {row[0] for row in case.sql("""
        select p.id from person p where p.status = 'active' and p.grid_code like :code || '%'
          and p.birth_date <= '1961-11-15'
          and exists (select 1 from person_tag t
                      where t.person_id = p.id and t.tag = 'living_alone')
    """, code=code)}  # fmt: skip
    assert expected
    assert {entity_id(n["id"]) for n in nodes(people)} == expected
    assert people["totalCount"] == len(expected)
    assert all(n["grid"]["code"].startswith(code) for n in nodes(people))


def grid_residents(case: Case) -> None:
    code = township_code(case, LONGXUN)
    expected = case.sql("""
        select p.id, p.name, p.phone, h.township, h.room from person p
        left join house h on h.id = p.house_id
        where p.status = 'active' and p.grid_code like :code || '%' order by p.id
    """, code=code)  # fmt: skip
    assert len(expected) > 10
    first = case.run(gridCode=code, first=10)["people"]
    rest = case.run(gridCode=code, first=100, after=first["pageInfo"]["endCursor"])["people"]
    assert first["totalCount"] == rest["totalCount"] == len(expected)
    assert first["pageInfo"]["hasNextPage"]
    shown = [edge["node"] for edge in first["edges"] + rest["edges"]]
    assert len(shown) == min(len(expected), 110)
    for node, (person_id, name, phone, township, room) in zip(shown, expected, strict=False):
        assert (entity_id(node["id"]), node["name"], node["phone"]) == (person_id, name, phone)
        address = (node["house"] or {}).get("address", "")
        assert all(part in address for part in (township, room) if part)


def low_income_without_vaccination(case: Case) -> None:
    low_income = case.one("""
        select count(*) from person p join house h on h.id = p.house_id
        where p.status = 'active' and h.township = :t and exists (
          select 1 from benefit b where b.person_id = p.id and b.category in ('低保', '特困供养'))
    """, t=LONGXUN)  # fmt: skip
    without = case.one("""
        select count(*) from person p join house h on h.id = p.house_id
        where p.status = 'active' and h.township = :t
          and exists (select 1 from benefit b where b.person_id = p.id
                      and b.category in ('低保', '特困供养'))
          and not exists (select 1 from vaccination v where v.person_id = p.id)
    """, t=LONGXUN)  # fmt: skip
    assert low_income > without > 0
    people = case.run(township=LONGXUN)["people"]
    assert people["totalCount"] == without
    for person in nodes(people):
        assert {"LOW_INCOME", "UNVACCINATED"} <= set(person["tags"])
        assert case.one("select count(*) from benefit where person_id = :p and category in "
                        "('低保', '特困供养')", p=entity_id(person["id"])) > 0  # fmt: skip


def person_everything(case: Case) -> None:
    person_id = case.one("""
        select p.id from person p where p.status = 'active' and p.household_no in (
          select household_no from person where status = 'active'
          group by household_no having count(*) > 2) order by p.id limit 1
    """)  # fmt: skip
    person = case.run(id=base64.b64encode(f"Person:{person_id}".encode()).decode())["person"]
    assert person["entityId"] == person_id
    name = next(p for p in person["provenance"] if p["field"] == "name")
    linked = {tuple(r) for r in case.sql(
        "select dataset, record_id from record_link where kind = 'person' and entity_id = :p",
        p=person_id)}  # fmt: skip
    assert name["dataset"] == "gongan.population"
    assert ("gongan.population", name["recordId"]) in linked
    assert name["value"] == person["name"] == case.one(
        "select name from source_record where dataset = 'gongan.population' "
        "and record_id = :r and valid_to is null", r=name["recordId"])  # fmt: skip
    assert {(r["dataset"], r["recordId"]) for r in person["sourceRecords"]} == linked
    members = {r[0] for r in case.sql(
        "select id from person where status = 'active' and household_no = "
        "(select household_no from person where id = :p)", p=person_id)}  # fmt: skip
    assert {m["entityId"] for m in person["householdMembers"]} == members
    assert len(person["vaccinations"]) == case.one(
        "select count(*) from vaccination where person_id = :p", p=person_id
    )


def person_by_resident_id(case: Case) -> None:
    person_id, resident_id = case.sql("""
        select id, resident_id from person where status = 'active' and resident_id is not null
        order by id limit 1
    """)[0]  # fmt: skip
    spaced = f"{resident_id[:6]} {resident_id[6:14]} {resident_id[14:].lower()}"
    found = case.run(residentId=spaced)["personByResidentId"]
    assert found["__typename"] == "Person"
    assert entity_id(found["id"]) == person_id
    assert found["residentId"] == resident_id
    invalid = case.run(residentId=resident_id[:-1])["personByResidentId"]
    assert invalid["__typename"] == "InvalidResidentId"


def grid_rollups(case: Case) -> None:
    code = township_code(case, LONGXUN)
    grid = case.run(code=code)["grid"]
    children = {r[0] for r in case.sql("select code from grid where parent_code = :c", c=code)}
    assert {c["code"] for c in grid["children"]} == children
    for node in [grid, *grid["children"]]:
        prefix = node["code"] + "%"
        assert node["residentCount"] == case.one(
            "select count(*) from person where status = 'active' and grid_code like :p", p=prefix
        )
        assert node["houseCount"] == case.one(
            "select count(*) from house where status = 'active' and grid_code like :p", p=prefix
        )
        tags = dict(case.sql("""
            select t.tag, count(*) from person p join person_tag t on t.person_id = p.id
            where p.status = 'active' and p.grid_code like :p group by t.tag
        """, p=prefix))  # fmt: skip
        assert {t["tag"].lower(): t["count"] for t in node["tagCounts"]} == tags
    assert grid["residentCount"] > 0


def quarantine_for_dataset(case: Case) -> None:
    rows = case.sql("""select file_name, line, reason from quarantined_row
                       where dataset = 'gongan.population' and released_at is null""")
    quarantine = case.run(dataset="gongan.population")["quarantine"]
    assert quarantine["totalCount"] == len(rows) > 0
    assert {(n["fileName"], n["line"], n["reason"].lower()) for n in nodes(quarantine)} == {
        tuple(r) for r in rows
    }


def party_members_in_grid(case: Case) -> None:
    code = township_code(case, LONGXUN)
    people = case.run(gridCode=code)["people"]
    members = {r[0] for r in case.sql("""
        select distinct p.id from person p join party_membership m on m.person_id = p.id
        where p.status = 'active' and p.grid_code like :c || '%'
    """, c=code)}  # fmt: skip
    assert {entity_id(n["id"]) for n in nodes(people)} == members
    assert all(n["partyMembership"]["branch"] for n in nodes(people))


def building_residents(case: Case) -> None:
    building = case.one("""select building_code from house where status = 'active'
                           group by building_code order by count(*) desc, building_code limit 1""")
    houses = case.run(buildingCode=building)["houses"]
    expected = dict(case.sql("""
        select h.id, count(p.id) from house h
        left join person p on p.house_id = h.id and p.status = 'active'
        where h.building_code = :b and h.status = 'active' group by h.id
    """, b=building))  # fmt: skip
    assert {entity_id(n["id"]): len(n["residents"]) for n in nodes(houses)} == expected


def find_person_by_name(case: Case) -> None:
    name, pinyin = case.sql("""select name, name_pinyin from person where status = 'active'
                               and name_pinyin is not null order by id limit 1""")[0]
    people = case.run(name=name)["people"]
    expected = {
        r[0]
        for r in case.sql(
            "select id from person where status = 'active' and name_pinyin = :p", p=pinyin
        )
    }
    assert {entity_id(n["id"]) for n in nodes(people)} == expected


def person_lineage(case: Case) -> None:
    person_id = case.one("""select entity_id from record_link where kind = 'person'
                            group by entity_id order by count(*) desc, entity_id limit 1""")
    records = case.run(personId=base64.b64encode(f"Person:{person_id}".encode()).decode())
    versions = case.one("""
        select count(*) from record_link l join source_record r
          on r.dataset = l.dataset and r.record_id = l.record_id
        where l.kind = 'person' and l.entity_id = :p
    """, p=person_id)  # fmt: skip
    assert len(records["sourceRecords"]) == versions > 1


def deliveries_of_dataset(case: Case) -> None:
    data = case.run(dataset="minzheng.assistance")
    assert data["deliveries"]["totalCount"] == case.one(
        "select count(*) from delivery where dataset = 'minzheng.assistance'"
    )
    assert len(data["qualityRuns"]["edges"]) == case.one(
        "select count(*) from quality_run where suite = 'minzheng.assistance'"
    )


def person_contact(case: Case) -> None:
    person_id, phone, house, grid = case.sql("""
        select id, phone, house_id, grid_code from person where status = 'active'
          and phone is not null and grid_code is not null order by id limit 1
    """)[0]  # fmt: skip
    found = case.run(id=base64.b64encode(f"Person:{person_id}".encode()).decode())["person"]
    assert (found["phone"], entity_id(found["house"]["id"])) == (phone, house)
    assert found["grid"]["code"] == grid
    assert found["grid"]["workerName"] == case.one("select worker_name from grid where code = :g",
                                                   g=grid)  # fmt: skip


def register_resident(case: Case) -> None:
    grid = case.one("select min(code) from grid where level = '责任网格'")
    house = case.one("select min(id) from house where status = 'active' and grid_code = :g",
                     g=grid)  # fmt: skip
    house_id = base64.b64encode(f"House:{house}".encode()).decode()
    given = {"name": "郑新来", "sex": "男", "birthDate": "1990年3月5日",
             "phone": "139 1234 5678", "houseId": house_id}  # fmt: skip
    done = case.run(input=given)["registerResident"]
    assert done["__typename"] == "EntryAccepted", done
    person = done["person"]
    assert (person["name"], person["phone"]) == ("郑新来", "13912345678")
    assert entity_id(person["house"]["id"]) == house
    linked = case.sql("select entity_id from record_link where kind = 'person' and "
                      "dataset = 'grid.entry' and record_id = :r", r=done["entryId"])  # fmt: skip
    assert [r[0] for r in linked] == [entity_id(person["id"])]
    assert case.one("select birth_date from person where id = :p",
                    p=entity_id(person["id"])) == "1990-03-05"  # fmt: skip
    outside = case.one("select min(id) from house where status = 'active' and grid_code <> :g",
                       g=grid)  # fmt: skip
    elsewhere = {**given, "houseId": base64.b64encode(f"House:{outside}".encode()).decode()}
    assert case.run(input=elsewhere)["registerResident"]["__typename"] == "EntryOutOfScope"


def update_resident_contact(case: Case) -> None:
    grid = case.one("select min(code) from grid where level = '责任网格'")
    person_id, version = case.sql("select id, version from person where status = 'active' "
                                  "and grid_code = :g order by id limit 1", g=grid)[0]  # fmt: skip
    gid = base64.b64encode(f"Person:{person_id}".encode()).decode()
    done = case.run(id=gid, expectedVersion=version, input={"phone": "13700001111"})
    assert done["updateResident"]["__typename"] == "EntryAccepted", done
    assert done["updateResident"]["person"]["version"] == version + 1
    assert case.one("select phone from person where id = :p", p=person_id) == "13700001111"
    stale = case.run(id=gid, expectedVersion=version, input={"phone": "13700002222"})
    assert stale["updateResident"] == {
        "__typename": "StaleVersion", "expectedVersion": version,
        "currentVersion": version + 1, "message": stale["updateResident"]["message"],
    }  # fmt: skip
    assert case.one("select phone from person where id = :p", p=person_id) == "13700001111"


def held_request(case: Case) -> tuple[int, str, str]:
    """A worker of another grid registers a resident of the token's grid by resident ID, in
    a house of their own grid: the entry is held. The request, the resident, the house."""
    grid = worker_grid(case)
    person, resident_id, name = case.sql(
        "select id, resident_id, name from person where status = 'active' and grid_code = :g "
        "and resident_id is not null and id not in (select person_id from move_request) "
        "order by id limit 1", g=grid)[0]  # fmt: skip
    other_grid, house = case.sql(
        "select grid_code, min(id) from house where status = 'active' and grid_code <> :g "
        "and grid_code is not null group by grid_code order by grid_code limit 1",
        g=grid)[0]  # fmt: skip
    with Session(case.engine) as session, session.begin():
        elsewhere = api_tokens.create(session, policy(), name=f"ops/{person}",
                                      role="grid_worker", grid_code=other_grid).secret  # fmt: skip
    entered = Case(case.api, case.engine, "RegisterResident", elsewhere).run(input={
        "name": name, "residentId": resident_id, "phone": "13911112222",
        "houseId": global_id("House", house)})["registerResident"]  # fmt: skip
    assert entered["__typename"] == "EntryPending", entered
    assert set(entered) == {"__typename", "requestId", "message"}  # nothing about the resident
    return int(entered["requestId"]), person, house


def move_requests(case: Case) -> None:
    request_id, person, house = held_request(case)
    listed = case.run(first=100)["moveRequests"]
    nodes = {n["node"]["requestId"]: n["node"] for n in listed["edges"]}
    shown = nodes[request_id]
    assert entity_id(shown["person"]["id"]) == person
    assert shown["proposal"]["gridCode"] == case.one("select grid_code from house where id = :h",
                                                     h=house)  # fmt: skip
    pending = case.one(
        "select count(*) from move_request m join person p on p.id = m.person_id "
        "where m.status = 'pending' and p.grid_code = :g",
        g=worker_grid(case),
    )
    assert listed["totalCount"] == pending


def confirm_move_request(case: Case) -> None:
    request_id, person, house = held_request(case)
    before = case.one("select house_id from person where id = :p", p=person)
    done = case.run(requestId=request_id, note="seen at the door")["confirmMoveRequest"]
    assert done["__typename"] == "MoveConfirmed", done
    assert done["request"]["status"] == "confirmed"
    status, record = case.sql("select status, record_id from move_request where id = :r",
                              r=request_id)[0]  # fmt: skip
    assert (status, record) == ("confirmed", done["entryId"])
    assert case.one("select house_id from person where id = :p", p=person) == house != before
    again = case.run(requestId=request_id)["confirmMoveRequest"]
    assert again["__typename"] == "MoveRequestRefused"


def reject_move_request(case: Case) -> None:
    request_id, person, _ = held_request(case)
    before = case.sql("select version, house_id from person where id = :p", p=person)
    done = case.run(requestId=request_id, reason="not the same person")["rejectMoveRequest"]
    assert done == {"__typename": "MoveRequest", "requestId": request_id, "status": "rejected",
                    "decidedBy": "test/steward", "note": "not the same person"}  # fmt: skip
    assert case.sql("select version, house_id from person where id = :p", p=person) == before


def global_id(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def worker_grid(case: Case) -> str:
    """The grid the grid worker's token names (see the ``tokens`` fixture)."""
    return str(case.one("select min(code) from grid where level = '责任网格'"))


REPORT_INPUT = {"category": "环境卫生", "description": "垃圾未清运", "address": "路口垃圾桶旁"}


def report_in_grid(case: Case, *, assigned: bool = True) -> dict[str, Any]:
    """A report the grid worker took down in their grid, assigned back to them (city
    management's step) unless ``assigned`` is false."""
    made = case.step("ReportEvent", "grid_worker", input=REPORT_INPUT)["reportEvent"]
    assert made["__typename"] == "CitizenReport", made
    if assigned:
        done = case.step(
            "AssignReport",
            "city_management",
            eventId=made["eventId"],
            to="GRID_WORKER",
            expectedVersion=made["version"],
        )["assignReport"]
        assert done["status"] == "ASSIGNED", done  # fmt: skip
        return dict(done)
    return dict(made)


def report_row(case: Case, event_id: str) -> Any:
    return case.sql(
        "select status, version, assigned_role, points, answer, rating, grid_code, "
        "person_id, origin from citizen_report where event_id = :e",
        e=event_id,
    )[0]


def report_steps(case: Case, event_id: str) -> list[str]:
    return [r[0] for r in case.sql(
        "select s.status from report_step s join citizen_report r on r.id = s.report_id "
        "where r.event_id = :e order by s.at, s.id", e=event_id)]  # fmt: skip


def report_event(case: Case) -> None:
    grid = worker_grid(case)
    unique_phone = case.sql("""
        select p.id, p.phone from person p where p.status = 'active' and p.grid_code = :g
          and p.phone is not null
          and (select count(*) from person q where q.phone = p.phone) = 1
        order by p.id limit 1""", g=grid)  # fmt: skip
    person_id, phone = unique_phone[0]
    made = case.run(input={**REPORT_INPUT, "reporterPhone": phone})["reportEvent"]
    assert made["__typename"] == "CitizenReport", made
    assert (made["status"], made["version"], made["gridCode"]) == ("SUBMITTED", 1, grid)
    assert "reporter" not in made  # linked (below), not shown
    assert [(s["status"], s["role"]) for s in made["steps"]] == [("SUBMITTED", "grid_worker")]
    status, version, _, _, _, _, grid_code, reporter, origin = report_row(case, made["eventId"])
    assert (status, version, grid_code, reporter, origin) == ("已提交", 1, grid, person_id, "hub")
    invalid = case.run(input={"category": "噪音", "lng": 118.25})["reportEvent"]
    assert invalid["__typename"] == "ReportInvalid"
    assert {p["field"] for p in invalid["problems"]} >= {"category", "lat"}


def assign_report(case: Case) -> None:
    made = report_in_grid(case, assigned=False)
    done = case.run(eventId=made["eventId"], to="GRID_WORKER", expectedVersion=1)["assignReport"]
    assert (done["status"], done["version"], done["assignedRole"]) == (
        "ASSIGNED", 2, "GRID_WORKER")  # fmt: skip
    assert done["points"] == 5  # valid, not a traffic offence
    status, version, role, points, *_ = report_row(case, made["eventId"])
    assert (status, version, role, points) == ("已转办", 2, "grid_worker", 5)
    assert report_steps(case, made["eventId"]) == ["已提交", "已转办"]
    stale = case.run(eventId=made["eventId"], to="GRID_WORKER", expectedVersion=1)
    assert stale["assignReport"]["__typename"] == "StaleReport"  # read before it was assigned
    again = case.run(eventId=made["eventId"], to="GRID_WORKER", expectedVersion=2)
    assert again["assignReport"]["__typename"] == "InvalidTransition"  # assigned already


def handle_report(case: Case) -> None:
    assigned = report_in_grid(case)
    event = assigned["eventId"]
    stale = case.run(eventId=event, expectedVersion=1)["handleReport"]
    assert stale == {"__typename": "StaleReport", "expectedVersion": 1, "currentVersion": 2,
                     "message": stale["message"]}  # fmt: skip
    done = case.run(eventId=event, expectedVersion=2, note="已到现场")["handleReport"]
    assert (done["status"], done["version"]) == ("HANDLED", 3)
    assert [s["role"] for s in done["steps"]] == ["grid_worker", "city_management", "grid_worker"]
    assert report_row(case, event)[:2] == ("办理中", 3)


def answer_report(case: Case) -> None:
    event = report_in_grid(case)["eventId"]
    case.step("HandleReport", "grid_worker", eventId=event)
    done = case.run(eventId=event, answer="已清运")["answerReport"]
    assert (done["status"], done["answer"]) == ("ANSWERED", "已清运")
    row = report_row(case, event)
    assert (row[0], row[4]) == ("已反馈", "已清运")
    assert report_steps(case, event) == ["已提交", "已转办", "办理中", "已反馈"]


def rate_report(case: Case) -> None:
    event = report_in_grid(case)["eventId"]
    case.step("HandleReport", "grid_worker", eventId=event)
    case.step("AnswerReport", "grid_worker", eventId=event, answer="已清运")
    done = case.run(eventId=event, rating=4)["rateReport"]
    assert (done["status"], done["rating"], done["version"]) == ("RATED", 4, 5)
    assert [s["status"] for s in done["steps"]] == [
        "SUBMITTED", "ASSIGNED", "HANDLED", "ANSWERED", "RATED"]  # fmt: skip
    assert (report_row(case, event)[0], report_row(case, event)[5]) == ("已评价", 4)
    again = case.run(eventId=event, rating=5)["rateReport"]
    assert again["__typename"] == "InvalidTransition"


OPEN = ("已提交", "已转办", "办理中")


def grid_reports(case: Case) -> None:
    grid = worker_grid(case)
    township = grid[:9]
    before = case.run(code=township)["grid"]["openReportCount"]
    event = report_in_grid(case)["eventId"]  # one more open report in the township
    answer = case.run(code=township, first=100)
    counts = answer["grid"]
    open_sql = case.one("select count(*) from citizen_report where status in (:a, :b, :c) "
                        "and grid_code like :g || '%'", a=OPEN[0], b=OPEN[1], c=OPEN[2],
                        g=township)  # fmt: skip
    assert counts["openReportCount"] == open_sql == before + 1
    overdue = sum(
        1 for (at,) in case.sql(
            "select reported_at from citizen_report where status in (:a, :b, :c) "
            "and grid_code like :g || '%'", a=OPEN[0], b=OPEN[1], c=OPEN[2], g=township)
        if is_overdue(ReportStatus.SUBMITTED, _moment(at), today_in_dehua())
    )  # fmt: skip
    assert counts["overdueReportCount"] == overdue
    for child in counts["children"]:
        assert child["openReportCount"] == case.one(
            "select count(*) from citizen_report where status in (:a, :b, :c) "
            "and grid_code like :g || '%'",
            a=OPEN[0],
            b=OPEN[1],
            c=OPEN[2],
            g=child["code"],
        )
    listed = answer["citizenReports"]
    assert listed["totalCount"] == open_sql
    if not listed["pageInfo"]["hasNextPage"]:
        assert event in {e["node"]["eventId"] for e in listed["edges"]}
    assert all(e["node"]["status"] in ("SUBMITTED", "ASSIGNED", "HANDLED")
               for e in listed["edges"])  # fmt: skip


def _moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def changes_since(case: Case) -> None:
    first = case.run(first=100)["changes"]
    seqs = [e["node"]["seq"] for e in first["edges"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs
    stored = {
        seq: (entity, kind)
        for seq, entity, kind in case.sql(
            "select seq, entity_id, kind from change_event where seq <= :s", s=seqs[-1]
        )
    }
    for edge in first["edges"]:
        node = edge["node"]
        assert stored[node["seq"]] == (node["entityId"], node["kind"].lower())
    # Persons are created first: every event up to the page's end is one civil affairs sees.
    assert seqs == sorted(stored)
    nxt = case.run(first=100, after=first["pageInfo"]["endCursor"])["changes"]
    more = [e["node"]["seq"] for e in nxt["edges"]]
    assert more and min(more) > seqs[-1]
    since = case.run(since={"seq": seqs[49]}, first=10)["changes"]
    assert [e["node"]["seq"] for e in since["edges"]] == seqs[50:60]


def change_feed(case: Case) -> None:
    last = int(case.one("select max(seq) from change_event"))
    start = encode_cursor(CHANGE_CURSOR, last - 5)
    page = case.step("ChangesSince", "steward", after=start, first=100)["changes"]
    expected = [e["node"]["seq"] for e in page["edges"]]
    assert expected and max(expected) == last
    got = [data["changes"] for data in case.subscribe(len(expected), after=start)]
    assert [g["seq"] for g in got] == expected  # the same events as the query, in order
    assert [g["entityId"] for g in got] == [e["node"]["entityId"] for e in page["edges"]]


def uncertain_matches(case: Case) -> None:
    answer = case.run(withinBits=4, first=50)["uncertainMatches"]
    nodes_ = [e["node"] for e in answer["edges"]]
    assert nodes_, "the generated county has pairs near the threshold"
    distances = [n["distance"] for n in nodes_]
    assert distances == sorted(distances) and all(0 <= d <= 4 for d in distances)
    first = nodes_[0]
    thresholds = [
        first["matchWeight"] + first["distance"],
        first["matchWeight"] - first["distance"],
    ]
    threshold = next(
        t
        for t in thresholds
        if all(abs(abs(n["matchWeight"] - t) - n["distance"]) < 1e-6 for n in nodes_)
    )
    stored = {(left, right): weight for left, right, weight in case.sql(
        "select uid_l, uid_r, match_weight from match_pair where abs(match_weight - :t) <= 4",
        t=threshold)}  # fmt: skip
    assert answer["totalCount"] <= len(stored)
    for n in nodes_:
        assert abs(stored[(n["leftUid"], n["rightUid"])] - n["matchWeight"]) < 1e-6
        assert n["evidence"] and all(c["comparison"] and c["level"] for c in n["evidence"])
        assert f"{n['leftRecord']['dataset']}:{n['leftRecord']['recordId']}" == n["leftUid"]


def _linked_persons(case: Case, minimum: int, count: int) -> list[tuple[str, list[str]]]:
    """Active persons with at least ``minimum`` person records, the first ``count`` by id,
    each with their record uids; persons no earlier case acted on."""
    rows = case.sql("""
        select l.entity_id, l.dataset || ':' || l.record_id from record_link l
        join person p on p.id = l.entity_id
        where l.kind = 'person' and p.status = 'active' order by l.entity_id, l.dataset,
              l.record_id""")  # fmt: skip
    decided = " ".join(str(r[0]) for r in case.sql("select subject from steward_decision"))
    grouped: dict[str, list[str]] = {}
    for person, uid in rows:
        grouped.setdefault(person, []).append(uid)
    found = [(p, uids) for p, uids in grouped.items() if len(uids) >= minimum
             and not any(uid in decided for uid in uids)]  # fmt: skip
    return found[-count:]


def _link(case: Case, uid: str) -> str:
    dataset, record_id = uid.split(":", 1)
    return str(case.one("select entity_id from record_link where kind = 'person' and "
                        "dataset = :d and record_id = :r", d=dataset, r=record_id))  # fmt: skip


def merge_persons(case: Case) -> None:
    (a, records_a), (b, records_b) = _linked_persons(case, 1, 2)
    done = case.run(
        personIds=[global_id("Person", a), global_id("Person", b)],
        reason="one person: the household register says so",
    )["mergePersons"]
    assert done["__typename"] == "StewardActionDone", done
    (survivor,) = done["personIds"]
    assert {_link(case, uid) for uid in records_a + records_b} == {survivor}
    absorbed = ({a, b} - {survivor}).pop()
    assert case.one("select status from person where id = :p", p=absorbed) == "merged"
    (decision,) = done["decisions"]
    assert decision["kind"] == "SAME_PERSON" and sorted(decision["records"]) == sorted(
        records_a + records_b
    )
    assert case.one("select count(*) from change_event where decision_id = :d",
                    d=int(decision["id"])) == done["changes"] > 0  # fmt: skip


def _resident_ids(case: Case, uids: list[str]) -> dict[str, str | None]:
    found = {}
    for uid in uids:
        dataset, record_id = uid.split(":", 1)
        found[uid] = case.one(
            "select resident_id from source_record where dataset = :d and record_id = :r "
            "and valid_to is null",
            d=dataset,
            r=record_id,
        )
    return found


def _separable(case: Case) -> tuple[str, list[str], str]:
    """A person with a record that carries no resident ID their other records carry (kept
    apart, it makes no second person with the same ID): the person, their records, it."""
    for person, records in reversed(_linked_persons(case, 2, 50)):
        ids = _resident_ids(case, records)
        for uid in records:
            others = {ids[o] for o in records if o != uid}
            if ids[uid] is None or ids[uid] not in others:
                return person, records, uid
    raise AssertionError("no person with a record to take apart")


def split_person(case: Case) -> None:
    person, records, movable = _separable(case)
    moved = [movable]
    done = case.run(
        personId=global_id("Person", person),
        records=moved,
        reason="two people: different birth dates on paper",
    )["splitPerson"]
    assert done["__typename"] == "StewardActionDone", done
    assert len(done["personIds"]) == 2
    rest = next(uid for uid in records if uid != movable)
    assert _link(case, movable) != _link(case, rest)
    assert {_link(case, movable), _link(case, rest)} == set(done["personIds"])
    # A record carrying the ID the others carry cannot be split off: one ID, two persons.
    sharing = next(
        (person, uid)
        for person, uids in _linked_persons(case, 2, 50)
        for uid, rid in _resident_ids(case, uids).items()
        if rid and list(_resident_ids(case, uids).values()).count(rid) > 1
    )
    refused = case.run(personId=global_id("Person", sharing[0]), records=[sharing[1]],
                       reason="wrong")["splitPerson"]  # fmt: skip
    assert refused["__typename"] == "ActionRefused"
    assert "two persons with one resident ID" in refused["message"]


def detach_record(case: Case) -> None:
    _, records, movable = _separable(case)
    done = case.run(record=movable, reason="a namesake's record")["detachRecord"]
    assert done["__typename"] == "StewardActionDone", done
    assert all(_link(case, movable) != _link(case, uid) for uid in records if uid != movable)
    (decision,) = done["decisions"]
    # It names the record and the ones it leaves: never with them again.
    assert decision["kind"] == "DETACH" and sorted(decision["records"]) == sorted(records)


def mark_not_same_person(case: Case) -> None:
    (a, records_a), (b, records_b) = _linked_persons(case, 1, 2)
    before = case.one("select count(*) from steward_decision where kind = 'detach'")
    done = case.run(
        input={"personIds": [global_id("Person", a), global_id("Person", b)]},
        reason="two people, checked at home",
    )["markNotSamePerson"]
    assert done["__typename"] == "StewardActionDone", done
    assert case.one("select count(*) from steward_decision where kind = 'detach'") == before + 1
    # Two persons told apart: each one's records kept from the other's.
    (decision,) = done["decisions"]
    assert decision["kind"] == "DETACH"
    assert sorted(decision["records"]) == sorted(records_a + records_b)
    assert {_link(case, uid) for uid in records_a} == {a}
    assert {_link(case, uid) for uid in records_b} == {b}


def release_quarantined_row(case: Case) -> None:
    row_id, raw, record_id = case.sql("""
        select q.id, q.raw, q.record_id from quarantined_row q
        where q.dataset = 'gongan.population' and q.reason = 'missing_name'
          and q.released_at is null order by q.id limit 1""")[0]  # fmt: skip
    (cells,) = list(csv.reader(io.StringIO(raw)))
    values = {**dict(zip(catalog.POPULATION.columns, cells, strict=True)), "姓名": "吴金木"}
    done = case.run(id=row_id, values=values, reason="name from the paper register")
    released = done["releaseQuarantinedRow"]
    assert released["__typename"] == "RowReleased", released
    assert (released["dataset"], released["recordId"]) == ("gongan.population", record_id)
    assert case.one("select name from source_record where dataset = 'gongan.population' and "
                    "record_id = :r and valid_to is null", r=record_id) == "吴金木"  # fmt: skip
    assert case.one("select released_by from quarantined_row where id = :i", i=row_id)
    linked = case.one(
        "select entity_id from record_link where kind = 'person' and "
        "dataset = 'gongan.population' and record_id = :r",
        r=record_id,
    )
    assert linked in released["entityIds"]
    again = case.run(id=row_id, values=values, reason="again")["releaseQuarantinedRow"]
    assert again["__typename"] == "ActionRefused"


def audit_trail(case: Case) -> None:
    person_id = case.one("select min(id) from person where status = 'active'")
    gid = global_id("Person", person_id)
    case.step("PersonContact", "civil_affairs", id=gid)  # a department looks at them
    trail = case.run(personId=gid, first=100)["auditTrail"]
    expected = case.sql("""
        select e.id, e.actor, e.role, e.purpose, e.operation, e.allowed from audit_entry e
        join audit_person a on a.entry_id = e.id where a.person_id = :p order by e.id desc
    """, p=person_id)  # fmt: skip
    shown = nodes(trail)
    # The steward's own look is audited too, once the answer is ready: the newest entry now.
    own, *before = [(int(i), a, r, p, o, bool(ok)) for i, a, r, p, o, ok in expected]
    assert own[1:] == ("test/steward", "steward", PURPOSE, "AuditTrail", True)
    assert [(int(n["id"]), n["actor"], n["role"], n["purpose"], n["operation"], n["allowed"])
            for n in shown] == before  # fmt: skip
    newest = shown[0]
    assert (newest["actor"], newest["role"], newest["operation"]) == (
        "test/civil_affairs", "civil_affairs", "PersonContact")  # fmt: skip
    assert {"field": "Person.phone", "allowed": True} in newest["fields"]


def _merged_pair(case: Case) -> tuple[list[str], list[str], int]:
    """Two persons merged by a steward (MergePersons): each one's records, and the decision."""
    (a, records_a), (b, records_b) = _linked_persons(case, 1, 2)
    done = case.step("MergePersons", "steward",
                     personIds=[global_id("Person", a), global_id("Person", b)],
                     reason="one person, said the household register")["mergePersons"]  # fmt: skip
    assert done["__typename"] == "StewardActionDone", done
    return records_a, records_b, int(done["decisions"][0]["id"])


def steward_decisions(case: Case) -> None:
    _, _, decision = _merged_pair(case)
    listed = case.run(first=100)["stewardDecisions"]
    expected = case.sql("select id, kind, actor, reason from steward_decision "
                        "where revoked_at is null order by id desc")  # fmt: skip
    shown = nodes(listed)
    assert [(n["id"], n["kind"].lower(), n["actor"], n["reason"]) for n in shown] == [
        tuple(row) for row in expected]  # fmt: skip
    assert shown[0]["id"] == decision and shown[0]["actor"] == "test/steward"
    assert shown[0]["records"] and shown[0]["revokedAt"] is None


def revoke_steward_decision(case: Case) -> None:
    records_a, records_b, decision = _merged_pair(case)
    assert len({_link(case, uid) for uid in records_a + records_b}) == 1
    done = case.run(id=decision, reason="merged by mistake: two brothers")
    revoked = done["revokeStewardDecision"]
    assert revoked["__typename"] == "DecisionRevoked", revoked
    assert revoked["decision"]["revokedBy"] == "test/steward"
    assert revoked["decision"]["revokedReason"] == "merged by mistake: two brothers"
    # Resolved again without the merge: the two are two persons again.
    assert len({_link(case, uid) for uid in records_a + records_b}) == 2
    assert sorted(revoked["personIds"]) == sorted(
        {_link(case, uid) for uid in records_a + records_b})  # fmt: skip
    assert case.one("select revoked_reason from steward_decision where id = :d",
                    d=decision) == "merged by mistake: two brothers"  # fmt: skip
    again = case.run(id=decision, reason="again")["revokeStewardDecision"]
    assert again["__typename"] == "ActionRefused"
    missing = case.run(id=10**9, reason="no such")["revokeStewardDecision"]
    assert missing["__typename"] == "DecisionNotFound"


def _worker_resident(case: Case, offset: int) -> tuple[str, int, str]:
    """An active resident of the grid worker's grid with a house: id, version, house."""
    rows = case.sql(
        "select id, version, house_id from person where status = 'active' and grid_code = :g "
        "and house_id is not null order by id",
        g=worker_grid(case),
    )
    person_id, version, house = rows[offset]
    return str(person_id), int(version), str(house)


def report_move(case: Case) -> None:
    person_id, version, house = _worker_resident(case, 1)
    other = case.one("select min(id) from house where status = 'active' and grid_code = :g "
                     "and id <> :h", g=worker_grid(case), h=house)  # fmt: skip
    done = case.run(id=global_id("Person", person_id), expectedVersion=version,
                    houseId=global_id("House", other), movedOn="2026-11-20",
                    note="moved in with their daughter")["reportMove"]  # fmt: skip
    assert done["__typename"] == "EntryAccepted", done
    assert entity_id(done["person"]["house"]["id"]) == other
    assert case.one("select house_id from person where id = :p", p=person_id) == other
    stale = case.run(id=global_id("Person", person_id), expectedVersion=version,
                     outOfCounty=True)["reportMove"]  # fmt: skip
    assert stale["__typename"] == "StaleVersion"


def report_death(case: Case) -> None:
    person_id, version, _ = _worker_resident(case, 2)
    done = case.run(
        id=global_id("Person", person_id), expectedVersion=version, diedOn="2026-11-19",
        note="the family told the grid worker",
    )["reportDeath"]  # fmt: skip
    assert done["__typename"] == "EntryAccepted", done
    assert done["person"]["status"] == "ENDED"
    assert case.one("select status from person where id = :p", p=person_id) == "ended"


CASES: dict[str, Callable[[Case], None]] = {
    "BuildingResidents": building_residents,
    "DeliveriesOfDataset": deliveries_of_dataset,
    "ElderlyLivingAloneInGrid": elderly_living_alone_in_grid,
    "FindPersonByName": find_person_by_name,
    "GridResidents": grid_residents,
    "GridRollups": grid_rollups,
    "LowIncomeWithoutVaccination": low_income_without_vaccination,
    "PartyMembersInGrid": party_members_in_grid,
    "PersonByResidentId": person_by_resident_id,
    "PersonEverything": person_everything,
    "PersonLineage": person_lineage,
    "QuarantineForDataset": quarantine_for_dataset,
    "PersonContact": person_contact,
    "RegisterResident": register_resident,
    "UpdateResidentContact": update_resident_contact,
    "ChangesSince": changes_since,
    "ChangeFeed": change_feed,
    "UncertainMatches": uncertain_matches,
    "MergePersons": merge_persons,
    "SplitPerson": split_person,
    "DetachRecord": detach_record,
    "MarkNotSamePerson": mark_not_same_person,
    "ReleaseQuarantinedRow": release_quarantined_row,
    "ReportEvent": report_event,
    "AssignReport": assign_report,
    "HandleReport": handle_report,
    "AnswerReport": answer_report,
    "RateReport": rate_report,
    "GridReports": grid_reports,
    "AuditTrail": audit_trail,
    "StewardDecisions": steward_decisions,
    "RevokeStewardDecision": revoke_steward_decision,
    "ReportMove": report_move,
    "ReportDeath": report_death,
    "MoveRequests": move_requests,
    "ConfirmMoveRequest": confirm_move_request,
    "RejectMoveRequest": reject_move_request,
}


def test_every_operation_has_a_case_and_a_role() -> None:
    assert sorted(p.stem for p in OPERATIONS.glob("*.graphql")) == sorted(CASES)
    assert sorted(ASKED_BY) == sorted(CASES)
    readme = (OPERATIONS / "README.md").read_text(encoding="utf-8")
    for name, role in ASKED_BY.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}`"))
        assert f"`{role}`" in row, (name, role, row)


@pytest.mark.parametrize("name", sorted(CASES))
def test_operation_answers_match_sql(
    name: str, client: HubClient, published: tuple[Settings, Engine], tokens: dict[str, str]
) -> None:
    settings, engine = published
    CASES[name](Case(AsgiApi(client, settings), engine, name, tokens[ASKED_BY[name]], tokens))


def test_the_operations_left_an_intact_audit_trail(
    published: tuple[Settings, Engine], client: HubClient, tokens: dict[str, str]
) -> None:
    api = AsgiApi(client, published[0])
    CASES["PersonEverything"](Case(api, published[1], "PersonEverything", tokens["steward"]))
    with Session(published[1]) as session:
        result = audit.verify(session)
    assert result.ok and result.entries > 0
