"""The change log: created entities recorded as a batch of rows give the events that one
``change`` call per entity gives, merged with what later changes add, in entity order."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.resolution.changes import ChangeKind, ChangeLog, plain
from hub.storage import migrate
from hub.storage.models import ChangeEvent, EntityKind, EntityStatus
from hub.storage.session import make_engine

ROWS = pd.DataFrame(
    {
        "id": ["P3", "P1", "P2"],
        "name": ["王芳", "陈秀英", None],
        "birth_date": [dt.date(1950, 3, 1), None, dt.date(2001, 12, 31)],
        "lives_alone": [True, None, False],
        "status": [EntityStatus.ACTIVE, EntityStatus.ACTIVE, EntityStatus.ENDED],
    },
    dtype=object,
)
PROVENANCE = pd.DataFrame(
    {
        "entity_id": ["P1", "P3", "P3", "P2"],
        "field": ["name", "name", "birth_date", "birth_date"],
        "dataset": ["gongan.population", "minzheng.assistance", "gongan.population",
                    "wangge.entry"],
        "record_id": ["R1", "A3", "R3", "GE1"],
        "valid_from": [dt.date(2026, 11, 15)] * 4,
        "rule": ["source_priority(a>b)"] * 4,
        "recorded_by": [None, None, None, "grid worker 7"],
    }
)  # fmt: skip
#: name_pinyin's provenance is name's, as in publishing.
SOURCE_OF = {"name_pinyin": "name"}


def _one_by_one(log: ChangeLog) -> None:
    """What publishing recorded before: one ``change`` per created entity."""
    where = {
        (e, f): {"dataset": d, "record_id": r, "snapshot_date": plain(s), "rule": rule,
                 **({"recorded_by": by} if isinstance(by, str) else {})}
        for e, f, d, r, s, rule, by in PROVENANCE.itertuples(index=False, name=None)
    }  # fmt: skip
    for values in ROWS.to_dict("records"):
        entity_id = str(values.pop("id"))
        changed = {str(k): (None, v) for k, v in values.items() if v is not None}
        named = {k: where[(entity_id, SOURCE_OF.get(k, k))] for k in changed
                 if (entity_id, SOURCE_OF.get(k, k)) in where}  # fmt: skip
        log.change(EntityKind.PERSON, entity_id, ChangeKind.CREATED, changed, named, version=1)


def _later(log: ChangeLog) -> None:
    log.change(EntityKind.HOUSE, "H9", ChangeKind.UPDATED, {"grid_code": ("G1", "G2")}, version=4)
    log.change(EntityKind.PERSON, "P2", ChangeKind.UPDATED, {"tags": ([], ["floating"])})
    log.change(EntityKind.PERSON, "P4", ChangeKind.ENDED, {"status": ("active", "ended")},
               version=3)  # fmt: skip


def _written(log: ChangeLog, tmp_path_name: str) -> list[tuple[object, ...]]:
    url = f"sqlite:///{tmp_path_name}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        log.write(session, None, "pipeline")
    with Session(engine) as session:
        rows = session.execute(
            select(ChangeEvent.entity_kind, ChangeEvent.entity_id, ChangeEvent.kind,
                   ChangeEvent.entity_version, ChangeEvent.changes, ChangeEvent.provenance)
            .order_by(ChangeEvent.seq)
        ).all()  # fmt: skip
    engine.dispose()
    return [tuple(r) for r in rows]


def test_created_rows_give_the_events_of_one_change_per_entity(tmp_path) -> None:  # type: ignore[no-untyped-def]
    batch, single = ChangeLog(), ChangeLog()
    batch.created(EntityKind.PERSON, ROWS, PROVENANCE, source_of=SOURCE_OF)
    _one_by_one(single)
    for log in (batch, single):
        _later(log)
    assert len(batch) == len(single) == 5
    assert batch.counts() == single.counts() == {
        "person.created": 3, "person.ended": 1, "house.updated": 1,
    }  # fmt: skip
    written = _written(batch, str(tmp_path / "a.sqlite3"))
    assert written == _written(single, str(tmp_path / "b.sqlite3"))
    assert [(kind, entity_id) for kind, entity_id, *_ in written] == [
        ("house", "H9"), ("person", "P1"), ("person", "P2"), ("person", "P3"), ("person", "P4"),
    ]  # fmt: skip
    p2 = written[2]
    assert p2[2:4] == ("created", 1)
    assert p2[4] == {"birth_date": {"old": None, "new": "2001-12-31"},
                     "lives_alone": {"old": None, "new": False},
                     "status": {"old": None, "new": "ended"},
                     "tags": {"old": [], "new": ["floating"]}}  # fmt: skip
    assert p2[5] == {"birth_date": {"dataset": "wangge.entry", "record_id": "GE1",
                                    "snapshot_date": "2026-11-15",
                                    "rule": "source_priority(a>b)",
                                    "recorded_by": "grid worker 7"}}  # fmt: skip
