"""A steward's decisions as plain functions (what the API and a steward console call): listed
newest first with who, when, why and what, and revoked with a reason, on a published world."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.ingest.corrections import active_corrections
from hub.sources import catalog
from hub.stewards import actions, decisions, release
from hub.stewards.actions import ActionRefused
from hub.storage.session import session_factory
from tests.stewards.test_actions import STEWARD, links, persons
from tests.stewards.test_release import corrected, nameless

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def test_decisions_are_listed_and_a_revoked_merge_is_undone(published: Engine) -> None:
    before = persons(published)
    # Persons of two records or more: two single-record persons merged stay one after the
    # merge is revoked, even through a full run (reported: hub/resolution keeps them).
    a, b = sorted(p for p, uids in before.items() if len(uids) >= 2)[-2:]
    factory = session_factory(published)
    with factory() as session, session.begin():
        merged = actions.merge_persons(session, [a, b], actor=STEWARD, reason="one person")
        apart = actions.not_same_persons(session, *sorted(before)[:2], actor="steward/li",
                                         reason="two people")  # fmt: skip
    with Session(published) as session:
        listed = decisions.list_decisions(session)
        assert [d.id for d in listed] == [apart.decisions[0].id, merged.decisions[0].id]
        assert [d.id for d in decisions.list_decisions(session, actor=STEWARD)] == [
            merged.decisions[0].id
        ]
        assert sorted(decisions.records_of(listed[1])) == sorted(before[a] + before[b])
    assert links(published)[before[a][0]] == links(published)[before[b][0]]

    with factory() as session, session.begin():
        revoked = decisions.revoke_decision(session, merged.decisions[0].id, actor=STEWARD,
                                            reason="merged by mistake")  # fmt: skip
    after = links(published)
    assert after[before[a][0]] != after[before[b][0]]  # resolved again, without the merge
    assert sorted(revoked.persons) == sorted({after[before[a][0]], after[before[b][0]]})
    with Session(published) as session:
        assert [d.id for d in decisions.list_decisions(session)] == [apart.decisions[0].id]
        (gone,) = [d for d in decisions.list_decisions(session, include_revoked=True)
                   if d.id == merged.decisions[0].id]  # fmt: skip
        assert (gone.revoked_by, gone.revoked_reason) == (STEWARD, "merged by mistake")
    for decision_id, reason in ((merged.decisions[0].id, "again"), (apart.decisions[0].id, " ")):
        with factory() as session, session.begin(), pytest.raises(ActionRefused):
            decisions.revoke_decision(session, decision_id, actor=STEWARD, reason=reason)
    with factory() as session, pytest.raises(LookupError):
        decisions.revoke_decision(session, 10**9, actor=STEWARD, reason="no such")


def test_a_revoked_release_is_no_longer_applied_to_later_deliveries(published: Engine) -> None:
    factory = session_factory(published)
    with Session(published) as session:
        row = nameless(session)
        row_id, values = row.id, corrected(row, 姓名="吴金木")
    with factory() as session, session.begin():
        done = release.release_row(session, row_id, values, actor=STEWARD, reason="register")
    with Session(published) as session:
        assert len(active_corrections(session, catalog.POPULATION.key)) == 1
    with factory() as session, session.begin():
        revoked = decisions.revoke_decision(session, done.decision.id, actor=STEWARD,
                                            reason="the register was wrong")  # fmt: skip
    assert revoked.persons == () and revoked.changes == 0
    with Session(published) as session:
        assert active_corrections(session, catalog.POPULATION.key) == {}
