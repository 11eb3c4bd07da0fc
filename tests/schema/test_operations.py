"""Every example operation in ``schema/operations`` run over HTTP against a database published
from generated data, its answer checked against SQL written independently of the schema
(facts tables rather than tags where the two can be told apart).

The app runs in production mode, as departments meet it: published operations only, each sent
with the token of the role that asks it (the table in ``schema/operations/README.md``) and a
purpose, and every answer audited."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from hub.api import audit
from hub.api.app import create_app
from hub.config import Settings, load_settings
from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.resolution.run import resolve
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory
from tests.api.conftest import HubClient, headers, issue_tokens, serve

pytestmark = pytest.mark.slow
OPERATIONS = Path(__file__).parents[2] / "schema" / "operations"
LONGXUN = "龙浔镇"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Engine]]:
    """400 generated residents, ingested and resolved; an engine for the independent SQL."""
    base = tmp_path_factory.mktemp("published")
    generate(GenerateOptions(residents=400, seed=5, out=base / "landing", truth=base / "truth"))
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    ingest_landing(factory, base / "landing")
    with factory() as session, session.begin():
        resolve(session)
    yield load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(base)}, cwd=base), engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(published: tuple[Settings, Engine]) -> Iterator[HubClient]:
    with serve(create_app(published[0])) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(published: tuple[Settings, Engine]) -> dict[str, str]:
    with published[1].connect() as conn:
        grid = conn.execute(text("select min(code) from grid where level = '责任网格'")).scalar()
    return issue_tokens(published[0].database_url, grid_code=str(grid))


#: Who asks each operation (a role of the policy file); the README's table says the same.
ASKED_BY = {
    "BuildingResidents": "public_security",
    "DeliveriesOfDataset": "steward",
    "ElderlyLivingAloneInGrid": "civil_affairs",
    "FindPersonByName": "health",
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
}


class Case:
    """One operation's run: its variables, its data, and SQL to check it with."""

    def __init__(self, client: HubClient, engine: Engine, name: str, token: str) -> None:
        self.client, self.engine, self.name, self.token = client, engine, name, token

    def sql(self, statement: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(statement), params))

    def one(self, statement: str, **params: Any) -> Any:
        return self.sql(statement, **params)[0][0]

    def run(self, **variables: Any) -> dict[str, Any]:
        query = (OPERATIONS / f"{self.name}.graphql").read_text(encoding="utf-8")
        response = self.client.post("/graphql", json={"query": query, "variables": variables},
                                    headers=headers(self.token))  # fmt: skip
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


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


CASES: dict[str, Callable[[Case], None]] = {
    "BuildingResidents": building_residents,
    "DeliveriesOfDataset": deliveries_of_dataset,
    "ElderlyLivingAloneInGrid": elderly_living_alone_in_grid,
    "FindPersonByName": find_person_by_name,
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
    CASES[name](Case(client, published[1], name, tokens[ASKED_BY[name]]))


def test_the_operations_left_an_intact_audit_trail(
    published: tuple[Settings, Engine], client: HubClient, tokens: dict[str, str]
) -> None:
    CASES["PersonEverything"](Case(client, published[1], "PersonEverything", tokens["steward"]))
    with Session(published[1]) as session:
        result = audit.verify(session)
    assert result.ok and result.entries > 0
