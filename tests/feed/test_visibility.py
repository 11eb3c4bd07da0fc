"""What each role sees of a change event: the Person fields' grants and masks, the tags it may
see, provenance only of data it may read, grid scope with moves out, omission of events with
nothing left to see. Derived from the policy file, so a policy change changes what is checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.api.access import DataCategory
from hub.feed.visibility import HOUSE_FIELDS, PERSON_FIELDS, show
from hub.resolution.publish import HOUSE_COLUMNS, PERSON_COLUMNS
from hub.storage.models import ChangeEvent
from tests.access import gated, policy, viewer

GRID = "35052600100100101"
OTHER = "35052600200100101"
ROLES = sorted(policy().roles)
RESIDENT_ID = "350526195603080123"


def event(changes: dict[str, tuple[Any, Any]], *, kind: str = "updated", grid: str = GRID,
          before: str | None = None, entity: str = "person",
          provenance: dict[str, Any] | None = None) -> ChangeEvent:  # fmt: skip
    return ChangeEvent(
        seq=1, at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC), entity_kind=entity,
        entity_id="P0000001" if entity == "person" else "H1", kind=kind, entity_version=2,
        changes={k: {"old": o, "new": n} for k, (o, n) in changes.items()},
        provenance=provenance or {}, actor="run", grid_code=grid, grid_before=before,
    )  # fmt: skip


def scoped(role: str, grid: str | None = None) -> Any:
    required = policy().role(role).grid_scope.value == "required"
    return viewer(role, (grid or GRID) if required else None)


def test_every_published_column_has_a_rule_that_names_a_gated_field() -> None:
    # A column added to the golden record is hidden from the feed until it is given a rule.
    assert set(PERSON_COLUMNS) - {"id"} <= set(PERSON_FIELDS)
    assert set(HOUSE_COLUMNS) - {"id", "address_key"} <= set(HOUSE_FIELDS)
    for name, rule in PERSON_FIELDS.items():
        if rule is not None:
            category, coordinate = rule
            assert gated()[coordinate] is category, name


@pytest.mark.parametrize("role", ROLES)
def test_each_changed_field_follows_the_person_fields_grant(role: str) -> None:
    reader = scoped(role)
    changes = {"name": ("陈秀瑛", "陈秀英"), "resident_id": (None, RESIDENT_ID),
               "phone": ("13812345678", "13700001111"), "household_no": ("1", "2"),
               "status": ("active", "active")}  # fmt: skip
    shown = show(reader, event(changes, kind="created"))
    assert shown is not None  # created events show, with what the role may see
    seen = {c.field: c for c in shown.changes}
    for name, (category, coordinate) in (("name", (DataCategory.IDENTITY, "Person.name")),
                                         ("resident_id", (DataCategory.RESIDENT_ID,
                                                          "Person.residentId")),
                                         ("phone", (DataCategory.PHONE, "Person.phone")),
                                         ("household_no", (DataCategory.RESIDENCE,
                                                           "Person.registration"))):  # fmt: skip
        assert (name in seen) == reader.reads(category, coordinate), (role, name)
    if "resident_id" in seen:
        masked = reader.masks(DataCategory.RESIDENT_ID, "Person.residentId")
        assert seen["resident_id"].new == ("350526************" if masked else RESIDENT_ID)
    if "phone" in seen:
        masked = reader.masks(DataCategory.PHONE, "Person.phone")
        assert (seen["phone"].old, seen["phone"].new) == (
            ("138****5678", "137****1111") if masked else ("13812345678", "13700001111")
        )
    assert "status" in seen  # as public as the entity


@pytest.mark.parametrize("role", ROLES)
def test_tags_are_cut_to_the_roles_tags_and_health_tags_never_leak(role: str) -> None:
    reader = scoped(role)
    shown = show(reader, event({"tags": (["elderly"], ["elderly", "unvaccinated"])}))
    if "UNVACCINATED" in {t.name for t in reader.tags}:
        assert shown is not None
        assert shown.changes[0].old == ["ELDERLY"] or "ELDERLY" not in {t.name for t in reader.tags}
        assert "UNVACCINATED" in shown.changes[0].new
    else:
        assert shown is None  # only a tag it may not see changed: the event is not theirs


def test_provenance_names_a_record_only_to_readers_of_its_kind_of_data() -> None:
    source = {"dataset": "weijian.health_group", "record_id": "WJK0000000001",
              "snapshot_date": "2026-11-15", "rule": "freshest"}  # fmt: skip
    row = event({"phone": ("13812345678", "13700001111")}, provenance={"phone": source})
    assert show(scoped("health"), row).changes[0].provenance == source  # type: ignore[union-attr]
    assert show(scoped("steward"), row).changes[0].provenance == source  # type: ignore[union-attr]
    # Grid workers read key health groups of their residents (a field rule of the policy).
    assert show(scoped("grid_worker"), row).changes[0].provenance == source  # type: ignore[union-attr]
    for role in ("civil_affairs", "public_security", "party_building"):
        change = show(scoped(role), row).changes[0]  # type: ignore[union-attr]
        assert change.provenance is None, role  # the value, not that a health record exists
    population = {**source, "dataset": "gongan.population", "record_id": "GA0000000001"}
    row = event({"phone": ("13812345678", "13700001111")}, provenance={"phone": population})
    assert show(scoped("civil_affairs"), row).changes[0].provenance == population  # type: ignore[union-attr]


def test_grid_scope_shows_the_grid_and_a_move_out_of_it() -> None:
    worker = viewer("grid_worker", GRID)
    assert show(worker, event({"phone": ("1", "2")}, grid=OTHER)) is None
    moved = event({"grid_code": (GRID, OTHER), "house_id": ("H1", "H3")}, grid=OTHER, before=GRID)
    shown = show(worker, moved)
    assert shown is not None and {c.field for c in shown.changes} == {"grid_code", "house_id"}
    moved_in = event({"grid_code": (OTHER, GRID)}, grid=GRID, before=OTHER)
    assert show(worker, moved_in) is not None
    assert show(viewer("grid_worker", OTHER), moved_in) is not None  # left theirs


def test_unknown_fields_are_left_out_and_an_update_left_empty_is_omitted() -> None:
    reader = scoped("steward")
    assert show(reader, event({"nickname": (None, "阿英")})) is None
    created = show(reader, event({"nickname": (None, "阿英")}, kind="created"))
    assert created is not None and created.changes == ()


def test_house_events_show_every_house_field() -> None:
    row = event({"use": ("住宅", "商铺"), "address_key": ("a", "b")}, entity="house")
    shown = show(scoped("city_management"), row)
    assert shown is not None and [c.field for c in shown.changes] == ["use"]
    assert shown.person_id is None
