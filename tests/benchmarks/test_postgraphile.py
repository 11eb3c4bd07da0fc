"""The comparison with PostGraphile: answers reshaped into the hub's, backends found and timed
by application name, the table with its ratio, and (slow) the whole run on a small world."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from benchmarks import _postgraphile as pgl
from benchmarks import vs_postgraphile
from tests.benchmarks.conftest import world_database

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_x"


def _node(kind: str, key: str) -> str:
    return base64.b64encode(json.dumps([kind, key]).encode()).decode()


def _hub(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def test_the_hub_schema_and_a_libpq_url_come_from_the_url() -> None:
    assert pgl.hub_schema(URL) == "bench_x"
    assert pgl.hub_schema("postgresql+psycopg://postgres@h/test") == "public"
    libpq = pgl.libpq_url(URL, "bench-a")
    assert libpq == "postgresql://postgres@127.0.0.1:5432/test?application_name=bench-a"


def test_a_resident_id_lookup_is_reshaped_as_the_hub_answers() -> None:
    answer = {
        "personByResidentId": {
            "__typename": "Person",
            "id": _node("Person", "P1"),
            "name": "曾伟",
            "residentId": "350526199001011234",
            "registrationType": "户籍人口",
            "householdNo": "H1",
            "relationToHead": "户主",
            "house": {"address": "德化县浔中镇"},
            "tags": ["ELDERLY"],
        }
    }
    assert pgl.as_hub("PersonByResidentId", answer) == {
        "personByResidentId": {
            "__typename": "Person",
            "id": _hub("Person", "P1"),
            "name": "曾伟",
            "residentId": "350526199001011234",
            "registration": {
                "registrationType": "户籍人口",
                "householdNo": "H1",
                "relationToHead": "户主",
            },
            "house": {"address": "德化县浔中镇"},
            "tags": ["ELDERLY"],
        }
    }
    assert pgl.as_hub("PersonByResidentId", {"personByResidentId": None}) == {
        "personByResidentId": None
    }


def test_a_grid_page_leaves_the_cursors_out_on_both_sides() -> None:
    node = {
        "id": _node("Person", "P2"),
        "name": "林",
        "registrationType": "流动人口",
        "relationToHead": None,
    }
    answer = {
        "gridResidents": {
            "totalCount": 1,
            "edges": [{"node": node}],
            "pageInfo": {"hasNextPage": False, "endCursor": "theirs"},
        }
    }
    hub = {
        "people": {
            "totalCount": 1,
            "edges": [
                {
                    "node": {
                        "id": _hub("Person", "P2"),
                        "name": "林",
                        "registration": {"registrationType": "流动人口", "relationToHead": None},
                    }
                }
            ],
            "pageInfo": {"hasNextPage": False, "endCursor": "ours"},
        }
    }
    mine, theirs = pgl.comparable_hub("GridResidents", hub), pgl.as_hub("GridResidents", answer)
    assert pgl.first_difference(mine, theirs) is None
    hub["people"]["totalCount"] = 2  # type: ignore[index]
    where = pgl.first_difference(pgl.comparable_hub("GridResidents", hub), theirs)
    assert where == ".people.totalCount"


def _everything() -> dict[str, Any]:
    none: dict[str, list[Any]] = {"nodes": []}
    return {
        "id": _node("Person", "P3"),
        **{
            k: None
            for k in (
                "status",
                "name",
                "namePinyin",
                "sex",
                "birthDate",
                "age",
                "ethnicity",
                "residentId",
                "phone",
                "registrationType",
                "householdNo",
                "relationToHead",
                "grid",
            )
        },
        "entityId": "P3",
        "house": {
            "id": _node("House", "H3"),
            "address": "德化县",
            "use": None,
            "buildingCode": None,
        },
        "householdMembers": {"nodes": [{"entityId": "P3", "name": None, "relationToHead": "户主"}]},
        "tags": [],
        "benefits": none,
        "vaccinations": {
            "nodes": [
                {
                    "vaccine": "乙肝",
                    "dose": 1,
                    "site": None,
                    "vaccinatedAt": "2026-01-02T11:00:00+08:00",
                }
            ]
        },
        "healthGroups": none,
        "partyMemberships": {"nodes": [{"category": "正式党员"}]},
        "citizenReports": none,
        "provenance": none,
        "sourceRecords": {
            "nodes": [
                {
                    "dataset": "d",
                    "recordId": "r",
                    "validFrom": "2026-01-01",
                    "validTo": None,
                    "rule": "resident_id",
                    "score": None,
                }
            ]
        },
    }


def test_everything_about_a_person_is_reshaped_as_the_hub_answers() -> None:
    shaped = pgl.as_hub("PersonEverything", {"personByRowId": _everything()})["person"]
    assert shaped["id"] == _hub("Person", "P3")
    assert shaped["house"]["id"] == _hub("House", "H3")
    assert shaped["householdMembers"] == [
        {"entityId": "P3", "name": None, "registration": {"relationToHead": "户主"}}
    ]
    assert shaped["partyMembership"] == {"category": "正式党员"}  # the newest record only
    assert shaped["vaccinations"][0]["vaccinatedAt"] == "2026-01-02T03:00:00+00:00"
    assert shaped["sourceRecords"] == [
        {
            "dataset": "d",
            "recordId": "r",
            "validFrom": "2026-01-01",
            "validTo": None,
            "link": {"rule": "resident_id", "score": None},
        }
    ]
    assert pgl.as_hub("PersonEverything", {"personByRowId": None}) == {"person": None}


def test_differences_are_found_with_their_path_and_values() -> None:
    a = {"x": [{"y": 1}, {"y": 2}], "z": None}
    assert pgl.first_difference(a, json.loads(json.dumps(a))) is None
    b = {"x": [{"y": 1}, {"y": 3}], "z": None}
    assert pgl.first_difference(a, b) == ".x[1].y"
    assert pgl.value_at(b, ".x[1].y") == 3
    assert pgl.first_difference(a, {"x": [{"y": 1}], "z": None}) == ".x (2 items against 1)"
    assert pgl.first_difference(a, {"x": a["x"]}) == ".z (only one has it)"


def test_the_variables_are_the_same_draws_in_postgraphile_s_form() -> None:
    person = _hub("Person", "P00023FBB9BAD")
    assert pgl.VARIABLES["PersonEverything"]({"id": person}) == {"id": "P00023FBB9BAD"}
    assert pgl.VARIABLES["GridResidents"]({"gridCode": "35", "first": 100}) == {
        "gridCode": "35",
        "first": 100,
    }


def test_the_table_shows_medians_and_the_hub_s_share_of_postgraphile_s_rate() -> None:
    rows = []
    for round_, (theirs, ours) in enumerate([(100.0, 50.0), (120.0, 40.0), (80.0, 60.0)]):
        for server, rps in (("postgraphile", theirs), ("hub", ours), ("hub-dev", ours)):
            rows.append(
                {
                    "server": server,
                    "round": round_,
                    "operation": "GridResidents",
                    "concurrency": 8,
                    "rps": rps,
                    "p99_ms": 10.0 * round_,
                    "server_cpu_ms_per_request": 2.0,
                    "errors": 0,
                }
            )
    printed = vs_postgraphile.report(rows, ["GridResidents"], [8])
    line = printed.splitlines()[-1]
    assert "100/s, 10.0 ms, 2.00 ms" in line  # medians: 100 req/s, p99 10 ms
    assert line.rstrip().endswith("0.50")  # 50 / 100


@pytest.fixture(scope="module")
def world_url(postgres_schema_url: str) -> Iterator[str]:
    """The schema tests' small world on PostgreSQL, migrated and committed; the views'
    schema PostGraphile reads is dropped afterwards."""
    yield world_database(postgres_schema_url)
    api = f"pgl_{pgl.hub_schema(postgres_schema_url)}"
    with psycopg.connect(pgl.libpq_url(postgres_schema_url, "bench-test"), autocommit=True) as c:
        c.execute(f'drop schema if exists "{api}" cascade')


def test_backends_are_found_by_name_and_keep_their_cpu_once_gone(world_url: str) -> None:
    backends = vs_postgraphile.Backends(world_url, "bench-test-backends", None, interval=60)
    try:
        with psycopg.connect(pgl.libpq_url(world_url, "bench-test-backends")) as conn:
            conn.execute("select count(*) from generate_series(1, 3000000)").fetchone()
            busy = backends.cpu_seconds()
            assert len(backends.seen) == 1
            assert busy > 0
        assert backends.cpu_seconds() == busy  # gone: counted with its last sample
    finally:
        backends.close()


def test_the_views_answer_from_the_published_tables(world_url: str) -> None:
    api = pgl.create_views(world_url)
    with psycopg.connect(pgl.libpq_url(world_url, "bench-test-views")) as conn:
        hub = pgl.hub_schema(world_url)
        count = f'select count(*) from "{hub}".person'
        assert conn.execute(f'select count(*) from "{api}".person').fetchone() == (
            conn.execute(count).fetchone()
        )
        person = conn.execute(
            f'select id, resident_id from "{hub}".person where status = %s and resident_id '
            "is not null order by id limit 1",
            ("active",),
        ).fetchone()
        assert person is not None
        spaced = person[1][:6] + " " + person[1][6:].lower()
        found = conn.execute(
            f'select id, status from "{api}".person_by_resident_id(%s)', (spaced,)
        ).fetchone()
        assert found == (person[0], "ACTIVE")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm installs PostGraphile")
def test_both_servers_answer_the_same_and_are_timed(world_url: str, tmp_path: Path) -> None:
    """The whole run, short: PostGraphile installed and started, both answers compared on
    samples (a difference fails the run), every cell timed without errors."""
    out = tmp_path / "vs.json"
    vs_postgraphile.main(
        [
            "--database-url",
            world_url,
            "--duration",
            "0.5",
            "--warmup",
            "0",
            "--repeat",
            "1",
            "--concurrency",
            "1",
            "--check",
            "5",
            "--server-cpus",
            "",
            "--load-cpus",
            "",
            "--work",
            str(tmp_path),
            "--json",
            str(out),
        ]
    )
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["checked"] == dict.fromkeys(vs_postgraphile.OPERATIONS, 5)
    cells = {(r["server"], r["operation"]) for r in figures["results"]}
    assert len(cells) == 9
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in figures["results"])
