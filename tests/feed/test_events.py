"""The feed's storage read as departments page through it, on both backends: events note
their grid, pages resume from a cursor without gaps or repeats while new publications
commit, events a reader may not see are scanned past, and concurrent publications take their
seqs in commit order."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.feed.events import SCAN_LIMIT, first_seq_at, latest_seq, read_page
from hub.resolution.changes import ChangeKind, ChangeLog
from hub.storage.models import ChangeEvent, EntityKind
from tests.access import viewer
from tests.schema.world import GRID, OTHER_GRID, SUBJECT, populate


def publish(session: Session, *changes: tuple[str, dict[str, tuple[object, object]]],
            actor: str = "run") -> list[int]:  # fmt: skip
    """One publication's events (person id -> changed values); their seqs."""
    log = ChangeLog()
    for entity_id, values in changes:
        log.change(EntityKind.PERSON, entity_id, ChangeKind.UPDATED, values, version=2)
    before = latest_seq(session)
    log.write(session, None, actor)
    return list(
        session.scalars(
            select(ChangeEvent.seq)
            .where(ChangeEvent.seq > before, ChangeEvent.actor == actor)
            .order_by(ChangeEvent.seq)
        )
    )


def test_each_event_notes_the_grid_of_its_entity_and_the_one_it_left(session: Session) -> None:
    populate(session)
    publish(session, (SUBJECT, {"phone": ("1", "2")}),
            ("P0000200", {"grid_code": (GRID, OTHER_GRID)}))  # fmt: skip
    rows = {r.entity_id: r for r in session.scalars(select(ChangeEvent))}
    assert (rows[SUBJECT].grid_code, rows[SUBJECT].grid_before) == (GRID, None)
    assert (rows["P0000200"].grid_code, rows["P0000200"].grid_before) == (OTHER_GRID, GRID)


def test_pages_resume_without_gaps_or_repeats_while_publications_commit(
    session: Session,
) -> None:
    populate(session)
    reader = viewer("civil_affairs")
    written: list[int] = []
    for n in range(5):
        written += publish(session, *((f"P{k:07d}", {"phone": (None, f"1390000{n}{k:03d}")})
                                      for k in range(1, 8)), actor=f"run {n}")  # fmt: skip
    seen: list[int] = []
    position = 0
    while True:
        page = read_page(session, reader, position, 4)
        seen += [e.row.seq for e in page.events]
        position = page.scanned_to
        if len(seen) == 12:  # a publication commits between two pages
            written += publish(session, (SUBJECT, {"name": ("a", "b")}), actor="meanwhile")
        if not page.has_more:
            break
    assert seen == written and len(seen) == len(set(seen)) == 36


def test_events_a_reader_may_not_see_are_scanned_past(session: Session) -> None:
    populate(session)
    hidden = publish(session, *((f"P{k:07d}", {"tags": ([], ["unvaccinated"])})
                                for k in range(1, 40)))  # fmt: skip
    shown = publish(session, (SUBJECT, {"phone": ("1", "2")}), actor="shown")
    page = read_page(session, viewer("civil_affairs"), 0, 10)
    assert [e.row.seq for e in page.events] == shown and not page.has_more
    health = read_page(session, viewer("health"), 0, 10)
    assert [e.row.seq for e in health.events] == hidden[:10] and health.has_more
    empty = read_page(session, viewer("civil_affairs"), 0, 0)
    assert empty.events == () and empty.scanned_to == 0 and empty.has_more
    assert SCAN_LIMIT >= 1000


def test_grid_workers_read_their_grid_only(session: Session) -> None:
    populate(session)
    publish(session, (SUBJECT, {"phone": ("1", "2")}), ("P0000200", {"phone": ("3", "4")}))
    page = read_page(session, viewer("grid_worker", OTHER_GRID), 0, 10)
    assert [e.row.entity_id for e in page.events] == ["P0000200"]


def test_since_a_time_starts_at_the_first_event_written_at_or_after_it(
    session: Session,
) -> None:
    populate(session)
    first = publish(session, (SUBJECT, {"phone": ("1", "2")}))
    for row in session.scalars(select(ChangeEvent)):
        row.at = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    session.flush()
    later = publish(session, (SUBJECT, {"phone": ("2", "3")}), actor="later")
    china = dt.timezone(dt.timedelta(hours=8))
    assert first_seq_at(session, dt.datetime(2026, 11, 1, 20, tzinfo=china)) == first[0] - 1
    assert first_seq_at(session, dt.datetime(2026, 11, 1, 20, 1, tzinfo=china)) == later[0] - 1
    assert first_seq_at(session, dt.datetime(2099, 1, 1, tzinfo=dt.UTC)) == later[-1]


@pytest.mark.postgres
def test_concurrent_publications_take_seqs_in_commit_order(engine: Engine, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    with Session(engine) as setup, setup.begin():
        populate(setup)
    first = Session(engine)
    first.begin()
    ours = publish(first, (SUBJECT, {"phone": ("1", "2")}), actor="first")
    done: list[list[int]] = []

    def second() -> None:
        with Session(engine) as session, session.begin():
            done.append(publish(session, ("P0000002", {"phone": ("3", "4")}), actor="second"))

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert not done, "the second publication wrote its events before the first committed"
    first.commit()
    first.close()
    thread.join(10)
    assert done and min(done[0]) > max(ours)
