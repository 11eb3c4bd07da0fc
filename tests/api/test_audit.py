"""The audit chain on both backends: appends chain in order (also concurrently), ``verify``
finds an edited, deleted or moved entry, and the database refuses updates and deletes."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.api import audit
from hub.cli import main
from hub.storage.models import AuditEntry, AuditPerson
from hub.storage.session import session_factory, transaction

AT = dt.datetime(2026, 11, 20, 9, 30, 0, 123456, tzinfo=dt.UTC)


def entry(n: int, persons: tuple[str, ...] = ("P0000001",)) -> audit.Entry:
    log = audit.ReadLog()
    for person in persons:
        log.record("Person.name", person, allowed=True)
    log.record("Person.vaccinations", persons[0] if persons else None, allowed=n % 2 == 0)
    return audit.Entry.of(log, actor=f"test/{n}", role="health", purpose=f"case {n}",
                          operation="PersonEverything", refused=False,
                          at=AT + dt.timedelta(seconds=n))  # fmt: skip


@pytest.fixture
def chained(engine: Engine) -> Iterator[Engine]:
    """Five entries, committed."""
    with Session(engine) as session, session.begin():
        for n in range(5):
            audit.append(session, entry(n, ("P0000001", f"P000010{n}")))
    yield engine


def check(engine: Engine) -> audit.Verification:
    with Session(engine) as session:
        return audit.verify(session)


def tamper(engine: Engine, *statements: str) -> None:
    """Run ``statements`` as someone with the rights to switch the guards off would."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("set local session_replication_role = replica"))
        else:
            for table in audit_tables():
                for action in ("update", "delete"):
                    conn.execute(text(f"drop trigger if exists {table}_no_{action}"))
        for statement in statements:
            conn.execute(text(statement))


def audit_tables() -> tuple[str, ...]:
    return ("audit_entry", "audit_person")


def test_entries_chain_and_verify(chained: Engine) -> None:
    result = check(chained)
    assert result.ok and result.entries == 5
    with Session(chained) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(rows))
        assert rows[1].fields == [{"field": "Person.name", "allowed": True},
                                  {"field": "Person.vaccinations", "allowed": False}]  # fmt: skip
        assert rows[1].allowed is False and rows[0].allowed is True
        trail = list(session.scalars(audit.trail(["P0000102"])))
        assert [r.purpose for r in trail] == ["case 2"]
        assert len(list(session.scalars(audit.trail(["P0000001"])))) == 5


@pytest.mark.parametrize(
    ("statements", "broken", "reason"),
    [
        (["update audit_entry set purpose = 'nothing to see' where id = 3"], 3, "content"),
        (["update audit_entry set person_ids = '[]' where id = 2"], 2, "content"),
        (
            [
                "delete from audit_person where entry_id = 2 and person_id = 'P0000001'",
                "delete from audit_entry where id = 9999",
            ],
            2,
            "person index",
        ),
        (
            ["delete from audit_person where entry_id = 3", "delete from audit_entry where id = 3"],
            4,
            "does not follow",
        ),
        (["update audit_head set length = 4"], 5, "head"),
    ],
)
def test_verify_names_the_first_broken_entry(
    chained: Engine, statements: list[str], broken: int, reason: str
) -> None:
    tamper(chained, *statements)
    result = check(chained)
    assert not result.ok
    assert result.broken_at == broken, result
    assert reason in (result.reason or "")


def test_deleting_the_newest_entries_shows(chained: Engine) -> None:
    tamper(chained, "delete from audit_person where entry_id >= 4",
           "delete from audit_entry where id >= 4")  # fmt: skip
    result = check(chained)
    assert not result.ok and result.entries == 3
    assert "deleted" in (result.reason or "")


def test_swapped_entries_show(chained: Engine) -> None:
    with chained.connect() as conn:
        purposes = dict(conn.execute(text("select id, purpose from audit_entry")).all())
    tamper(chained, f"update audit_entry set purpose = '{purposes[3]}' where id = 2",
           f"update audit_entry set purpose = '{purposes[2]}' where id = 3")  # fmt: skip
    assert check(chained).broken_at == 2


@pytest.mark.parametrize("statement", [
    "update audit_entry set purpose = 'x' where id = 1",
    "delete from audit_entry where id = 5",
    "delete from audit_person where entry_id = 5",
    "delete from audit_head",
])  # fmt: skip
def test_the_database_refuses_changes_to_the_trail(chained: Engine, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), chained.begin() as conn:
        conn.execute(text(statement))
    assert check(chained).ok


def test_concurrent_appends_chain_one_after_another(engine: Engine) -> None:
    factory = session_factory(engine)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with transaction(factory) as session:  # a writer's: the write lock first
                    session.execute(select(AuditEntry.id).limit(1)).all()  # a read, as requests do
                    audit.append(session, entry(n * 100 + i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = check(engine)
    assert result.ok and result.entries == 48


def test_hub_audit_verify_exits_non_zero_on_a_tampered_chain(
    chained: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", db_url)
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 5 entries" in ok.output
    tamper(chained, "update audit_entry set actor = 'someone else' where id = 4")
    broken = CliRunner().invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "BROKEN at entry 4" in broken.output


def test_entries_without_persons_have_no_index_rows(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        audit.append(session, entry(1, persons=()))
    with Session(engine) as session:
        assert session.scalars(select(AuditPerson)).all() == []
    assert check(engine).ok
