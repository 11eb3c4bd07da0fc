"""The answers check on a hand-made truth and a scripted hub: how returned persons map to real
ones, precision and recall, and the kinds misses and extras are sorted into."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from evalset.answers.check import ELDERLY_ALONE, LOW_INCOME, Checker
from evalset.answers.client import AnswersError, Client, entity_of, global_id
from evalset.answers.known import Links, Truth

OPERATIONS = Path(__file__).resolve().parents[2] / "schema" / "operations"
GRID = "35052610000100101"
RESIDENTS = [
    # key, township, grid, elderly, alone, low income, vaccinated
    ("A", "龙浔镇", GRID, "0", "0", "1", "0"),  # in the low-income answer
    ("B", "龙浔镇", GRID, "0", "0", "1", "1"),  # vaccinated: not in it
    ("C", "浔中镇", "35052610100100101", "0", "0", "1", "0"),  # in it, benefit linked apart
    ("D", "龙浔镇", GRID, "1", "1", "0", "1"),  # elderly, alone
]
PERSONS = [
    ("gongan.population", "GA1", "A"),
    ("minzheng.assistance", "MZ1", "A"),
    ("gongan.population", "GA2", "B"),
    ("minzheng.assistance", "MZ2", "B"),
    ("weijian.vaccination", "WJ2", "B"),
    ("gongan.population", "GA3", "C"),
    ("minzheng.assistance", "MZ3", "C"),
    ("gongan.population", "GA5", "D"),
    ("weijian.vaccination", "WJ5", "D"),
]
LINKS = [
    ("gongan.population", "GA1", "P1"),
    ("minzheng.assistance", "MZ1", "P1"),
    ("gongan.population", "GA2", "P2"),
    ("minzheng.assistance", "MZ2", "P2"),
    ("weijian.vaccination", "WJ2", "P9"),  # B's doses on a second person
    ("gongan.population", "GA3", "P3"),
    ("minzheng.assistance", "MZ3", "P4"),
    ("gongan.population", "GA5", "P5"),
    ("weijian.vaccination", "WJ5", "P6"),
    ("gongan.population", "GAX", "P7"),
]  # a record the truth does not know


def write_truth(folder: Path) -> None:
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"snapshot_date": "2026-11-30"}))
    lines = [
        "person_key,resident_id,name,sex,birth_date,status,active,house_key,building_key,"
        "grid_code,township,household,floating,age,elderly,living_alone,low_income,"
        "vaccinated,party_member,key_health_group"
    ]
    for key, township, grid, elderly, alone, low, vacc in RESIDENTS:
        lines.append(
            f"{key},,{key},男,1950-01-01,active,1,,,{grid},{township},,0,76,{elderly},"
            f"{alone},{low},{vacc},0,0"
        )
    (folder / "residents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    persons = ["dataset,record_id,person_key", *(",".join(p) for p in PERSONS)]
    (folder / "persons.csv").write_text("\n".join(persons) + "\n", encoding="utf-8")


@dataclass
class ScriptedHub:
    """Answers the published operations from a script, and ``nodes`` from a table."""

    answers: dict[str, list[str]]
    view: dict[str, dict[str, Any]]
    asked: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def run(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.asked.append((query, variables))
        if "EvalsetGrids" in query:
            return {"grids": [{"code": GRID}, {"code": "35052610100100101"}]}
        if "EvalsetDiagnose" in query:
            return {"nodes": [self.view.get(entity_of(i)) for i in variables["ids"]]}
        scope = variables.get("township") or variables.get("gridCode")
        nodes = [{"id": global_id(e)} for e in self.answers.get(str(scope), [])]
        return {
            "people": {
                "edges": [{"node": n} for n in nodes],
                "pageInfo": {"hasNextPage": False, "endCursor": None},
            }
        }

    def pages(self, query: str, variables: dict[str, Any], field: str) -> list[dict[str, Any]]:
        return Client.pages(self, query, variables, field)  # type: ignore[arg-type]


def checker(
    tmp_path: Path, hub: ScriptedHub, links_rows: list[tuple[str, str, str]] = LINKS
) -> Checker:
    write_truth(tmp_path / "truth")
    links = tmp_path / "links.csv"
    links.write_text(
        "source,record_id,entity_id,rule,precision\n"
        + "".join(f"{d},{r},{e},x,\n" for d, r, e in links_rows),
        encoding="utf-8",
    )
    truth = Truth.read(tmp_path / "truth")
    return Checker(
        client=hub,
        truth=truth,
        links=Links.read(links, truth),  # type: ignore[arg-type]
        operations=OPERATIONS,
    )


def test_low_income_without_vaccination_scored_and_sorted(tmp_path: Path) -> None:
    hub = ScriptedHub(
        answers={"龙浔镇": ["P1", "P2", "P7"]},
        view={
            "P3": {
                "entityId": "P3",
                "status": "ACTIVE",
                "tags": ["UNVACCINATED"],
                "house": {"township": "浔中镇"},
                "grid": {"code": "35052610100100101"},
            }
        },
    )
    score = checker(tmp_path, hub).ask(LOW_INCOME)
    assert (score.returned, score.correct, score.expected, score.found) == (3, 1, 2, 1)
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(1 / 2)
    assert score.extras == {
        "vaccinated, but the doses are on a second person": 1,
        "not a real person (none of its records is in the truth)": 1,
    }
    assert score.misses == {
        "split into 2 persons; LOW_INCOME missing: the benefit is on a second person": 1
    }
    published = (OPERATIONS / "LowIncomeWithoutVaccination.graphql").read_text(encoding="utf-8")
    sent = [q for q, v in hub.asked if "township" in v]
    assert sent and all(q == published for q in sent)  # the published text, byte for byte
    assert {v["township"] for q, v in hub.asked if "township" in v} == {"龙浔镇", "浔中镇"}


def test_a_person_returned_twice_counts_once(tmp_path: Path) -> None:
    hub = ScriptedHub(answers={GRID: ["P5", "P6"]}, view={})
    score = checker(tmp_path, hub).ask(ELDERLY_ALONE)
    assert (score.returned, score.correct, score.found, score.expected) == (2, 1, 1, 1)
    assert score.extras == {"the same person returned twice (split into several)": 1}
    assert score.lines()[0].startswith(
        "ElderlyLivingAloneInGrid (2 gridCode scopes): precision 0.5000"
    )


@pytest.mark.parametrize(
    ("d_links", "kind"),
    [
        ([], "not published (none of the person's records linked)"),
        (
            [("gongan.population", "GA5", "P2")],
            "merged into another person (a minority of someone else's record)",
        ),
    ],
)
def test_misses_of_a_person_the_hub_did_not_publish_as_themselves(
    tmp_path: Path, d_links: list[tuple[str, str, str]], kind: str
) -> None:
    rows = [row for row in LINKS if row[2] not in ("P5", "P6")] + d_links
    score = checker(tmp_path, ScriptedHub(answers={}, view={}), rows).ask(ELDERLY_ALONE)
    assert score.misses == {kind: 1}
    assert score.recall == 0.0 and score.precision == 1.0  # nothing returned, nothing wrong


def test_global_ids_and_bad_ones() -> None:
    assert entity_of(global_id("P15EEC0A0C3AC")) == "P15EEC0A0C3AC"
    assert global_id("P1") == base64.b64encode(b"Person:P1").decode()
    with pytest.raises(AnswersError, match="not a global id of a Person"):
        entity_of(base64.b64encode(b"House:H1").decode())


def test_an_unreachable_hub_is_one_line(tmp_path: Path) -> None:
    client = Client(url="http://127.0.0.1:9/graphql", timeout=2)
    with pytest.raises(AnswersError, match=r"cannot reach the hub"):
        client.run("{ __typename }", {})


class ProductionHub(ScriptedHub):
    """Runs the published operations only, as a production server does."""

    def run(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if "Evalset" in query:
            raise AnswersError("http://hub/graphql: OPERATION_NOT_ALLOWED")
        return super().run(query, variables)


def test_a_production_server_still_gets_scored_without_diagnosis(tmp_path: Path) -> None:
    check = checker(tmp_path, ProductionHub(answers={GRID: ["P5"]}, view={}))
    elderly = check.ask(ELDERLY_ALONE)
    low = check.ask(LOW_INCOME)
    assert (elderly.precision, elderly.recall) == (1.0, 1.0)
    assert low.misses == {"split into 2 persons; not diagnosed": 1, "not diagnosed": 1}
    assert check.notes == [
        "grids listed from residents.csv: the server refused grids(level:)",
        "misses not diagnosed: the server refused nodes(ids:)",
    ]


def test_living_alone_extras_and_misses_name_the_household_member(tmp_path: Path) -> None:
    """A returns as living alone, but lives with B (register, household 111); the hub holds B
    under another household number (and, in the second case, A). D is missed: the hub counts
    D's own second record as a member."""
    view = {
        "P1": {"entityId": "P1", "status": "ACTIVE", "tags": [], "registration":
               {"householdNo": "111"}, "householdMembers": [{"entityId": "P1"}]},
        "P2": {"entityId": "P2", "status": "ACTIVE", "tags": [], "registration":
               {"householdNo": "222"}, "householdMembers": [{"entityId": "P2"}]},
        "P5": {"entityId": "P5", "status": "ACTIVE", "tags": ["ELDERLY"], "house": None,
               "grid": {"code": GRID}, "registration": {"householdNo": "555"},
               "householdMembers": [{"entityId": "P5"}, {"entityId": "P6"}]},
    }  # fmt: skip
    write = ScriptedHub(answers={GRID: ["P1"]}, view=view)
    check = checker(tmp_path, write)
    for resident in ("A", "B"):  # one household of two, both elderly
        old = check.truth.residents[resident]
        check.truth.residents[resident] = replace(old, household="111", elderly=True)
    check.truth.residents["D"] = replace(check.truth.residents["D"], household="555")
    check.truth.households = {"111": [check.truth.residents["A"], check.truth.residents["B"]],
                              "555": [check.truth.residents["D"]]}  # fmt: skip
    score = check.ask(ELDERLY_ALONE)
    assert score.extras == {
        "does not live alone: a household member is published under another household number": 1
    }
    view["P1"]["registration"] = {"householdNo": "999"}
    check._seen.clear()
    again = check.ask(ELDERLY_ALONE)
    assert again.extras == {
        "does not live alone: the person is published under another household number": 1
    }
    assert score.misses == {
        "split into 2 persons; LIVING_ALONE missing: the person's own second record counts as "
        "a household member": 1
    }
