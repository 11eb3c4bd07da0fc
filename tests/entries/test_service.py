"""Grid workers' entries end to end on a generated county: stored as records of their own,
resolved at once, with provenance and change events; refused when stale, out of scope or
invalid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.entries.model import (
    Accepted,
    Author,
    Entry,
    EntryKind,
    Invalid,
    OutOfScope,
    Stale,
)
from hub.entries.service import submit
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage.models import (
    ChangeEvent,
    EntityKind,
    EntityStatus,
    House,
    Person,
    PersonTag,
    Provenance,
    RecordLink,
    SourceRecord,
)
from hub.storage.session import session_factory

pytestmark = pytest.mark.slow
NOW = dt.datetime(2026, 12, 3, 10, 15, tzinfo=dt.UTC)
# Same sound, another character: what a worker types from hearing a name.
HOMOPHONES = {
    "英": "瑛", "明": "铭", "华": "骅", "丽": "莉", "伟": "玮", "芳": "方", "建": "健",
    "秀": "绣", "玲": "铃", "珍": "贞", "红": "宏", "军": "君", "平": "萍", "文": "雯",
}  # fmt: skip


def _civil_affairs_person(session: Session) -> tuple[Person, str]:
    """An active person known to civil affairs with a three-character name that has a
    homophone, and that homophone spelling."""
    known = select(RecordLink.entity_id).where(
        RecordLink.kind == EntityKind.PERSON, RecordLink.dataset == catalog.ASSISTANCE.key
    )
    for person in session.scalars(
        select(Person)
        .where(Person.id.in_(known), Person.status == EntityStatus.ACTIVE,
               Person.resident_id.is_not(None), Person.grid_code.is_not(None))
        .order_by(Person.id)
    ):  # fmt: skip
        name = person.name or ""
        if len(name) == 3 and name[2] in HOMOPHONES:
            return person, name[:2] + HOMOPHONES[name[2]]
    raise AssertionError("no civil-affairs person with a homophone in the test world")


def _worker(person: Person) -> Author:
    assert person.grid_code is not None
    return Author("王芳", "grid_worker", grid_scope=person.grid_code)


def _submit(engine: Engine, entry: Entry, author: Author) -> Any:
    with session_factory(engine)() as session, session.begin():
        return submit(session, entry, author, now=NOW)


def test_a_registration_of_a_known_resident_links_and_updates_the_phone(world: Engine) -> None:
    with Session(world) as s:
        person, variant = _civil_affairs_person(s)
        old_phone = person.phone
    entry = Entry(EntryKind.REGISTER, name=variant, resident_id=person.resident_id,
                  phone="13912345678", house_id=person.house_id)  # fmt: skip
    outcome = _submit(world, entry, _worker(person))
    assert isinstance(outcome, Accepted), outcome
    assert outcome.person_id == person.id  # the same resident, not a new one
    with Session(world) as s:
        after = s.get(Person, person.id)
        assert after is not None and after.phone == "13912345678"
        assert after.version == person.version + 1
        phone = s.scalars(
            select(Provenance).where(Provenance.entity_id == person.id, Provenance.field == "phone")
        ).one()
        assert (phone.dataset, phone.record_id) == (catalog.ENTRIES_KEY, outcome.record_id)
        assert phone.recorded_by == "王芳" and phone.recorded_at is not None
        assert phone.recorded_at == NOW
        event = s.scalars(select(ChangeEvent).where(ChangeEvent.entity_id == person.id)
                          .order_by(ChangeEvent.seq.desc())).first()  # fmt: skip
        assert event is not None and event.kind == "updated" and event.actor == "王芳"
        assert event.changes["phone"] == {"old": old_phone, "new": "13912345678"}
        assert event.provenance["phone"]["dataset"] == catalog.ENTRIES_KEY
        assert event.provenance["phone"]["recorded_by"] == "王芳"
        assert event.entity_version == after.version
        # The name public security registered stays the golden name.
        assert after.name == person.name


def test_an_update_based_on_a_stale_version_is_refused(world: Engine) -> None:
    with Session(world) as s:
        person, _ = _civil_affairs_person(s)
    first = Entry(EntryKind.UPDATE, person_id=person.id, expected_version=person.version,
                  phone="13911112222")  # fmt: skip
    assert isinstance(_submit(world, first, _worker(person)), Accepted)
    stale = Entry(EntryKind.UPDATE, person_id=person.id, expected_version=person.version,
                  phone="13933334444")  # fmt: skip
    outcome = _submit(world, stale, _worker(person))
    assert outcome == Stale(person.id, person.version, person.version + 1)
    with Session(world) as s:
        assert s.get(Person, person.id).phone == "13911112222"  # type: ignore[union-attr]


def test_a_worker_writes_only_in_their_grid(world: Engine) -> None:
    with Session(world) as s:
        person, _ = _civil_affairs_person(s)
        elsewhere = s.scalars(
            select(House).where(House.grid_code.is_not(None),
                                House.grid_code.not_like(f"{person.grid_code}%")).limit(1)
        ).one()  # fmt: skip
        records = s.scalar(select(func.count()).select_from(SourceRecord))
    other = Author("李明", "grid_worker", grid_scope=elsewhere.grid_code)
    update = Entry(EntryKind.UPDATE, person_id=person.id, expected_version=person.version,
                   phone="13955556666")  # fmt: skip
    assert isinstance(_submit(world, update, other), OutOfScope)
    register = Entry(EntryKind.REGISTER, name="陈新来", house_id=elsewhere.id)
    assert isinstance(_submit(world, register, _worker(person)), OutOfScope)
    with Session(world) as s:
        assert s.scalar(select(func.count()).select_from(SourceRecord)) == records


def test_invalid_values_come_back_field_by_field_and_nothing_is_stored(world: Engine) -> None:
    with Session(world) as s:
        person, _ = _civil_affairs_person(s)
        records = s.scalar(select(func.count()).select_from(SourceRecord))
    broken = (person.resident_id or "")[:-1] + ("0" if person.resident_id[-1] != "0" else "1")  # type: ignore[index]
    entry = Entry(EntryKind.REGISTER, name="陈新来", resident_id=broken, phone="12345",
                  house_id=person.house_id)  # fmt: skip
    outcome = _submit(world, entry, _worker(person))
    assert isinstance(outcome, Invalid)
    assert {(e.field, e.code) for e in outcome.errors} == {
        ("resident_id", "invalid_id_checksum"),
        ("phone", "invalid_phone"),
    }
    with Session(world) as s:
        assert s.scalar(select(func.count()).select_from(SourceRecord)) == records


def test_a_death_ends_the_person_and_living_alone_tags_them(world: Engine) -> None:
    with Session(world) as s:
        person, _ = _civil_affairs_person(s)
    alone = Entry(EntryKind.UPDATE, person_id=person.id, expected_version=person.version,
                  lives_alone=True)  # fmt: skip
    accepted = _submit(world, alone, _worker(person))
    assert isinstance(accepted, Accepted)
    with Session(world) as s:
        tags = set(s.scalars(select(PersonTag.tag).where(PersonTag.person_id == person.id)))
        assert "living_alone" in tags
    died = Entry(EntryKind.DIED, person_id=person.id, expected_version=accepted.version,
                 event_date=dt.date(2026, 12, 1))  # fmt: skip
    assert isinstance(_submit(world, died, _worker(person)), Accepted)
    with Session(world) as s:
        assert s.get(Person, person.id).status is EntityStatus.ENDED  # type: ignore[union-attr]
        kinds = s.scalars(select(ChangeEvent.kind).where(ChangeEvent.entity_id == person.id)
                          .order_by(ChangeEvent.seq)).all()  # fmt: skip
        assert kinds[-1] == "updated"  # status active -> ended, with its old value
        last = s.scalars(select(ChangeEvent).where(ChangeEvent.entity_id == person.id)
                         .order_by(ChangeEvent.seq.desc())).first()  # fmt: skip
        assert last is not None and last.changes["status"] == {"old": "active", "new": "ended"}


def test_a_move_changes_the_house_and_a_full_rerun_keeps_every_entry(world: Engine) -> None:
    with Session(world) as s:
        person, _ = _civil_affairs_person(s)
        target = s.scalars(
            select(House).where(House.grid_code.is_not(None), House.id != person.house_id)
            .order_by(House.id).limit(1)
        ).one()  # fmt: skip
    moved = Entry(EntryKind.MOVED, person_id=person.id, expected_version=person.version,
                  house_id=target.id)  # fmt: skip
    assert isinstance(_submit(world, moved, _worker(person)), Accepted)

    def state() -> tuple[Any, ...]:
        with Session(world) as s:
            p = s.get(Person, person.id)
            assert p is not None
            return (p.house_id, p.grid_code, p.phone, p.status)

    before = state()
    assert before[:2] == (target.id, target.grid_code)
    with session_factory(world)() as session, session.begin():
        resolve(session, full=True)
    assert state() == before
