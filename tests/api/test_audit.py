"""The audit chain on both backends: appends chain in order (also concurrently), ``verify``
finds an edited, deleted or moved entry, and the database refuses updates and deletes."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

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
    chained: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", db_url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path))  # no key file, no anchors
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


KEY = bytes(range(32))


@pytest.fixture
def keyed(engine: Engine) -> Iterator[Engine]:
    """Five entries appended with the audit key, committed."""
    with Session(engine) as session, session.begin():
        for n in range(5):
            audit.append(session, entry(n, ("P0000001",)), KEY)
    yield engine


def keyed_check(engine: Engine, anchors: list[audit.Anchor] | None = None) -> audit.Verification:
    with Session(engine) as session:
        return audit.verify(session, KEY, anchors or [])


def recompute(engine: Engine, actor: str) -> None:
    """Rewrite every entry's actor and recompute the chain and head, as someone with write
    access to the database but without the key would."""
    with Session(engine) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    prev, statements = audit.GENESIS, []
    for row in rows:
        changed = audit.Entry.from_row(row)
        changed = audit.Entry(changed.at, actor, *[getattr(changed, f) for f in (
            "role", "purpose", "operation", "person_ids", "fields", "allowed")])  # fmt: skip
        new_hash = changed.chained_to(prev)
        statements.append(f"update audit_entry set actor = '{actor}', prev_hash = '{prev}', "
                          f"entry_hash = '{new_hash}' where id = {row.id}")  # fmt: skip
        prev = new_hash
    statements.append(f"update audit_head set entry_hash = '{prev}'")
    tamper(engine, *statements)


def test_a_keyed_chain_verifies_and_a_recomputed_one_does_not(keyed: Engine) -> None:
    assert keyed_check(keyed).ok and keyed_check(keyed).keyed == 5
    assert check(keyed).ok  # without the key, only the hashes are checked
    recompute(keyed, "nobody")
    assert check(keyed).ok  # the hash chain alone is fooled...
    forged = keyed_check(keyed)
    assert not forged.ok and forged.broken_at == 1 and "MAC" in (forged.reason or "")


def test_an_entry_without_a_mac_after_keyed_ones_fails(keyed: Engine) -> None:
    with Session(keyed) as session, session.begin():
        audit.append(session, entry(9))  # no key
    result = keyed_check(keyed)
    assert not result.ok and result.broken_at == 6 and "no MAC" in (result.reason or "")


def test_an_unkeyed_chain_fails_when_a_key_is_set(chained: Engine) -> None:
    result = keyed_check(chained)
    assert not result.ok and "no entry carries a MAC" in (result.reason or "")


def test_a_cut_with_the_head_rewound_shows_against_an_anchor(keyed: Engine) -> None:
    with Session(keyed) as session:
        anchored = audit.head_anchor(session, KEY)
        third = session.scalars(select(AuditEntry).where(AuditEntry.id == 3)).one()
        earlier = (third.entry_hash, third.entry_mac)
    assert keyed_check(keyed, [anchored]).ok
    # The newest two entries deleted, the head rewound to the third: even with the head's MAC
    # of that moment (as if saved then), the anchor written after it shows the cut.
    mac = audit.head_mac(KEY, 3, earlier[0])
    tamper(keyed, "delete from audit_person where entry_id > 3",
           "delete from audit_entry where id > 3",
           f"update audit_head set length = 3, entry_id = 3, entry_hash = '{earlier[0]}', "
           f"head_mac = '{mac}'")  # fmt: skip
    assert keyed_check(keyed).ok  # what an attacker can hide: entries since the last anchor
    cut = keyed_check(keyed, [anchored])
    assert not cut.ok and "anchor" in (cut.reason or "") and "deleted" in (cut.reason or "")


def test_a_rewound_head_without_its_mac_fails(keyed: Engine) -> None:
    with Session(keyed) as session:
        third = session.scalars(select(AuditEntry).where(AuditEntry.id == 3)).one().entry_hash
    tamper(
        keyed,
        "delete from audit_person where entry_id > 3",
        "delete from audit_entry where id > 3",
        f"update audit_head set length = 3, entry_id = 3, entry_hash = '{third}'",
    )
    result = keyed_check(keyed)
    assert not result.ok and "head's MAC" in (result.reason or "")


def test_anchors_are_written_out_of_the_database_and_read_back(
    keyed: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "audit" / "anchors.log"
    with Session(keyed) as session:
        first = audit.anchor(session, path, KEY)
        second = audit.anchor(session, path)  # unsigned (a pipeline's)
    assert audit.read_anchors(path) == [first, second]
    assert first.genuine(KEY) and first.length == 5
    forged = audit.Anchor(first.at, 4, 4, first.entry_hash, first.mac)
    result = keyed_check(keyed, [forged])
    assert not result.ok and "anchor file was changed" in (result.reason or "")
    path.write_text("not json\n")
    with pytest.raises(audit.AuditError, match=":1: not an anchor line"):
        audit.read_anchors(path)


def test_hub_audit_create_key_anchor_and_verify(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", db_url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path))
    created = CliRunner().invoke(main, ["audit", "create-key"])
    assert created.exit_code == 0, created.output
    key_file = tmp_path / "audit.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(key_file.read_text())) == 32
    again = CliRunner().invoke(main, ["audit", "create-key"])
    assert again.exit_code == 1 and "never overwritten" in again.output
    key = bytes.fromhex(key_file.read_text())
    with Session(engine) as session, session.begin():
        for n in range(3):
            audit.append(session, entry(n), key)
    anchored = CliRunner().invoke(main, ["audit", "anchor"])
    assert anchored.exit_code == 0 and '"length": 3' in anchored.output
    assert (tmp_path / "audit" / "anchors.log").read_text().count("\n") == 1
    verified = CliRunner().invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "3 entries (3 with a valid MAC), 1 anchors" in verified.output
