"""Enter once, reuse everywhere, over HTTP as departments meet it: a grid worker registers a
resident civil affairs already knows under a slightly different name; the hub links them,
civil affairs sees the new phone at once, and the change is in the feed with its provenance:
stored, and read by civil affairs through the published change-feed operation."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.api import tokens as api_tokens
from hub.api.app import create_app
from hub.config import load_settings
from hub.sources import catalog
from hub.storage.models import ChangeEvent
from tests.access import policy
from tests.api.conftest import HubClient, headers, serve
from tests.entries.test_service import _civil_affairs_person

pytestmark = pytest.mark.slow
OPERATIONS = Path(__file__).parents[2] / "schema" / "operations"


def _post(client: HubClient, token: str, operation: str, **variables: Any) -> dict[str, Any]:
    query = (OPERATIONS / f"{operation}.graphql").read_text(encoding="utf-8")
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=headers(token))  # fmt: skip
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _token(engine: Engine, role: str, grid: str | None = None) -> str:
    with Session(engine) as session, session.begin():
        issued = api_tokens.create(session, policy(), name=f"e2e/{role}", role=role,
                                   grid_code=grid)  # fmt: skip
    return issued.secret


def test_a_registration_reaches_civil_affairs_at_once_with_its_provenance(
    world: Engine, tmp_path: Path
) -> None:
    with Session(world) as s:
        person, variant = _civil_affairs_person(s)
        last_seq = s.scalar(select(func.max(ChangeEvent.seq))) or 0
    worker = _token(world, "grid_worker", person.grid_code)
    civil = _token(world, "civil_affairs")
    settings = load_settings({"HUB_DATABASE_URL": str(world.url), "HUB_VAR_DIR": str(tmp_path)},
                             cwd=tmp_path)  # fmt: skip
    person_gid = base64.b64encode(f"Person:{person.id}".encode()).decode()
    house_gid = base64.b64encode(f"House:{person.house_id}".encode()).decode()
    with serve(create_app(settings)) as client:
        before = _post(client, civil, "PersonContact", id=person_gid)["person"]
        assert before["phone"] != "13912345678"
        registered = _post(client, worker, "RegisterResident", input={
            "name": variant, "residentId": person.resident_id, "phone": "139-1234-5678",
            "houseId": house_gid,
        })["registerResident"]  # fmt: skip
        assert registered["__typename"] == "EntryAccepted", registered
        assert registered["person"]["id"] == person_gid  # linked, not a new person
        after = _post(client, civil, "PersonContact", id=person_gid)["person"]
        feed = _post(client, civil, "ChangesSince", since={"seq": last_seq})["changes"]
    assert after["phone"] == "13912345678"
    assert after["version"] == before["version"] + 1
    assert after["name"] == person.name  # public security's spelling stays golden
    with Session(world) as s:
        event = s.scalars(
            select(ChangeEvent).where(ChangeEvent.entity_id == person.id)
            .order_by(ChangeEvent.seq.desc())
        ).first()  # fmt: skip
    assert event is not None and event.actor == "e2e/grid_worker"
    assert event.changes["phone"] == {"old": before["phone"], "new": "13912345678"}
    assert event.provenance["phone"]["dataset"] == catalog.ENTRIES_KEY
    assert event.provenance["phone"]["record_id"] == registered["entryId"]
    # The department's system syncing from the feed sees the same change, with its source.
    mine = [e["node"] for e in feed["edges"] if e["node"]["entityId"] == person.id]
    assert [(n["kind"], n["actor"], n["version"]) for n in mine] == [
        ("UPDATED", "e2e/grid_worker", after["version"])
    ]
    phone = next(c for c in mine[0]["changes"] if c["field"] == "phone")
    assert (phone["old"], phone["new"]) == (before["phone"], "13912345678")
    assert phone["provenance"]["dataset"] == catalog.ENTRIES_KEY
    assert phone["provenance"]["recordId"] == registered["entryId"]
    assert all(n["seq"] > last_seq for n in (e["node"] for e in feed["edges"]))
